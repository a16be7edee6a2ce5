"""NHS Staff Survey 2021-2024: harassment, violence, discrimination and wellbeing by organisation.

The recent staff-voice series: what staff say now, in every trust type (the 2019 file has the
full question set for one year). Percentages with the number who answered each question.
"""

from __future__ import annotations

import polars as pl

from candour.importers.datasets.base import (
    MAX_COUNT,
    NAME_MAX_LENGTH,
    Dataset,
    ImportedData,
    cells,
    observations,
    organisations,
)
from candour.importers.schema import Column, Schema

# The file's benchmarking groups that are NHS trusts, mapped to Candour's organisation types; the
# others (ICBs, CCGs, CSUs, social enterprises) are skipped and counted.
TRUST_GROUPS = {
    "Acute and Acute & Community Trusts": "Acute",
    "Acute Specialist Trusts": "Acute specialist",
    "Mental Health & Learning Disability and Mental Health, Learning Disability & Community Trusts": (
        "Mental health"
    ),
    "Community Trusts": "Community",
    "Ambulance Trusts": "Ambulance",
}
# measure id -> the file's rate column (percent, 0-100; its base is "<stem>_base"). The first four
# continue the 2019 file's measures: the questions were renumbered in the survey's 2021 redesign,
# so data/breaks.toml registers a break for them.
MEASURES = {
    "ss_hba_managers": "Emotional_manager_rate",
    "ss_hba_colleagues": "Emotional_colleagues_rate",
    "ss_hba_public": "Emotional_public_rate",
    "ss_discrimination_internal": "Discrimination_internal_rate",
    "ss_discrimination_public": "Discrimination_public_rate",
    "ss_violence_public": "Physical_public_rate",
    "ss_violence_colleagues": "Physical_colleagues_rate",
    "ss_burnout": "Burned_out_rate",
    "ss_work_stress_unwell": "Stress_rate",
    "ss_enough_staff": "Enough_staff_rate",
}
PERCENT = 100


def base_column(rate_column: str) -> str:
    """'Burned_out_rate' -> 'Burned_out_base' (the number who answered the question)."""
    return rate_column.removesuffix("_rate") + "_base"


SCHEMA = Schema(
    columns=(
        # merged CCGs appear as "06L/06T/07K"; they are not trusts and are skipped
        Column("ODS code", pattern=r"^[A-Z0-9]{3,6}(/[A-Z0-9]{3,6})*$"),
        Column("Year", "int", minimum=2021, maximum=2024),
        Column("Organisation name", maximum_length=NAME_MAX_LENGTH),
        Column("Benchmarking group"),
        *(
            column
            for rate in MEASURES.values()
            for column in (
                # blank where an organisation had too few answers to publish
                Column(rate, "float", may_be_blank=True, minimum=0, maximum=PERCENT),
                Column(base_column(rate), "int", may_be_blank=True, minimum=0, maximum=MAX_COUNT),
            )
        ),
    ),
    key=("ODS code", "Year"),
)


def rate_measure(rate: str) -> dict[str, pl.Expr]:
    """A percent with its base: value = rate / 100; the numerator estimated as value x base."""
    base = pl.col(base_column(rate))
    value = pl.when(base > 0).then(pl.col(rate) / PERCENT)
    return {"value": value, "denominator": base, "numerator": (value * base).round(0)}


def _transform(frame: pl.DataFrame, path: str) -> ImportedData:
    is_trust = pl.col("Benchmarking group").is_in(list(TRUST_GROUPS))
    skipped = frame.filter(~is_trust).height
    frame = frame.filter(is_trust).with_columns(
        ods_code=pl.col("ODS code"), period_start=pl.date(pl.col("Year"), 1, 1)
    )
    latest_first = frame.sort("Year", descending=True)
    orgs = latest_first.select(
        "ods_code",
        name=pl.col("Organisation name"),
        org_type=pl.col("Benchmarking group").replace_strict(TRUST_GROUPS),
    )
    measures = {measure_id: rate_measure(rate) for measure_id, rate in MEASURES.items()}
    return ImportedData(
        "staff_survey_2021_2024",
        path,
        organisations=organisations(orgs),
        observations=observations(frame, measures, "year"),
        cells=cells(frame, "year"),
        skipped={"rows for organisations that are not NHS trusts": skipped} if skipped else {},
    )


DATASET = Dataset(
    "staff_survey_2021_2024",
    "staff_survey_2021_2024",
    SCHEMA,
    _transform,
    "NHS Staff Survey 2021-2024: harassment, violence, discrimination, burnout",
)
