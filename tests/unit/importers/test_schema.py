"""Spec table: input cells -> the problem reported (row, column, what was expected)."""

from datetime import date

import polars as pl
import pytest

from candour.exceptions import DataFileError
from candour.importers.schema import (
    ODS_CODE_PATTERN,
    ROW,
    AtMost,
    BlankTogether,
    Column,
    Schema,
    SumEquals,
    validate,
)

SCHEMA = Schema(
    columns=(
        Column("code", pattern=ODS_CODE_PATTERN),
        Column("period", "date"),
        Column("count", "int", minimum=0),
        Column("rate", "float", may_be_blank=True, minimum=0, maximum=1),
        Column("kind", choices=("1", "2", "other")),
    ),
    key=("code", "period"),
)
GOOD = {"code": "RJ1", "period": "2024-01-01", "count": "10", "rate": "0.5", "kind": "1"}


def frame_of(*rows):
    return pl.DataFrame(list(rows), schema=dict.fromkeys(GOOD, pl.String))


def problems(*rows):
    with pytest.raises(DataFileError) as caught:
        validate(frame_of(*rows), SCHEMA, "in.csv")
    return [(p.row, p.column, p.message) for p in caught.value.problems]


def test_valid_rows_are_typed():
    result = validate(frame_of(GOOD), SCHEMA, "in.csv")
    assert result.schema["period"] == pl.Date
    assert result.schema["count"] == pl.Int64
    assert result["rate"].to_list() == [0.5]


@pytest.mark.parametrize(
    ("column", "cell", "expected"),
    [
        ("code", "rj1", "expected text matching"),
        ("period", "01/02/2024", "expected a date (YYYY-MM-DD), found '01/02/2024'"),
        ("count", "ten", "expected a whole number, found 'ten'"),
        ("count", "1.5", "expected a whole number, found '1.5'"),
        ("count", "-1", "expected a value of at least 0"),
        ("rate", "1.2", "expected a value of at most 1"),
        ("rate", "n/a", "expected a number, found 'n/a'"),
        ("kind", "3", "expected one of 1, 2, other"),
        ("count", "", "a value is required"),
    ],
)
def test_bad_cell_is_named_by_row_and_column(column, cell, expected):
    bad = {**GOOD, "code": "RJ2", column: cell} if column != "code" else {**GOOD, column: cell}
    found = problems(GOOD, bad)
    assert len(found) == 1
    row, where, message = found[0]
    assert (row, where) == (3, column)  # header is row 1, GOOD is row 2
    assert expected in message


def test_empty_optional_cell_is_null():
    result = validate(frame_of({**GOOD, "rate": ""}), SCHEMA, "in.csv")
    assert result["rate"].to_list() == [None]


def test_duplicate_keys_are_reported_on_each_row():
    found = problems(GOOD, {**GOOD, "count": "11"})
    assert [row for row, _, _ in found] == [2, 3]
    assert all("duplicate key" in message for _, _, message in found)


def test_missing_column_is_named():
    with pytest.raises(DataFileError) as caught:
        validate(frame_of(GOOD).drop("rate"), SCHEMA, "in.csv")
    assert "column 'rate' is missing" in str(caught.value)


def test_message_names_the_file():
    with pytest.raises(DataFileError) as caught:
        validate(frame_of({**GOOD, "count": "x"}), SCHEMA, "/data/in.csv")
    assert str(caught.value).splitlines()[1].startswith("  /data/in.csv, row 2, column 'count'")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("inf", "expected a finite number, found 'inf'"),
        ("-inf", "expected a finite number, found '-inf'"),
        ("NaN", "expected a finite number, found 'NaN'"),
        ("1e400", "expected a finite number, found '1e400'"),
        (
            "123456789012345678901234567890",
            "expected a whole number, found '123456789012345678901234567890'",
        ),
    ],
)
def test_impossible_numbers_are_refused_with_the_value_found(cell, expected):
    """Finding 2: inf, NaN, 1e400 and 30-digit integers were stored."""
    found = problems({**GOOD, "count": cell})
    assert found == [(2, "count", expected)]


def test_nan_in_an_optional_column_is_refused_not_dropped():
    """Finding 2: a NaN row was silently dropped."""
    assert problems({**GOOD, "rate": "nan"}) == [
        (2, "rate", "expected a finite number, found 'nan'")
    ]


STRICT = Schema(
    columns=(
        Column("period", "date", first_of_month=True),
        Column("opened", "date", date_format=("%Y%m%d", "%Y%m%d.0"), may_be_blank=True),
        Column("name", maximum_length=5),
        Column("treated", "float", minimum=0, maximum=1000, multiple_of=0.5),
        Column("within", "float", minimum=0, maximum=1000, multiple_of=0.5),
        Column("breaches", "float", minimum=0, maximum=1000, multiple_of=0.5),
        Column("icb", may_be_blank=True),
        Column("icb_name", may_be_blank=True),
    ),
    rules=(
        AtMost("within", ("treated",)),
        SumEquals(("within", "breaches"), "treated"),
        BlankTogether(("icb", "icb_name")),
    ),
)
STRICT_ROW = {
    "period": "2024-08-01",
    "opened": "20190930.0",
    "name": "RJ1",
    "treated": "10.5",
    "within": "8",
    "breaches": "2.5",
    "icb": "QKK",
    "icb_name": "South East London",
}


def strict_problems(**cells):
    frame = pl.DataFrame([{**STRICT_ROW, **cells}], schema=dict.fromkeys(STRICT_ROW, pl.String))
    with pytest.raises(DataFileError) as caught:
        validate(frame, STRICT, "in.csv")
    return [(p.row, p.column, p.message) for p in caught.value.problems]


def test_a_valid_row_passes_every_rule():
    frame = pl.DataFrame([STRICT_ROW], schema=dict.fromkeys(STRICT_ROW, pl.String))
    result = validate(frame, STRICT, "in.csv")
    assert result["opened"].to_list() == [date(2019, 9, 30)]


@pytest.mark.parametrize(
    ("cells", "column", "expected"),
    [
        ({"period": "2024-02-30"}, "period", "expected a date (YYYY-MM-DD), found '2024-02-30'"),
        ({"period": "2024-2-1"}, "period", "expected a date (YYYY-MM-DD), found '2024-2-1'"),
        ({"period": "2024-08-15"}, "period", "expected the first day of a month"),
        ({"period": "2999-01-01"}, "period", "not one in the future"),
        ({"period": "1900-01-01"}, "period", "expected a date from 1948-07-05"),
        ({"opened": "2019093"}, "opened", "expected a date (YYYYMMDD), found '2019093'"),
        ({"name": "RJ1 is long"}, "name", "expected at most 5 characters, found 'RJ1 is long'"),
        ({"name": "R\x00J"}, "name", "a NUL character (byte 0) is never valid, found 'R\\x00J'"),
        ({"breaches": "2.25", "within": "8.25"}, "breaches", "expected a multiple of 0.5"),
    ],
)
def test_values_are_checked_for_existence_range_and_step(cells, column, expected):
    found = strict_problems(**cells)
    assert found[0][:2] == (2, column)
    assert expected in found[0][2]


@pytest.mark.parametrize(
    ("cells", "column", "expected"),
    [
        (
            {"within": "11", "breaches": "0"},
            "within",
            "expected at most treated (10.5), found 11",
        ),
        (
            {"breaches": "3"},
            "treated",
            "expected within + breaches (8 + 3 = 11) to equal treated, found 10.5",
        ),
        (
            {"icb": ""},
            "icb",
            "icb empty but icb_name given; these columns are published together, all given "
            "or all empty",
        ),
    ],
)
def test_rules_tie_the_columns_of_a_row_and_quote_its_values(cells, column, expected):
    assert (2, column, expected) in strict_problems(**cells)


def test_rules_must_name_declared_number_columns():
    with pytest.raises(ValueError, match="not declared"):
        Schema(columns=(Column("a", "int"),), rules=(AtMost("a", ("b",)),))
    with pytest.raises(ValueError, match="not numbers"):
        Schema(columns=(Column("a", "int"), Column("b")), rules=(AtMost("a", ("b",)),))


def test_rows_keep_the_numbers_the_reader_gave_them():
    """Rows dropped before validation (exact repeats) do not shift the rows named."""
    frame = frame_of(GOOD, {**GOOD, "code": "RJ2", "count": "x"}).with_columns(
        pl.Series(ROW, [2, 5], dtype=pl.UInt32)
    )
    with pytest.raises(DataFileError) as caught:
        validate(frame, SCHEMA, "in.csv")
    assert [p.row for p in caught.value.problems] == [5]
