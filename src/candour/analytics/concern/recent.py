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
from scipy.special import log_ndtr, ndtri_exp

from candour.analytics.concern.constants import INCREASE, NEUTRAL
from candour.analytics.concern.crosssection import others
from candour.analytics.concern.options import AssessOptions
from candour.analytics.funnel.constants import DEFAULT_TRIM_BY
from candour.analytics.spc.constants import MR_SCREEN_FACTOR, XMR_LIMIT_FACTOR

SIGMA_PER_MEAN_MR = XMR_LIMIT_FACTOR / 3  # 3 sigma = 2.66 mean moving range (MDC)

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
    "phi": pl.Float64,
    "s_max": pl.Float64,
    "z": pl.Float64,
}


def segment_starts(
    series: pl.DataFrame, breaks: pl.DataFrame
) -> pl.DataFrame:
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
    series = relative_to_peers(series, options.min_peers)
    if series.is_empty():
        return pl.DataFrame(schema=RECENT_SCHEMA)
    starts = segment_starts(series, breaks)
    series = (
        series.join(starts, on=["ods_code", "measure_id"], how="left")
        .filter(pl.col("segment_start").is_null() | (pl.col("period_start") >= pl.col("segment_start")))
        .sort("ods_code", "measure_id", "period_start")
    )
    rows = []
    for (ods_code, measure_id), points in series.group_by(
        "ods_code", "measure_id", maintain_order=True
    ):
        if points["period_start"].max() < points["window_start"][0]:
            continue  # the segment stops before the window: no recent data
        row = segment_statistic(
            points, directions[measure_id], options.min_baseline_points, options.recent_points
        )
        if row is not None:
            rows.append(
                {
                    "ods_code": ods_code,
                    "measure_id": measure_id,
                    "peer_group": points["peer_group"][0],
                    "segment_start": points["segment_start"][0],
                    **row,
                }
            )
    if not rows:
        return pl.DataFrame(schema=RECENT_SCHEMA)
    return pl.DataFrame(scaled_for_overdispersion(rows), schema=RECENT_SCHEMA)


def scaled_for_overdispersion(rows: list[dict]) -> list[dict]:
    """Divide each organisation's recent deviations by sqrt(phi), phi the mean square of the
    other organisations' recent deviations (Winsorised at 10% and 90%, as the funnels), when it
    exceeds 1: how far trusts' positions usually move is in-control variation, as tau^2 is on a
    funnel; only a move beyond it is local special cause. Leave-one-out, so an organisation's
    own data never set its own bar. Then take the largest and its normal equivalent."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault((row["measure_id"], row["peer_group"]), []).append(index)
    for members in groups.values():
        pooled = [rows[i].pop("deviations") for i in members]
        for position, index in enumerate(members):
            rest = [d for j, d in enumerate(pooled) if j != position]
            phi = winsorised_mean_square(np.concatenate(rest)) if rest else 1.0
            own = pooled[position] / np.sqrt(max(phi, 1.0))
            worst = int(np.argmax(own))
            row = rows[index]
            row["phi"] = phi
            for name in ("worst_period_start", "worst_period_type", "worst_value", "worst_peer_median"):
                row[name] = row.pop(f"{name}s")[worst]
            row["s_max"] = float(own[worst])
            row["z"] = max_normal_equivalent(row["s_max"], own.size)
    return rows


def winsorised_mean_square(values: np.ndarray) -> float:
    lower, upper = np.quantile(values, [DEFAULT_TRIM_BY, 1 - DEFAULT_TRIM_BY])
    return float(np.mean(np.square(np.clip(values, lower, upper))))


def relative_to_peers(series: pl.DataFrame, min_peers: int) -> pl.DataFrame:
    """Each value minus the median of the other organisations of its peer group in the same
    period (``peer_median``); periods with fewer than ``min_peers`` others are dropped."""
    period = ["measure_id", "peer_group", "period_type", "period_start"]
    parts = []
    for _, rows in series.group_by(period, maintain_order=True):
        if rows.height - 1 < min_peers:
            continue
        values = rows["value"].to_numpy().astype(float)
        median = np.nanmedian(others(values), axis=1)
        parts.append(rows.with_columns(peer_median=pl.Series(median), value=pl.Series(values - median)))
    if not parts:
        return series.clear().with_columns(peer_median=pl.lit(None, dtype=pl.Float64))
    return pl.concat(parts)


def segment_statistic(
    points: pl.DataFrame, improvement: str, baseline_points: int, recent_points: int
) -> dict | None:
    """The limits and recent statistic of one segment, or None if it is too short (no point has
    a full baseline before it) or its baseline does not vary."""
    values = points["value"].to_numpy().astype(float)
    if values.size <= baseline_points:
        return None
    baseline = values[:baseline_points]
    centre = float(np.mean(baseline))
    sigma = SIGMA_PER_MEAN_MR * screened_mean_moving_range(baseline)
    if not sigma > 0:
        return None
    sign = -1.0 if improvement == INCREASE else 1.0
    first_recent = max(baseline_points, values.size - recent_points)
    deviations = sign * (values[first_recent:] - centre) / sigma
    starts = points["period_start"]
    peer_median = points["peer_median"].to_numpy()[first_recent:]
    return {
        "baseline_start": starts[0],
        "baseline_end": starts[baseline_points - 1],
        "centre": centre,
        "sigma": sigma,
        "recent_start": starts[first_recent],
        "recent_end": starts[-1],
        "n_recent": int(deviations.size),
        "deviations": deviations,
        "worst_period_starts": starts[first_recent:].to_list(),
        "worst_period_types": points["period_type"][first_recent:].to_list(),
        "worst_values": list(values[first_recent:] + peer_median),
        "worst_peer_medians": list(peer_median),
    }


def screened_mean_moving_range(values: np.ndarray) -> float:
    """MDC's mean moving range after screening out ranges of 3.267 x the mean or more."""
    ranges = np.abs(np.diff(values))
    if ranges.size == 0:
        return 0.0
    mean = ranges.mean()
    kept = ranges[ranges < MR_SCREEN_FACTOR * mean]
    return float(kept.mean()) if kept.size else float(mean)


def max_normal_equivalent(s_max: float, k: int) -> float:
    """z with P(Z >= z) = P(max of k standard normals >= s_max) = 1 - Phi(s_max)^k."""
    return float(ndtri_exp(k * log_ndtr(s_max)))
