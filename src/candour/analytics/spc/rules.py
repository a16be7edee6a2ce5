"""The special-cause rules of Making Data Count, one small function per rule.

Each works on flat arrays of rows for many segments at once (see
:mod:`candour.analytics.spc.segments`); a missing value is NaN in ``values`` and 0 in the small
integer codes (``side`` of the mean, ``steps`` up or down), so a missing point never belongs to a
run. The reference is NHSRplotthedots 0.2.2, ``ptd_calculate_point_type.R``.
"""

from __future__ import annotations

import numpy as np

from candour.analytics.spc.constants import (
    CODE_ABOVE_UCL,
    CODE_SHIFT_ABOVE,
    CODE_TREND_UP,
    CODE_TWO_IN_THREE_ABOVE,
    TWO_IN_THREE_HITS,
)
from candour.analytics.spc.segments import Segments

# For each special_cause_type code: +1 if it points up ("Above", "Increasing"), -1 if down.
CODE_DIRECTION = np.array([0, 1, -1, 1, -1, 1, -1, 1, -1], dtype=np.int8)
# point_type codes (index into constants.POINT_TYPES).
COMMON, IMPROVEMENT, CONCERN, NEUTRAL_HIGH, NEUTRAL_LOW = range(5)


def outside_limits(values: np.ndarray, lpl: np.ndarray, upl: np.ndarray) -> np.ndarray:
    """Strictly above the upper or below the lower process limit (false where undefined)."""
    return (values > upl) | (values < lpl)


def side_of_mean(values: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Sign of (value - mean) as int8: 1 above, -1 below, 0 on the mean or missing."""
    above = (values > mean).view(np.int8)
    return np.subtract(above, (values < mean).view(np.int8), out=above)


def beyond_two_thirds(values: np.ndarray, near_lpl: np.ndarray, near_upl: np.ndarray) -> np.ndarray:
    """In the outer third on either side: beyond two-thirds of the way to a limit, or further."""
    return (values < near_lpl) | (values > near_upl)


def close_to_limits(beyond: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """Beyond two-thirds of the way to a limit but inside the limits (reference)."""
    return beyond & ~outside


def steps(values: np.ndarray, segments: Segments) -> np.ndarray:
    """Sign of the step from the previous point as int8: 1 up, -1 down, 0 level, missing, or
    the first point of a segment."""
    result = np.zeros(len(values), dtype=np.int8)
    if len(values) > 1:
        result[1:] = side_of_mean(values[1:], values[:-1])
        result[segments.starts] = 0
    return result


def missing_steps(values: np.ndarray, segments: Segments) -> np.ndarray:
    """Steps that cannot be taken because this point or the one before it is missing."""
    missing = np.isnan(values)
    result = np.zeros(len(values), dtype=bool)
    if len(values) > 1:
        result[1:] = missing[1:] | missing[:-1]
        result[segments.starts] = False
    return result


def shift(side: np.ndarray, segments: Segments, length: int) -> np.ndarray:
    """Part of a run of at least ``length`` consecutive points on the same side of the mean.

    A point on the mean, or a missing one, ends the run (reference
    ptd_seven_point_one_side_mean() then ptd_part_of_seven_trend())."""
    return segments.in_long_runs(side, length)


def trend(step: np.ndarray, segments: Segments, length: int) -> np.ndarray:
    """Part of a run of at least ``length`` points each higher (or each lower) than the one
    before. A repeated value or a missing one ends the run (reference ptd_seven_point_trend()).

    ``length`` points make ``length - 1`` steps; each step belongs to its own point, so the
    point before the first step of a run is flagged too."""
    in_run = segments.in_long_runs(step, length - 1)
    flagged = in_run.copy()
    flagged[:-1] |= in_run[1:]
    return flagged


def trend_rising(step: np.ndarray, in_trend: np.ndarray, segments: Segments) -> np.ndarray:
    """Whether each trend point is labelled Increasing.

    Reference quirk, kept: a trend point whose next point (same segment) is also a trend point
    takes the direction of the step to its right; any other takes the step to its left. So the
    peak shared by a rise and a fall is labelled by the fall, and a point before a repeated
    value (step 0) is labelled Decreasing."""
    direction = step.copy()
    if len(step) > 1:
        right = in_trend[:-1] & in_trend[1:] & segments.within(1)
        direction[:-1] = np.where(right, step[1:], step[:-1])
    return direction == 1


def two_in_three(close: np.ndarray, side: np.ndarray, segments: Segments) -> np.ndarray:
    """A close point in a window of three consecutive points (within a segment) of which at
    least two are close and all three are on the same side of the mean (reference
    ptd_two_in_three() then ptd_part_of_two_in_three()).

    Pass ``close`` = :func:`close_to_limits` for the reference rule, or :func:`beyond_two_thirds`
    for the MDC 2023 rule that also counts points beyond the limits."""
    n = len(close)
    if n < 3:
        return np.zeros(n, dtype=bool)
    hits = close[:-2].astype(np.int8) + close[1:-1] + close[2:]
    sides = side[:-2] + side[1:-1] + side[2:]
    window = (hits >= TWO_IN_THREE_HITS) & (np.abs(sides) == 3) & segments.within(2)
    in_window = np.zeros(n, dtype=bool)
    in_window[:-2] = window
    in_window[1:-1] |= window
    in_window[2:] |= window
    return close & in_window


def missing_in_trend_window(
    step: np.ndarray, missing: np.ndarray, segments: Segments, length: int
) -> np.ndarray:
    """Rows at which the reference stops with "missing value where TRUE/FALSE needed": the
    window of ``length`` points ending there has a missing step and every other step in the
    same direction, so R's all() is NA. True where the reference would fail."""
    k = length - 1
    n = len(step)
    if n <= k:
        return np.zeros(n, dtype=bool)
    window_missing = _window_sums(missing, k)
    window_up = _window_sums((step == 1) & ~missing, k)
    window_down = _window_sums((step == -1) & ~missing, k)
    result = np.zeros(n, dtype=bool)
    result[k:] = (
        (window_missing > 0)
        & ((window_missing + window_up == k) | (window_missing + window_down == k))
        & (segments.position[k:] >= k)
    )
    return result


def _window_sums(flags: np.ndarray, k: int) -> np.ndarray:
    """Sum of ``flags`` over each window of ``k`` rows ending at rows k.. n-1."""
    total = np.concatenate(([0], np.cumsum(flags, dtype=np.int32)))
    return total[k + 1 :] - total[1 : len(total) - k]


def special_cause_codes(
    *,
    outside: np.ndarray,
    in_trend: np.ndarray,
    rising: np.ndarray,
    in_two_in_three: np.ndarray,
    in_shift: np.ndarray,
    side: np.ndarray,
) -> np.ndarray:
    """special_cause_type code of each point (index into constants.special_cause_types()).

    Priority as the reference: outside the limits, then trend, then two-in-three, then shift.
    A point is "Above" only when above the mean, else "Below" (reference ifelse(rtm > 0, ...))."""
    below = (side <= 0).view(np.uint8)
    codes = np.zeros(len(side), dtype=np.uint8)
    np.copyto(codes, CODE_SHIFT_ABOVE + below, where=in_shift)
    np.copyto(codes, CODE_TWO_IN_THREE_ABOVE + below, where=in_two_in_three)
    np.copyto(codes, CODE_TREND_UP + (~rising).view(np.uint8), where=in_trend)
    np.copyto(codes, CODE_ABOVE_UCL + (side != 1).view(np.uint8), where=outside)
    return codes


def point_type_table(direction: int) -> np.ndarray:
    """point_type code for each special_cause_type code, for one improvement direction
    (1 increase, -1 decrease, 0 neutral); reference ptd_point_type()."""
    pointing = CODE_DIRECTION.astype(np.int64)
    if direction == 0:
        return np.select([pointing > 0, pointing < 0], [NEUTRAL_HIGH, NEUTRAL_LOW], COMMON)
    oriented = pointing * direction
    return np.select([oriented > 0, oriented < 0], [IMPROVEMENT, CONCERN], COMMON)


# Rows: improvement direction + 1 (decrease, neutral, increase); columns: special_cause_type code.
POINT_TYPE_TABLE = np.stack([point_type_table(d) for d in (-1, 0, 1)]).astype(np.uint8)


def point_type_codes(codes: np.ndarray, direction: np.ndarray | int) -> np.ndarray:
    """point_type code of each point from its special_cause_type code and the improvement
    direction of its series (one number, or one per row)."""
    if np.ndim(direction) == 0:
        return POINT_TYPE_TABLE[int(direction) + 1][codes]
    return POINT_TYPE_TABLE[np.asarray(direction, dtype=np.intp) + 1, codes]
