"""Average run lengths and thresholds of the two classical CUSUMs that the conformance
references compute exactly: the normal-mean CUSUM (R spc::xcusum.arl / xcusum.crit) and Lucas's
count CUSUM for Poisson counts (spc::pois.cusum.arl / pois.cusum.crit). The monthly z-score CUSUM
of oversight-methods.md §3 is the normal one.

Normal: S_t = max(0, S_{t-1} + X_t - k), X ~ N(mu, 1), a signal when S_t > h. The zero-state ARL
solves the integral equation L(s) = 1 + Phi(k - s - mu) L(0) + int_0^h phi(y - s + k - mu) L(y) dy,
discretised on Gauss-Legendre nodes (Nystrom's method, as spc's "igl"). Two-sided, 1/ARL is the
sum of the two one-sided 1/ARLs (Lucas & Crosier 1982, as spc's sided = "two").

Count: S_t = max(0, S_{t-1} + X_t - k) (upper) or max(0, S_{t-1} + k - X_t) (lower), X ~
Poisson(mu), a signal when S_t > h. With k a multiple of 1/m the chart lives on the lattice 1/m,
so a finite Markov chain gives the ARL exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import optimize, stats

from candour.analytics.cusum.constants import (
    H_SEARCH_LOW,
    H_SEARCH_TOLERANCE,
    MAX_LATTICE_DENOMINATOR,
    NORMAL_QUADRATURE_NODES,
)
from candour.analytics.cusum.options import check_finite, check_positive
from candour.analytics.spc.options import check_choice
from candour.exceptions import OptionError

SIDES = ("one", "two")
COUNT_SIDES = ("upper", "lower")
LATTICE_SLACK = 1e-9  # h within this of a lattice point counts as on it


# --- Normal CUSUM -------------------------------------------------------------------------------


def normal_arl(
    *, k: float, h: float, mu: float = 0.0, headstart: float = 0.0, sided: str = "one"
) -> float:
    """ARL of the normal-mean CUSUM with reference value ``k`` and threshold ``h`` when the
    standardised mean is ``mu``, starting from ``headstart`` (0 <= headstart < h)."""
    k, h, mu = check_finite("k", k), check_positive("h", h), check_finite("mu", mu)
    headstart = check_finite("headstart", headstart)
    check_choice("sided", sided, SIDES)
    if not 0 <= headstart < h:
        raise OptionError(f"headstart must be at least 0 and below h; got {headstart!r}")
    if sided == "one":
        return one_sided_normal_arl(k, h, mu, headstart)
    if headstart:
        raise OptionError("a head start is only supported for the one-sided chart")
    upper = one_sided_normal_arl(k, h, mu, 0.0)
    lower = one_sided_normal_arl(k, h, -mu, 0.0)
    return 1.0 / (1.0 / upper + 1.0 / lower)


def one_sided_normal_arl(k: float, h: float, mu: float, start: float) -> float:
    nodes, weights = np.polynomial.legendre.leggauss(NORMAL_QUADRATURE_NODES)
    y = h / 2 * (nodes + 1)
    w = h / 2 * weights
    points = np.concatenate(([0.0], y))  # L(0), then L at the nodes
    kernel = stats.norm.pdf(y[None, :] - points[:, None] + k - mu) * w[None, :]
    to_zero = stats.norm.cdf(k - points - mu)
    system = np.eye(len(points))
    system[:, 0] -= to_zero
    system[:, 1:] -= kernel
    lengths = np.linalg.solve(system, np.ones(len(points)))
    if start == 0:
        return float(lengths[0])
    at_start = stats.norm.pdf(y - start + k - mu) * w
    return float(1 + stats.norm.cdf(k - start - mu) * lengths[0] + at_start @ lengths[1:])


def normal_threshold(*, k: float, arl0: float, sided: str = "one") -> float:
    """The h giving an in-control (mu = 0) ARL of ``arl0``."""
    target = check_positive("arl0", arl0)
    check_choice("sided", sided, SIDES)

    def gap(h: float) -> float:
        return math.log(normal_arl(k=k, h=h, sided=sided)) - math.log(target)

    high = 1.0
    while gap(high) < 0:
        high *= 2
    return float(optimize.brentq(gap, H_SEARCH_LOW, high, xtol=H_SEARCH_TOLERANCE / 10))


# --- Lucas's count CUSUM ------------------------------------------------------------------------


def lattice_of(k: float) -> int:
    """The smallest m such that k is a multiple of 1/m."""
    fraction = Fraction(k).limit_denominator(MAX_LATTICE_DENOMINATOR)
    if abs(float(fraction) - k) > LATTICE_SLACK:
        raise OptionError(
            f"k must be a fraction with denominator at most {MAX_LATTICE_DENOMINATOR}; got {k!r}"
        )
    return fraction.denominator


def count_arl(*, mean: float, k: float, h: float, side: str = "upper") -> float:
    """Exact zero-state ARL of the count CUSUM for Poisson(``mean``) counts."""
    mean, k, h = check_positive("mean", mean), check_positive("k", k), check_positive("h", h)
    check_choice("side", side, COUNT_SIDES)
    m = lattice_of(k)
    return lattice_arl(mean, round(k * m), math.floor(h * m + LATTICE_SLACK), m, side)


def lattice_arl(mean: float, km: int, hm: int, m: int, side: str) -> float:
    """States 0..hm (S times m); counts up to where every state signals (upper) or resets
    (lower), the tail lumped in."""
    size = hm + 1
    top = (hm + km) // m + 2
    counts = np.arange(top + 1)
    pmf = stats.poisson.pmf(counts, mean)
    pmf[-1] += stats.poisson.sf(top, mean)
    state = np.arange(size)
    landed = (
        state[:, None] + counts[None, :] * m - km
        if side == "upper"
        else state[:, None] + km - counts[None, :] * m
    )
    kept = landed <= hm
    target = np.clip(landed, 0, None)
    rows = np.broadcast_to(state[:, None], landed.shape)
    mass = np.broadcast_to(pmf[None, :], landed.shape)
    q = np.bincount((rows * size + target)[kept], mass[kept], minlength=size * size).reshape(
        size, size
    )
    return float(np.linalg.solve(np.eye(size) - q, np.ones(size))[0])


@dataclass(frozen=True)
class LatticeThreshold:
    """The smallest lattice threshold reaching the target ARL, and the ARLs either side."""

    h: float
    steps: int  # h in lattice steps (spc's hm)
    arl: float
    arl_one_step_lower: float


def count_threshold(
    *, mean: float, k: float, arl0: float, lattice: float, side: str = "upper"
) -> LatticeThreshold:
    """The smallest h on the lattice (a multiple of ``lattice``) whose in-control ARL for
    Poisson(``mean``) counts is at least ``arl0`` (as spc::pois.cusum.crit)."""
    mean, k = check_positive("mean", mean), check_positive("k", k)
    target = check_positive("arl0", arl0)
    check_choice("side", side, COUNT_SIDES)
    m = lattice_of(check_positive("lattice", lattice))
    if lattice_of(1 / lattice) != 1 or m * lattice != 1:
        raise OptionError(f"lattice must be 1/m for a whole number m; got {lattice!r}")
    km = round(k * m)
    if abs(km / m - k) > LATTICE_SLACK:
        raise OptionError(f"k must be a multiple of the lattice {lattice!r}; got {k!r}")

    def arl(hm: int) -> float:
        return lattice_arl(mean, km, hm, m, side)

    high = 1
    while arl(high) < target:
        high *= 2
    low = 0
    while high - low > 1:  # arl(low) < target <= arl(high), or low = 0 untested
        middle = (low + high) // 2
        if arl(middle) >= target:
            high = middle
        else:
            low = middle
    if high == 1 and arl(0) >= target:
        high = 0
    below = arl(high - 1) if high > 0 else float("nan")
    return LatticeThreshold(h=high / m, steps=high, arl=arl(high), arl_one_step_lower=below)
