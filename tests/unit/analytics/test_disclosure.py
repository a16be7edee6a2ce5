"""Unit tests of candour.analytics.disclosure: the HES rule, secondary suppression, options."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from candour.analytics.disclosure import (
    DisclosedCount,
    DisclosureOptions,
    _protect_lines,
    _Table,
    determined_cells,
    disclose,
    disclose_count,
    disclosed_percentage,
)
from candour.exceptions import DataFileError, OptionError, UserError


def cells(result: pl.DataFrame, *dims: str) -> dict[tuple[str, ...], str]:
    """{(dimension values...): display} for compact expectations."""
    return {tuple(row[:-1]): row[-1] for row in result.select(*dims, "display").iter_rows()}


def two_way(rows: list[list[int]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"theme": f"R{r + 1}", "quarter": f"C{c + 1}", "count": value}
            for r, row in enumerate(rows)
            for c, value in enumerate(row)
        ]
    )


# ------------------------------------------------------------------------------ the HES rule


@pytest.mark.parametrize(
    ("count", "display", "value"),
    [
        (0, "0", 0),
        (1, "*", None),
        (5, "*", None),
        (7, "*", None),
        (8, "10", 10),
        (9, "10", 10),
        (10, "10", 10),
        (12, "10", 10),
        (13, "15", 15),
        (17, "15", 15),
        (18, "20", 20),
        (102, "100", 100),
        (103, "105", 105),
        (1234, "1,235", 1235),
    ],
)
def test_single_count_follows_the_hes_rule(count, display, value):
    assert disclose_count(count) == DisclosedCount(value, display, value is None)


@pytest.mark.parametrize("bad", [-1, 2.0, "3", None, True])
def test_single_count_must_be_a_whole_number(bad):
    with pytest.raises(OptionError, match="whole number"):
        disclose_count(bad)


@pytest.mark.parametrize(
    ("part", "whole", "decimals", "shown"),
    [
        (13, 52, 0, "30%"),  # 15 / 50 from the rounded figures, not 13 / 52 = 25%
        (13, 52, 1, "30.0%"),
        (3, 52, 0, "*"),
        (0, 0, 0, "-"),
        (0, 40, 0, "0%"),
    ],
)
def test_percentages_use_rounded_figures(part, whole, decimals, shown):
    as_disclosed = disclosed_percentage(
        disclose_count(part), disclose_count(whole), decimals=decimals
    )
    assert as_disclosed == shown


# ---------------------------------------------------------------------- one-way and two-way


def test_one_way_table_hides_a_second_cell_so_the_first_cannot_be_recovered():
    frame = pl.DataFrame({"category": ["A", "B", "C", "D"], "count": [5, 20, 40, 100]})
    result = disclose(frame)
    assert result.columns == ["category", "value", "display", "suppressed", "reason"]
    assert cells(result, "category") == {
        ("A",): "*",
        ("B",): "*",  # the next-smallest cell, else A = 165 - 20 - 40 - 100
        ("C",): "40",
        ("D",): "100",
        ("Total",): "165",
    }
    assert result["reason"].to_list() == ["small count", "secondary", None, None, None]


def test_zero_cells_are_passed_over_for_a_non_zero_one():
    frame = pl.DataFrame({"category": ["A", "B", "C"], "count": [4, 0, 30]})
    assert cells(disclose(frame), "category") == {
        ("A",): "*",
        ("B",): "0",
        ("C",): "*",
        ("Total",): "35",
    }


def test_total_is_hidden_only_when_no_other_cell_is_left():
    frame = pl.DataFrame({"category": ["only"], "count": [3]})
    result = disclose(frame)
    assert result["display"].to_list() == ["*", "*"]
    assert disclose(pl.DataFrame({"category": ["only"], "count": [12]}))["display"].to_list() == [
        "10",
        "10",
    ]


def test_two_way_table_with_margins():
    result = disclose(two_way([[3, 20], [15, 18], [30, 40]]))
    assert cells(result, "theme", "quarter") == {
        ("R1", "C1"): "*",  # small count
        ("R1", "C2"): "*",  # secondary: row R1 would give it away
        ("R1", "Total"): "25",
        ("R2", "C1"): "*",  # secondary: column C1
        ("R2", "C2"): "*",  # secondary: column C2 now had one hidden cell
        ("R2", "Total"): "35",
        ("R3", "C1"): "30",
        ("R3", "C2"): "40",
        ("R3", "Total"): "70",
        ("Total", "C1"): "50",
        ("Total", "C2"): "80",
        ("Total", "Total"): "125",
    }


def test_table_with_nothing_small_is_only_rounded():
    result = disclose(two_way([[12, 23], [38, 101]]))
    assert not result["suppressed"].any()
    assert result["value"].to_list() == [10, 25, 35, 40, 100, 140, 50, 125, 175]


def test_cross_line_recovery_is_caught_beyond_the_line_rule():
    # Line by line every row and column ends with two or more hidden cells, yet
    # C2 + C3 totals = 70 - 61, C2 total = R1C2 (the other C2 cells are 0), and
    # R1C2 + R1C3 = 52 - 44 together pin R3C3 = 1 exactly. Step 3 must hide more.
    rows = [[44, 5, 3], [2, 0, 0], [15, 0, 1]]
    options = DisclosureOptions(count="count")
    table = _Table.from_frame(two_way(rows), options)
    primary = {cell: "small count" for cell, value in table.values.items() if 1 <= value <= 7}
    _protect_lines(table.values, primary, table.lines())
    assert determined_cells(primary, table.lines()) == [(2, 2)]

    table.suppress()
    assert determined_cells(table.hidden, table.lines()) == []
    assert len(table.hidden) > len(primary)


def test_three_way_table_has_every_sub_total():
    frame = pl.DataFrame(
        {
            "theme": ["bullying", "bullying", "safety", "safety"] * 2,
            "group": ["nurse", "doctor"] * 4,
            "site": ["A"] * 4 + ["B"] * 4,
            "count": [20, 12, 30, 9, 25, 14, 40, 11],
        }
    )
    result = disclose(frame)
    assert result.height == 3 * 3 * 3
    total = result.filter(
        (pl.col("theme") == "Total") & (pl.col("group") == "Total") & (pl.col("site") == "Total")
    )
    assert total["value"].item() == 160  # 161 rounded
    assert not result["suppressed"].any()


def test_missing_combinations_count_as_zero():
    frame = pl.DataFrame({"theme": ["a", "b"], "site": ["X", "Y"], "count": [20, 30]})
    shown = cells(disclose(frame), "theme", "site")
    assert shown[("a", "Y")] == "0"
    assert shown[("b", "X")] == "0"
    assert shown[("Total", "Total")] == "50"


def test_dimension_order_follows_first_appearance_and_values_become_text():
    frame = pl.DataFrame({"quarter": [dt.date(2024, 7, 1), dt.date(2024, 4, 1)], "count": [10, 20]})
    result = disclose(frame)
    assert result["quarter"].to_list() == ["2024-07-01", "2024-04-01", "Total"]


def test_pandas_and_lazy_frames_are_accepted():
    import pandas as pd

    frame = pd.DataFrame({"category": ["A", "B"], "count": [10, 20]})
    assert disclose(frame)["display"].to_list() == ["10", "20", "30"]
    lazy = pl.LazyFrame({"category": ["A", "B"], "count": [10, 20]})
    assert disclose(lazy)["display"].to_list() == ["10", "20", "30"]


# ----------------------------------------------------------------------------------- options


def test_without_totals_only_primary_suppression_applies():
    frame = pl.DataFrame({"category": ["A", "B", "C"], "count": [5, 20, 40]})
    result = disclose(frame, totals=False)
    assert result["display"].to_list() == ["*", "20", "40"]


def test_total_label_can_be_changed():
    frame = pl.DataFrame({"category": ["A", "B"], "count": [10, 20]})
    assert disclose(frame, total_label="All")["category"].to_list() == ["A", "B", "All"]


def test_min_group_size_hides_every_cell_of_a_small_group():
    frame = pl.DataFrame(
        {
            "theme": ["bullying", "safety", "staffing"] * 3,
            "directorate": ["Surgery"] * 3 + ["Estates"] * 3 + ["Medicine"] * 3,
            "count": [40, 35, 30, 9, 0, 8, 50, 45, 60],
        }
    )
    result = disclose(frame, min_group_size=20, group_by=["directorate"])
    estates = result.filter(pl.col("directorate") == "Estates")
    assert estates["suppressed"].all()  # 17 cases: too few to show by theme, even 8s and 9s
    assert set(estates["reason"]) == {"small group"}
    zero = result.filter((pl.col("directorate") == "Estates") & (pl.col("theme") == "safety"))
    assert zero["display"].item() == "*"
    # ... and another directorate is hidden too, or Estates = Total - Surgery - Medicine.
    assert result.filter(pl.col("reason") == "secondary").height >= 3


def test_share_of_adds_percentages_from_rounded_figures():
    frame = two_way([[13, 27], [39, 21]])
    result = disclose(frame, share_of="theme", decimals=1)
    row = result.filter((pl.col("theme") == "R1") & (pl.col("quarter") == "C1"))
    assert row["percent"].item() == pytest.approx(100 * 15 / 50)
    assert row["percent_display"].item() == "30.0%"
    totals = result.filter(pl.col("theme") == "Total")
    assert totals["percent_display"].to_list() == ["100.0%"] * 3


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"count": ""}, "count must be a non-empty column name"),
        ({"dimensions": "theme"}, "list of column names"),
        ({"dimensions": ["theme", "theme"]}, "names a column twice"),
        ({"dimensions": ["count"]}, "cannot also be one of the dimensions"),
        ({"min_group_size": 10}, "give both or neither"),
        ({"group_by": ["theme"]}, "give both or neither"),
        ({"min_group_size": 0, "group_by": ["theme"]}, "at least 1"),
        ({"share_of": "theme", "totals": False}, "needs totals=True"),
        ({"decimals": 4}, "decimals"),
        ({"totals": "yes"}, "True or False"),
    ],
)
def test_invalid_options_are_refused_before_the_data(options, message):
    with pytest.raises(OptionError, match=message) as raised:
        disclose(pl.DataFrame({"theme": ["a"], "count": [1]}), **options)
    assert isinstance(raised.value, UserError)


@pytest.mark.parametrize(
    ("frame", "options", "message"),
    [
        (pl.DataFrame({"theme": ["a"], "n": [1]}), {}, "count= is missing"),
        (pl.DataFrame({"theme": ["a"], "count": [1]}), {"dimensions": ["site"]}, "dimensions="),
        (
            pl.DataFrame({"theme": ["a"], "count": [1]}),
            {"min_group_size": 5, "group_by": ["site"]},
            "group_by= must name one of the dimensions",
        ),
        (pl.DataFrame({"theme": ["a"], "count": [1.5]}), {}, "whole-number counts"),
        (pl.DataFrame({"count": [1]}), {}, "at least one dimension"),
        (pl.DataFrame({"theme": ["a", "b"], "count": [1, -1]}), {}, "row 2.*negative"),
        (pl.DataFrame({"theme": ["a", "b"], "count": [1, None]}), {}, "row 2.*empty"),
        (pl.DataFrame({"theme": ["a", None], "count": [1, 2]}), {}, "row 2, column 'theme'"),
        (pl.DataFrame({"theme": ["a", "a"], "count": [1, 2]}), {}, "same theme"),
        (pl.DataFrame({"theme": ["Total"], "count": [1]}), {}, "reserved for totals"),
        (pl.DataFrame(schema={"theme": pl.String, "count": pl.Int64}), {}, "no rows"),
    ],
)
def test_bad_tables_are_refused_naming_the_column_and_row(frame, options, message):
    with pytest.raises(DataFileError, match=message):
        disclose(frame, **options)


def test_non_frames_are_a_type_error():
    with pytest.raises(TypeError, match="Polars or pandas"):
        disclose([{"theme": "a", "count": 1}])
