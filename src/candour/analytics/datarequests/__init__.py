"""The data-request registry's analytics: which items of which requests ask for the same thing,
and the burden requests put on organisations. Pure Python; never imports Django.

* :mod:`~candour.analytics.datarequests.model` - requests, items, frequencies, held-data keys;
* :func:`duplicates_of`, :func:`all_duplicates` - exact duplicates (the same held data for
  overlapping organisations and periods) and fuzzy ones (near-identical wording,
  :mod:`~candour.analytics.datarequests.text`);
* :func:`organisation_burden`, :func:`region_burden`, :func:`requester_burden`,
  :func:`most_duplicated` - the burden view;
* :func:`evaluate` - the fuzzy matcher's precision and recall on labelled pairs.
"""

from candour.analytics.datarequests.burden import (
    Burden,
    DuplicatedItem,
    Served,
    most_duplicated,
    organisation_burden,
    region_burden,
    requester_burden,
)
from candour.analytics.datarequests.evaluation import LabelledPair, Scores, evaluate
from candour.analytics.datarequests.matching import (
    EXACT,
    FUZZY,
    FUZZY_THRESHOLD,
    Duplicate,
    all_duplicates,
    duplicates_of,
    is_fuzzy_match,
)
from candour.analytics.datarequests.model import (
    FREQUENCIES,
    ITEM_PERIODS,
    ITEM_UNITS,
    Item,
    Request,
    held_key,
    split_held,
)

__all__ = [
    "EXACT",
    "FREQUENCIES",
    "FUZZY",
    "FUZZY_THRESHOLD",
    "ITEM_PERIODS",
    "ITEM_UNITS",
    "Burden",
    "Duplicate",
    "DuplicatedItem",
    "Item",
    "LabelledPair",
    "Request",
    "Scores",
    "Served",
    "all_duplicates",
    "duplicates_of",
    "evaluate",
    "held_key",
    "is_fuzzy_match",
    "most_duplicated",
    "organisation_burden",
    "region_burden",
    "requester_burden",
    "split_held",
]
