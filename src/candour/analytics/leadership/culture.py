"""Leadership culture by region, from the NHS Staff Survey measures (Kerr: bullying and
discrimination "prevalent and accepted").

For each region and measure, :func:`culture_by_region` takes each organisation's latest
published year, and gives the median across the region's organisations with how many there are,
the years they come from, and the respondents behind them:

* an organisation's result based on fewer than 11 respondents is left out (the NHS Staff Survey
  publishes no group under 11);
* the respondents' total passes through the disclosure rule of
  :func:`candour.analytics.disclosure.disclose_count` (counts of 1 to 7 hidden, others rounded
  to 5); it is "not published" when any organisation's respondents are unknown;
* the number of organisations is shown exactly: which trusts publish results is public.

Pure Python and Polars; never imports Django.
"""

from __future__ import annotations

from typing import Any, Final

import polars as pl

from candour.analytics.disclosure import disclose_count
from candour.analytics.funnel.frames import as_polars
from candour.exceptions import DataFileError, Problem

# The staff-survey measures of leadership culture (their definitions are in data/measures.toml,
# bundled with the survey files): how staff rate their immediate managers (7a-7g) and senior
# managers (8a-8d), 2012-2018, and harassment, bullying or abuse from managers and colleagues and
# discrimination at work, 2021-2024.
MANAGER_MEASURES: Final = (
    "mq_7a_teamwork",
    "mq_7b_help_difficult_task",
    "mq_7c_clear_feedback",
    "mq_7d_asks_opinion",
    "mq_7e_support_crisis",
    "mq_7f_interest_wellbeing",
    "mq_7g_values_work",
)
SENIOR_MANAGER_MEASURES: Final = (
    "mq_8a_know_senior_managers",
    "mq_8b_communication",
    "mq_8c_involve_staff",
    "mq_8d_act_on_feedback",
)
HARASSMENT_MEASURES: Final = (
    "ss_hba_managers",
    "ss_hba_colleagues",
    "ss_discrimination_internal",
)
CULTURE_MEASURES: Final = HARASSMENT_MEASURES + MANAGER_MEASURES + SENIOR_MANAGER_MEASURES
# The NHS Staff Survey reports no result for a group of fewer than 11 respondents.
MIN_RESPONDENTS: Final = 11
OBSERVATIONS_SOURCE: Final = "observations"
COLUMNS: Final = {
    "ods_code": pl.String,
    "region_code": pl.String,
    "measure_id": pl.String,
    "period_start": pl.Date,
    "value": pl.Float64,
    "denominator": pl.Float64,
}
RESULT_SCHEMA: Final = {
    "region_code": pl.String,
    "measure_id": pl.String,
    "organisations": pl.Int64,
    "median": pl.Float64,
    "first_year": pl.Int32,
    "latest_year": pl.Int32,
    "respondents": pl.Int64,
    "respondents_display": pl.String,
}
NOT_PUBLISHED: Final = "not published"


def latest_per_organisation(observations: pl.DataFrame) -> pl.DataFrame:
    """Each organisation's latest result of each measure."""
    return (
        observations.sort("period_start")
        .group_by("ods_code", "measure_id", maintain_order=True)
        .agg(pl.all().last())
    )


def enough_respondents() -> pl.Expr:
    """A result based on fewer than 11 respondents is not used; an unknown number is kept
    (the survey published it, so it met its own threshold)."""
    return pl.col("denominator").is_null() | (pl.col("denominator") >= MIN_RESPONDENTS)


def culture_by_region(observations: Any) -> pl.DataFrame:
    """Per region and measure: organisations, median of their latest results, the years those
    come from, and the respondents (disclosure-controlled). Regions with no usable result are
    absent; an empty input gives an empty frame."""
    frame = _checked(observations)
    latest = latest_per_organisation(frame).filter(enough_respondents())
    if latest.is_empty():
        return pl.DataFrame(schema=RESULT_SCHEMA)
    table = (
        latest.group_by("region_code", "measure_id")
        .agg(
            pl.len().cast(pl.Int64).alias("organisations"),
            pl.col("value").median().alias("median"),
            pl.col("period_start").dt.year().min().alias("first_year"),
            pl.col("period_start").dt.year().max().alias("latest_year"),
            pl.when(pl.col("denominator").is_null().any())
            .then(None)
            .otherwise(pl.col("denominator").sum().round(0).cast(pl.Int64))
            .alias("respondents"),
        )
        .sort("region_code", "measure_id")
    )
    disclosed = [
        NOT_PUBLISHED if count is None else disclose_count(int(count))
        for count in table["respondents"]
    ]
    return table.with_columns(
        pl.Series(
            "respondents",
            [None if isinstance(d, str) or d.suppressed else d.value for d in disclosed],
            dtype=pl.Int64,
        ),
        pl.Series(
            "respondents_display",
            [d if isinstance(d, str) else d.display for d in disclosed],
            dtype=pl.String,
        ),
    ).cast(RESULT_SCHEMA)


def _checked(observations: Any) -> pl.DataFrame:
    frame = as_polars(observations)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataFileError(
            OBSERVATIONS_SOURCE,
            [
                Problem(f"column is missing; expected {', '.join(COLUMNS)}", column=column)
                for column in missing
            ],
        )
    frame = frame.select([pl.col(c).cast(t) for c, t in COLUMNS.items()])
    problems = [
        Problem("a value is required, found null", row=i + 1, column=column)
        for column in ("ods_code", "region_code", "measure_id", "period_start", "value")
        for i in frame.with_row_index().filter(pl.col(column).is_null())["index"].head(20)
    ]
    if problems:
        raise DataFileError(OBSERVATIONS_SOURCE, problems)
    return frame
