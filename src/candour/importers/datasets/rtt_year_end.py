"""Referral to treatment at each financial year's end, by trust, 2013-2019: incomplete pathways at
31 March and how many had waited under 18 weeks. Stored as March's snapshot of the monthly RTT
measure, which is what it is; lets the assessment be replayed before 2019."""

from __future__ import annotations

import polars as pl

from candour.importers.datasets.base import (
    MAX_COUNT,
    Dataset,
    ImportedData,
    measured,
)
from candour.importers.schema import ODS_CODE_PATTERN, AtMost, BlankTogether, Column, Schema

SCHEMA = Schema(
    columns=(
        Column("org_code", pattern=ODS_CODE_PATTERN),
        Column("fin_year_start", "int", minimum=2000, maximum=2100),
        # Blank for trust-years without RTT (before 2012, and trusts without elective care).
        Column("n_total", "float", may_be_blank=True, minimum=0, maximum=MAX_COUNT),
        Column("n_18_weeks", "float", may_be_blank=True, minimum=0, maximum=MAX_COUNT),
    ),
    key=("org_code", "fin_year_start"),
    rules=(AtMost("n_18_weeks", ("n_total",)), BlankTogether(("n_total", "n_18_weeks"))),
)


def _transform(frame: pl.DataFrame, path: str) -> ImportedData:
    frame = frame.filter(pl.col("n_total") > 0).with_columns(
        ods_code=pl.col("org_code"), period_start=pl.date(pl.col("fin_year_start") + 1, 3, 1)
    )
    within = pl.col("n_18_weeks")
    measures = {
        "rtt_18wk": {
            "numerator": within,
            "denominator": pl.col("n_total"),
            "value": within / pl.col("n_total"),
        }
    }
    return measured("rtt_year_end", path, frame, measures, "month")


DATASET = Dataset(
    "rtt_year_end",
    "annual_performance",
    SCHEMA,
    _transform,
    "RTT at each financial year's end, 2013-19",
)
