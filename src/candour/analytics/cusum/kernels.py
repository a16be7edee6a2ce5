"""The CUSUM recursion S_t = max(0, S_{t-1} + W_t) over many series at once.

Without reset the recursion has a closed form (Lindley's identity): with C the cumulative sum of
W within a series, S_t = C_t - min(0, min_{j <= t} C_j). A compiled loop (numba) accumulates C
and its running minimum series by series in one pass, so each series' values are summed on
their own, in time order: a series' statistic is bit for bit the same whichever other series
share the call (an engine may split the data into any batches of whole series and get the
in-process result). Subtracting running totals across series, as NumPy's cumulative sum over a
whole batch would need, left rounding of about 1e-14 that depended on the series before it.

With reset (the statistic returns to 0 after a signal) the next step depends on whether this one
signalled: the same kind of compiled loop does it in one pass.
"""

from __future__ import annotations

import numba
import numpy as np


def segment_cumsum(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at every row where ``first`` is true."""
    out = np.empty(len(values), dtype=np.float64)
    _segment_cumsum(np.asarray(values, dtype=np.float64), first, out)
    return out


@numba.njit(cache=True, nogil=True)
def _segment_cumsum(values, first, out):  # pragma: no cover - compiled
    total = 0.0
    for i in range(values.shape[0]):
        if first[i]:
            total = 0.0
        total += values[i]
        out[i] = total


def lindley(weights: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The CUSUM without reset by Lindley's identity: S = C - min(0, running min of C), with C
    the cumulative sum of W in each series (restarting where ``first`` is true)."""
    statistic = np.empty(len(weights), dtype=np.float64)
    _lindley(np.asarray(weights, dtype=np.float64), first, statistic)
    return statistic


@numba.njit(cache=True, nogil=True)
def _lindley(weights, first, out):  # pragma: no cover - compiled
    total = 0.0
    lowest = 0.0
    for i in range(weights.shape[0]):
        if first[i]:
            total = 0.0
            lowest = 0.0
        total += weights[i]
        if total < lowest:
            lowest = total
        out[i] = max(total - lowest, 0.0)


def cusum_with_reset(
    weights: np.ndarray,
    first: np.ndarray,
    h: np.ndarray,
    *,
    strict: bool = True,
    permutation: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The CUSUM that restarts from 0 after each signal (``S > h``, or ``S >= h`` when not
    strict); the value reported at a signal is the one before the restart.

    ``weights`` and ``h`` are per input row; the loop visits the rows in the order
    ``permutation`` gives (sorted row j is input row ``permutation[j]``; ``first`` is per sorted
    row), so the results come back in the input's order without a separate gather and scatter.
    """
    statistic = np.empty(len(weights), dtype=np.float64)
    signal = np.empty(len(weights), dtype=np.bool_)
    if permutation is None:
        permutation = np.arange(len(weights), dtype=np.int64)
    _reset_loop(weights, permutation, first, h, strict, statistic, signal)
    return statistic, signal


@numba.njit(cache=True, nogil=True)
def _reset_loop(weights, permutation, first, h, strict, statistic, signal):  # pragma: no cover
    s = 0.0
    for j in range(permutation.shape[0]):
        i = permutation[j]
        if first[j]:
            s = 0.0
        s = s + weights[i]
        if s < 0.0:
            s = 0.0
        statistic[i] = s
        alarm = s > h[i] if strict else s >= h[i]
        signal[i] = alarm
        if alarm:
            s = 0.0
