"""The CUSUM recursion S_t = max(0, S_{t-1} + W_t) over many series at once.

Without reset the recursion has a closed form (Lindley's identity): with C the cumulative sum of
W within a series, S_t = C_t - min(0, min_{j <= t} C_j). Both cumulative operations are NumPy
ufunc accumulations over whole batches of series: the sum restarts at each series by subtracting
the running total at its start, and the running minimum by shifting each series below every
earlier one (see :func:`_segment_running_min`). Rows are processed in batches of whole series so
that the running totals stay small and exact to about 1e-12.

With reset (the statistic returns to 0 after a signal) the next step depends on whether this one
signalled, which no accumulation expresses: a compiled loop (numba) does it in one pass.
"""

from __future__ import annotations

from collections.abc import Iterator

import numba
import numpy as np

BATCH_ROWS = 1 << 16  # rows per batch of whole series; bounds the running totals' size


def batches(first: np.ndarray, max_rows: int = BATCH_ROWS) -> Iterator[tuple[int, int]]:
    """(start, stop) of consecutive batches of whole series, each about ``max_rows`` rows
    (``first[0]`` must be true)."""
    starts = np.flatnonzero(first)
    n = len(first)
    begin = 0
    while begin < n:
        cut = int(np.searchsorted(starts, begin + max_rows, side="left"))
        stop = int(starts[cut]) if cut < len(starts) else n
        yield begin, stop
        begin = stop


def segment_cumsum(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at every row where ``first`` is true."""
    out = np.empty(len(values), dtype=np.float64)
    for start, stop in batches(first):
        out[start:stop] = _segment_cumsum(values[start:stop], np.flatnonzero(first[start:stop]))
    return out


def _segment_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    before = total[starts] - values[starts]  # the running total just before each series
    total -= np.repeat(before, np.diff(starts, append=len(values)))
    return total


def _segment_running_min(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """min(0, running minimum) restarting at every series: each series is shifted down by the
    sum of the earlier series' min(0, minimum), so no earlier value can undercut a later one;
    one ``np.minimum.accumulate`` then serves every series and the shift is taken off."""
    lowest = np.minimum(np.minimum.reduceat(values, starts), 0.0)
    shift = np.concatenate(([0.0], np.cumsum(lowest)[:-1]))
    shifts = np.repeat(shift, np.diff(starts, append=len(values)))
    running = values + shifts
    np.minimum.accumulate(running, out=running)
    running -= shifts
    return np.minimum(running, 0.0, out=running)


def lindley(weights: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The CUSUM without reset by Lindley's identity: S = C - min(0, running min of C), one
    batch of whole series at a time (so each batch's arrays stay in the processor's cache)."""
    statistic = np.empty(len(weights), dtype=np.float64)
    for start, stop in batches(first):
        starts = np.flatnonzero(first[start:stop])
        total = _segment_cumsum(weights[start:stop], starts)
        lowest = _segment_running_min(total, starts)
        np.subtract(total, lowest, out=total)
        np.maximum(total, 0.0, out=statistic[start:stop])
    return statistic


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
