"""CQC ratings of NHS trusts: overall and the five key questions."""

from __future__ import annotations

import polars as pl

from candour.importers.datasets.base import (
    NAME_MAX_LENGTH,
    ORGANISATION_TYPES,
    RATING_COLUMNS,
    Dataset,
    ImportedData,
    canonical,
    organisations,
)
from candour.importers.schema import ODS_CODE_PATTERN, Column, Schema

CQC_RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate")
CQC_KEY_QUESTIONS = ("overall", "safe", "effective", "caring", "responsive", "well_led")

CQC_SCHEMA = Schema(
    columns=(
        Column("org_code", pattern=ODS_CODE_PATTERN),
        Column("org_name", maximum_length=NAME_MAX_LENGTH),
        Column(
            "org_type", choices=("Acute", "Mental Health", "Community Provider Trust", "Ambulance")
        ),
        # Every trust in the file is rated on every key question (no blanks in the 2019 file).
        *(Column(q, choices=CQC_RATINGS) for q in CQC_KEY_QUESTIONS),
        Column("overall_publication_date", "date"),
    ),
    key=("org_code",),
)


def _transform_cqc(frame: pl.DataFrame, path: str) -> ImportedData:
    orgs = frame.select(
        pl.col("org_code").alias("ods_code"),
        pl.col("org_name").alias("name"),
        pl.col("org_type").replace_strict(ORGANISATION_TYPES).alias("org_type"),
    )
    ratings = frame.unpivot(
        index=["org_code", "overall_publication_date"],
        on=list(CQC_KEY_QUESTIONS),
        variable_name="key_question",
        value_name="rating",
    ).select(
        pl.col("org_code").alias("ods_code"),
        pl.lit("Overall").alias("service"),
        pl.col("key_question"),
        pl.col("rating"),
        pl.col("overall_publication_date").alias("published"),
    )
    return ImportedData(
        "cqc_ratings",
        path,
        organisations=organisations(orgs),
        ratings=canonical(ratings, RATING_COLUMNS),
    )


DATASET = Dataset(
    "cqc_ratings",
    "cqc_ratings",
    CQC_SCHEMA,
    _transform_cqc,
    "CQC ratings: overall and five key questions",
)
