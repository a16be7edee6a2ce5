"""Cancer waiting times by provider: 28-day, 31-day and 62-day standards, monthly, 2023."""

from __future__ import annotations

import polars as pl

from candour.importers.datasets.base import (
    MAX_COUNT,
    NHS_TRUST_CODE_PATTERN,
    Dataset,
    ImportedData,
    cells,
    observations,
    organisations,
    ratio,
)
from candour.importers.schema import ODS_CODE_PATTERN, AtMost, Column, Schema, SumEquals

CANCER_STANDARDS = {
    "62-day Combined": "cancer_62day",
    "31-day Combined": "cancer_31day",
    "28-day FDS": "cancer_fds_28day",
}
# Each standard is published as two complete cuts (by cancer type, and for the 31- and 62-day
# standards by modality); summing both double counts. Use the cut by cancer type, whose rows have
# treatment_modality "ALL MODALITIES" (or none, for the 28-day standard). Source: the dataset's README.
CANCER_ALL_MODALITIES = "ALL MODALITIES"
# A patient whose pathway is shared by two providers counts half to each (NHS England, Cancer
# Waiting Times guidance: shared breach allocation), so counts are whole or halves: 10,342 rows
# of the bundled file have a half, none a smaller fraction.
CANCER_COUNT_STEP = 0.5


def _count(name: str) -> Column:
    return Column(name, "float", minimum=0, maximum=MAX_COUNT, multiple_of=CANCER_COUNT_STEP)


CANCER_SCHEMA = Schema(
    columns=(
        Column("period", "date", first_of_month=True),
        Column("standard", choices=tuple(CANCER_STANDARDS)),
        Column("org_code", pattern=ODS_CODE_PATTERN),
        Column("stage_route"),
        # Blank for the 28-day standard, which is not cut by modality (13,149 rows).
        Column("treatment_modality", may_be_blank=True),
        Column("cancer_type"),
        _count("total_treated"),
        _count("within_standard"),
        _count("breaches"),
    ),
    key=("period", "standard", "org_code", "stage_route", "treatment_modality", "cancer_type"),
    rules=(
        AtMost("within_standard", ("total_treated",)),
        SumEquals(("within_standard", "breaches"), "total_treated"),
    ),
)


def _transform_cancer(frame: pl.DataFrame, path: str) -> ImportedData:
    is_trust = pl.col("org_code").str.contains(NHS_TRUST_CODE_PATTERN)
    skipped = frame.filter(~is_trust).height
    trusts = frame.filter(is_trust).rename({"org_code": "ods_code", "period": "period_start"})
    by_cancer_type = trusts.filter(
        pl.col("treatment_modality").is_null()
        | (pl.col("treatment_modality") == CANCER_ALL_MODALITIES)
    )
    monthly = by_cancer_type.group_by(
        "ods_code", "period_start", "standard", maintain_order=True
    ).agg(pl.col("within_standard").sum(), pl.col("total_treated").sum())
    parts = [
        observations(
            monthly.filter(pl.col("standard") == standard),
            {
                measure_id: {
                    "numerator": pl.col("within_standard"),
                    "denominator": pl.col("total_treated"),
                    "value": ratio(pl.col("within_standard"), pl.col("total_treated")),
                }
            },
            "month",
        )
        for standard, measure_id in CANCER_STANDARDS.items()
    ]
    return ImportedData(
        "cancer_waiting_times",
        path,
        organisations=organisations(trusts.select("ods_code")),
        observations=pl.concat(parts),
        cells=cells(trusts, "month"),
        skipped={"rows for providers that are not NHS trusts": skipped} if skipped else {},
    )


DATASET = Dataset(
    "cancer_waiting_times",
    "cancer_waiting_times",
    CANCER_SCHEMA,
    _transform_cancer,
    "Cancer waiting times by provider, April to October 2023",
)
