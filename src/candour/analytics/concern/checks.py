"""Checking an input frame once, as it arrives: columns first, then every row.

Every problem found is raised together as a :class:`~candour.exceptions.DataFileError` named
after the input ("observations", "measures", ...), each naming its column and row (the frame's
rows counted from 1) and quoting the value found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from candour.analytics.funnel.frames import as_polars
from candour.exceptions import DataFileError, Problem

TEXT = "text"
NUMBER = "number"
DATE = "date"
ROW = "__row"  # the 1-based row of the frame as given
MAX_PROBLEMS_PER_CHECK = 50  # as in candour.analytics.funnel and candour.importers

Rule = tuple[str, pl.Expr, str]  # (column, failing condition, message)


@dataclass(frozen=True)
class Column:
    """One column of an input: its kind, whether it must be present, and its default if not."""

    name: str
    kind: str
    required: bool = True
    default: object = None
    meaning: str = ""


def conformed(
    frame: Any, columns: tuple[Column, ...], source: str, *, allow_empty: bool = False
) -> pl.DataFrame:
    """The frame with exactly ``columns`` (plus ``ROW``): each checked present and of its kind,
    absent optional ones filled with their default; ISO date text is parsed."""
    frame = as_polars(frame)
    problems = [p for column in columns if (p := _column_problem(frame, column)) is not None]
    if not problems and frame.height == 0 and not allow_empty:
        problems.append(Problem("the frame has no rows"))
    raise_if_any(source, problems)
    frame = frame.with_row_index(ROW, offset=1)
    typed = frame.select(ROW, *(_typed(frame, column) for column in columns))
    raise_if_any(source, _unparsed_dates(frame, typed, columns))
    return typed


def _column_problem(frame: pl.DataFrame, column: Column) -> Problem | None:
    if column.name not in frame.columns:
        if not column.required:
            return None
        return Problem(
            f"this column is required ({column.meaning or column.kind}) and missing; the frame has: "
            + (", ".join(frame.columns) or "no columns"),
            column=column.name,
        )
    dtype = frame.schema[column.name]
    if dtype == pl.Null:
        return None
    if column.kind == NUMBER and not dtype.is_numeric():
        return Problem(f"expected numbers, found a column of {dtype}", column=column.name)
    if column.kind == TEXT and not isinstance(dtype, pl.String | pl.Categorical | pl.Enum):
        return Problem(f"expected text, found a column of {dtype}", column=column.name)
    if column.kind == DATE and not isinstance(dtype, pl.String | pl.Date | pl.Datetime):
        return Problem(
            f"expected dates (YYYY-MM-DD), found a column of {dtype}", column=column.name
        )
    return None


def _typed(frame: pl.DataFrame, column: Column) -> pl.Expr:
    if column.name not in frame.columns:
        dtype = {NUMBER: pl.Float64, DATE: pl.Date}.get(column.kind, pl.String)
        return pl.lit(column.default, dtype=dtype).alias(column.name)
    if column.kind == NUMBER:
        return pl.col(column.name).cast(pl.Float64)
    if column.kind == DATE:
        dtype = frame.schema[column.name]
        if isinstance(dtype, pl.String):
            return pl.col(column.name).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
        return pl.col(column.name).cast(pl.Date)
    return pl.col(column.name).cast(pl.String)


def _unparsed_dates(
    raw: pl.DataFrame, typed: pl.DataFrame, columns: tuple[Column, ...]
) -> list[Problem]:
    problems = []
    for column in columns:
        if column.kind != DATE or column.name not in raw.columns:
            continue
        if not isinstance(raw.schema[column.name], pl.String):
            continue
        given = raw[column.name].str.strip_chars()
        unparsed = given.is_not_null() & (given != "") & typed[column.name].is_null()
        bad = raw.select(ROW, column.name).filter(unparsed)
        problems += [
            Problem(f"expected a date as YYYY-MM-DD; found {value!r}", row=row, column=column.name)
            for row, value in bad.head(MAX_PROBLEMS_PER_CHECK).iter_rows()
        ]
    return problems


def problems_of(frame: pl.DataFrame, rules: list[Rule]) -> list[Problem]:
    """The rows of ``frame`` failing each rule, quoting the value found."""
    problems = []
    for column, condition, message in rules:
        failing = frame.filter(condition.fill_null(False)).head(MAX_PROBLEMS_PER_CHECK)
        problems += [
            Problem(
                message if value is None else f"{message}; found {value!r}", row=row, column=column
            )
            for row, value in failing.select(ROW, column).iter_rows()
        ]
    return problems


def duplicates(frame: pl.DataFrame, keys: list[str]) -> list[Problem]:
    """Every row after the first with the same keys."""
    repeated = (
        frame.filter(pl.all_horizontal(pl.col(keys).is_not_null()))
        .filter(pl.int_range(pl.len()).over(keys) > 0)
        .head(MAX_PROBLEMS_PER_CHECK)
    )
    named = " and ".join(keys)
    return [
        Problem(
            f"{named} "
            + ", ".join(repr(str(v)) for v in values)
            + " appear(s) on an earlier row too",
            row=row,
            column=keys[-1],
        )
        for row, *values in repeated.select(ROW, *keys).iter_rows()
    ]


def choice_rule(column: str, allowed: tuple[str, ...], *, optional: bool = False) -> list[Rule]:
    shown = ", ".join(repr(a) for a in allowed)
    outside = ~pl.col(column).is_in(list(allowed))
    if optional:
        return [(column, pl.col(column).is_not_null() & outside, f"expected one of {shown}")]
    return [
        (column, pl.col(column).is_null(), f"a value is required: one of {shown}"),
        (column, pl.col(column).is_not_null() & outside, f"expected one of {shown}"),
    ]


def required_rule(column: str, meaning: str) -> Rule:
    return (column, pl.col(column).is_null(), f"{meaning} is required")


def finite(expr: pl.Expr) -> pl.Expr:
    return expr.is_finite().fill_null(False)


def positive(expr: pl.Expr) -> pl.Expr:
    return (expr.is_finite() & (expr > 0)).fill_null(False)


def non_negative(expr: pl.Expr) -> pl.Expr:
    return (expr.is_finite() & (expr >= 0)).fill_null(False)


def raise_if_any(source: str, problems: list[Problem]) -> None:
    if problems:
        raise DataFileError(source, sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
