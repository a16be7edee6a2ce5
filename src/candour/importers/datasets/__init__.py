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
    rtt_year_end,
    shmi,
    staff_survey,
    staff_survey_2021,
    staff_survey_indices,
    staff_survey_management,
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
    # The order of `candour import all`. An organisation's type is set by the first dataset that
    # gives one: the staff surveys' benchmarking groups (which tell specialist trusts from other
    # acute trusts, newest first) before the CQC's four types.
    for module in (
        ods,
        staff_survey_2021,
        staff_survey,
        cqc,
        staff_survey_indices,
        staff_survey_management,
        rtt_ae,
        rtt_year_end,
        ae_attendances,
        shmi,
        cancer,
    )
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
