"""Evaluate the rules over many series at once, in batches of whole series.

The sorted rows are cut into batches of about ``CHUNK_ROWS`` rows (never splitting a series), so
that the intermediate arrays stay small however many series there are. Within a batch every step
is a NumPy operation over all its rows; nothing loops over series or points in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from candour.analytics.spc import rules as r
from candour.analytics.spc.constants import POINT_TYPES, SHORT_SEGMENT_POINTS
from candour.analytics.spc.frames import SeriesFrame
from candour.analytics.spc.limits import Limits
from candour.analytics.spc.options import RuleOptions
from candour.analytics.spc.segments import Segments
from candour.exceptions import DataFileError, Problem

CHUNK_ROWS = 1 << 17  # rows per batch; bounds the memory of intermediate arrays
# Inputs of more than twice this many rows are cut into at least two batches: the second then
# reuses the memory the first freed instead of faulting in fresh pages (measurably faster).
MIN_SPLIT_ROWS = 1 << 15
POINT_TYPE = pl.Enum(POINT_TYPES)


@dataclass(frozen=True)
class Chunk:
    """A batch of whole series: rows ``start:stop`` of the sorted frame."""

    start: int
    stop: int
    series_first: np.ndarray  # bool per row: the first row of a series
    segments: Segments
    segment_series: np.ndarray  # int64: the series (global index) of each segment

    def per_segment(self, per_series: np.ndarray) -> np.ndarray:
        return per_series[self.segment_series]

    def per_row(self, per_series: np.ndarray) -> np.ndarray:
        return self.segments.broadcast(self.per_segment(per_series))


@dataclass(frozen=True)
class Classified:
    """Per-row results of the rules for one batch."""

    side: np.ndarray  # int8
    outside: np.ndarray  # bool
    close: np.ndarray  # bool
    codes: np.ndarray  # uint8 special_cause_type codes
    point_types: np.ndarray  # uint8 point_type codes


LimitsFor = Callable[[Chunk, np.ndarray], Limits]


def chunks(
    data: SeriesFrame, rebase_first: np.ndarray, max_rows: int = CHUNK_ROWS
) -> Iterator[Chunk]:
    starts = data.series_starts
    n_rows = data.frame.height
    if n_rows > 2 * MIN_SPLIT_ROWS:
        max_rows = min(max_rows, -(-n_rows // 2))
    first_series = 0
    while first_series < len(starts):
        start = int(starts[first_series])
        stop_series = max(int(np.searchsorted(starts, start + max_rows)), first_series + 1)
        stop = int(starts[stop_series]) if stop_series < len(starts) else n_rows
        yield make_chunk(starts[first_series:stop_series], first_series, start, stop, rebase_first)
        first_series = stop_series


def make_chunk(
    series_starts: np.ndarray, first_series: int, start: int, stop: int, rebase_first: np.ndarray
) -> Chunk:
    series_first = np.zeros(stop - start, dtype=bool)
    series_first[series_starts - start] = True
    segments = Segments.from_first_rows(series_first | rebase_first[start:stop])
    segment_series = np.cumsum(series_first[segments.starts]) - 1 + first_series
    return Chunk(start, stop, series_first, segments, segment_series)


def classify(
    values: np.ndarray,
    limits: Limits,
    chunk: Chunk,
    direction: np.ndarray | int,
    rules: RuleOptions,
    on_missing_window: Callable[[np.ndarray], None],
) -> Classified:
    """Apply every rule to the rows of one batch (``limits`` per row)."""
    segments = chunk.segments
    side = r.side_of_mean(values, limits.mean)
    outside = r.outside_limits(values, limits.lpl, limits.upl)
    beyond = r.beyond_two_thirds(values, limits.near_lpl, limits.near_upl)
    close = r.close_to_limits(beyond, outside)
    step = r.steps(values, segments)
    if not rules.tolerate_missing and np.isnan(values).any():
        missing = r.missing_steps(values, segments)
        failing = r.missing_in_trend_window(step, missing, segments, rules.trend_length)
        if failing.any():
            on_missing_window(np.flatnonzero(failing) + chunk.start)
    in_trend = r.trend(step, segments, rules.trend_length)
    codes = r.special_cause_codes(
        outside=outside,
        in_trend=in_trend,
        rising=r.trend_rising(step, in_trend, segments),
        in_two_in_three=r.two_in_three(
            beyond if rules.two_in_three_counts_outside else close, side, segments
        ),
        in_shift=r.shift(side, segments, rules.shift_length),
        side=side,
    )
    return Classified(side, outside, close, codes, r.point_type_codes(codes, direction))


def row_direction(chunk: Chunk, direction: np.ndarray) -> np.ndarray | int:
    """The improvement direction on each row (a single number when all series share it)."""
    if len(direction) and (direction == direction[0]).all():
        return int(direction[0])
    return chunk.per_row(direction)


def point_frame(
    chunk: Chunk, values: np.ndarray, limits: Limits, found: Classified, type_enum: pl.Enum
) -> pl.DataFrame:
    """The computed columns of the points table for one batch, nulls where the reference has NA."""
    segments = chunk.segments
    rebase_group = segments.index_within(chunk.series_first)
    value_missing = np.isnan(values)
    no_limits = value_missing | np.isnan(limits.upl)
    no_mean = value_missing | np.isnan(limits.mean)
    return pl.DataFrame(
        {
            "rebase_group": segments.broadcast(rebase_group.astype(np.int32)),
            "short_group_warning": segments.broadcast(segments.lengths < SHORT_SEGMENT_POINTS),
            "mean": nullable(limits.mean, no_mean),
            "lpl": nullable(limits.lpl, no_limits),
            "upl": nullable(limits.upl, no_limits),
            "outside_limits": nullable(found.outside, no_limits),
            "relative_to_mean": nullable(found.side, no_mean),
            "close_to_limits": nullable(found.close, no_limits),
            "special_cause_type": enum_from_codes(found.codes, type_enum),
            "special_cause_flag": found.codes != 0,
            "point_type": enum_from_codes(found.point_types, POINT_TYPE),
        }
    )


def nullable(values: np.ndarray, missing: np.ndarray) -> pl.Series:
    """A Series with nulls: where a float is NaN, or where ``missing`` holds for other types."""
    if values.dtype.kind == "f":
        return pl.Series(values, nan_to_null=True)
    series = pl.Series(values)
    return series.set(pl.Series(missing), None) if missing.any() else series


def enum_from_codes(codes: np.ndarray, dtype: pl.Enum) -> pl.Series:
    """Enum labels from their integer codes (the index of each label in the Enum)."""
    return pl.Series(dtype.categories, dtype=dtype).gather(pl.Series(codes))


def segment_frame(
    chunk: Chunk, values: np.ndarray, limits: Limits, found: Classified
) -> pl.DataFrame:
    """One row per segment: its series, counts, limits (at its last point, for P and U charts
    whose limits vary) and the type of its last point."""
    segments = chunk.segments
    return pl.DataFrame(
        {
            "series": chunk.segment_series,
            "rebase_group": segments.index_within(chunk.series_first).astype(np.int32),
            "n": segments.lengths,
            "n_present": segments.counts(~np.isnan(values)),
            "mean": pl.Series(at_segment_ends(limits.mean, segments), nan_to_null=True),
            "lpl": pl.Series(at_segment_ends(limits.lpl, segments), nan_to_null=True),
            "upl": pl.Series(at_segment_ends(limits.upl, segments), nan_to_null=True),
            "common_cause": segments.lengths - segments.counts(found.codes != 0),
            "special_cause_improvement": segments.counts(found.point_types == r.IMPROVEMENT),
            "special_cause_concern": segments.counts(found.point_types == r.CONCERN),
            "variation_code": found.point_types[segments.ends],
        }
    )


def at_segment_ends(array: np.ndarray, segments: Segments) -> np.ndarray:
    """Per-segment values from an array that is per segment or per row."""
    return array if len(array) == len(segments) else array[segments.ends]


@dataclass(frozen=True)
class Evaluation:
    points: pl.DataFrame  # computed columns, one row per input row in sorted order
    segments: pl.DataFrame  # one row per segment (see segment_frame)


def evaluate(
    data: SeriesFrame,
    values: np.ndarray,
    *,
    rebase_first: np.ndarray,
    direction: np.ndarray,
    rules: RuleOptions,
    limits_for: LimitsFor,
    type_enum: pl.Enum,
    chunk_rows: int = CHUNK_ROWS,
) -> Evaluation:
    """Limits and rules for every series of ``data``; ``values`` is the plotted value per row."""
    points, segment_tables = [], []
    for chunk in chunks(data, rebase_first, chunk_rows):
        chunk_values = values[chunk.start : chunk.stop]
        limits = limits_for(chunk, chunk_values)
        row_limits = limits.per_row(chunk.segments)
        found = classify(
            chunk_values,
            row_limits,
            chunk,
            row_direction(chunk, direction),
            rules,
            lambda rows: raise_missing_window(data, values, rows, rules.trend_length),
        )
        points.append(point_frame(chunk, chunk_values, row_limits, found, type_enum))
        segment_tables.append(segment_frame(chunk, chunk_values, limits, found))
    return Evaluation(
        points=pl.concat(points, rechunk=False),
        segments=pl.concat(segment_tables, rechunk=True),
    )


def raise_missing_window(
    data: SeriesFrame, values: np.ndarray, window_ends: np.ndarray, trend_length: int
) -> None:
    """Stop as the reference does on a missing value inside an otherwise monotone window,
    pointing at the missing value (the first such window)."""
    end = int(window_ends[0])
    window = np.arange(end - trend_length + 1, end + 1)
    missing_at = int(window[np.isnan(values[window])][0])
    row = data.given_rows(np.array([missing_at]))[0]
    message = (
        f"missing value inside {trend_length} points that otherwise all rise or all fall; the"
        " reference (NHSRplotthedots) stops here with 'missing value where TRUE/FALSE needed'."
        " Fill the value, or pass tolerate_missing=True (candour spc --tolerate-missing) to"
        " count such a window as no trend"
    )
    raise DataFileError(data.source, [Problem(message, row=row, column=data.columns.value)])
