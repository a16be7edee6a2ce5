"""Segments: runs of consecutive rows that share one mean and one pair of limits.

A segment is a series, or the part of a series between two rebase dates. Every computation over
many series works on one flat array of rows in series-then-date order; a :class:`Segments` says
where each segment starts so that sums, means and runs never cross from one segment to the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class Segments:
    """Segment boundaries over ``len(first)`` rows. Every segment has at least one row."""

    first: np.ndarray  # bool per row: the first row of a segment (first[0] is true)
    starts: np.ndarray  # int64: the rows where first is true

    @classmethod
    def from_first_rows(cls, first: np.ndarray) -> Segments:
        """From a boolean array that is true on the first row of each segment."""
        first = first.copy()
        if len(first):
            first[0] = True
        return cls(first=first, starts=np.flatnonzero(first))

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def n_rows(self) -> int:
        return len(self.first)

    @cached_property
    def lengths(self) -> np.ndarray:
        return np.diff(self.starts, append=self.n_rows)

    @cached_property
    def ends(self) -> np.ndarray:
        """Last row of each segment."""
        return self.starts + self.lengths - 1

    @cached_property
    def position(self) -> np.ndarray:
        """Position of each row within its segment (0 for the first row), as int32."""
        position = np.ones(self.n_rows, dtype=np.int32)
        if self.n_rows:
            position[self.starts[1:]] = 1 - self.lengths[:-1]
            position[0] = 0
            np.cumsum(position, out=position)
        return position

    def broadcast(self, per_segment: np.ndarray) -> np.ndarray:
        """Each segment's value repeated on each of its rows."""
        return np.repeat(per_segment, self.lengths)

    def sums(self, per_row: np.ndarray, dtype: type | None = None) -> np.ndarray:
        """The sum of ``per_row`` over each segment."""
        if self.n_rows == 0:
            return np.zeros(0, dtype=dtype or per_row.dtype)
        return np.add.reduceat(per_row, self.starts, dtype=dtype)

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """How many rows of each segment ``mask`` holds."""
        return self.sums(mask, dtype=np.int64)

    def within(self, offset: int) -> np.ndarray:
        """For rows ``i`` up to ``n_rows - offset``: whether rows ``i .. i + offset`` all lie in
        one segment (the array is ``offset`` shorter than the rows)."""
        n = self.n_rows
        same = np.ones(max(n - offset, 0), dtype=bool)
        for k in range(1, offset + 1):
            same &= ~self.first[k : n - offset + k]
        return same

    def in_long_runs(self, codes: np.ndarray, length: int) -> np.ndarray:
        """Rows in a run of at least ``length`` consecutive equal, non-zero ``codes`` inside one
        segment (a run is cut at a segment boundary)."""
        n = self.n_rows
        if n < length:
            return np.zeros(n, dtype=bool)
        same_as_previous = np.zeros(n, dtype=bool)
        np.equal(codes[1:], codes[:-1], out=same_as_previous[1:])
        same_as_previous &= ~self.first
        # run_end[j]: rows j - length + 1 .. j are one run (j counted from length - 1).
        run_end = codes[length - 1 :] != 0
        for k in range(length - 1):
            run_end &= same_as_previous[k + 1 : n - length + 2 + k]
        flagged = np.zeros(n, dtype=bool)
        for k in range(length):
            flagged[k : n - length + 1 + k] |= run_end
        return flagged

    def index_within(self, outer_first: np.ndarray) -> np.ndarray:
        """Each segment's index (0, 1, ...) within the coarser grouping whose first rows are
        ``outer_first`` (for series: the rebase group of each segment)."""
        outer = np.flatnonzero(outer_first[self.starts])
        counts = np.diff(outer, append=len(self.starts))
        return np.arange(len(self.starts)) - np.repeat(outer, counts)


def r_mean(values: np.ndarray, segments: Segments, keep: np.ndarray | None = None) -> np.ndarray:
    """``mean(values[keep])`` of each segment as R computes it; NaN for a segment with none kept.

    ``keep`` defaults to every non-missing (non-NaN) row.

    R's mean (``summary.c``: a long-double sum, divided, then corrected by the mean residual)
    is the correctly rounded mean in practice, and NHSRplotthedots compares values with the mean
    and limits exactly, so the last bit matters (a point on the mean, a target on a limit). A
    plain double sum is wrong in the last bit for about one mean in twenty; this computes the
    correctly rounded mean instead: an exact sum (:func:`exact_sums`) divided in double-double.
    """
    if keep is None:
        missing = np.isnan(values)
        if not missing.any():
            return rounded_quotient(*exact_sums(values, segments), segments.lengths)
        keep = ~missing
    kept = np.where(keep, values, 0.0)
    return rounded_quotient(*exact_sums(kept, segments), segments.counts(keep))


def r_mean_after_first(values: np.ndarray, segments: Segments) -> np.ndarray:
    """:func:`r_mean` of every row but each segment's first, for moving ranges (whose first row
    is NaN) when nothing else is missing."""
    body = values.copy()
    body[segments.starts] = 0.0
    return rounded_quotient(*exact_sums(body, segments), segments.lengths - 1)


def exact_sums(values: np.ndarray, segments: Segments) -> tuple[np.ndarray, np.ndarray]:
    """Each segment's sum as ``high + low``: ``high`` exact, ``low`` a tiny remainder.

    Rump, Ogita & Oishi's ExtractScalar ("Accurate floating-point summation", SIAM J. Sci.
    Comput. 2008): with sigma a power of two above n times the largest magnitude, the parts
    q = (sigma + x) - sigma are multiples of one unit and sum exactly in any order, and the
    remainders x - q are exact and too small for their sum's rounding to matter."""
    if segments.n_rows == 0:
        empty = np.zeros(0)
        return empty, empty
    largest = np.maximum(
        np.maximum.reduceat(values, segments.starts), -np.minimum.reduceat(values, segments.starts)
    )
    _, exponent = np.frexp(largest)  # 2**exponent > largest
    headroom = np.ceil(np.log2(segments.lengths + 2.0)).astype(np.int64)
    sigma = segments.broadcast(np.ldexp(1.0, exponent + headroom))
    parts = np.add(sigma, values)
    np.subtract(parts, sigma, out=parts)
    remainders = np.subtract(values, parts, out=sigma)
    return segments.sums(parts), segments.sums(remainders)


def rounded_quotient(high: np.ndarray, low: np.ndarray, n: np.ndarray) -> np.ndarray:
    """(high + low) / n rounded once: the quotient of high, corrected by the exact remainder
    (Dekker's product, since NumPy has no fused multiply-add). NaN where n is 0."""
    n = n.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        quotient = high / n
        product, error = two_product(quotient, n)
        remainder = ((high - product) - error) + low
        return quotient + remainder / n


VELTKAMP_SPLITTER = 134217729.0  # 2**27 + 1: splits a double into two 26-bit halves (Dekker)


def two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """a * b as product + error exactly (Dekker 1971)."""
    product = a * b
    a_high, a_low = split(a)
    b_high, b_low = split(b)
    error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    return product, error


def split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scaled = VELTKAMP_SPLITTER * a
    high = scaled - (scaled - a)
    return high, a - high
