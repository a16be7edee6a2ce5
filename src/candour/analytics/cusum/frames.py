"""Input frames: check the chart's columns row by row, then sort the rows into series.

Every problem is a :class:`~candour.exceptions.DataFileError` naming the column, the 1-based row
of the frame as given and the value found (the CLI renumbers rows as a spreadsheet shows its
file). Nothing is skipped silently: a missing or impossible value stops the chart.

Sorting is done on one packed 64-bit key per row (series code, then time order), which Polars
sorts far faster than several columns of text; the input's row order is restored afterwards, so
the codes only need to be consistent within one call.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from candour.analytics.cusum.options import Layout
from candour.analytics.cusum.sorting import counting_sort, counting_sort_fits, dense_codes
from candour.analytics.spc.frames import UK_DATE, as_polars
from candour.exceptions import DataFileError, OptionError, Problem

MAX_PROBLEMS_PER_CHECK = 20
# Series codes are combined by multiplication; past this many the codes are made dense again.
MAX_PACKED_CODE = 1 << 40
KEY_BITS = 62  # a packed sort key must stay below 2**62
HASH_SEEDS = (0, 0x5EED)  # two independent row hashes (Polars' seeds)
HASH_MULTIPLIER = np.uint64(
    0x9E3779B97F4A7C15
)  # 2**64 / golden ratio (Knuth's multiplicative hash)
# Text dates accepted for the time order: ISO dates, UK dates, and months (SHMI-style 2019-04).
DATE_FORMATS = ("%Y-%m-%d", UK_DATE)
MONTH_FORMAT = "%Y-%m"


@dataclass(frozen=True)
class Checked:
    """One data column as float64 (in the input's row order) and the problems found in it."""

    values: np.ndarray
    problems: list[Problem]


Check = Callable[[pl.Series, str], Checked]


@dataclass(frozen=True)
class Prepared:
    """The rows sorted into series (by group, then order; ties keep the input's order)."""

    source: str
    layout: Layout
    frame: pl.DataFrame  # as given
    permutation: np.ndarray | None  # sorted row i is input row permutation[i]; None: no sort
    first: np.ndarray  # bool per sorted row: the first row of its series
    data: dict[str, np.ndarray]  # each data option's values, in the input's order

    @property
    def height(self) -> int:
        return self.frame.height

    def to_sorted(self, values: np.ndarray) -> np.ndarray:
        return values if self.permutation is None else values[self.permutation]

    def to_input(self, values: np.ndarray) -> np.ndarray:
        """Per-row results in sorted order, put back into the input's row order."""
        if self.permutation is None:
            return values
        restored = np.empty_like(values)
        restored[self.permutation] = values
        return restored


def prepare(frame: Any, layout: Layout, checks: Mapping[str, Check], *, source: str) -> Prepared:
    """Check ``frame``'s columns (each data option by its check), then sort it into series."""
    frame = as_polars(frame)
    check_columns_exist(frame, layout)
    checked = {
        option: check(frame.get_column(layout.column(option)), layout.column(option))
        for option, check in checks.items()
    }
    problems = [p for c in checked.values() for p in c.problems]
    problems += [p for name in layout.group for p in check_key(frame.get_column(name), name)]
    order_columns = [order_values(frame.get_column(name), name) for name in layout.order]
    problems += [p for _, found in order_columns for p in found]
    if problems:
        raise DataFileError(source, sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    codes = series_codes(frame, layout.group)
    key = sort_key(codes, [values for values, _ in order_columns])
    permutation = None if is_non_decreasing(key) else sort_permutation(key)
    first = series_firsts(codes, permutation)
    data = {option: c.values for option, c in checked.items()}
    return Prepared(source, layout, frame, permutation, first, data)


def series_firsts(codes: np.ndarray, permutation: np.ndarray | None) -> np.ndarray:
    """Whether each sorted row is the first of its series. The rows are sorted by series code,
    so with dense codes the series start where the running count of each code does."""
    first = np.zeros(len(codes), dtype=bool)
    if not len(codes):
        return first
    if int(codes.max()) < len(codes):
        counts = np.bincount(codes)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))[counts > 0]
        first[starts] = True
        return first
    ordered = codes if permutation is None else codes[permutation]
    first[0] = True
    first[1:] = ordered[1:] != ordered[:-1]
    return first


def check_columns_exist(frame: pl.DataFrame, layout: Layout) -> None:
    missing = [c for c in layout.columns if c not in frame.columns]
    if missing:
        shown = ", ".join(repr(c) for c in frame.columns) or "no columns"
        raise OptionError(
            f"no column named {', '.join(repr(c) for c in missing)}; the data has {shown}"
        )


# --- One check per kind of value ---------------------------------------------------------------


def problems_where(
    mask: np.ndarray, column: str, message: str, found: pl.Series | None = None
) -> list[Problem]:
    """One problem per row where ``mask`` holds (up to a limit, then a count of the rest), each
    naming the value found when ``found`` is given."""
    rows = np.flatnonzero(mask)
    shown = []
    for row in rows[:MAX_PROBLEMS_PER_CHECK]:
        text = message if found is None else f"{message}; found {found[int(row)]!r}"
        shown.append(Problem(text, row=int(row) + 1, column=column))
    if len(rows) > MAX_PROBLEMS_PER_CHECK:
        more = len(rows) - MAX_PROBLEMS_PER_CHECK
        shown.append(Problem(f"{message} in {more} more rows", column=column))
    return shown


@dataclass(frozen=True)
class Numbers:
    values: np.ndarray  # float64, NaN where missing or unreadable
    missing: np.ndarray  # bool: null, empty or NA text
    unreadable: np.ndarray  # bool: text that is not a number


def numbers(series: pl.Series) -> Numbers:
    """A column as float64; text is parsed, booleans count as 0 and 1."""
    if series.dtype == pl.String:
        parsed = series.str.strip_chars().cast(pl.Float64, strict=False)
        # only an empty cell is missing; any other text that is not a number is an error that
        # quotes it (candour spc's rule too: nothing is guessed)
        missing = (series.str.strip_chars().fill_null("") == "").to_numpy()
        unreadable = parsed.is_null().to_numpy() & ~missing
        return Numbers(parsed.to_numpy(), missing, unreadable)
    if series.dtype == pl.Boolean or series.dtype.is_numeric():
        values = series.cast(pl.Float64).to_numpy()
        missing = np.isnan(values)
        return Numbers(values, missing, np.zeros(len(values), dtype=bool))
    raise OptionError(f"column {series.name!r} must hold numbers; it holds {series.dtype}")


def check_numbers(series: pl.Series, column: str, what: str) -> tuple[Numbers, list[Problem]]:
    found = numbers(series)
    problems = problems_where(found.missing, column, f"{what} is missing")
    problems += problems_where(found.unreadable, column, f"expected {what}", series)
    return found, problems


def check_outcome(series: pl.Series, column: str) -> Checked:
    """An outcome is 0 (survived) or 1 (died)."""
    found, problems = check_numbers(series, column, "an outcome (0 or 1)")
    present = ~found.missing & ~found.unreadable
    wrong = present & (found.values != 0) & (found.values != 1)
    problems += problems_where(wrong, column, "an outcome must be 0 or 1", series)
    return Checked(found.values, problems)


def check_risk(series: pl.Series, column: str) -> Checked:
    """A predicted risk lies strictly between 0 and 1 (a risk of 0 or 1 has no log-likelihood
    ratio: the reference package fails on it, conformance README pitfall 3)."""
    found, problems = check_numbers(series, column, "a predicted risk")
    present = ~found.missing & ~found.unreadable
    with np.errstate(invalid="ignore"):
        wrong = present & ~((found.values > 0) & (found.values < 1))
    problems += problems_where(
        wrong, column, "a predicted risk must be strictly between 0 and 1", series
    )
    return Checked(found.values, problems)


def check_count(series: pl.Series, column: str) -> Checked:
    """An observed count is a non-negative whole number (surveillance::glrpois silently
    truncates 150.9 to 150; we refuse it)."""
    found, problems = check_numbers(series, column, "an observed count")
    present = ~found.missing & ~found.unreadable
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(found.values) & (found.values >= 0)
        whole &= np.floor(np.where(whole, found.values, 0)) == np.where(whole, found.values, 0)
    problems += problems_where(
        present & ~whole, column, "an observed count must be a non-negative whole number", series
    )
    return Checked(found.values, problems)


def check_positive(series: pl.Series, column: str, what: str) -> Checked:
    """A positive finite number (``what`` names it in messages)."""
    found, problems = check_numbers(series, column, what)
    present = ~found.missing & ~found.unreadable
    with np.errstate(invalid="ignore"):
        wrong = present & ~(np.isfinite(found.values) & (found.values > 0))
    problems += problems_where(wrong, column, f"{what} must be a positive number", series)
    return Checked(found.values, problems)


def check_expected(series: pl.Series, column: str) -> Checked:
    """An expected count is a positive finite number."""
    return check_positive(series, column, "an expected count")


def check_threshold_column(series: pl.Series, column: str) -> Checked:
    return check_positive(series, column, "a threshold h")


def check_key(series: pl.Series, column: str) -> list[Problem]:
    missing = series.is_null()
    if series.dtype == pl.String:
        missing = missing | (series.str.len_bytes() == 0)
    return problems_where(missing.to_numpy(), column, "the series key is missing")


def order_values(series: pl.Series, column: str) -> tuple[np.ndarray, list[Problem]]:
    """The time order as int64: dates and datetimes by their value, ISO or dd/mm/yyyy text as
    dates, numbers by rank."""
    if series.dtype == pl.String:
        parsed = parse_order_text(series)
        unreadable = (parsed.is_null() & series.is_not_null()).to_numpy()
        problems = problems_where(unreadable, column, "expected a date such as 2021-04-01", series)
        series = parsed
    else:
        problems = []
    problems += problems_where(series.is_null().to_numpy(), column, "the date or order is missing")
    if problems:
        return np.zeros(0, dtype=np.int64), problems
    if series.dtype.is_temporal() or series.dtype.is_integer():
        return series.to_physical().cast(pl.Int64).to_numpy(), []
    return series.rank("dense").cast(pl.Int64).to_numpy(), []


def parse_order_text(text: pl.Series) -> pl.Series:
    """Dates from text: ISO (2021-04-01), UK (01/04/2021), a month (2021-04, its first day), or
    an ISO datetime; null where none fits."""
    text = text.str.strip_chars()
    parsed = text.str.to_date(DATE_FORMATS[0], strict=False)
    for fmt in DATE_FORMATS[1:]:
        parsed = parsed.fill_null(text.str.to_date(fmt, strict=False))
    parsed = parsed.fill_null((text + "-01").str.to_date(f"{MONTH_FORMAT}-%d", strict=False))
    if parsed.null_count() == text.null_count():
        return parsed
    as_datetime = text.str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="us")
    as_datetime = as_datetime.fill_null(
        text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")
    )
    return parsed.cast(pl.Datetime("us")).fill_null(as_datetime)


# --- Series codes and sorting ------------------------------------------------------------------


def column_codes(series: pl.Series) -> np.ndarray:
    """Integer codes, equal exactly when the values are equal (not in any particular order)."""
    if series.dtype == pl.String:
        return series.cast(pl.Categorical).to_physical().cast(pl.Int64).to_numpy()
    if isinstance(series.dtype, pl.Categorical | pl.Enum):
        return series.to_physical().cast(pl.Int64).to_numpy()
    if series.dtype.is_integer() and len(series):
        low, high = series.min(), series.max()
        if int(high) - int(low) < MAX_PACKED_CODE:
            return (series.cast(pl.Int64) - int(low)).to_numpy()
    return series.rank("dense").cast(pl.Int64).to_numpy()


def series_codes(frame: pl.DataFrame, group: tuple[str, ...]) -> np.ndarray:
    """One int64 code per row, equal exactly for rows of the same series (dense, in order of
    first appearance): from a row hash, checked by a second hash (see sorting.py)."""
    if not group or not frame.height:
        return np.zeros(frame.height, dtype=np.int64)
    hashes = [row_hash(frame, group, seed) for seed in HASH_SEEDS]
    codes, consistent = dense_codes(hashes[0], hashes[1])
    if consistent:
        return codes
    return exact_series_codes(frame, group)  # two 64-bit hashes collided: be exact


def row_hash(frame: pl.DataFrame, group: tuple[str, ...], seed: int) -> np.ndarray:
    """A 64-bit hash of each row's group values: each column's Polars hash, combined by
    multiplying by an odd constant and adding (wrapping), so column order matters."""
    combined = frame.get_column(group[0]).hash(seed=seed).to_numpy()
    for name in group[1:]:
        combined = combined * HASH_MULTIPLIER
        combined += frame.get_column(name).hash(seed=seed).to_numpy()
    return combined


def exact_series_codes(frame: pl.DataFrame, group: tuple[str, ...]) -> np.ndarray:
    """Series codes from the values themselves (slower than hashing, but needs no check)."""
    codes = np.zeros(frame.height, dtype=np.int64)
    for name in group:
        column = column_codes(frame.get_column(name))
        span = int(column.max()) + 1
        if (int(codes.max()) + 1) * span >= MAX_PACKED_CODE:
            codes = np.unique(codes, return_inverse=True)[1].astype(np.int64)
        codes = codes * span + column
    return codes


def sort_key(codes: np.ndarray, orders: list[np.ndarray]) -> np.ndarray:
    """Series code then time order packed into one int64 (order columns ranked together when
    there are several or the packing would overflow)."""
    if not orders:
        return codes
    if len(orders) == 1:
        order = orders[0]
    else:
        frame = pl.DataFrame({f"o{i}": o for i, o in enumerate(orders)})
        order = frame.select(pl.struct(frame.columns).rank("dense")).to_series().to_numpy()
    order = order.astype(np.int64)
    if not len(order):
        return codes
    order = order - order.min()
    bits = int(order.max()).bit_length()
    if (int(codes.max()) + 1).bit_length() + bits > KEY_BITS:
        order = pl.Series(order).rank("dense").cast(pl.Int64).to_numpy()
        bits = int(order.max()).bit_length()
    return (codes << bits) | order


def is_non_decreasing(key: np.ndarray) -> bool:
    return bool(len(key) < 2 or (key[1:] >= key[:-1]).all())


def sort_permutation(key: np.ndarray) -> np.ndarray:
    """Stable: rows with the same key keep the input's order (deterministic output). A counting
    sort when the key's range is small (national data sorted by series and day), else Polars."""
    if counting_sort_fits(key):
        return counting_sort(key)
    frame = pl.DataFrame({"key": key})
    return frame.select(pl.arg_sort_by("key", maintain_order=True)).to_series().to_numpy()


# --- Per-series thresholds ---------------------------------------------------------------------


def thresholds_from_mapping(
    frame: pl.DataFrame, group: tuple[str, ...], mapping: Mapping[Hashable, float], source: str
) -> np.ndarray:
    """Each row's h from a mapping of series key to h; every series must have one."""
    if not group:
        raise OptionError("h as a mapping needs group columns to name the series")
    keys = [key if isinstance(key, tuple) else (key,) for key in mapping]
    if any(len(key) != len(group) for key in keys):
        raise OptionError(f"each key of h must have {len(group)} value(s), one per group column")
    table = pl.DataFrame(
        {name: [key[i] for key in keys] for i, name in enumerate(group)}
        | {"__h": list(mapping.values())},
        schema={name: frame.schema[name] for name in group} | {"__h": pl.Float64},
        strict=False,
    )
    joined = frame.select(group).join(table, on=list(group), how="left", maintain_order="left")
    h = joined.get_column("__h")
    if h.null_count():
        missing = frame.select(group).filter(h.is_null()).unique(maintain_order=True).head(5)
        shown = ", ".join(repr(row if len(row) > 1 else row[0]) for row in missing.rows())
        raise OptionError(f"h gives no threshold for the series {shown}")
    return h.to_numpy()


def thresholds(prepared: Prepared, h: float | str | Mapping[Hashable, float]) -> np.ndarray:
    """h per row in the input's order (a broadcast array when one h serves every series)."""
    if isinstance(h, Mapping):
        return thresholds_from_mapping(prepared.frame, prepared.layout.group, h, prepared.source)
    if isinstance(h, str):
        return prepared.data["h"]
    return np.broadcast_to(np.float64(h), (prepared.height,))
