"""Overdispersion: damp extreme z-scores, then estimate phi and the between-unit variance tau2.

Sources: Spiegelhalter, Handling over-dispersion of performance indicators, QSHC 2005;14:347
(Winsorisation, phi, the additive random-effects model); DerSimonian & Laird, Control Clin Trials
1986;7:177 (the tau2 estimator); NHS Digital SHMI methodology (truncation instead of
Winsorisation). The details follow FunnelPlotR 0.6.0, R/od_adjustment.R.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl


def r_quantile_type7(values: np.ndarray, probability: float) -> float:
    """R's default ``quantile(x, p)`` (type 7), computed as R computes it.

    h = 1 + (n - 1) p; the result is x[floor h], moved (h - floor h) of the way to x[ceiling h].
    """
    ordered = np.sort(np.asarray(values, dtype=float))
    index = 1 + max(ordered.size - 1, 0) * probability
    low, high = math.floor(index), math.ceil(index)
    quantile = ordered[low - 1]
    fraction = index - low
    if index > low and ordered[high - 1] != quantile:
        quantile = (1 - fraction) * quantile + fraction * ordered[high - 1]
    return float(quantile)


def winsorise(groups: pl.DataFrame, trim_by: float) -> pl.DataFrame:
    """Pull z-scores beyond the ``trim_by`` and ``1 - trim_by`` quantiles in to those quantiles.

    Adds ``winsorised`` (1 unless the z-score lies strictly between the two quantiles, as in
    FunnelPlotR) and ``Wuzscore``.
    """
    z = groups["Uzscore"].to_numpy()
    lower = r_quantile_type7(z, trim_by)
    upper = r_quantile_type7(z, 1 - trim_by)
    inside = (pl.col("Uzscore") > lower) & (pl.col("Uzscore") < upper)
    return groups.with_columns(
        winsorised=pl.when(inside).then(0).otherwise(1).cast(pl.Int8),
        Wuzscore=pl.col("Uzscore").clip(lower, upper),
    )


def truncation_bands(z: pl.Series, trim_by: float) -> np.ndarray:
    """The band (0 to 1/trim_by - 1) of each z-score's rank: floor(rank * k / (I + 1)), k = 1/q.

    Ties share their average rank, as R's rank() gives them. The division is NumPy's, which is
    exact; Polars would multiply by the reciprocal and could land just below a whole band.
    """
    bands = 1 / trim_by
    return np.floor(z.rank("average").to_numpy() * bands / (z.len() + 1))


def truncate(groups: pl.DataFrame, trim_by: float) -> pl.DataFrame:
    """Drop the z-scores in the lowest and highest bands from the estimate of overdispersion.

    Adds ``truncated`` (1 for a dropped unit) and ``Wuzscore`` (null where dropped): NHS Digital's
    SHMI method, keeping 0 < band < 1/trim_by - 1. ``trim_by=0`` keeps every unit.
    """
    if trim_by == 0:
        kept = pl.lit(True)
    else:
        band = truncation_bands(groups["Uzscore"], trim_by)
        kept = pl.Series((band > 0) & (band < 1 / trim_by - 1))
    return groups.with_columns(
        truncated=pl.when(kept).then(0).otherwise(1).cast(pl.Int8),
        Wuzscore=pl.when(kept).then(pl.col("Uzscore")),
    )


def dispersion_ratio(zscores: Sequence[float] | np.ndarray) -> float:
    """phi = sum(z^2) / I over the (Winsorised or truncated) z-scores: 1 when there is no
    overdispersion, since I * phi ~ chi-square on I degrees of freedom."""
    z = np.asarray(zscores, dtype=float)
    return float((1 / z.size) * np.sum(np.square(z)))


def tau2(n: int, phi: float, s: Sequence[float] | np.ndarray) -> float:
    """DerSimonian-Laird between-unit variance, as FunnelPlotR's ``tau_func(n, phi, S)``.

    With weights w = 1/s^2: tau2 = max(0, (n phi - (n - 1)) / (sum w - sum w^2 / sum w)),
    and 0 when n phi < n - 1 or there are no standard errors.
    """
    s = np.asarray(s, dtype=float)
    if s.size == 0 or n * phi < n - 1:
        return 0.0
    weights = 1 / np.square(s)
    total = np.sum(weights)
    return float(max(0.0, (n * phi - (n - 1)) / (total - np.sum(np.square(weights)) / total)))
