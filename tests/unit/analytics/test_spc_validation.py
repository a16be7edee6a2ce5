"""Options are checked on their own, then against the data; every error names what was wrong.
Per-series options (mappings and a target column) reach the right series."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from candour.analytics.spc import spc
from candour.exceptions import DataFileError, OptionError

VALUES = [10.0, 12.0, 9.0, 11.0, 10.0, 13.0, 8.0, 11.0, 12.0, 9.0, 10.0, 11.0, 9.0, 12.0, 8.0]


def monthly(values=VALUES, start=dt.date(2021, 1, 1)) -> pl.DataFrame:
    dates = pl.date_range(start, start.replace(year=start.year + 5), "1mo", eager=True)
    return pl.DataFrame({"date": dates[: len(values)], "value": values})


def two_trusts() -> pl.DataFrame:
    return pl.concat(
        [
            monthly().with_columns(trust=pl.lit("RXX"), goal=pl.lit(20.0)),
            monthly([v * 2 for v in VALUES]).with_columns(trust=pl.lit("RYY"), goal=pl.lit(1.0)),
        ]
    )


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"improvement": "up"}, "improvement"),
        ({"shift_length": 5}, "shift_length"),
        ({"trend_length": 8}, "trend_length"),
        ({"fix_after_n_points": 11}, "fix_after_n_points"),
        ({"fix_after_n_points": 12.5}, "fix_after_n_points"),
        ({"fix_after_n_points": True}, "fix_after_n_points"),
        ({"screen_outliers": "yes"}, "screen_outliers"),
        ({"target": float("nan")}, "target"),
        ({"rebase": ["April 2021"]}, "rebase"),
        ({"icons_from_n_points": 0}, "icons_from_n_points"),
        ({"tolerate_missing": 1}, "tolerate_missing"),
        ({"improvement": {"RXX": "sideways"}}, "improvement"),
    ],
)
def test_invalid_option_named(options, named):
    with pytest.raises(OptionError, match=named):
        spc(monthly(), value="value", date="date", **options)


def test_fix_after_below_12_rejected_like_the_reference():
    with pytest.raises(OptionError, match="at least 12"):
        spc(monthly(), value="value", date="date", fix_after_n_points=6)


def test_missing_column_named():
    with pytest.raises(OptionError, match=r"'score'.*the data has 'date', 'value'"):
        spc(monthly(), value="score", date="date")


def test_group_named_like_a_result_column_rejected():
    frame = monthly().with_columns(mean=pl.lit("x"))
    with pytest.raises(OptionError, match="'mean'"):
        spc(frame, value="value", date="date", group="mean")


def test_non_numeric_value_named_by_row():
    frame = monthly().with_columns(pl.col("value").cast(pl.String))
    frame = frame.with_columns(
        value=pl.when(pl.int_range(pl.len()) == 4).then(pl.lit("n/k")).otherwise("value")
    )
    with pytest.raises(DataFileError) as raised:
        spc(frame, value="value", date="date", source="ae.csv")
    problem = raised.value.problems[0]
    assert (problem.row, problem.column) == (5, "value")
    assert "ae.csv, row 5, column 'value': expected a number" in str(raised.value)


def text_with_markers() -> pl.DataFrame:
    text = [str(v) for v in VALUES]
    text[3], text[7], text[9] = "NA", "", "NaN"
    return monthly().with_columns(value=pl.Series(text), date=pl.col("date").cast(pl.String))


def test_text_that_is_not_a_number_is_never_guessed_missing():
    with pytest.raises(DataFileError) as raised:
        spc(text_with_markers(), value="value", date="date", tolerate_missing=True)
    found = {(p.row, p.message.split(";")[0]) for p in raised.value.problems}
    assert found == {
        (4, "expected a number, found 'NA'"),
        (8, "expected a number, found a blank cell"),
        (10, "expected a number, found 'NaN'"),
    }


def test_listed_missing_markers_are_missing_and_reported():
    result = spc(
        text_with_markers(), value="value", date="date", tolerate_missing=True,
        na=["NA", "", " NaN "],
    )  # fmt: skip
    assert result.points.get_column("value").null_count() == 3
    missing = result.missing.select("row", "column", "found").rows()
    assert missing == [(4, "value", "NA"), (8, "value", ""), (10, "value", "NaN")]
    assert result.missing.get_column("date").to_list() == [
        dt.date(2021, 4, 1), dt.date(2021, 8, 1), dt.date(2021, 10, 1)
    ]  # fmt: skip


def test_blank_cells_are_missing_only_when_listed():
    text = text_with_markers().with_columns(pl.col("value").replace({"": None}))
    with pytest.raises(DataFileError, match="row 8, column 'value': expected a number, found a b"):
        spc(text, value="value", date="date", na=["NA", "NaN"], tolerate_missing=True)
    result = spc(text, value="value", date="date", na=["NA", "NaN", ""], tolerate_missing=True)
    assert result.missing.get_column("found").to_list() == ["NA", "", "NaN"]


def test_nulls_in_a_numeric_column_are_missing_and_reported():
    values = [None if i in (2, 5) else v for i, v in enumerate(VALUES)]
    values[6] = float("nan")
    result = spc(monthly(values), value="value", date="date", tolerate_missing=True)
    assert result.missing.select("row", "found").rows() == [(3, "null"), (6, "null"), (7, "NaN")]
    assert result.series().missing.height == 3


@pytest.mark.parametrize("na", ["-999", ["n/a", "0"], [" 1e3 "], [None]])
def test_a_missing_value_marker_must_be_text_that_is_not_a_number(na):
    with pytest.raises(OptionError, match="na must"):
        spc(monthly(), value="value", date="date", na=na)


def test_boolean_values_rejected():
    frame = monthly().with_columns(value=pl.col("value") > 10)
    with pytest.raises(DataFileError, match="expected numbers, found a column of Boolean"):
        spc(frame, value="value", date="date")


def test_bad_and_missing_dates_named_by_row():
    frame = monthly().with_columns(pl.col("date").cast(pl.String))
    frame = frame.with_columns(
        date=pl.when(pl.int_range(pl.len()) == 2)
        .then(pl.lit("soon"))
        .when(pl.int_range(pl.len()) == 6)
        .then(None)
        .otherwise("date")
    )
    with pytest.raises(DataFileError) as raised:
        spc(frame, value="value", date="date")
    found = {(p.row, p.message) for p in raised.value.problems}
    assert found == {(3, "expected a date such as 2021-04-01"), (7, "date is missing")}


def test_duplicate_date_within_a_series_named_by_row():
    frame = pl.concat([monthly(), monthly()[3:4]])  # row 16 repeats row 4's date
    with pytest.raises(DataFileError) as raised:
        spc(frame, value="value", date="date")
    problem = raised.value.problems[0]
    assert problem.column == "date"
    assert problem.row in (4, 16)
    assert "same date appears twice" in problem.message


def test_same_date_in_different_series_is_fine():
    result = spc(two_trusts(), value="value", date="date", group="trust")
    assert result.n_series == 2


def test_empty_frame_rejected():
    with pytest.raises(DataFileError, match="no rows"):
        spc(monthly()[:0], value="value", date="date")


def test_pandas_frame_accepted():
    pd = pytest.importorskip("pandas")
    frame = monthly().to_pandas()
    assert isinstance(frame, pd.DataFrame)
    result = spc(frame, value="value", date="date")
    assert result.points.height == len(VALUES)


def test_unknown_series_in_a_mapping_rejected():
    with pytest.raises(OptionError, match="target names series that are not in the data: 'RZZ'"):
        spc(two_trusts(), value="value", date="date", group="trust", target={"RZZ": 1.0})


def test_mapping_without_group_rejected():
    with pytest.raises(OptionError, match="no group column"):
        spc(monthly(), value="value", date="date", target={"RXX": 1.0})


def test_improvement_mapping_must_cover_every_series():
    with pytest.raises(OptionError, match="improvement gives no value for the series 'RYY'"):
        spc(
            two_trusts(), value="value", date="date", group="trust", improvement={"RXX": "increase"}
        )


def test_per_series_options_reach_their_series():
    result = spc(
        two_trusts(),
        value="value",
        date="date",
        group="trust",
        improvement={"RXX": "increase", "RYY": "decrease"},
        target={"RXX": 30.0},  # RYY: no target
        rebase={"RYY": ["2021-08-01"]},
    )
    summary = {row["trust"]: row for row in result.summary.iter_rows(named=True)}
    assert summary["RXX"]["improvement"] == "increase"
    assert summary["RXX"]["assurance_type"] == "consistent_fail"  # 30 is above the UPL
    assert summary["RYY"]["improvement"] == "decrease"
    assert summary["RYY"]["assurance_type"] is None
    groups = result.groups.group_by("trust").len().sort("trust")
    assert groups.get_column("len").to_list() == [1, 2]


def test_target_column_uses_each_series_latest_target():
    frame = two_trusts().with_columns(
        goal=pl.when((pl.col("trust") == "RYY") & (pl.col("date") == pl.col("date").max()))
        .then(None)
        .otherwise("goal")
    )
    result = spc(frame, value="value", date="date", group="trust", target="goal")
    assert result.summary.get_column("target").to_list() == [20.0, 1.0]
    assert result.summary.get_column("assurance_type").to_list() == [
        "consistent_fail",
        "consistent_pass",
    ]


def test_multi_column_groups_and_tuple_keys():
    frame = two_trusts().with_columns(site=pl.lit("main"))
    result = spc(
        frame, value="value", date="date", group=["trust", "site"], target={("RYY", "main"): 1.0}
    )
    assert result.series_keys() == [("RXX", "main"), ("RYY", "main")]
    assert result.series(("RYY", "main")).summary.get_column("target").to_list() == [1.0]
    with pytest.raises(OptionError, match="tuple of 2"):
        spc(frame, value="value", date="date", group=["trust", "site"], target={"RYY": 1.0})


def test_choosing_a_series_from_several():
    result = spc(two_trusts(), value="value", date="date", group="trust")
    with pytest.raises(OptionError, match="holds 2 series"):
        result.series()
    with pytest.raises(OptionError, match="no series has the key 'RZZ'"):
        result.series("RZZ")
    assert result.series("RYY").points.height == len(VALUES)


@pytest.mark.parametrize("style", ["%d/%m/%Y", "%Y-%m-%d 00:00:00"])
def test_uk_and_spreadsheet_date_text_parsed(style):
    frame = monthly().with_columns(pl.col("date").dt.strftime(style))
    result = spc(frame, value="value", date="date")
    assert result.points.get_column("date").to_list() == monthly().get_column("date").to_list()
