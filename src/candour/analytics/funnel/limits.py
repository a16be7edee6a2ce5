"""Funnel limits at given denominators: exact Poisson limits, and limits from the normal
approximation on each data type's scale, with or without the between-unit variance tau2.

Columns are named as FunnelPlotR's lookup table names them: ``ll95``, ``ul95`` (95%) and
``ll998``, ``ul998`` (99.8%), lower and upper.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy.special import gammainccinv, gammaincinv

from candour.analytics.funnel.constants import (
    SHMI_METHOD,
    SR_TARGET,
    STANDARDISED_RATIO,
    TAIL_95,
    TAIL_998,
    Z_95,
    Z_998,
)
from candour.analytics.funnel.scales import scale_for

LIMIT_COLUMNS = ("ll95", "ul95", "ll998", "ul998")


def poisson_lower(expected: np.ndarray, tail: float) -> np.ndarray:
    """Lower exact Poisson limit of O/E: chi-square_{tail}(2E) / (2E), i.e. Gamma(E) quantile / E."""
    return gammaincinv(expected, tail) / expected


def poisson_upper(expected: np.ndarray, tail: float) -> np.ndarray:
    """Upper exact Poisson limit of O/E: chi-square_{1 - tail}(2(E + 1)) / (2E)."""
    return gammainccinv(expected + 1, tail) / expected


def poisson_limits(
    expected: Sequence[float] | np.ndarray, *, target: float = SR_TARGET, multiplier: float = 1.0
) -> pl.DataFrame:
    """Exact Poisson limits for a standardised ratio at each expected count.

    Source: Spiegelhalter, Stat Med 2005 (exact limits from the chi-square / Poisson relation);
    FunnelPlotR R/calculate_limits.R. The upper tail is taken directly (not as 1 - p) for accuracy.
    """
    e = np.asarray(expected, dtype=float)
    scale = multiplier * target
    return pl.DataFrame(
        {
            "denominator": e,
            "ll95": scale * poisson_lower(e, TAIL_95),
            "ul95": scale * poisson_upper(e, TAIL_95),
            "ll998": scale * poisson_lower(e, TAIL_998),
            "ul998": scale * poisson_upper(e, TAIL_998),
        }
    )


def normal_limits(
    denominators: Sequence[float] | np.ndarray,
    *,
    data_type: str,
    sr_method: str,
    target: float,
    multiplier: float,
    tau2: float,
) -> pl.DataFrame:
    """Limits theta0 +/- z sqrt(s^2 + tau2) on the data type's scale, transformed back.

    For CQC standardised ratios the limits are squared back from the square-root scale,
    (1 +/- z sqrt(s^2 + tau2))^2: FunnelPlotR 0.6.0 leaves them unsquared (its issue #33), about
    half the correct width; Candour deliberately differs (docs/reference/funnel.md).
    """
    d = np.asarray(denominators, dtype=float)
    scale = scale_for(data_type, sr_method)
    centre = scale.centre(target)
    spread = np.sqrt(scale.limit_variance(d) + tau2)
    columns = {"denominator": d}
    for name, z in (("95", Z_95), ("998", Z_998)):
        columns[f"ll{name}"] = multiplier * scale.back(centre - z * spread)
        columns[f"ul{name}"] = multiplier * scale.back(centre + z * spread)
    return pl.DataFrame(columns)


def calculate_limits(
    denominators: Sequence[float] | np.ndarray,
    *,
    data_type: str = STANDARDISED_RATIO,
    sr_method: str = SHMI_METHOD,
    target: float = SR_TARGET,
    multiplier: float = 1.0,
    tau2: float = 0.0,
    adjusted: bool = False,
) -> pl.DataFrame:
    """95% and 99.8% limits at each denominator, as FunnelPlotR's ``calculate_limits``.

    Unadjusted (``adjusted=False``): exact Poisson limits for standardised ratios, the normal
    approximation without tau2 otherwise. Adjusted: the normal approximation with tau2.
    Returns columns ``denominator``, ``ll95``, ``ul95``, ``ll998``, ``ul998``.
    """
    if data_type == STANDARDISED_RATIO and not adjusted:
        return poisson_limits(denominators, target=target, multiplier=multiplier)
    return normal_limits(
        denominators,
        data_type=data_type,
        sr_method=sr_method,
        target=target,
        multiplier=multiplier,
        tau2=tau2 if adjusted else 0.0,
    )
