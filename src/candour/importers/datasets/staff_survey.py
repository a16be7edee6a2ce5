"""NHS Staff Survey 2019: key culture indicators by trust."""

from __future__ import annotations

import polars as pl

from candour.exceptions import DataFileError, Problem
from candour.importers.datasets.base import (
    MAX_COUNT,
    NAME_MAX_LENGTH,
    ORGANISATION_TYPES,
    Dataset,
    ImportedData,
    cells,
    observations,
    organisations,
    ratio,
)
from candour.importers.schema import Column, Schema

STAFF_SURVEY_2019_MEASURES = {
    "ss_hba_managers": "q13b_hba_from_managers",
    "ss_hba_colleagues": "q13c_hba_from_colleagues",
    "ss_hba_public": "q13a_hba_from_patients_public",
    "ss_discrimination_internal": "q15b_discrimination_from_manager_colleagues",
    "ss_secure_raising_concerns": "q18b_secure_raising_concerns_unsafe_practice",
    "ss_confident_concern_addressed": "q18c_confident_org_would_address_concern",
    "ss_incident_reporting_encouraged": "q17b_org_encourages_incident_reporting",
    "ss_recommend_care": "q21d_recommend_standard_of_care",
    "ss_recommend_work": "q21c_recommend_as_place_to_work",
    "ss_safety_culture": "theme_safety_culture_score",
    "ss_bullying_theme": "theme_safe_env_bullying_harassment_score",
}
# Theme scores run from 0 to 10 (NHS Staff Survey 2019 technical guide); question results are
# proportions of respondents, from 0 to 1.
STAFF_SURVEY_SCORE_COLUMNS = {
    "theme_safety_culture_score",
    "theme_safe_env_bullying_harassment_score",
}
STAFF_SURVEY_THEME_SCORE_MAXIMUM = 10
STAFF_SURVEY_2019_PERIOD = "2019-01-01"  # survey year 2019 (fieldwork autumn 2019)
# The Isle of Wight trust (R1F) answered the 2019 survey as four sectors, R1F1 to R1F4.
SECTOR_CODE_PATTERN = r"^([A-Z0-9]{3})\d$"

STAFF_SURVEY_2019_SCHEMA = Schema(
    columns=(
        Column("org_code", pattern=r"^[A-Z0-9]{3,4}$"),
        Column("org_name", maximum_length=NAME_MAX_LENGTH),
        Column(
            "benchmark_group", choices=tuple(k for k in ORGANISATION_TYPES if k.endswith("Trusts"))
        ),
        Column("responses", "int", minimum=0, maximum=MAX_COUNT),
        # Every trust has every indicator in the 2019 file (no blanks).
        *(
            Column(
                source_column,
                "float",
                minimum=0,
                maximum=STAFF_SURVEY_THEME_SCORE_MAXIMUM
                if source_column in STAFF_SURVEY_SCORE_COLUMNS
                else 1,
            )
            for source_column in STAFF_SURVEY_2019_MEASURES.values()
        ),
    ),
    key=("org_code",),
)


def _combine_sectors(frame: pl.DataFrame, path: str) -> pl.DataFrame:
    """Combine sector rows (R1F1..R1F4) into their trust, weighting each proportion by responses."""
    trust = pl.col("org_code").str.extract(SECTOR_CODE_PATTERN, 1)
    sectors = frame.filter(trust.is_not_null())
    if sectors.is_empty():
        return frame
    measure_columns = list(STAFF_SURVEY_2019_MEASURES.values())
    combined = (
        sectors.with_columns(trust.alias("org_code"))
        .group_by("org_code", maintain_order=True)
        .agg(
            pl.col("org_name").first().str.replace(r"\s*\(.*\)$", ""),
            pl.col("benchmark_group").first(),
            *[
                ratio(
                    (pl.col(c) * pl.col("responses")).sum(),
                    pl.col("responses").filter(pl.col(c).is_not_null()).sum(),
                ).alias(c)
                for c in measure_columns
            ],
            pl.col("responses").sum(),
        )
    )
    _refuse_trust_given_twice(frame, combined, path)
    return pl.concat([frame.filter(trust.is_null()), combined.select(frame.columns)])


def _refuse_trust_given_twice(frame: pl.DataFrame, combined: pl.DataFrame, path: str) -> None:
    twice = sorted(set(combined["org_code"]) & set(frame["org_code"]))
    if twice:
        raise DataFileError(
            path,
            [
                Problem(
                    f"trust {code} is given both on its own and as sectors ({code}1, {code}2, "
                    "...); give one or the other",
                    column="org_code",
                )
                for code in twice
            ],
        )


def _transform_staff_survey_2019(frame: pl.DataFrame, path: str) -> ImportedData:
    frame = _combine_sectors(frame, path).with_columns(
        pl.col("org_code").alias("ods_code"),
        pl.lit(STAFF_SURVEY_2019_PERIOD).str.to_date().alias("period_start"),
    )
    orgs = frame.select(
        "ods_code",
        pl.col("org_name").alias("name"),
        pl.col("benchmark_group").replace_strict(ORGANISATION_TYPES).alias("org_type"),
    )
    measures = {
        measure_id: {"value": pl.col(column), "denominator": pl.col("responses")}
        for measure_id, column in STAFF_SURVEY_2019_MEASURES.items()
    }
    return ImportedData(
        "staff_survey_2019",
        path,
        organisations=organisations(orgs),
        observations=observations(frame, measures, "year"),
        cells=cells(frame, "year"),
    )


DATASET = Dataset(
    "staff_survey_2019",
    "staff_survey_2019",
    STAFF_SURVEY_2019_SCHEMA,
    _transform_staff_survey_2019,
    "NHS Staff Survey 2019 key culture indicators",
)
