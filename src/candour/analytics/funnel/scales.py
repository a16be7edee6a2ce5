"""The scale on which each kind of ratio is roughly normal, and the way back.

Spiegelhalter (Stat Med 2005;24:1185, QSHC 2005;14:347) compares units on a transformed scale y,
with within-unit standard error s and target theta0, so that z = (y - theta0) / s. Limits are
theta0 +/- z_p * sqrt(s^2 + tau^2) on that scale, transformed back to the ratio scale.

==========  ====================  =======================  ============  ==================
scale       y                     s (for z-scores)         theta0        back to a ratio
==========  ====================  =======================  ============  ==================
SR, SHMI    ln(O/E)               1/sqrt(E)                ln 1 = 0      exp
SR, CQC     sqrt(O/E)             1/(2 sqrt(E))            sqrt 1 = 1    square
PR          asin(sqrt(O/n))       1/(2 sqrt(n))            asin sqrt(p)  sin^2
RC          ln((O+.5)/(D+.5))     sqrt(O/(O+.5)^2 +        ln(p)         exp
                                  D/(D+.5)^2)
==========  ====================  =======================  ============  ==================

For RC the limits use s = 1/(2 sqrt(D)), not the z-score's standard error, as FunnelPlotR does
(R/calculate_limits.R); the z-score formula is CQC's (IM Statistical Methodology, July 2014).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from candour.analytics.funnel.constants import (
    ARCSINE_MAX,
    PROPORTION,
    RATIO_OF_COUNTS,
    RC_CONTINUITY,
    SHMI_METHOD,
    STANDARDISED_RATIO,
)

Expr2 = Callable[[pl.Expr, pl.Expr], pl.Expr]
Array1 = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Scale:
    """One row of the table in this module's docstring."""

    name: str
    transform: Expr2  # (numerator, denominator) -> y
    standard_error: Expr2  # (numerator, denominator) -> s, for z-scores
    centre: Callable[[float], float]  # target ratio -> theta0
    limit_variance: Array1  # denominator -> s^2, for limits
    back: Array1  # y -> ratio, clamped to the ratios the scale can express


def _log_ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return (numerator / denominator).log()


def _sqrt_ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return (numerator / denominator).sqrt()


def _arcsine_sqrt(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return (numerator / denominator).sqrt().arcsin()


def _log_ratio_of_counts(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return ((numerator + RC_CONTINUITY) / (denominator + RC_CONTINUITY)).log()


def _poisson_log_se(_numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return 1 / denominator.sqrt()


def _half_over_sqrt(_numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return 1 / (2 * denominator.sqrt())


def _ratio_of_counts_se(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return (
        numerator / (numerator + RC_CONTINUITY) ** 2
        + denominator / (denominator + RC_CONTINUITY) ** 2
    ).sqrt()


def _poisson_log_variance(denominator: np.ndarray) -> np.ndarray:
    return 1 / denominator


def _half_over_sqrt_variance(denominator: np.ndarray) -> np.ndarray:
    return (1 / (2 * np.sqrt(denominator))) ** 2


def _square_non_negative(y: np.ndarray) -> np.ndarray:
    """Back from the square-root scale. Below 0 the ratio is 0, not the square of a negative."""
    return np.square(np.maximum(y, 0.0))


def _sine_squared(y: np.ndarray) -> np.ndarray:
    """Back from the arcsine scale, holding limits at 0 and 1 where the scale ends.

    FunnelPlotR truncates non-monotonic limits in its lookup table to the same effect.
    """
    return np.square(np.sin(np.clip(y, 0.0, ARCSINE_MAX)))


SHMI_SCALE = Scale(
    name="log (SHMI)",
    transform=_log_ratio,
    standard_error=_poisson_log_se,
    centre=math.log,
    limit_variance=_poisson_log_variance,
    back=np.exp,
)
CQC_SCALE = Scale(
    name="square root (CQC)",
    transform=_sqrt_ratio,
    standard_error=_half_over_sqrt,
    centre=math.sqrt,
    limit_variance=_half_over_sqrt_variance,
    back=_square_non_negative,
)
PROPORTION_SCALE = Scale(
    name="arcsine square root",
    transform=_arcsine_sqrt,
    standard_error=_half_over_sqrt,
    centre=lambda p: math.asin(math.sqrt(p)),
    limit_variance=_half_over_sqrt_variance,
    back=_sine_squared,
)
RATIO_OF_COUNTS_SCALE = Scale(
    name="log ratio of counts",
    transform=_log_ratio_of_counts,
    standard_error=_ratio_of_counts_se,
    centre=math.log,
    limit_variance=_half_over_sqrt_variance,
    back=np.exp,
)


def scale_for(data_type: str, sr_method: str) -> Scale:
    """The scale for a data type (and, for standardised ratios, the method)."""
    if data_type == STANDARDISED_RATIO:
        return SHMI_SCALE if sr_method == SHMI_METHOD else CQC_SCALE
    if data_type == PROPORTION:
        return PROPORTION_SCALE
    if data_type == RATIO_OF_COUNTS:
        return RATIO_OF_COUNTS_SCALE
    raise ValueError(f"unknown data_type {data_type!r}")
