"""Special-cause concern in an organisation's own recent data (issue 9 item 5, §7).

Making Data Count fixes a chart's limits on a baseline of 15 to 20 points and reads signals
against them; Candour does the same for oversight:

- the series read is the organisation's *difference from the median of its peers* in each period
  (the other organisations of its peer group that reported that period, at least ``min_peers``):
  a change every trust shares (a bad winter, a national policy) is a system-wide change, not
  local special cause (issue 9 item 4), and it cancels here; a period its peers have not reported
  yet is not read;
- a *segment* is that series since the last registered break (COVID-19, a changed standard, a
  merger) that applies to it: a series never crosses a break;
- the segment must be current (it reaches the measure's comparison window) and its limits are fixed
  on its first ``min_baseline_points`` points: centre = their mean, sigma = 2.66 / 3 of their
  screened mean moving range (MDC's XmR limits, so 3 sigma is MDC's process limit);
- each later point gets a standardised deviation s = (x - centre) / sigma, oriented so that +
  means worse; the test statistic is the largest s among the last ``recent_points`` points that
  have a full baseline before them, and its normal equivalent z = Phi^-1(Phi(s_max)^k) over those
  k points enters the one error-rate family (:mod:`candour.analytics.concern.family`). Because
  every family threshold is above 3, a flag is always a point beyond MDC's process limit in the
  concern direction; improvement and neutral measures never raise one.

Fixing the baseline means a later point never moves the limits, so adding a later period at least
as good as the latest never raises the statistic, and improving a recent point never does either.
Improving a *baseline* point does move the centre: a better past makes the same present look
worse. docs/reference/concern.md says so and bounds it.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.special import ndtri_exp
from scipy.stats import t as student_t

from candour.analytics.concern.constants import INCREASE, NEUTRAL
from candour.analytics.concern.options import AssessOptions
from candour.analytics.spc.constants import MR_SCREEN_FACTOR, XMR_LIMIT_FACTOR

SIGMA_PER_MEAN_MR = XMR_LIMIT_FACTOR / 3  # 3 sigma = 2.66 mean moving range (MDC)
MDC_LIMIT_SIGMAS = 3  # MDC's process limits are 3 sigma from the mean
# A sigma from the mean moving range of n points carries about 0.62 (n - 1) degrees of freedom
# (Nelson, J Qual Technol 1982;14:172; Wheeler, Understanding Variation), not n - 1.
MOVING_RANGE_EFFICIENCY = 0.62

RECENT_SCHEMA = {
    "ods_code": pl.String,
    "measure_id": pl.String,
    "peer_group": pl.String,
    "segment_start": pl.Date,
    "baseline_start": pl.Date,
    "baseline_end": pl.Date,
    "centre": pl.Float64,
    "sigma": pl.Float64,
    "recent_start": pl.Date,
    "recent_end": pl.Date,
    "n_recent": pl.Int64,
    "worst_period_start": pl.Date,
    "worst_period_type": pl.String,
    "worst_value": pl.Float64,
    "worst_peer_median": pl.Float64,
    "s_max": pl.Float64,
    "beyond_limit": pl.Boolean,
    "z": pl.Float64,
}


def segment_starts(series: pl.DataFrame, breaks: pl.DataFrame) -> pl.DataFrame:
    """Each (organisation, measure)'s current segment start: the latest break on or before its
    latest point that applies to it (null: no break)."""
    keys = series.group_by("ods_code", "measure_id").agg(last=pl.col("period_start").max())
    if breaks.is_empty():
        return keys.with_columns(segment_start=pl.lit(None, dtype=pl.Date)).drop("last")
    applies = (
        keys.join(breaks.select("date", b_measure="measure_id", b_ods="ods_code"), how="cross")
        .filter(
            (pl.col("b_measure").is_null() | (pl.col("b_measure") == pl.col("measure_id")))
            & (pl.col("b_ods").is_null() | (pl.col("b_ods") == pl.col("ods_code")))
            & (pl.col("date") <= pl.col("last"))
        )
        .group_by("ods_code", "measure_id")
        .agg(segment_start=pl.col("date").max())
    )
    return keys.join(applies, on=["ods_code", "measure_id"], how="left").drop("last")


SEGMENT = ["ods_code", "measure_id"]


def recent_signals(
    observations: pl.DataFrame,
    measures: pl.DataFrame,
    windows: pl.DataFrame,
    breaks: pl.DataFrame,
    options: AssessOptions,
) -> pl.DataFrame:
    """One row per current segment long enough to judge: its limits and its recent statistic."""
    directions = dict(measures.select("measure_id", "improvement").iter_rows())
    current = windows.filter(pl.col("state") == "current").select(
        "measure_id", "peer_group", "period_type", window_start="period_start"
    )
    series = observations.join(current, on=["measure_id", "peer_group", "period_type"])
    series = series.filter(
        pl.col("measure_id").replace_strict(directions, default=NEUTRAL) != NEUTRAL
    )
    if series.is_empty():
        return pl.DataFrame(schema=RECENT_SCHEMA)
    series = relative_to_peers(series, options.min_peers)
    if series.is_empty():
        return pl.DataFrame(schema=RECENT_SCHEMA)
    starts = segment_starts(series, breaks)
    series = (
        series.join(starts, on=SEGMENT, how="left")
        .filter(
            pl.col("segment_start").is_null() | (pl.col("period_start") >= pl.col("segment_start"))
        )
        .sort(*SEGMENT, "period_start")
    )
    return segment_statistics(
        series, directions, options.min_baseline_points, options.recent_points
    )


def relative_to_peers(series: pl.DataFrame, min_peers: int) -> pl.DataFrame:
    """Each value minus the median of the other organisations of its peer group in the same
    period (``peer_median``); periods with fewer than ``min_peers`` others are dropped. The
    leave-one-out median of a sorted group is read off by position, for all groups at once."""
    period = ["measure_id", "peer_group", "period_type", "period_start"]
    frame = series.sort(*period, "value")
    group = frame.select(pl.struct(period).rle_id()).to_series().to_numpy()
    values = frame["value"].to_numpy().astype(float)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    sizes = np.diff(np.r_[starts, group.size])
    start = np.repeat(starts, sizes)
    others = np.repeat(sizes, sizes) - 1
    rank = np.arange(group.size) - start

    def other(j: np.ndarray) -> np.ndarray:
        """The j-th smallest (from 0) of the other organisations' values, for every row."""
        j = np.clip(j, 0, np.maximum(others - 1, 0))
        return values[np.minimum(start + np.where(j < rank, j, j + 1), values.size - 1)]

    middle = (others - 1) // 2
    median = np.where(others % 2 == 1, other(middle), (other(middle) + other(middle + 1)) / 2)
    return frame.with_columns(
        peer_median=pl.Series(median), value=pl.Series(values - median)
    ).filter(pl.Series(others >= min_peers))


def segment_statistics(
    series: pl.DataFrame, directions: dict[str, str], baseline_points: int, recent_points: int
) -> pl.DataFrame:
    """Per segment (``series`` sorted by organisation, measure and period): limits fixed on its
    first ``baseline_points`` points, the standardised deviations of its last ``recent_points``
    points after the baseline, and the largest with its normal
    equivalent. Segments that stop before their window or end within the baseline are left out."""
    series = series.with_columns(
        position=pl.int_range(pl.len()).over(SEGMENT),
        points=pl.len().over(SEGMENT),
        reaches_window=(pl.col("period_start").max() >= pl.col("window_start").first()).over(
            SEGMENT
        ),
    ).filter(pl.col("reaches_window") & (pl.col("points") > baseline_points))
    if series.is_empty():
        return pl.DataFrame(schema=RECENT_SCHEMA)
    ranges = pl.col("value").diff().abs()
    limits = (
        series.filter(pl.col("position") < baseline_points)
        .group_by(SEGMENT, maintain_order=True)
        .agg(
            centre=pl.col("value").mean(),
            mean_range=ranges.mean(),
            screened_range=ranges.filter(ranges < MR_SCREEN_FACTOR * ranges.mean()).mean(),
            baseline_start=pl.col("period_start").first(),
            baseline_end=pl.col("period_start").last(),
        )
        .with_columns(sigma=SIGMA_PER_MEAN_MR * pl.coalesce("screened_range", "mean_range"))
        .filter(pl.col("sigma") > 0)
    )
    sign = (
        pl.when(pl.col("measure_id").replace_strict(directions, default=NEUTRAL) == INCREASE)
        .then(-1.0)
        .otherwise(1.0)
    )
    recent = (
        series.filter(
            pl.col("position")
            >= pl.max_horizontal(pl.lit(baseline_points), pl.col("points") - recent_points)
        )
        .join(limits, on=SEGMENT, how="inner")
        .with_columns(deviation=sign * (pl.col("value") - pl.col("centre")) / pl.col("sigma"))
    )
    if recent.is_empty():
        return pl.DataFrame(schema=RECENT_SCHEMA)
    worst = (
        recent.sort("deviation", descending=True)
        .group_by(SEGMENT, maintain_order=True)
        .agg(
            pl.col("peer_group", "segment_start", "baseline_start", "baseline_end").first(),
            pl.col("centre", "sigma").first(),
            recent_start=pl.col("period_start").min(),
            recent_end=pl.col("period_start").max(),
            n_recent=pl.len().cast(pl.Int64),
            worst_period_start=pl.col("period_start").first(),
            worst_period_type=pl.col("period_type").first(),
            worst_value=(pl.col("value") + pl.col("peer_median")).first(),
            worst_peer_median=pl.col("peer_median").first(),
            s_max=pl.col("deviation").first(),
            # only a point beyond MDC's process limit in the concern direction is special cause
            beyond_limit=pl.col("deviation").max() >= MDC_LIMIT_SIGMAS,
        )
    )
    df = max(1, round((baseline_points - 1) * MOVING_RANGE_EFFICIENCY))
    z = [max_normal_equivalent(s, k, df) for s, k in worst.select("s_max", "n_recent").iter_rows()]
    return (
        worst.with_columns(z=pl.Series(z, dtype=pl.Float64))
        .select([pl.col(c).cast(t) for c, t in RECENT_SCHEMA.items()])
        .sort(SEGMENT)
    )


def max_normal_equivalent(s_max: float, k: int, df: int) -> float:
    """z with P(Z >= z) = P(max of k values >= s_max) = 1 - F(s_max)^k, F Student's t on ``df``
    degrees of freedom (sigma is estimated from the baseline's moving ranges)."""
    return float(ndtri_exp(k * student_t.logcdf(s_max, df)))
