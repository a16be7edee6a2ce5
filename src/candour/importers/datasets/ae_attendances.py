"""A&E attendances, 4-hour breaches and admissions by provider and department type, 2016-19."""

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
from candour.importers.schema import ODS_CODE_PATTERN, AtMost, Column, Schema

AE_ATTENDANCES_SCHEMA = Schema(
    columns=(
        Column("period", "date", first_of_month=True),
        Column("org_code", pattern=ODS_CODE_PATTERN),
        Column("type", choices=("1", "2", "other")),
        Column("attendances", "int", minimum=0, maximum=MAX_COUNT),
        Column("breaches", "int", minimum=0, maximum=MAX_COUNT),
        Column("admissions", "int", minimum=0, maximum=MAX_COUNT),
    ),
    key=("period", "org_code", "type"),
    # Not checked: admissions at most attendances. Admissions include emergency admissions
    # that did not come through this department (RTX, type 2, October 2018: 74 attendances,
    # 92 admissions).
    rules=(AtMost("breaches", ("attendances",)),),
)


def _four_hour() -> dict[str, pl.Expr]:
    within = pl.col("attendances") - pl.col("breaches")
    return {
        "numerator": within,
        "denominator": pl.col("attendances"),
        "value": ratio(within, pl.col("attendances")),
    }


def _transform_ae_attendances(frame: pl.DataFrame, path: str) -> ImportedData:
    is_trust = pl.col("org_code").str.contains(NHS_TRUST_CODE_PATTERN)
    skipped = frame.filter(~is_trust).height
    frame = frame.filter(is_trust).rename({"org_code": "ods_code", "period": "period_start"})
    type1 = frame.filter(pl.col("type") == "1")
    all_types = frame.group_by("ods_code", "period_start", maintain_order=True).agg(
        pl.col("attendances").sum(), pl.col("breaches").sum()
    )
    type1_attendances = {"value": pl.col("attendances"), "numerator": pl.col("attendances")}
    measures = pl.concat(
        [
            observations(type1, {"ae_4hr_type1": _four_hour()}, "month"),
            observations(type1, {"ae_attendances_type1": type1_attendances}, "month"),
            observations(all_types, {"ae_4hr_all": _four_hour()}, "month"),
        ]
    )
    return ImportedData(
        "ae_attendances",
        path,
        organisations=organisations(frame.select("ods_code")),
        observations=measures,
        cells=cells(frame, "month"),
        skipped={"rows for providers that are not NHS trusts": skipped} if skipped else {},
    )


DATASET = Dataset(
    "ae_attendances",
    "ae_attendances",
    AE_ATTENDANCES_SCHEMA,
    _transform_ae_attendances,
    "A&E attendances and 4-hour breaches, 2016-19",
)
