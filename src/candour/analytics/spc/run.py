"""``run_chart()``: run charts (median centre line, no limits) with the IHI runs rules, for many
series at once.

Rules (Perla, Provost & Murray, "The run chart: a simple analytical tool for learning from
variation in healthcare processes", BMJ Qual Saf 2011;20:46-51):

* shift: six or more consecutive points on the same side of the median; points on the median
  neither count towards nor break a shift (they are skipped, and are not flagged);
* trend: five or more consecutive points all going up or all going down; a repeated value
  neither counts nor breaks it (a repeat between two points of a trend is flagged with it).

Missing values are skipped by both rules. Shift is reported as "6 Points Above Median", trend
as "5 Point Trend (Increasing)"; a point in both is labelled by the trend.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from candour.analytics.spc import rules as r
from candour.analytics.spc.constants import (
    RUN_CHART_SHIFT_LENGTH,
    RUN_CHART_TREND_LENGTH,
    special_cause_types,
)
from candour.analytics.spc.engine import enum_from_codes
from candour.analytics.spc.frames import Columns, series_frame
from candour.analytics.spc.options import (
    DateLike,
    SpcOptions,
    check_whole_number,
    normalise_group,
)
from candour.analytics.spc.resolve import rebase_first_rows, series_settings
from candour.analytics.spc.segments import Segments
from candour.analytics.spc.summary import IMPROVEMENT, POINT_TYPE, labelled
from candour.analytics.spc.xmr import PerSeries, check_reserved_names

MIN_RUN_LENGTH = 2


@dataclass(frozen=True)
class RunChartResult:
    """``points``: the group columns, date, value, rebase_group, median, relative_to_median,
    shift, trend, special_cause_type, special_cause_flag, point_type. ``summary``: one row per
    series: the group columns, n, latest_date, latest_value, median (of the latest segment),
    improvement, variation_type (point type of the latest point)."""

    points: pl.DataFrame
    summary: pl.DataFrame
    group: tuple[str, ...] = ()
    missing: pl.DataFrame = field(default_factory=pl.DataFrame)  # as SPCResult.missing


def run_chart(
    frame: Any,
    *,
    value: str,
    date: str,
    group: str | Sequence[str] | None = None,
    improvement: str | PerSeries = "increase",
    rebase: Iterable[DateLike] | PerSeries = (),
    shift_length: int = RUN_CHART_SHIFT_LENGTH,
    trend_length: int = RUN_CHART_TREND_LENGTH,
    na: str | Iterable[str] = (),
    source: str = "data",
) -> RunChartResult:
    """Run charts of ``value`` by ``date`` for every series (``group``), with the IHI shift
    (``shift_length`` points, default 6) and trend (``trend_length`` points, default 5) rules.
    ``improvement``, ``rebase`` and ``na`` are as for :func:`candour.analytics.spc.spc`."""
    check_whole_number("shift_length", shift_length, minimum=MIN_RUN_LENGTH)
    check_whole_number("trend_length", trend_length, minimum=MIN_RUN_LENGTH)
    options = SpcOptions(
        value=value,
        date=date,
        group=normalise_group(group),
        improvement=improvement,
        rebase=rebase,
        na=na,
    )
    check_reserved_names(options.group)
    data = series_frame(frame, Columns(value, date, options.group), source=source, na=options.na)
    direction = series_settings(
        data, improvement=improvement, target=None, fix_after_n_points=None, screen_outliers=False
    ).direction
    series_first = np.zeros(data.frame.height, dtype=bool)
    series_first[data.series_starts] = True
    segments = Segments.from_first_rows(series_first | rebase_first_rows(options.rebase, data))
    values = data.values()
    median = segment_medians(values, segments)
    side = r.side_of_mean(values, segments.broadcast(median))
    in_shift = shift_skipping_median(side, segments, int(shift_length))
    in_trend, rising = trend_skipping_repeats(values, segments, int(trend_length))
    codes = run_codes(in_shift, in_trend, rising, side)
    series_of_row = np.repeat(np.arange(data.n_series), data.series_lengths)
    labels = [t.replace(" CL", " Median") for t in special_cause_types(shift_length, trend_length)]
    points = data.frame.select(
        *options.group, pl.col(date).alias("date"), pl.col(value).alias("value")
    ).with_columns(
        rebase_group=pl.Series(
            segments.broadcast(segments.index_within(series_first).astype(np.int32))
        ),
        median=pl.Series(segments.broadcast(median), nan_to_null=True),
        relative_to_median=pl.Series(side).set(pl.Series(np.isnan(values)), None),
        shift=pl.Series(in_shift),
        trend=pl.Series(in_trend),
        special_cause_type=enum_from_codes(codes, pl.Enum(labels)),
        special_cause_flag=pl.Series(codes != 0),
        point_type=enum_from_codes(r.point_type_codes(codes, direction[series_of_row]), POINT_TYPE),
    )
    return RunChartResult(
        points, run_summary(points, data, direction), options.group, missing=data.missing
    )


def run_codes(
    in_shift: np.ndarray, in_trend: np.ndarray, rising: np.ndarray, side: np.ndarray
) -> np.ndarray:
    """special_cause_type codes from the two run-chart rules (a trend outranks a shift)."""
    none = np.zeros(len(side), dtype=bool)
    return r.special_cause_codes(
        outside=none,
        in_trend=in_trend,
        rising=rising,
        in_two_in_three=none,
        in_shift=in_shift,
        side=side,
    )


def segment_medians(values: np.ndarray, segments: Segments) -> np.ndarray:
    """Median of the present values of each segment (NaN if none)."""
    ids = np.repeat(np.arange(len(segments)), segments.lengths)
    frame = pl.DataFrame({"segment": ids, "value": pl.Series(values, nan_to_null=True)})
    medians = frame.group_by("segment", maintain_order=True).agg(pl.col("value").median())
    return medians.get_column("value").fill_null(np.nan).to_numpy()


def compressed(keep: np.ndarray, segments: Segments) -> tuple[np.ndarray, Segments]:
    """The rows where ``keep`` holds, and their segments (each kept row stays in its own)."""
    rows = np.flatnonzero(keep)
    segment_of_row = np.cumsum(segments.first) - 1
    kept_segment = segment_of_row[rows]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = kept_segment[1:] != kept_segment[:-1]
    return rows, Segments.from_first_rows(first)


def shift_skipping_median(side: np.ndarray, segments: Segments, length: int) -> np.ndarray:
    """Points in a run of at least ``length`` on one side of the median, counting only points
    off the median (and present)."""
    rows, kept = compressed(side != 0, segments)
    return scatter(kept.in_long_runs(side[rows], length), rows, len(side))


def trend_skipping_repeats(
    values: np.ndarray, segments: Segments, length: int
) -> tuple[np.ndarray, np.ndarray]:
    """Points in a run of at least ``length`` values each higher (or each lower) than the
    previous different value, and whether each such point is rising. A repeated value between
    two points joined by a trend step belongs to that trend."""
    n = len(values)
    kept_rows = distinct_values(values, segments)
    rows, kept = compressed(kept_rows, segments)
    step = r.steps(values[rows], kept)
    in_run = kept.in_long_runs(step, length - 1)
    in_trend = r.trend(step, kept, length)
    rising = r.trend_rising(step, in_trend, kept)
    flagged = scatter(in_trend, rows, n)
    up = scatter(rising & in_trend, rows, n)
    repeats = np.flatnonzero(~np.isnan(values) & ~kept_rows)
    following = np.cumsum(kept_rows)[repeats]  # index in rows of the next kept point
    inside = following < len(rows)
    joined = repeats[inside][in_run[following[inside]]]
    flagged[joined] = True
    up[joined] = step[following[inside]][in_run[following[inside]]] == 1
    return flagged, up


def distinct_values(values: np.ndarray, segments: Segments) -> np.ndarray:
    """Present rows whose value differs from the previous present value of their segment
    (and the first present row of each segment)."""
    rows, present = compressed(~np.isnan(values), segments)
    kept = present.first.copy()
    kept[1:] |= values[rows][1:] != values[rows][:-1]
    return scatter(kept, rows, len(values))


def scatter(per_kept: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """A boolean per row from one per kept row (false elsewhere)."""
    result = np.zeros(n, dtype=bool)
    result[rows] = per_kept
    return result


def run_summary(points: pl.DataFrame, data: Any, direction: np.ndarray) -> pl.DataFrame:
    ends = data.series_starts + data.series_lengths - 1
    latest = points[ends]
    return pl.concat(
        [
            data.keys,
            pl.DataFrame(
                {
                    "n": data.series_lengths,
                    "latest_date": latest.get_column("date"),
                    "latest_value": latest.get_column("value"),
                    "median": latest.get_column("median"),
                    "improvement": labelled(1 - direction.astype(np.float64), IMPROVEMENT),
                    "variation_type": latest.get_column("point_type").cast(POINT_TYPE),
                }
            ),
        ],
        how="horizontal",
    )
