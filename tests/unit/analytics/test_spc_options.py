"""The switches beyond the reference: each is off by default (the reference answer), and each
changes the answer as documented when turned on. Inputs are conformance cases' series, with the
expected points worked out by hand from their means and limits."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from candour.analytics.spc import spc
from candour.exceptions import DataFileError

CASES_FILE = Path(__file__).parents[2] / "conformance" / "spc_cases.json"
CASES = {c["id"]: c for c in json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]}


def series_of(case_id: str) -> pl.DataFrame:
    case = CASES[case_id]
    return pl.DataFrame(
        {"date": case["input"]["dates"], "value": case["input"]["values"]},
        schema={"date": pl.String, "value": pl.Float64},
    )


def flagged(result, field: str = "special_cause_type") -> dict[int, str]:
    labels = result.points.get_column(field).cast(pl.String).to_list()
    return {i: t for i, t in enumerate(labels) if t != "Common Cause"}


def monthly(values: list[float | None], start: dt.date = dt.date(2020, 1, 1)) -> pl.DataFrame:
    dates = pl.date_range(start, start.replace(year=start.year + 10), "1mo", eager=True)
    return pl.DataFrame({"date": dates[: len(values)], "value": values})


# --- MDC 2023 two-in-three: points beyond the limits count ---------------------------------------


def test_two_in_three_reference_ignores_a_point_beyond_the_limit():
    # Point 24 (13.0) is in the outer third above the mean (10.68; UPL 13.76); point 26 (25.0) is
    # above the UPL; point 25 (11.0) is above the mean. Only 24 is "close", so no 2-in-3.
    result = spc(series_of("hand_two_in_three_one_beyond_limit"), value="value", date="date")
    assert flagged(result) == {26: "Above UCL"}


def test_two_in_three_counting_outside_points_flags_the_close_point():
    result = spc(
        series_of("hand_two_in_three_one_beyond_limit"),
        value="value",
        date="date",
        two_in_three_counts_outside=True,
    )
    assert flagged(result) == {24: "2 in 3 Above CL", 26: "Above UCL"}
    assert result.points.get_column("point_type")[24] == "special_cause_improvement"


# --- shift and trend lengths -----------------------------------------------------------------------


def test_shift_of_six_only_with_shift_length_six():
    frame = series_of("hand_shift_6_below_not_flagged")  # last six points below the mean 9.95
    assert flagged(spc(frame, value="value", date="date")) == {}
    result = spc(frame, value="value", date="date", shift_length=6)
    assert flagged(result) == dict.fromkeys(range(14, 20), "6 Points Below CL")
    assert result.summary.get_column("variation_icon")[0] == "concern_low"


def test_shift_length_eight_needs_eight_points():
    values = [10.0, 12.0, 9.0, 11.0, 10.0, 13.0, 8.0, 11.0, 12.0, 9.0] + [10.5] * 7 + [8.0, 9.0]
    frame = monthly(values)  # mean 10.28: the seven 10.5s are one run above it
    assert set(flagged(spc(frame, value="value", date="date")).values()) == {"7 Points Above CL"}
    assert flagged(spc(frame, value="value", date="date", shift_length=8)) == {}


def test_trend_of_six_only_with_trend_length_six():
    frame = series_of("hand_trend_6_not_flagged")  # 7.5, 8, 9, 10, 11, 12 at the end
    assert flagged(spc(frame, value="value", date="date")) == {}
    result = spc(frame, value="value", date="date", trend_length=6)
    assert flagged(result) == dict.fromkeys(range(14, 20), "6 Point Trend (Increasing)")


# --- icons only from n points ----------------------------------------------------------------------


def test_icons_hidden_below_n_present_points():
    frame = series_of("hand_short_group_12_points")
    shown = spc(frame, value="value", date="date", target=2)  # below the LPL (4.45)
    assert shown.summary.row(0, named=True)["variation_icon"] == "common_cause"
    hidden = spc(frame, value="value", date="date", target=2, icons_from_n_points=13)
    row = hidden.summary.row(0, named=True)
    assert row["variation_icon"] is None
    assert row["assurance_icon"] is None
    assert row["variation_type"] == "common_cause"  # the analysis itself is unchanged
    assert row["assurance_type"] == "consistent_pass"


def test_icons_shown_from_n_points():
    frame = series_of("hand_13_points")
    result = spc(frame, value="value", date="date", icons_from_n_points=13)
    assert result.summary.row(0, named=True)["variation_icon"] == "common_cause"


def test_icons_count_present_values_only():
    frame = series_of("hand_13_points").with_columns(
        value=pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("value"))
    )
    result = spc(frame, value="value", date="date", icons_from_n_points=13, tolerate_missing=True)
    assert result.summary.row(0, named=True)["variation_icon"] is None


# --- assurance at the boundary ---------------------------------------------------------------------


def test_target_on_the_upper_limit_is_inconsistent_by_default():
    frame = series_of("hand_assurance_target_equals_upl")  # UPL is exactly 15.88
    result = spc(frame, value="value", date="date", target=15.88)
    assert result.summary.row(0, named=True)["assurance_type"] == "inconsistent"


@pytest.mark.parametrize(
    ("improvement", "target", "expected"),
    [
        ("increase", 15.88, "consistent_fail"),  # every value is at or below the target
        ("decrease", 15.88, "consistent_pass"),
        ("increase", 4.119999999999999, "consistent_pass"),  # exactly the LPL
        ("decrease", 4.119999999999999, "consistent_fail"),
    ],
)
def test_target_on_a_limit_with_inclusive_assurance(improvement, target, expected):
    frame = series_of("hand_assurance_target_equals_upl")
    result = spc(
        frame,
        value="value",
        date="date",
        improvement=improvement,
        target=target,
        assurance_inclusive=True,
    )
    assert result.summary.row(0, named=True)["assurance_type"] == expected
    assert result.groups.get_column("assurance_type")[0] == expected


# --- missing periods -------------------------------------------------------------------------------


def test_no_missing_period_warning_by_default():
    frame = monthly([float(v) for v in range(20)]).filter(pl.int_range(pl.len()) != 5)
    assert spc(frame, value="value", date="date").warnings == ()


def test_missing_month_warned():
    frame = monthly([float(v % 5) for v in range(20)]).filter(
        ~pl.int_range(pl.len()).is_in([5, 6, 12])
    )
    result = spc(frame, value="value", date="date", warn_missing_periods=True)
    assert result.warnings == ("3 missing monthly period(s) between 2020-01-01 and 2021-08-01",)
    assert result.summary.get_column("warnings").to_list() == [list(result.warnings)]


def test_complete_and_quarterly_series_not_warned():
    complete = monthly([float(v % 5) for v in range(20)])
    quarterly = pl.DataFrame(
        {
            "date": pl.date_range(dt.date(2015, 1, 1), dt.date(2019, 10, 1), "3mo", eager=True),
            "value": [float(v % 4) for v in range(20)],
        }
    )
    for frame in (complete, quarterly):
        assert spc(frame, value="value", date="date", warn_missing_periods=True).warnings == ()


def test_missing_weeks_and_days_warned_per_series():
    weekly = pl.date_range(dt.date(2024, 1, 1), dt.date(2024, 6, 30), "1w", eager=True)
    daily = pl.date_range(dt.date(2024, 1, 1), dt.date(2024, 1, 20), "1d", eager=True)
    frame = pl.concat(
        [
            pl.DataFrame({"unit": "ward A", "date": weekly.gather([0, 1, 2, 4, 5, 6, 7, 8, 9])}),
            pl.DataFrame({"unit": "ward B", "date": daily.gather([*range(10), 12, 13, 14, 15])}),
            pl.DataFrame({"unit": "ward C", "date": daily.gather([0, 2, 5, 9, 11])}),  # irregular
        ]
    ).with_columns(value=pl.int_range(pl.len()).cast(pl.Float64) % 3)
    result = spc(frame, value="value", date="date", group="unit", warn_missing_periods=True)
    warnings = dict(
        zip(result.series_keys(), result.summary.get_column("warnings").to_list(), strict=True)
    )
    short = result.warnings[0]
    assert warnings["ward A"] == [
        short,
        "1 missing weekly period(s) between 2024-01-01 and 2024-03-04",
    ]
    assert warnings["ward B"] == ["2 missing daily period(s) between 2024-01-01 and 2024-01-16"]
    assert warnings["ward C"] == [short]
    assert (
        "'ward B': 2 missing daily period(s) between 2024-01-01 and 2024-01-16" in result.warnings
    )


# --- missing values inside a monotone window -------------------------------------------------------


def test_missing_value_in_rising_window_stops_as_the_reference():
    frame = series_of("hand_na_in_monotone_window_error")  # 1, 2, NA, 4, 5, ..., 10
    with pytest.raises(DataFileError) as raised:
        spc(frame, value="value", date="date")
    problem = raised.value.problems[0]
    assert (problem.row, problem.column) == (3, "value")
    assert "tolerate_missing" in str(raised.value)


def test_missing_value_in_rising_window_tolerated_on_request():
    frame = series_of("hand_na_in_monotone_window_error")
    result = spc(frame, value="value", date="date", tolerate_missing=True)
    # Mean 52/9, mean moving range 1, limits 3.12 and 8.44. 4..10 is a seven-point rise after
    # the gap (labelled by priority: 9 and 10 are above the UPL); the gap breaks 1, 2 off it.
    rise = "7 Point Trend (Increasing)"
    assert flagged(result) == {
        0: "Below LCL",
        1: "Below LCL",
        **dict.fromkeys(range(3, 8), rise),
        8: "Above UCL",
        9: "Above UCL",
    }
    assert result.points.row(2, named=True)["outside_limits"] is None
