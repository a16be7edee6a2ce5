"""Declared schemas for input files, and one function that checks a frame against one.

A schema names each column with its type, whether it may be empty, and the values it may take
(a regular expression, a range or a set of choices), plus the columns that together must be
unique. :func:`validate` returns a frame with every column cast to its declared type, or raises
:class:`~candour.exceptions.DataFileError` listing every problem with its row and column.
Rows are numbered as a spreadsheet user sees them: the header is row 1, the first data row is 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from candour.exceptions import DataFileError, Problem

# The ODS code of an organisation: 3 to 6 upper-case letters or digits (trusts have 3, sites and
# independent providers up to 6). Source: NHS Digital ODS code formats.
ODS_CODE_PATTERN = r"^[A-Z0-9]{3,6}$"
FIRST_DATA_ROW = 2  # the header is row 1
MAX_PROBLEMS_PER_CHECK = 50

_POLARS_TYPES = {
    "str": pl.String,
    "int": pl.Int64,
    "float": pl.Float64,
    "date": pl.Date,
}


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str = "str"  # one of str, int, float, date
    required: bool = True  # False: empty cells allowed (become null)
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    date_format: str = "%Y-%m-%d"
    description: str = ""

    def __post_init__(self) -> None:
        if self.dtype not in _POLARS_TYPES:
            raise ValueError(f"column {self.name}: unknown dtype {self.dtype!r}")

    def expected(self) -> str:
        """Describe what a valid cell looks like, for error messages."""
        if self.dtype == "date":
            shown = self.date_format
            for code, letters in (("%Y", "YYYY"), ("%m", "MM"), ("%d", "DD")):
                shown = shown.replace(code, letters)
            return f"a date ({shown})"
        return {"str": "text", "int": "a whole number", "float": "a number"}[self.dtype]


@dataclass(frozen=True)
class Schema:
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    description: str = ""
    extra_columns: bool = True  # other columns are allowed and ignored
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})
        unknown = set(self.key) - set(self.by_name)
        if unknown:
            raise ValueError(f"key columns not declared: {sorted(unknown)}")


def validate(frame: pl.DataFrame, schema: Schema, path: str) -> pl.DataFrame:
    """Check ``frame`` (as read, ideally every column text) against ``schema``; return it typed."""
    missing = [c.name for c in schema.columns if c.name not in frame.columns]
    if missing:
        raise DataFileError(
            path,
            [
                Problem(f"column {name!r} is missing; expected columns: {_names(schema)}")
                for name in missing
            ],
        )
    frame = (
        frame.select([c.name for c in schema.columns])
        .with_row_index("__row", FIRST_DATA_ROW)
        .with_columns([_blank(pl.col(c.name)).alias(_blank_flag(c.name)) for c in schema.columns])
    )
    problems: list[Problem] = []
    typed = []
    for column in schema.columns:
        cast, column_problems = _cast_column(frame, column)
        problems += column_problems
        typed.append(cast)
    frame = frame.with_columns(typed)
    for column in schema.columns:
        problems += _check_values(frame, column)
    if schema.key and not problems:
        problems += _check_duplicate_keys(frame, schema.key)
    if problems:
        raise DataFileError(path, sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    return frame.select([c.name for c in schema.columns])


def _names(schema: Schema) -> str:
    return ", ".join(c.name for c in schema.columns)


def _blank_flag(name: str) -> str:
    return f"__blank__{name}"


def _blank(expr: pl.Expr) -> pl.Expr:
    return expr.is_null() | (expr.cast(pl.String).str.strip_chars() == "")


def _cast_column(frame: pl.DataFrame, column: Column) -> tuple[pl.Expr, list[Problem]]:
    source = pl.col(column.name)
    text = source.cast(pl.String).str.strip_chars()
    text = pl.when(text == "").then(None).otherwise(text)
    if column.dtype == "str":
        cast = text
    elif column.dtype == "date":
        if frame.schema[column.name] in (pl.Date, pl.Datetime):
            cast = source.cast(pl.Date)
        else:
            cast = text.str.strptime(pl.Date, column.date_format, strict=False)
    elif column.dtype == "int":
        as_float = text.cast(pl.Float64, strict=False)
        cast = pl.when(as_float == as_float.round(0)).then(as_float).cast(pl.Int64, strict=False)
    else:
        cast = text.cast(pl.Float64, strict=False)
    bad = frame.filter(~_blank(source) & cast.is_null()).head(MAX_PROBLEMS_PER_CHECK)
    problems = [
        Problem(f"expected {column.expected()}, found {value!r}", row=row, column=column.name)
        for row, value in zip(bad["__row"], bad[column.name].cast(pl.String), strict=True)
    ]
    return cast.alias(column.name), problems


def _check_values(frame: pl.DataFrame, column: Column) -> list[Problem]:
    col = pl.col(column.name)
    checks: list[tuple[pl.Expr, str]] = []
    if column.required:
        checks.append(
            (
                pl.col(_blank_flag(column.name)),
                f"a value is required ({column.expected()}), found an empty cell",
            )
        )
    if column.pattern is not None:
        checks.append(
            (
                col.is_not_null() & ~col.str.contains(column.pattern),
                f"expected text matching {column.pattern}",
            )
        )
    if column.choices is not None:
        checks.append(
            (
                col.is_not_null() & ~col.is_in(list(column.choices)),
                f"expected one of {', '.join(column.choices)}",
            )
        )
    if column.minimum is not None:
        checks.append((col < column.minimum, f"expected a value of at least {column.minimum}"))
    if column.maximum is not None:
        checks.append((col > column.maximum, f"expected a value of at most {column.maximum}"))
    problems = []
    for condition, message in checks:
        bad = frame.filter(condition.fill_null(False)).head(MAX_PROBLEMS_PER_CHECK)
        problems += [
            Problem(
                f"{message}; found {value!r}" if value is not None else message,
                row=row,
                column=column.name,
            )
            for row, value in zip(bad["__row"], bad[column.name], strict=True)
        ]
    return problems


def _check_duplicate_keys(frame: pl.DataFrame, key: Sequence[str]) -> list[Problem]:
    dupes = frame.filter(pl.struct(list(key)).is_duplicated()).head(MAX_PROBLEMS_PER_CHECK)
    return [
        Problem(
            "duplicate key ("
            + ", ".join(f"{k}={row[k]!r}" for k in key)
            + f"); each ({', '.join(key)}) may appear only once",
            row=row["__row"],
            column=key[0],
        )
        for row in dupes.iter_rows(named=True)
    ]
