"""Run charts: the median and the IHI shift and trend rules, against hand-worked series."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from candour.analytics.spc import run_chart
from candour.exceptions import OptionError


def monthly(values, group=None) -> pl.DataFrame:
    dates = pl.date_range(dt.date(2022, 1, 1), dt.date(2030, 1, 1), "1mo", eager=True)
    data = pl.DataFrame({"month": dates[: len(values)], "count": values}, strict=False)
    return data.with_columns(unit=pl.lit(group)) if group else data


def labels(result) -> dict[int, str]:
    types = result.points.get_column("special_cause_type").cast(pl.String).to_list()
    return {i: t for i, t in enumerate(types) if t != "Common Cause"}


# Sorted: 1 1 1 2 2 2 5 5 5 8 8 8 9 9 9, so the median is 5. Six points below it; then, skipping
# the three points on the median, six points above it.
SHIFTS = [2, 1, 2, 1, 2, 1, 5, 8, 9, 5, 8, 9, 8, 5, 9]


def test_median_and_shifts_skipping_points_on_the_median():
    result = run_chart(monthly(SHIFTS), value="count", date="month")
    points = result.points
    assert points.get_column("median").to_list() == [5.0] * 15
    assert points.get_column("relative_to_median").to_list() == [
        -1, -1, -1, -1, -1, -1, 0, 1, 1, 0, 1, 1, 1, 0, 1
    ]  # fmt: skip
    below, above = "6 Points Below Median", "6 Points Above Median"
    assert labels(result) == {
        **dict.fromkeys(range(6), below),
        **dict.fromkeys([7, 8, 10, 11, 12, 14], above),
    }
    assert points.get_column("shift").sum() == 12
    assert points.get_column("trend").sum() == 0


def test_point_types_follow_the_improvement_direction():
    result = run_chart(monthly(SHIFTS), value="count", date="month", improvement="decrease")
    types = result.points.get_column("point_type").to_list()
    assert types[0] == "special_cause_improvement"
    assert types[14] == "special_cause_concern"
    assert types[6] == "common_cause"
    assert result.summary.row(0, named=True)["variation_type"] == "special_cause_concern"


def test_trend_skips_a_repeated_value():
    # 10 11 12 12 13 14 rises through five different values; the repeated 12 neither counts
    # nor breaks it, and is flagged with the trend it sits in.
    result = run_chart(monthly([10, 11, 12, 12, 13, 14, 8, 15, 9, 16]), value="count", date="month")
    assert labels(result) == dict.fromkeys(range(6), "5 Point Trend (Increasing)")
    assert result.points.get_column("median").to_list() == [12.0] * 10


def test_falling_trend_and_a_missing_value_skipped():
    result = run_chart(monthly([20, 18, None, 15, 11, 9, 12, 30, 25]), value="count", date="month")
    assert labels(result) == {i: "5 Point Trend (Decreasing)" for i in (0, 1, 3, 4, 5)}
    assert result.points.get_column("relative_to_median")[2] is None


def test_many_series_and_rule_lengths():
    data = pl.concat([monthly(SHIFTS, "A"), monthly(list(range(10)), "B")])
    result = run_chart(data, value="count", date="month", group="unit", trend_length=10)
    by_unit = result.points.partition_by("unit", as_dict=True)
    b = by_unit[("B",)].get_column("special_cause_type").cast(pl.String).to_list()
    assert b == ["10 Point Trend (Increasing)"] * 10
    assert result.summary.get_column("median").to_list() == [5.0, 4.5]


def test_rebase_gives_each_segment_its_median():
    data = monthly([1, 2, 3, 4, 10, 20, 30, 40])
    result = run_chart(data, value="count", date="month", rebase=["2022-05-01"])
    assert result.points.get_column("median").to_list() == [2.5] * 4 + [25.0] * 4
    assert result.points.get_column("rebase_group").to_list() == [0] * 4 + [1] * 4


def test_rule_lengths_validated():
    with pytest.raises(OptionError, match="shift_length"):
        run_chart(monthly(SHIFTS), value="count", date="month", shift_length=1)
