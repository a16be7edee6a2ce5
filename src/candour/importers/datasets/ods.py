"""NHS trusts from the ODS reference: the authoritative names, regions and dates."""

from __future__ import annotations

import polars as pl

from candour.importers.datasets.base import (
    NAME_MAX_LENGTH,
    POSTCODE_MAX_LENGTH,
    Dataset,
    ImportedData,
    organisations,
    title_case_name,
)
from candour.importers.schema import ODS_CODE_PATTERN, Column, Schema

# NHS England regions by ODS code (NHS England, regional structure from April 2020), plus Wales
# and the pre-2020 commissioning region still attached to trusts that closed before then.
REGIONS = {
    "Y56": "London",
    "Y58": "South West",
    "Y59": "South East",
    "Y60": "Midlands",
    "Y61": "East of England",
    "Y62": "North West",
    "Y63": "North East and Yorkshire",
    "Y55": "Midlands and East (before 2020)",
    "W00": "Wales",
}

ODS_SCHEMA = Schema(
    columns=(
        Column("organisation_code", pattern=ODS_CODE_PATTERN),
        Column("name", maximum_length=NAME_MAX_LENGTH),
        Column("national_grouping", pattern=r"^[A-Z0-9]{3}$"),
        Column("postcode", maximum_length=POSTCODE_MAX_LENGTH),
        Column("open_date", "date", date_format="%Y%m%d"),
        # Blank while the trust is open. Published as YYYYMMDD, sometimes with ".0" appended.
        Column("close_date", "date", may_be_blank=True, date_format=("%Y%m%d", "%Y%m%d.0")),
    ),
    key=("organisation_code",),
)


def _transform_ods(frame: pl.DataFrame, path: str) -> ImportedData:
    orgs = frame.select(
        pl.col("organisation_code").alias("ods_code"),
        title_case_name(pl.col("name")).alias("name"),
        pl.col("national_grouping").alias("region_code"),
        pl.col("national_grouping").replace_strict(REGIONS, default=None).alias("region_name"),
        pl.col("postcode"),
        pl.col("open_date"),
        pl.col("close_date"),
    )
    return ImportedData(
        "ods_trusts", path, organisations=organisations(orgs), names_authoritative=True
    )


DATASET = Dataset(
    "ods_trusts", "ods_trusts", ODS_SCHEMA, _transform_ods, "NHS trusts from the ODS reference"
)
