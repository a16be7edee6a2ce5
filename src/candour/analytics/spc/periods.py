"""Missing periods in regular series (an addition to the reference, off by default).

A series is regular when its dates step by whole months on the same day of the month (or always
on the last day), or by whole weeks, or by whole days. Its period is its smallest step (so
quarterly data is not reported as missing two months in three); every longer step leaves out
``step / period - 1`` periods. Irregular series are not checked.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from candour.analytics.spc.constants import MISSING_PERIODS_WARNING
from candour.analytics.spc.frames import SeriesFrame

DAYS_PER_WEEK = 7
MONTH_NAMES = {1: "monthly", 3: "quarterly", 12: "yearly"}
WEEK_NAMES = {1: "weekly", 2: "fortnightly"}


def missing_period_warnings(data: SeriesFrame) -> pl.Series:
    """Per series: a warning naming how many periods are missing, or null."""
    dates = data.frame.get_column(data.columns.date)
    if isinstance(dates.dtype, pl.Datetime):
        dates = dates.dt.date()
    steps = (
        step_table(dates, data)
        .group_by("series", maintain_order=True)
        .agg(
            pl.col("days").min().alias("min_days"),
            (pl.col("days") % pl.col("days").min() == 0).all().alias("days_regular"),
            (pl.col("days") % DAYS_PER_WEEK == 0).all().alias("whole_weeks"),
            pl.col("months").min().alias("min_months"),
            (pl.col("months") % pl.col("months").min() == 0).all().alias("months_regular"),
            pl.col("same_day").all(),
            pl.col("month_end").all(),
            pl.col("days").sum().alias("total_days"),
            pl.col("months").sum().alias("total_months"),
            pl.len().alias("steps"),
            pl.col("first").first(),
            pl.col("last").last(),
        )
    )
    warnings = steps.select(pl.col("series"), describe_gaps().alias("warning"))
    per_series = pl.DataFrame({"series": np.arange(data.n_series)})
    return per_series.join(warnings, on="series", how="left", maintain_order="left")["warning"]


def step_table(dates: pl.Series, data: SeriesFrame) -> pl.DataFrame:
    """One row per step between consecutive dates of a series (a series' first row has none)."""
    series = np.repeat(np.arange(data.n_series), data.series_lengths)
    frame = pl.DataFrame({"series": series, "date": dates}).with_columns(
        previous=pl.col("date").shift(1),
        first_day=pl.col("date").first().over("series"),
    )
    not_first = np.ones(frame.height, dtype=bool)
    not_first[data.series_starts] = False
    month = pl.col("date").dt.year() * 12 + pl.col("date").dt.month()
    previous_month = pl.col("previous").dt.year() * 12 + pl.col("previous").dt.month()
    return frame.filter(pl.Series(not_first)).select(
        "series",
        days=(pl.col("date") - pl.col("previous")).dt.total_days(),
        months=month - previous_month,
        same_day=pl.col("date").dt.day() == pl.col("first_day").dt.day(),
        month_end=(pl.col("date").dt.month_end() == pl.col("date"))
        & (pl.col("previous").dt.month_end() == pl.col("previous")),
        first=pl.col("first_day"),
        last=pl.col("date"),
    )


def describe_gaps() -> pl.Expr:
    """The warning for one series' step summary, or null when it is irregular or complete."""
    month_regular = (
        (pl.col("same_day") | pl.col("month_end"))
        & (pl.col("min_months") >= 1)
        & pl.col("months_regular").fill_null(False)
    )
    weekly = pl.col("whole_weeks") & pl.col("days_regular").fill_null(False)
    daily = pl.col("min_days") == 1
    month_gaps = gaps(pl.col("total_months"), pl.col("min_months"))
    week_gaps = gaps(pl.col("total_days"), pl.col("min_days"))
    day_gaps = pl.col("total_days") - pl.col("steps")
    count = (
        pl.when(month_regular)
        .then(month_gaps)
        .when(weekly)
        .then(week_gaps)
        .when(daily)
        .then(day_gaps)
    )
    period = (
        pl.when(month_regular)
        .then(period_name(pl.col("min_months"), MONTH_NAMES, "months"))
        .when(weekly)
        .then(period_name(pl.col("min_days") // DAYS_PER_WEEK, WEEK_NAMES, "weeks"))
        .when(daily)
        .then(pl.lit("daily"))
    )
    message = pl.format(
        MISSING_PERIODS_WARNING.replace("{count}", "{}")
        .replace("{period}", "{}")
        .replace("{first}", "{}")
        .replace("{last}", "{}"),
        count,
        period,
        pl.col("first"),
        pl.col("last"),
    )
    return pl.when(count > 0).then(message)


def gaps(total: pl.Expr, period: pl.Expr) -> pl.Expr:
    """Periods left out: the span in periods minus the steps taken."""
    return total // period - pl.col("steps")


def period_name(multiple: pl.Expr, names: dict[int, str], unit: str) -> pl.Expr:
    named = multiple.replace_strict(names, default=None, return_dtype=pl.String)
    return named.fill_null(pl.format("every-{}-" + unit, multiple))
