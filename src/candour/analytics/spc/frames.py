"""Input frames: accept Polars or pandas, check the columns, sort into series.

Every problem is reported as a :class:`~candour.exceptions.DataFileError` naming the column and
the 1-based data row of the frame as given (a spreadsheet user's row, the header being row 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl

from candour.exceptions import DataFileError, OptionError, Problem

MAX_PROBLEMS_PER_CHECK = 20
BLANK = ""  # the missing-value marker that stands for a blank cell
# Columns of SeriesFrame.missing after the group columns: where each missing value was and what
# it was (the marker text, "" for a blank cell, "null" or "NaN" in a numeric column).
MISSING_FIELDS = ("date", "column", "row", "found")
ROW_INDEX = "__candour_row"
UK_DATE = "%d/%m/%Y"


@dataclass(frozen=True)
class Columns:
    """The columns an analysis reads."""

    value: str
    date: str
    group: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()  # further numeric columns (a target, a denominator)

    @property
    def keys(self) -> list[str]:
        return [*self.group, self.date]

    @property
    def all(self) -> list[str]:
        return [*self.group, self.date, self.value, *self.numeric]


@dataclass(frozen=True)
class SeriesFrame:
    """The input sorted by series then date, with each series' first row located."""

    frame: pl.DataFrame  # group columns, date, value (Float64; null = missing), numeric columns
    columns: Columns
    series_starts: np.ndarray  # int64: first row of each series
    source: str
    _given: pl.DataFrame  # the checked columns in the order given, for locating rows in errors
    _was_sorted: bool
    # One row per missing number: the group columns, then MISSING_FIELDS (row: 1-based, as given)
    missing: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def n_series(self) -> int:
        return len(self.series_starts)

    @property
    def series_lengths(self) -> np.ndarray:
        return np.diff(self.series_starts, append=self.frame.height)

    @cached_property
    def keys(self) -> pl.DataFrame:
        """One row per series: the group columns (no columns when there is one series)."""
        if not self.columns.group:
            return pl.DataFrame()
        return self.frame.select(self.columns.group)[self.series_starts]

    def values(self, column: str | None = None) -> np.ndarray:
        """A numeric column as float64 with NaN for missing."""
        series = self.frame.get_column(column or self.columns.value)
        return series.to_numpy() if series.null_count() else series.to_numpy(writable=False)

    def given_rows(self, positions: np.ndarray) -> list[int]:
        """1-based data rows of the frame as given for rows ``positions`` of the sorted frame."""
        if self._was_sorted:
            return [int(p) + 1 for p in positions]
        order = self._given.with_row_index(ROW_INDEX).sort(self.columns.keys, maintain_order=True)
        rows = order.get_column(ROW_INDEX).gather(pl.Series(positions)).to_list()
        return [r + 1 for r in rows]


def as_polars(frame: Any) -> pl.DataFrame:
    """``frame`` as a Polars DataFrame: pandas frames are converted, lazy ones collected."""
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if type(frame).__module__.split(".")[0] == "pandas":
        return pl.from_pandas(frame)
    raise OptionError(f"frame must be a Polars or pandas DataFrame; got {type(frame).__name__}")


def series_frame(
    frame: Any, columns: Columns, *, source: str, na: tuple[str, ...] = ()
) -> SeriesFrame:
    """Check ``frame`` against ``columns``, convert the values, and sort it into series.

    A numeric column's value is missing when it is null (or NaN) in a numeric column, or text
    listed in ``na`` (``""`` for a blank cell); any other text that is not a number is an error."""
    frame = as_polars(frame)
    check_columns_exist(frame, columns)
    given = frame.select(columns.all)
    numeric = list(dict.fromkeys((columns.value, *columns.numeric)))
    readings = {c: read_numbers(given.get_column(c), c, na) for c in numeric}
    problems = [
        *check_not_empty(given),
        *check_dates(given, columns.date),
        *(p for reading in readings.values() for p in reading.problems),
    ]
    if problems:
        raise DataFileError(source, problems)
    given = given.with_columns(to_date(given.get_column(columns.date)))
    missing = missing_values(given, columns, readings)
    given = given.with_columns(*(to_float(given.get_column(c)) for c in numeric))
    was_sorted, starts = sort_order(given, columns)
    ordered = given
    if not was_sorted:
        ordered = given.sort(columns.keys, maintain_order=True)
        starts = series_starts(ordered, columns.group)
    result = SeriesFrame(
        frame=ordered,
        columns=columns,
        series_starts=starts,
        source=source,
        _given=given,
        _was_sorted=was_sorted,
        missing=missing,
    )
    if not was_sorted:
        check_duplicate_dates(result)
    return result


def check_columns_exist(frame: pl.DataFrame, columns: Columns) -> None:
    missing = [c for c in dict.fromkeys(columns.all) if c not in frame.columns]
    if missing:
        shown = ", ".join(repr(c) for c in frame.columns) or "no columns"
        raise OptionError(
            f"no column named {', '.join(repr(c) for c in missing)}; the data has {shown}"
        )


def check_not_empty(frame: pl.DataFrame) -> list[Problem]:
    return [] if frame.height else [Problem("the data has no rows")]


def problems_at(mask: pl.Series, column: str, message: str) -> list[Problem]:
    """One problem per row where ``mask`` is true (up to a limit), then a count of the rest."""
    rows = mask.arg_true()
    shown = [Problem(message, row=int(r) + 1, column=column) for r in rows[:MAX_PROBLEMS_PER_CHECK]]
    if len(rows) > MAX_PROBLEMS_PER_CHECK:
        shown.append(
            Problem(f"{message} in {len(rows) - MAX_PROBLEMS_PER_CHECK} more rows", column=column)
        )
    return shown


@dataclass(frozen=True)
class NumberReading:
    """What checking one numeric column found: its problems, which rows are missing values, and
    the text there (``None`` for a numeric column, whose missing values are null or NaN)."""

    problems: list[Problem]
    missing: pl.Series  # Boolean per row
    text: pl.Series | None = None  # the stripped text of a text column


def read_numbers(series: pl.Series, column: str, na: tuple[str, ...]) -> NumberReading:
    if series.dtype == pl.String:
        return read_number_text(series, column, na)
    if not series.dtype.is_numeric():
        problem = Problem(f"expected numbers, found a column of {series.dtype}", column=column)
        return NumberReading([problem], pl.repeat(False, len(series), eager=True))
    if not series.dtype.is_float():
        return NumberReading([], series.is_null())
    infinite = problems_at(series.is_infinite().fill_null(False), column, "not a finite number")
    return NumberReading(infinite, series.is_null() | series.is_nan().fill_null(False))


def read_number_text(text: pl.Series, column: str, na: tuple[str, ...]) -> NumberReading:
    """Numbers written as text: a listed marker (or, if ``""`` is listed, a blank cell) is a
    missing value; NaN and anything else that is not a number is an error quoting the text."""
    stripped = text.str.strip_chars().fill_null(BLANK)
    parsed = stripped.cast(pl.Float64, strict=False)
    number = parsed.is_not_null() & ~parsed.is_nan().fill_null(False)
    missing = ~number & stripped.is_in(na)
    bad = ~number & ~missing
    problems = problems_quoting(bad, column, stripped)
    infinite = parsed.is_infinite().fill_null(False)
    problems += problems_at(infinite, column, "not finite")
    return NumberReading(problems, missing, stripped)


def problems_quoting(bad: pl.Series, column: str, text: pl.Series) -> list[Problem]:
    """One problem per row where ``bad`` is true (up to a limit) quoting the text found."""
    rows = bad.arg_true()
    shown = [
        Problem(not_a_number(text[int(r)]), row=int(r) + 1, column=column)
        for r in rows[:MAX_PROBLEMS_PER_CHECK]
    ]
    if len(rows) > MAX_PROBLEMS_PER_CHECK:
        more = len(rows) - MAX_PROBLEMS_PER_CHECK
        shown.append(Problem(f"expected a number in {more} more rows", column=column))
    return shown


def not_a_number(found: str) -> str:
    if found == BLANK:
        return (
            "expected a number, found a blank cell; if blanks are missing values, "
            'include "" in na (--na "")'
        )
    return f"expected a number, found {found!r}; if it marks a missing value, list it in na (--na)"


def missing_values(
    given: pl.DataFrame, columns: Columns, readings: dict[str, NumberReading]
) -> pl.DataFrame:
    """Where each missing number is: the group columns, then MISSING_FIELDS."""
    frames = [
        given.with_row_index(ROW_INDEX, offset=1)
        .filter(reading.missing)
        .select(
            *columns.group,
            pl.col(columns.date).alias("date"),
            pl.lit(column).alias("column"),
            pl.col(ROW_INDEX).cast(pl.Int64).alias("row"),
            found_text(pl.col(column), reading.text, reading.missing).alias("found"),
        )
        for column, reading in readings.items()
    ]
    return pl.concat(frames).sort("row", maintain_order=True)


def found_text(value: pl.Expr, text: pl.Series | None, missing: pl.Series) -> pl.Expr:
    """What a missing value was: the marker text, or "null" / "NaN" in a numeric column."""
    if text is not None:
        return pl.lit(text.filter(missing), dtype=pl.String)
    return pl.when(value.is_null()).then(pl.lit("null")).otherwise(pl.lit("NaN"))


def to_float(series: pl.Series) -> pl.Series:
    """Numbers as Float64, with null (never NaN) for a missing value."""
    if series.dtype == pl.String:
        series = series.str.strip_chars().cast(pl.Float64, strict=False)
    series = series.cast(pl.Float64)
    if np.isnan(series.to_numpy()).any():
        series = series.fill_nan(None)
    return series


def check_dates(frame: pl.DataFrame, column: str) -> list[Problem]:
    series = frame.get_column(column)
    if series.dtype == pl.String:
        parsed = parse_date_text(series)
        bad = parsed.is_null() & series.is_not_null()
        found = problems_at(bad, column, "expected a date such as 2021-04-01")
        return found + problems_at(series.is_null(), column, "date is missing")
    if not series.dtype.is_temporal() or series.dtype in (pl.Duration, pl.Time):
        return [Problem(f"expected dates, found a column of {series.dtype}", column=column)]
    return problems_at(series.is_null(), column, "date is missing")


def parse_date_text(text: pl.Series) -> pl.Series:
    """Dates from text: ISO (2021-04-01), UK style (01/04/2021), or datetimes as spreadsheets
    export dates (kept as datetimes unless all are midnight); null where none of these fits."""
    text = text.str.strip_chars()
    as_date = text.str.to_date("%Y-%m-%d", strict=False).fill_null(
        text.str.to_date(UK_DATE, strict=False)
    )
    if as_date.null_count() == text.null_count():
        return as_date
    as_datetime = text.str.to_datetime(strict=False, time_unit="us")
    midnight = (as_datetime.dt.truncate("1d") == as_datetime).fill_null(True).all()
    if midnight:
        return as_date.fill_null(as_datetime.dt.date())
    return as_date.cast(pl.Datetime("us")).fill_null(as_datetime)


def to_date(series: pl.Series) -> pl.Series:
    return parse_date_text(series) if series.dtype == pl.String else series


def sort_order(frame: pl.DataFrame, columns: Columns) -> tuple[bool, np.ndarray]:
    """Whether each row sorts strictly after the one before by (group..., date), and where each
    series starts if so (one pass over the frame)."""
    later, changed = pl.lit(False), pl.lit(False)
    same = pl.lit(True)
    for name in columns.group:
        column, previous = pl.col(name), pl.col(name).shift(1)
        later = later | (same & (column > previous))
        changed = changed | column.ne_missing(previous)
        same = same & (column == previous)
    date = pl.col(columns.date)
    later = later | (same & (date > date.shift(1)))
    flags = frame.select(
        sorted=later.slice(1).fill_null(False).all(), changed=changed.alias("changed")
    )
    if frame.height < 2 or flags.get_column("sorted")[0]:
        return True, starts_from_flags(flags.get_column("changed").to_numpy(), columns.group)
    return False, np.zeros(0, dtype=np.int64)


def series_starts(frame: pl.DataFrame, group: Sequence[str]) -> np.ndarray:
    changed = pl.lit(False)
    for name in group:
        changed = changed | pl.col(name).ne_missing(pl.col(name).shift(1))
    flags = frame.select(changed.alias("changed")).get_column("changed").to_numpy()
    return starts_from_flags(flags, group)


def starts_from_flags(changed: np.ndarray, group: Sequence[str]) -> np.ndarray:
    """First row of each series from "group differs from the row before" flags."""
    if not group or len(changed) == 0:
        return np.zeros(min(len(changed), 1), dtype=np.int64)
    flags = changed.copy()
    flags[0] = True
    return np.flatnonzero(flags)


def check_duplicate_dates(data: SeriesFrame) -> None:
    """Each date appears once per series (reference: "duplicate rows found in ...")."""
    dates = data.frame.get_column(data.columns.date)
    repeated = (dates == dates.shift(1)).fill_null(False).to_numpy().copy()
    repeated[data.series_starts] = False
    positions = np.flatnonzero(repeated)
    if len(positions) == 0:
        return
    rows = data.given_rows(positions[:MAX_PROBLEMS_PER_CHECK])
    message = "the same date appears twice in one series"
    problems = [Problem(message, row=r, column=data.columns.date) for r in rows]
    if len(positions) > MAX_PROBLEMS_PER_CHECK:
        problems.append(Problem(f"and {len(positions) - len(rows)} more repeated dates"))
    raise DataFileError(data.source, problems)
