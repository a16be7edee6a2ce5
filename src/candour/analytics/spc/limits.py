"""Centre lines and process limits, per segment: XmR (reference), P and U charts.

Every function takes flat arrays of rows for many segments at once (see
:mod:`candour.analytics.spc.segments`); missing values are NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from candour.analytics.spc.constants import (
    ATTRIBUTE_CLOSE_SIGMA,
    ATTRIBUTE_SIGMA,
    CLOSE_TO_LIMIT_FACTOR,
    MR_SCREEN_FACTOR,
    XMR_LIMIT_FACTOR,
)
from candour.analytics.spc.segments import Segments, r_mean, r_mean_after_first


@dataclass(frozen=True)
class Limits:
    """Centre line, process limits and the two-thirds ("close to a limit") lines.

    Arrays are per segment for XmR charts and per row for P and U charts, whose limits vary
    with each point's denominator.
    """

    mean: np.ndarray
    lpl: np.ndarray
    upl: np.ndarray
    near_lpl: np.ndarray
    near_upl: np.ndarray

    def per_row(self, segments: Segments) -> Limits:
        """The limits on every row (XmR limits are per segment)."""
        if len(self.mean) == segments.n_rows:
            return self
        return Limits(*(segments.broadcast(a) for a in self.arrays()))

    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.mean, self.lpl, self.upl, self.near_lpl, self.near_upl


def fixed_values(values: np.ndarray, segments: Segments, fix_after: np.ndarray) -> np.ndarray:
    """The values the limits are computed from: only the first ``fix_after`` points of each
    segment (0 = all). Reference: fix_y <- ifelse(row_number() <= fix_after_n_points, y, NA)."""
    if not fix_after.any():
        return values
    limit = segments.broadcast(np.where(fix_after > 0, fix_after, np.iinfo(np.int64).max))
    return np.where(segments.position < limit, values, np.nan)


def moving_ranges(values: np.ndarray, segments: Segments) -> np.ndarray:
    """|x[i] - x[i-1]| within each segment; NaN on a segment's first row and next to a gap."""
    ranges = np.empty_like(values)
    if len(values):
        np.subtract(values[1:], values[:-1], out=ranges[1:])
        np.abs(ranges, out=ranges)
        ranges[segments.starts] = np.nan
    return ranges


def mean_moving_range(
    ranges: np.ndarray, segments: Segments, screen: np.ndarray, *, gaps: bool
) -> np.ndarray:
    """Mean moving range per segment; where ``screen`` holds, moving ranges of at least
    MR_SCREEN_FACTOR times the first mean are left out and the mean taken again (reference
    screen_outliers). A segment whose every range is screened out gets NaN, as in the reference.
    ``gaps``: some ranges besides each segment's first are missing."""
    first = r_mean(ranges, segments) if gaps else r_mean_after_first(ranges, segments)
    if not screen.any():
        return first
    with np.errstate(invalid="ignore"):
        kept = ranges < segments.broadcast(MR_SCREEN_FACTOR * first)
    return np.where(screen, r_mean(ranges, segments, kept), first)


def xmr_limits(
    values: np.ndarray, segments: Segments, *, fix_after: np.ndarray, screen: np.ndarray
) -> Limits:
    """XmR limits per segment: mean +/- XMR_LIMIT_FACTOR x mean moving range (reference
    ptd_spc_standard(), operation for operation so that the doubles are identical)."""
    basis = fixed_values(values, segments, fix_after)
    gaps = bool(np.isnan(basis).any())
    mean = r_mean(basis, segments)
    spread = mean_moving_range(moving_ranges(basis, segments), segments, screen, gaps=gaps)
    return Limits(
        mean=mean,
        lpl=mean - (XMR_LIMIT_FACTOR * spread),
        upl=mean + (XMR_LIMIT_FACTOR * spread),
        near_lpl=mean - (CLOSE_TO_LIMIT_FACTOR * spread),
        near_upl=mean + (CLOSE_TO_LIMIT_FACTOR * spread),
    )


def pooled_rate(
    numerator: np.ndarray, denominator: np.ndarray, segments: Segments, fix_after: np.ndarray
) -> np.ndarray:
    """Sum of numerators over sum of denominators per segment (of the first ``fix_after``
    points when fixed), skipping rows where either is missing: p-bar or u-bar."""
    both = np.where(np.isnan(denominator), np.nan, numerator)
    present = ~np.isnan(fixed_values(both, segments, fix_after))
    with np.errstate(invalid="ignore", divide="ignore"):
        return segments.sums(np.where(present, numerator, 0.0)) / segments.sums(
            np.where(present, denominator, 0.0)
        )


def attribute_limits(centre: np.ndarray, sigma: np.ndarray, *, upper_bound: float) -> Limits:
    """centre +/- ATTRIBUTE_SIGMA x sigma, clipped to [0, upper_bound] as a proportion or rate
    cannot leave that range (the close-to-limit lines at ATTRIBUTE_CLOSE_SIGMA are not clipped)."""
    return Limits(
        mean=centre,
        lpl=np.maximum(centre - ATTRIBUTE_SIGMA * sigma, 0.0),
        upl=np.minimum(centre + ATTRIBUTE_SIGMA * sigma, upper_bound),
        near_lpl=centre - ATTRIBUTE_CLOSE_SIGMA * sigma,
        near_upl=centre + ATTRIBUTE_CLOSE_SIGMA * sigma,
    )


def p_chart_limits(p_bar: np.ndarray, denominator: np.ndarray) -> Limits:
    """Binomial limits for a proportion at each point: sigma = sqrt(p(1 - p) / n)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(p_bar * (1.0 - p_bar) / denominator)
    return attribute_limits(p_bar, sigma, upper_bound=1.0)


def u_chart_limits(u_bar: np.ndarray, denominator: np.ndarray) -> Limits:
    """Poisson limits for a rate per unit at each point: sigma = sqrt(u / n)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(u_bar / denominator)
    return attribute_limits(u_bar, sigma, upper_bound=np.inf)
