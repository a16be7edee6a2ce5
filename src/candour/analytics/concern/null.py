"""The null distribution of a domain's concern sum, K = sum_k w_k * max(0, z_k)^2 (P1).

Under the null every oriented z_k is an independent standard normal, so each one-sided term is 0
with probability 1/2 and otherwise w_k times a chi-square on 1 degree of freedom; a two-sided
(neutral) term w_k * z_k^2 is w_k times a chi-square on 1 degree of freedom. With equal weights K
is the chi-bar-squared distribution (Kudo 1963): P(K <= x) = sum_j C(m, j) 2^-m F_{chi2_j}(x / w).

With any weights, Candour computes the distribution rather than simulating it: each term's exact
distribution is laid on a grid of step h, every cell's mass moved up to the cell's upper edge,
and the terms are convolved by FFT. The grid sum K' is never below K and at most m * h above it,
so quantiles read off it are exact or conservative by under m * h, and p-values are conservative.
No random numbers are involved, so the result does not depend on a seed or a library's generator.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import erf
from scipy.stats import chi2

from candour.analytics.concern.constants import MIN_DOMAIN_P, NULL_GRID_CELLS, NULL_TAIL_BOUND

ONE_SIDED_ZERO_MASS = 0.5  # P(max(0, Z) = 0) for a standard normal Z


@dataclass(frozen=True, eq=False)
class NullDistribution:
    """K' on the grid 0, h, 2h, ...: ``survival[j]`` = P(K' >= j * h)."""

    step: float
    survival: np.ndarray
    terms: int

    def quantile(self, probability: float) -> float:
        """The smallest grid value x with P(K' <= x) >= probability (an upper bound on K's)."""
        below = 1.0 - self.survival  # below[j] = P(K' < j h)
        # P(K' <= j h) = below[j + 1]; the first j where it reaches the probability.
        index = int(np.searchsorted(below[1:], probability, side="left"))
        return index * self.step

    def p_values(self, observed: np.ndarray) -> np.ndarray:
        """P(K' >= x) at each observed x, rounded down to the grid (so never below P(K >= x))."""
        x = np.asarray(observed, dtype=float)
        index = np.floor(x / self.step).astype(np.int64)
        inside = index < self.survival.size
        p = np.where(inside, self.survival[np.minimum(index, self.survival.size - 1)], 0.0)
        return np.clip(p, MIN_DOMAIN_P, 1.0)


def canonical_terms(weights: Iterable[float], two_sided: Iterable[bool]) -> tuple:
    """The terms as a sorted tuple, so that the distribution does not depend on measure order."""
    return tuple(
        sorted(zip((float(w) for w in weights), (bool(t) for t in two_sided), strict=True))
    )


def null_distribution(weights: Iterable[float], two_sided: Iterable[bool]) -> NullDistribution:
    """The null distribution of sum_k w_k max(0, z_k)^2 (or w_k z_k^2 where two-sided)."""
    terms = canonical_terms(weights, two_sided)
    if not terms:
        raise ValueError("a null distribution needs at least one measure")
    return _null_distribution(terms)


@lru_cache(maxsize=128)
def _null_distribution(terms: tuple[tuple[float, bool], ...]) -> NullDistribution:
    cells = NULL_GRID_CELLS
    upper = grid_upper_bound([w for w, _ in terms])
    step = upper / (cells - 1)
    grid = np.arange(cells) * step
    spectrum = np.ones(cells // 2 + 1, dtype=complex)
    for (weight, two_sided), count in Counter(terms).items():
        spectrum *= np.fft.rfft(term_masses(grid, weight, two_sided=two_sided)) ** count
    # Circular convolution: only mass beyond the grid (probability < NULL_TAIL_BOUND) wraps round.
    masses = np.clip(np.fft.irfft(spectrum, n=cells), 0.0, None)
    survival = np.minimum(np.cumsum(masses[::-1])[::-1], 1.0)
    survival[0] = 1.0  # K' >= 0 for certain; the sum of masses falls short of 1 by ~1e-13
    return NullDistribution(step=step, survival=survival, terms=len(terms))


def grid_upper_bound(weights: list[float]) -> float:
    """A point K exceeds with probability below NULL_TAIL_BOUND.

    K <= max(w) * sum z_k^2, which is max(w) times a chi-square on m degrees of freedom.
    """
    return max(weights) * float(chi2.isf(NULL_TAIL_BOUND, len(weights)))


def term_masses(grid: np.ndarray, weight: float, *, two_sided: bool) -> np.ndarray:
    """One term's probability on each grid point, each cell's mass moved to its upper edge.

    masses[0] is P(term = 0): 1/2 one-sided, 0 two-sided; masses[j] = P((j-1)h < term <= jh).
    """
    cdf = erf(np.sqrt(grid / (2 * weight)))  # the chi-square(1) distribution function
    masses = np.diff(cdf, prepend=0.0)
    if two_sided:
        return masses
    masses *= 1 - ONE_SIDED_ZERO_MASS
    masses[0] += ONE_SIDED_ZERO_MASS
    return masses


def chi_bar_squared_cdf(x: float, terms: int, weight: float = 1.0) -> float:
    """P(K <= x) for ``terms`` one-sided terms of equal weight, in closed form (Kudo 1963)."""
    if x < 0:
        return 0.0
    total = 0.0
    for positive in range(terms + 1):
        share = math.comb(terms, positive) / 2**terms
        total += share * (1.0 if positive == 0 else float(chi2.cdf(x / weight, positive)))
    return total
