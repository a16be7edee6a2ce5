"""Declared schemas for input files, and one function that checks a frame against one.

A schema names each column with its type, whether it may be empty, and the values it may take
(a regular expression, a range, a step or a set of choices), the rules that tie columns of one
row together (a numerator never exceeds its denominator), and the columns that together must be
unique. :func:`validate` returns a frame with every column cast to its declared type, or raises
:class:`~candour.exceptions.DataFileError` listing every problem with its row, column and the
value found. Rows are numbered as a spreadsheet user sees them: the header is row 1, the first
data row is 2.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from candour.exceptions import DataFileError, Problem

# The ODS code of an organisation: 3 to 6 upper-case letters or digits (trusts have 3, sites and
# independent providers up to 6). Source: NHS Digital ODS code formats.
ODS_CODE_PATTERN = r"^[A-Z0-9]{3,6}$"
FIRST_DATA_ROW = 2  # the header is row 1
# The frame column that carries each row's number in the file, when the reader knows it.
ROW = "__row"
MAX_PROBLEMS_PER_CHECK = 50
# The NHS was founded on 5 July 1948: no NHS statistic describes a day before it.
NHS_FOUNDED = date(1948, 7, 5)
# Every number is parsed as a 64-bit float, which holds every whole number up to 2**53 exactly
# (IEEE 754 double precision: a 53-bit significand).
LARGEST_EXACT_WHOLE_NUMBER = 2**53
# Two numbers from one file that should be equal may differ by float rounding this much.
EQUALITY_TOLERANCE = 1e-9
NUL = "\x00"

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
    may_be_blank: bool = False  # True only where the publisher leaves cells empty
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    multiple_of: float | None = None  # e.g. 0.5 for counts published in halves
    choices: tuple[str, ...] | None = None
    maximum_length: int | None = None  # characters, for text stored in a column of that size
    # Dates must be written exactly in this format (or one of these): 2024-2-1 is not 2024-02-01.
    date_format: str | tuple[str, ...] = "%Y-%m-%d"
    first_of_month: bool = False  # a reporting month: its first day, and not in the future
    description: str = ""

    def __post_init__(self) -> None:
        if self.dtype not in _POLARS_TYPES:
            raise ValueError(f"column {self.name}: unknown dtype {self.dtype!r}")
        if self.first_of_month and self.dtype != "date":
            raise ValueError(f"column {self.name}: first_of_month needs a date column")

    @property
    def date_formats(self) -> tuple[str, ...]:
        fmt = self.date_format
        return (fmt,) if isinstance(fmt, str) else fmt

    @property
    def numeric(self) -> bool:
        return self.dtype in ("int", "float")

    def expected(self) -> str:
        """Describe what a valid cell looks like, for error messages."""
        if self.dtype == "date":
            shown = self.date_formats[0]
            for code, letters in (("%Y", "YYYY"), ("%m", "MM"), ("%d", "DD")):
                shown = shown.replace(code, letters)
            return f"a date ({shown})"
        return {"str": "text", "int": "a whole number", "float": "a number"}[self.dtype]


def _show(value: object) -> str:
    """A number as a person would write it: 185148, not 185148.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _quote(value: object) -> str:
    return repr(value) if isinstance(value, str) else _show(value)


@dataclass(frozen=True)
class AtMost:
    """``column`` is at most the sum of ``limit`` in every row where all are given: a numerator
    never exceeds its denominator, nor a part its whole."""

    column: str
    limit: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column, *self.limit)

    def _limit(self) -> pl.Expr:
        return functools.reduce(operator.add, [pl.col(c) for c in self.limit])

    def violated(self) -> pl.Expr:
        return pl.col(self.column) > self._limit()

    def message(self, row: dict) -> str:
        total = sum(row[c] for c in self.limit)
        return (
            f"expected at most {' + '.join(self.limit)} ({_show(total)}), "
            f"found {_show(row[self.column])}"
        )


@dataclass(frozen=True)
class SumEquals:
    """The ``parts`` add up to ``total`` in every row where all are given."""

    parts: tuple[str, ...]
    total: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.total, *self.parts)

    @property
    def column(self) -> str:
        return self.total

    def violated(self) -> pl.Expr:
        parts = functools.reduce(operator.add, [pl.col(c) for c in self.parts])
        return (parts - pl.col(self.total)).abs() > EQUALITY_TOLERANCE * pl.max_horizontal(
            pl.col(self.total).abs(), pl.lit(1.0)
        )

    def message(self, row: dict) -> str:
        shown = " + ".join(_show(row[c]) for c in self.parts)
        total = sum(row[c] for c in self.parts)
        return (
            f"expected {' + '.join(self.parts)} ({shown} = {_show(total)}) to equal "
            f"{self.total}, found {_show(row[self.total])}"
        )


@dataclass(frozen=True)
class BlankTogether:
    """The ``columns`` are published together: in each row all are given or all are empty."""

    columns: tuple[str, ...]

    @property
    def column(self) -> str:
        return self.columns[0]

    def violated(self) -> pl.Expr:
        cells = [pl.col(c) for c in self.columns]
        return pl.any_horizontal([c.is_null() for c in cells]) & pl.any_horizontal(
            [c.is_not_null() for c in cells]
        )

    def message(self, row: dict) -> str:
        empty = [c for c in self.columns if row[c] is None]
        given = [c for c in self.columns if row[c] is not None]
        return (
            f"{', '.join(empty)} empty but {', '.join(given)} given; these columns are "
            "published together, all given or all empty"
        )


RowRule = AtMost | SumEquals | BlankTogether


@dataclass(frozen=True)
class Schema:
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    rules: tuple[RowRule, ...] = ()
    description: str = ""
    extra_columns: bool = True  # other columns are allowed and ignored
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})
        unknown = set(self.key) - set(self.by_name)
        if unknown:
            raise ValueError(f"key columns not declared: {sorted(unknown)}")
        for rule in self.rules:
            unknown = set(rule.columns) - set(self.by_name)
            if unknown:
                raise ValueError(f"rule {rule}: columns not declared: {sorted(unknown)}")
            if not isinstance(rule, BlankTogether) and not all(
                self.by_name[c].numeric for c in rule.columns
            ):
                raise ValueError(f"rule {rule}: compares columns that are not numbers")


def validate(frame: pl.DataFrame, schema: Schema, path: str) -> pl.DataFrame:
    """Check ``frame`` (as read, ideally every column text) against ``schema``; return it typed.

    Rows are numbered from the frame's ``__row`` column when the reader set one (so that rows
    dropped before validation do not shift the numbers), else from 2 in frame order."""
    missing = [c.name for c in schema.columns if c.name not in frame.columns]
    if missing:
        raise DataFileError(
            path,
            [
                Problem(f"column {name!r} is missing; expected columns: {_names(schema)}")
                for name in missing
            ],
        )
    if ROW not in frame.columns:
        frame = frame.with_row_index(ROW, FIRST_DATA_ROW)
    frame = frame.select(
        ROW,
        *[_text(pl.col(c.name)).alias(_text_of(c.name)) for c in schema.columns],
        *[pl.col(c.name) for c in schema.columns],
    )
    frame = frame.with_columns([_cast(frame, column) for column in schema.columns])
    problems: list[Problem] = []
    for column in schema.columns:
        problems += _check_column(frame, column)
    if not problems:
        problems += _check_rules(frame, schema.rules)
    if schema.key and not problems:
        problems += _check_duplicate_keys(frame, schema.key)
    if problems:
        raise DataFileError(
            path,
            sorted(problems, key=lambda p: (p.row or 0, p.column or "")),
            rows_in_file=True,
        )
    return frame.select(
        [pl.col(c.name).cast(_POLARS_TYPES[c.dtype]) for c in schema.columns],
    )


def _names(schema: Schema) -> str:
    return ", ".join(c.name for c in schema.columns)


def _text_of(name: str) -> str:
    """The column holding each cell as written (trimmed; null when blank), for messages."""
    return f"__text__{name}"


def _text(source: pl.Expr) -> pl.Expr:
    text = source.cast(pl.String).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def _cast(frame: pl.DataFrame, column: Column) -> pl.Expr:
    """The column as its declared type (numbers as Float64 until checked); null when blank or
    when the cell cannot be read as that type."""
    text = pl.col(_text_of(column.name))
    if column.dtype == "str":
        cast = text
    elif column.dtype == "date":
        if frame.schema[column.name] in (pl.Date, pl.Datetime):
            cast = pl.col(column.name).cast(pl.Date)
        else:
            cast = pl.coalesce([_exact_date(text, fmt) for fmt in column.date_formats])
    else:
        cast = text.cast(pl.Float64, strict=False)
    return cast.alias(column.name)


def _exact_date(text: pl.Expr, fmt: str) -> pl.Expr:
    """The date ``text`` names when written exactly in ``fmt`` (a date that exists), else null."""
    parsed = text.str.strptime(pl.Date, fmt, strict=False)
    return pl.when(parsed.dt.strftime(fmt) == text).then(parsed)


def _check_column(frame: pl.DataFrame, column: Column) -> list[Problem]:
    """Every cell of one column: given, readable, finite, whole, in range, allowed."""
    value, text = pl.col(column.name), pl.col(_text_of(column.name))
    checks: list[tuple[pl.Expr, str]] = [
        (text.str.contains(NUL, literal=True), "a NUL character (byte 0) is never valid"),
        (text.is_not_null() & value.is_null(), f"expected {column.expected()}"),
    ]
    if not column.may_be_blank:
        checks.append(
            (text.is_null(), f"a value is required ({column.expected()}), found an empty cell")
        )
    if column.numeric:
        checks += _number_checks(column)
    if column.dtype == "date":
        checks += _date_checks(column)
    if column.pattern is not None:
        checks.append(
            (~value.str.contains(column.pattern), f"expected text matching {column.pattern}")
        )
    if column.maximum_length is not None:
        checks.append(
            (
                value.str.len_chars() > column.maximum_length,
                f"expected at most {column.maximum_length} characters",
            )
        )
    if column.choices is not None:
        checks.append(
            (~value.is_in(list(column.choices)), f"expected one of {', '.join(column.choices)}")
        )
    return _first_failures(frame, column.name, checks)


def _first_failures(
    frame: pl.DataFrame, name: str, checks: list[tuple[pl.Expr, str]]
) -> list[Problem]:
    """A problem for each cell of column ``name`` that fails a check: the first it fails."""
    flags = frame.select(
        ROW,
        _text_of(name),
        *[
            condition.fill_null(False).alias(f"__check{i}")
            for i, (condition, _) in enumerate(checks)
        ],
    )
    failing = flags.filter(pl.any_horizontal(pl.exclude(ROW, _text_of(name))))
    problems: list[Problem] = []
    earlier = pl.lit(False)
    for i, (_, message) in enumerate(checks):
        this = pl.col(f"__check{i}")
        bad = failing.filter(this & ~earlier).head(MAX_PROBLEMS_PER_CHECK)
        problems += [
            Problem(
                message if found is None else f"{message}, found {found!r}",
                row=row,
                column=name,
            )
            for row, found in zip(bad[ROW], bad[_text_of(name)], strict=True)
        ]
        earlier = earlier | this
    return problems


def _number_checks(column: Column) -> list[tuple[pl.Expr, str]]:
    value = pl.col(column.name)
    checks = [(~value.is_finite(), "expected a finite number")]
    if column.dtype == "int":
        checks.append(
            (
                (value != value.round(0)) | (value.abs() > LARGEST_EXACT_WHOLE_NUMBER),
                "expected a whole number",
            )
        )
    if column.multiple_of is not None:
        steps = value / column.multiple_of
        checks.append(
            (steps != steps.round(0), f"expected a multiple of {_show(column.multiple_of)}")
        )
    if column.minimum is not None:
        checks.append(
            (value < column.minimum, f"expected a value of at least {_show(column.minimum)}")
        )
    if column.maximum is not None:
        checks.append(
            (value > column.maximum, f"expected a value of at most {_show(column.maximum)}")
        )
    return checks


def _date_checks(column: Column) -> list[tuple[pl.Expr, str]]:
    value = pl.col(column.name)
    checks = [(value < NHS_FOUNDED, f"expected a date from {NHS_FOUNDED} (the NHS began)")]
    if column.first_of_month:
        checks += [
            (value.dt.day() != 1, "expected the first day of a month (a monthly period)"),
            (value > date.today(), "expected a period that has begun, not one in the future"),
        ]
    return checks


def _check_rules(frame: pl.DataFrame, rules: Sequence[RowRule]) -> list[Problem]:
    problems = []
    for rule in rules:
        bad = frame.filter(rule.violated().fill_null(False)).head(MAX_PROBLEMS_PER_CHECK)
        problems += [
            Problem(rule.message(row), row=row[ROW], column=rule.column)
            for row in bad.iter_rows(named=True)
        ]
    return problems


def _check_duplicate_keys(frame: pl.DataFrame, key: Sequence[str]) -> list[Problem]:
    dupes = frame.filter(pl.struct(list(key)).is_duplicated()).head(MAX_PROBLEMS_PER_CHECK)
    return [
        Problem(
            "duplicate key ("
            + ", ".join(f"{k}={_quote(row[k])}" for k in key)
            + f"); each ({', '.join(key)}) may appear only once",
            row=row[ROW],
            column=key[0],
        )
        for row in dupes.iter_rows(named=True)
    ]
