"""Spec table: input cells -> the problem reported (row, column, what was expected)."""

import polars as pl
import pytest

from candour.exceptions import DataFileError
from candour.importers.schema import ODS_CODE_PATTERN, Column, Schema, validate

SCHEMA = Schema(
    columns=(
        Column("code", pattern=ODS_CODE_PATTERN),
        Column("period", "date"),
        Column("count", "int", minimum=0),
        Column("rate", "float", required=False, minimum=0, maximum=1),
        Column("kind", choices=("1", "2", "other")),
    ),
    key=("code", "period"),
)
GOOD = {"code": "RJ1", "period": "2024-01-01", "count": "10", "rate": "0.5", "kind": "1"}


def frame(*rows):
    return pl.DataFrame(list(rows), schema=dict.fromkeys(GOOD, pl.String))


def problems(*rows):
    with pytest.raises(DataFileError) as caught:
        validate(frame(*rows), SCHEMA, "in.csv")
    return [(p.row, p.column, p.message) for p in caught.value.problems]


def test_valid_rows_are_typed():
    result = validate(frame(GOOD), SCHEMA, "in.csv")
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
    result = validate(frame({**GOOD, "rate": ""}), SCHEMA, "in.csv")
    assert result["rate"].to_list() == [None]


def test_duplicate_keys_are_reported_on_each_row():
    found = problems(GOOD, {**GOOD, "count": "11"})
    assert [row for row, _, _ in found] == [2, 3]
    assert all("duplicate key" in message for _, _, message in found)


def test_missing_column_is_named():
    with pytest.raises(DataFileError) as caught:
        validate(frame(GOOD).drop("rate"), SCHEMA, "in.csv")
    assert "column 'rate' is missing" in str(caught.value)


def test_message_names_the_file():
    with pytest.raises(DataFileError) as caught:
        validate(frame({**GOOD, "count": "x"}), SCHEMA, "/data/in.csv")
    assert str(caught.value).splitlines()[1].startswith("  /data/in.csv, row 2, column 'count'")
