"""Referral to treatment (RTT) and A&E performance by trust, monthly, 2024-25."""

from __future__ import annotations

import polars as pl

from candour.importers.datasets.base import (
    ICB_NAME_MAX_LENGTH,
    MAX_COUNT,
    MAX_WAIT_WEEKS,
    NAME_MAX_LENGTH,
    Dataset,
    ImportedData,
    cells,
    observations,
    organisations,
    ratio,
    title_case_name,
)
from candour.importers.schema import ODS_CODE_PATTERN, AtMost, BlankTogether, Column, Schema

AE_COLUMNS = (
    "ae_attendances_total",
    "ae_over_4hrs_total",
    "ae_emergency_admissions_total",
    "ae_12hr_wait_admissions",
)

RTT_AE_SCHEMA = Schema(
    columns=(
        Column("trust_code", pattern=ODS_CODE_PATTERN),
        Column("trust_name", maximum_length=NAME_MAX_LENGTH),
        Column("period", "date", first_of_month=True),
        # Blank for trusts the compilation did not map to an ICB (396 of 1,816 rows).
        Column("icb_code", may_be_blank=True, pattern=r"^[A-Z0-9]{3}$"),
        Column("icb_name", may_be_blank=True, maximum_length=ICB_NAME_MAX_LENGTH),
        Column("rtt_incomplete_pathways", "int", minimum=0, maximum=MAX_COUNT),
        Column("rtt_within_18_weeks", "int", minimum=0, maximum=MAX_COUNT),
        Column("rtt_52_plus_weeks", "int", minimum=0, maximum=MAX_COUNT),
        # Blank in one row of the 2024-25 file (RTT counts given, median not).
        Column(
            "rtt_median_wait_weeks", "float", may_be_blank=True, minimum=0, maximum=MAX_WAIT_WEEKS
        ),
        # Blank together for trusts without an A&E department (307 rows). Published as 35270.0.
        *(
            Column(name, "int", may_be_blank=True, minimum=0, maximum=MAX_COUNT)
            for name in AE_COLUMNS
        ),
    ),
    key=("trust_code", "period"),
    rules=(
        AtMost("rtt_within_18_weeks", ("rtt_incomplete_pathways",)),
        AtMost("rtt_52_plus_weeks", ("rtt_incomplete_pathways",)),
        AtMost("ae_over_4hrs_total", ("ae_attendances_total",)),
        # Not checked: emergency admissions at most attendances. Admissions count every
        # emergency admission, not only those through A&E, and exceed attendances in 12 rows
        # of the 2024-25 file (RJ8 in 11 months and RAN in one, with no A&E attendances).
        AtMost("ae_12hr_wait_admissions", ("ae_emergency_admissions_total",)),
        BlankTogether(("icb_code", "icb_name")),
        BlankTogether(AE_COLUMNS),
    ),
)


def _transform_rtt_ae(frame: pl.DataFrame, path: str) -> ImportedData:
    frame = frame.rename({"trust_code": "ods_code", "period": "period_start"})
    latest_icb = (
        frame.sort("period_start")
        .group_by("ods_code")
        .agg(
            pl.col("trust_name").last(),
            pl.col("icb_code").drop_nulls().last(),
            pl.col("icb_name").drop_nulls().last(),
        )
    )
    orgs = latest_icb.select(
        "ods_code",
        title_case_name(pl.col("trust_name")).alias("name"),
        "icb_code",
        title_case_name(pl.col("icb_name")).alias("icb_name"),
    )
    pathways = pl.col("rtt_incomplete_pathways")
    attendances = pl.col("ae_attendances_total")
    admissions = pl.col("ae_emergency_admissions_total")
    within_4h = attendances - pl.col("ae_over_4hrs_total")
    measures = {
        "rtt_18wk": {
            "numerator": pl.col("rtt_within_18_weeks"),
            "denominator": pathways,
            "value": ratio(pl.col("rtt_within_18_weeks"), pathways),
        },
        "rtt_52wk": {
            "numerator": pl.col("rtt_52_plus_weeks"),
            "denominator": pathways,
            "value": ratio(pl.col("rtt_52_plus_weeks"), pathways),
        },
        "rtt_median_wait": {"value": pl.col("rtt_median_wait_weeks")},
        "ae_4hr_all": {
            "numerator": within_4h,
            "denominator": attendances,
            "value": ratio(within_4h, attendances),
        },
        "ae_12hr_waits": {
            "numerator": pl.col("ae_12hr_wait_admissions"),
            "denominator": admissions,
            "value": ratio(pl.col("ae_12hr_wait_admissions"), admissions),
        },
    }
    return ImportedData(
        "rtt_ae_monthly",
        path,
        organisations=organisations(orgs),
        observations=observations(frame, measures, "month"),
        cells=cells(frame, "month"),
    )


DATASET = Dataset(
    "rtt_ae_monthly",
    "rtt_ae_monthly",
    RTT_AE_SCHEMA,
    _transform_rtt_ae,
    "Monthly RTT and A&E, 2024-25",
)
