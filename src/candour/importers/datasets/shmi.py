"""Summary Hospital-level Mortality Indicator (SHMI) by acute trust, yearly, 2012-19."""

from __future__ import annotations

from datetime import date

import polars as pl

from candour.importers.datasets.base import (
    NAME_MAX_LENGTH,
    Dataset,
    ImportedData,
    cells,
    observations,
    organisations,
)
from candour.importers.schema import ODS_CODE_PATTERN, Column, Schema

# SHMI is observed over expected deaths: 0.624 to 1.268 in the bundled file. Five times the
# expected deaths is far more likely a typing error than a published figure.
SHMI_MAXIMUM = 5
EARLIEST_YEAR = 2000  # SHMI was first published in 2011; earlier years are typing errors

SHMI_SCHEMA = Schema(
    columns=(
        Column("Code", pattern=ODS_CODE_PATTERN),
        # A year that has begun.
        Column("Year.Index", "int", minimum=EARLIEST_YEAR, maximum=date.today().year),
        Column("SHMI.Index", "float", minimum=0, maximum=SHMI_MAXIMUM),
        # Blank in 18 rows of the bundled file (trusts the research group did not name).
        Column("Name", may_be_blank=True, maximum_length=NAME_MAX_LENGTH),
    ),
    key=("Code", "Year.Index"),
)


def _transform_shmi(frame: pl.DataFrame, path: str) -> ImportedData:
    frame = frame.with_columns(
        pl.col("Code").alias("ods_code"),
        pl.date(pl.col("Year.Index"), 1, 1).alias("period_start"),
    )
    return ImportedData(
        "shmi",
        path,
        organisations=organisations(frame.select("ods_code", pl.col("Name").alias("name"))),
        observations=observations(frame, {"shmi": {"value": pl.col("SHMI.Index")}}, "year"),
        cells=cells(frame, "year"),
    )


DATASET = Dataset("shmi", "shmi", SHMI_SCHEMA, _transform_shmi, "SHMI by acute trust, 2012-19")
