"""When two items of two requests ask for the same thing.

**Exact.** Both map to the same held data (the same Candour measure, so the same numerator and
denominator; or the same CQC rating) for the same period type, and the requests ask at least one
organisation in common about overlapping periods (:func:`exact_duplicate`).

**Fuzzy.** When either item maps to no held data (two items mapped to different held data ask
for different things), the wording decides (:func:`fuzzy_duplicate`):
the two items are in the same unit and period; they agree on every fact
:mod:`~candour.analytics.datarequests.text` reads out of the text (time thresholds, their
direction, the numbers of the names, the alternatives named); and the similarity of their
normalised wording (:func:`similarity`, RapidFuzz's token-set ratio, 0 to 100) reaches
:data:`FUZZY_THRESHOLD`. The requests must also share an organisation and overlapping periods.

The rules and the threshold were chosen on the labelled pairs in ``data/request_item_pairs.csv``
(calibration) and ``data/request_item_pairs_development.csv`` (held out at first, then used to
revise the rules), and measured once on ``data/request_item_pairs_test.csv``, written before the
revised rules ran on it. Precision and recall on each are in docs/reference/requests.md (a test
keeps the numbers there true). On the test pairs about two in five fuzzy matches were wrong, so
a fuzzy match is a *possible* duplicate for a person to confirm (by mapping the item to the held
data), never counted as a confirmed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz

from candour.analytics.datarequests import text
from candour.analytics.datarequests.model import Item, Request, periods_overlap

# Items not both mapped to held data, whose facts agree, are possible duplicates when their
# wording scores at least this (0-100): the score with the best F1 on the calibration and
# development pairs (precision 0.902, recall 0.925 there; docs/reference/requests.md, "How well the
# fuzzy matcher does").
FUZZY_THRESHOLD = 70.0
EXACT = "exact"
FUZZY = "fuzzy"


@dataclass(frozen=True)
class Duplicate:
    """``item`` of ``request`` asks for the same thing as ``other_item`` of ``other``."""

    request: Request
    item: Item
    other: Request
    other_item: Item
    kind: str  # EXACT or FUZZY
    score: float  # 100 for an exact duplicate

    @property
    def organisations(self) -> frozenset[str]:
        """The organisations both requests ask."""
        return self.request.organisations & self.other.organisations


@cache
def _normalised(words: str) -> str:
    return text.normalise(words)


def similarity(a: Item, b: Item) -> float:
    """How alike two items' wording is, 0 to 100: RapidFuzz's token-set ratio of the normalised
    names, or of the names with their definitions, whichever is higher (two requests may name an
    item alike and define it in other words, or name it differently and define it alike)."""
    names = fuzz.token_set_ratio(_normalised(a.name), _normalised(b.name))
    wordings = fuzz.token_set_ratio(
        _normalised(f"{a.name} {a.definition}"), _normalised(f"{b.name} {b.definition}")
    )
    return max(names, wordings)


def same_shape(a: Item, b: Item) -> bool:
    """The same unit and the same period type."""
    return a.unit == b.unit and a.period_type == b.period_type


def thresholds_agree(a: Item, b: Item) -> bool:
    """Time thresholds named by both items are the same ones (18 weeks is not 52 weeks)."""
    first = text.time_thresholds(f"{a.name} {a.definition}")
    second = text.time_thresholds(f"{b.name} {b.definition}")
    return not (first and second) or first == second


def directions_agree(a: Item, b: Item) -> bool:
    """Both count the same side of their threshold (within, or over), when both say."""
    first = text.direction(a.name) or text.direction(a.definition)
    second = text.direction(b.name) or text.direction(b.definition)
    return first is None or second is None or first == second


def name_numbers_agree(a: Item, b: Item) -> bool:
    """When both names have numbers in them, the same numbers (type 1 is not type 3)."""
    first, second = text.name_numbers(a.name), text.name_numbers(b.name)
    return not (first and second) or first == second


def alternatives_agree(a: Item, b: Item) -> bool:
    """No set of alternatives where one item names some and the other names only others
    (bullying from managers is not bullying from colleagues)."""
    first = text.contrasts(f"{a.name} {a.definition}")
    second = text.contrasts(f"{b.name} {b.definition}")
    return not any(x and y and not (x & y) for x, y in zip(first, second, strict=True))


def facts_agree(a: Item, b: Item) -> bool:
    return (
        same_shape(a, b)
        and thresholds_agree(a, b)
        and directions_agree(a, b)
        and name_numbers_agree(a, b)
        and alternatives_agree(a, b)
    )


def fuzzy_score(a: Item, b: Item) -> float | None:
    """The similarity of two items when their facts agree; None when they cannot be the same."""
    if not facts_agree(a, b):
        return None
    return similarity(a, b)


def is_fuzzy_match(a: Item, b: Item) -> bool:
    """The fuzzy rule on wording alone (the labelled pairs test this)."""
    score = fuzzy_score(a, b)
    return score is not None and score >= FUZZY_THRESHOLD


def asked_together(a: Request, b: Request) -> bool:
    """Two requests ask at least one organisation in common about overlapping periods."""
    return bool(a.organisations & b.organisations) and periods_overlap(a, b)


def exact_duplicate(request: Request, item: Item, other: Request, other_item: Item) -> bool:
    return (
        item.held is not None
        and item.held == other_item.held
        and item.period_type == other_item.period_type
        and asked_together(request, other)
    )


def fuzzy_duplicate(request: Request, item: Item, other: Request, other_item: Item) -> float | None:
    """The score when ``item`` and ``other_item``, not both mapped to held data, are
    near-identical and the requests are asked together; None otherwise."""
    both_mapped = item.held is not None and other_item.held is not None
    if both_mapped or not asked_together(request, other):
        return None
    score = fuzzy_score(item, other_item)
    return score if score is not None and score >= FUZZY_THRESHOLD else None


def duplicates_of(request: Request, others: list[Request]) -> list[Duplicate]:
    """Every duplicate of each item of ``request`` among the items of ``others`` (other
    requests), exact ones first, then by score."""
    found = []
    for other in others:
        if other.key == request.key or not asked_together(request, other):
            continue
        for item in request.items:
            for other_item in other.items:
                if exact_duplicate(request, item, other, other_item):
                    found.append(Duplicate(request, item, other, other_item, EXACT, 100.0))
                    continue
                score = fuzzy_duplicate(request, item, other, other_item)
                if score is not None:
                    found.append(Duplicate(request, item, other, other_item, FUZZY, score))
    return sorted(found, key=lambda d: (d.kind != EXACT, -d.score, d.other.key, d.other_item.key))


def all_duplicates(requests: list[Request]) -> list[Duplicate]:
    """Every duplicate in the registry, each pair found from both sides."""
    return [d for request in requests for d in duplicates_of(request, requests)]
