"""Importers: each public dataset, from its file to validated, canonical Polars frames.

One module per dataset declares its schema (columns, ranges, the rules tying a row's columns
together) and its transform; :mod:`.base` holds what they share. ``DATASETS`` names them all.
"""

from __future__ import annotations

from candour.importers.datasets import (
    ae_attendances,
    cancer,
    cqc,
    ods,
    rtt_ae,
    shmi,
    staff_survey,
)
from candour.importers.datasets.base import (
    CELL_COLUMNS,
    MAX_SHRINK_FRACTION,
    OBSERVATION_COLUMNS,
    ORGANISATION_COLUMNS,
    PERIOD_TYPES,
    RATING_COLUMNS,
    Dataset,
    ImportedData,
    title_case_name,
)
from candour.importers.datasets.cqc import CQC_KEY_QUESTIONS, CQC_RATINGS
from candour.importers.datasets.ods import REGIONS
from candour.importers.datasets.successors import load_successors

DATASETS: dict[str, Dataset] = {
    module.DATASET.name: module.DATASET
    for module in (ods, cqc, staff_survey, rtt_ae, ae_attendances, shmi, cancer)
}

__all__ = [
    "CELL_COLUMNS",
    "CQC_KEY_QUESTIONS",
    "CQC_RATINGS",
    "DATASETS",
    "MAX_SHRINK_FRACTION",
    "OBSERVATION_COLUMNS",
    "ORGANISATION_COLUMNS",
    "PERIOD_TYPES",
    "RATING_COLUMNS",
    "REGIONS",
    "Dataset",
    "ImportedData",
    "load_successors",
    "title_case_name",
]
