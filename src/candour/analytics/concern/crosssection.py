"""Each organisation against its peers in the same period: leave-one-out funnels (issue 9, §7).

Every organisation is compared with the others of its peer group in its measure's window, and
*only* with the others: its reference value and the between-organisation variance tau^2 are
estimated without it (leave-one-out). So an outlier cannot mask itself by inflating tau^2, and an
organisation's own z-score depends on its own data through its own value alone: improving it
always lowers its concern (issue 9 item 10). Its data still move everyone else's references a
little; docs/reference/concern.md bounds that effect.

- proportion: y = asin(sqrt(O/n)), s = 1/(2 sqrt n), reference the others' pooled proportion;
  tau^2 by DerSimonian-Laird on the others' Winsorised z-scores (Spiegelhalter 2005, as
  FunnelPlotR: adjusted only when phi > 1).
- ratio (observed / expected deaths): y = sqrt(O/E), s = 1/(2 sqrt E), reference 1 (CQC method),
  tau^2 likewise.
- value (published without a sampling error: an index, a median): z = (v - median) / (1.4826 MAD)
  over the others.

z is oriented: positive means worse than expected, whichever way the measure improves.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.special import ndtri
from scipy.stats import chi2

from candour.analytics.concern.constants import (
    DECREASE,
    INCREASE,
    MAD_TO_SD,
    PROPORTION,
    RATIO,
)
from candour.analytics.funnel.constants import DEFAULT_TRIM_BY, SR_TARGET

COMPARED_SCHEMA = {
    "ods_code": pl.String,
    "measure_id": pl.String,
    "peer_group": pl.String,
    "period_type": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "peer_value": pl.Float64,
    "n_peers": pl.Int64,
    "worse_than_share": pl.Float64,
    "z": pl.Float64,
    "se": pl.Float64,
    "tau2": pl.Float64,
    "bound": pl.Float64,
    "reassured": pl.Boolean,
}


def compare_peers(
    current: pl.DataFrame, measures: pl.DataFrame, reassurance_alpha: float
) -> pl.DataFrame:
    """z against peers for every organisation x measure in its window (``current`` holds each
    organisation's observation in the window, with ``peer_group``)."""
    parts = []
    catalogue = {row["measure_id"]: row for row in measures.iter_rows(named=True)}
    for (measure_id, group), rows in current.group_by(
        "measure_id", "peer_group", maintain_order=True
    ):
        measure = catalogue[measure_id]
        if measure["improvement"] not in (INCREASE, DECREASE):
            continue  # neutral measures are context, never concern
        rows = _comparable_rows(rows, measure["comparison"]).sort("ods_code")
        if rows.height < 3:
            continue
        parts.append(_compared(rows, measure, reassurance_alpha))
    if not parts:
        return pl.DataFrame(schema=COMPARED_SCHEMA)
    return pl.concat(parts).select(
        [pl.col(c).cast(t) for c, t in COMPARED_SCHEMA.items()]
    ).sort("ods_code", "measure_id")


def _comparable_rows(rows: pl.DataFrame, comparison: str) -> pl.DataFrame:
    if comparison == PROPORTION:
        return rows.filter(pl.col("denominator") > 0).with_columns(
            pl.col("numerator").fill_null(pl.col("value") * pl.col("denominator"))
        )
    if comparison == RATIO:
        return rows.filter((pl.col("denominator") > 0) & pl.col("numerator").is_not_null())
    return rows


def _compared(rows: pl.DataFrame, measure: dict, alpha: float) -> pl.DataFrame:
    comparison = measure["comparison"]
    sign = -1.0 if measure["improvement"] == INCREASE else 1.0
    value = rows["value"].to_numpy().astype(float)
    if comparison == PROPORTION:
        raw, se, tau2, reference, peer_value = loo_proportion(
            rows["numerator"].to_numpy().astype(float), rows["denominator"].to_numpy().astype(float)
        )
    elif comparison == RATIO:
        raw, se, tau2, reference, peer_value = loo_ratio(
            rows["numerator"].to_numpy().astype(float), rows["denominator"].to_numpy().astype(float)
        )
    else:
        raw, se, tau2, reference, peer_value = loo_value(value)
    bound, reassured = reassurance(rows, measure, peer_value, alpha)
    return rows.select(
        "ods_code",
        "measure_id",
        "peer_group",
        "period_type",
        "period_start",
        "period_end",
        "value",
        "numerator",
        "denominator",
    ).with_columns(
        peer_value=pl.Series(peer_value),
        n_peers=pl.lit(rows.height - 1, dtype=pl.Int64),
        worse_than_share=pl.Series(worse_than_share(value, sign)),
        z=pl.Series(sign * raw, nan_to_null=True),
        se=pl.Series(se),
        tau2=pl.Series(tau2),
        bound=pl.Series(bound),
        reassured=pl.Series(reassured, dtype=pl.Boolean),
    )


# --- Leave-one-out estimators (one small function each) ----------------------------------------


def others(matrix_row_values: np.ndarray) -> np.ndarray:
    """An I x I matrix whose row i holds every unit's value except unit i's (NaN there)."""
    values = np.asarray(matrix_row_values, dtype=float)
    matrix = np.tile(values, (values.size, 1))
    np.fill_diagonal(matrix, np.nan)
    return matrix


def loo_tau2(zscores_of_others: np.ndarray, s: np.ndarray) -> np.ndarray:
    """DerSimonian-Laird tau^2 for each row of ``zscores_of_others`` (row i: the other units'
    z-scores, NaN at i), after Winsorising each row at its 10% and 90% quantiles (R type 7), as
    FunnelPlotR: 0 unless phi > 1."""
    lower, upper = np.nanquantile(zscores_of_others, [DEFAULT_TRIM_BY, 1 - DEFAULT_TRIM_BY], axis=1)
    winsorised = np.clip(zscores_of_others, lower[:, None], upper[:, None])
    n = np.sum(~np.isnan(zscores_of_others), axis=1)
    phi = np.nanmean(np.square(winsorised), axis=1)
    w = 1 / np.square(s)
    w1 = np.sum(w) - w
    w2 = np.sum(np.square(w)) - np.square(w)
    tau2 = (n * phi - (n - 1)) / (w1 - w2 / w1)
    return np.where(phi > 1, np.maximum(tau2, 0.0), 0.0)


def loo_proportion(numerator: np.ndarray, denominator: np.ndarray):
    """(z unoriented, se, tau2, reference on the arcsine scale, peer proportion) per unit."""
    y = np.arcsin(np.sqrt(numerator / denominator))
    s = 1 / (2 * np.sqrt(denominator))
    pooled = (numerator.sum() - numerator) / (denominator.sum() - denominator)
    reference = np.arcsin(np.sqrt(pooled))
    z_others = (others(y) - reference[:, None]) / s[None, :]
    tau2 = loo_tau2(z_others, s)
    se = np.sqrt(np.square(s) + tau2)
    return (y - reference) / se, se, tau2, reference, pooled


def loo_ratio(observed: np.ndarray, expected: np.ndarray):
    """(z unoriented, se, tau2, reference sqrt(1), peer ratio 1) per unit: the CQC method."""
    y = np.sqrt(observed / expected)
    s = 1 / (2 * np.sqrt(expected))
    reference = np.full(y.size, np.sqrt(SR_TARGET))
    z_others = (others(y) - reference[:, None]) / s[None, :]
    tau2 = loo_tau2(z_others, s)
    se = np.sqrt(np.square(s) + tau2)
    return (y - reference) / se, se, tau2, reference, np.square(reference)


def loo_value(value: np.ndarray):
    """(z unoriented, robust sd, 0, median, median) per unit, over the other units."""
    matrix = others(value)
    median = np.nanmedian(matrix, axis=1)
    mad = np.nanmedian(np.abs(matrix - median[:, None]), axis=1) * MAD_TO_SD
    sd = np.where(mad > 0, mad, np.nanstd(matrix, axis=1, ddof=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, (value - median) / sd, np.nan)
    return z, sd, np.zeros(value.size), median, median


def worse_than_share(value: np.ndarray, sign: float) -> np.ndarray:
    """The share of the other units whose value is better than this unit's."""
    concern = sign * value  # larger is worse
    better = concern[None, :] < concern[:, None]
    return better.sum(axis=1) / max(value.size - 1, 1)


# --- Reassurance (issue 9 item 9; §7 P2 corrected) ---------------------------------------------


def reassurance(
    rows: pl.DataFrame, measure: dict, peer_value: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's one-sided (1 - alpha) bound on the worse side, from its own precision, and
    whether it excludes a relevant deficit from the peer value (None when no relevant change is
    set). Published values without a sampling error are taken as exact."""
    value = rows["value"].to_numpy().astype(float)
    delta = measure["relevant_change"]
    increase = measure["improvement"] == INCREASE
    z = ndtri(1 - alpha)
    comparison = measure["comparison"]
    if comparison == PROPORTION:
        n = rows["denominator"].to_numpy().astype(float)
        y = np.arcsin(np.sqrt(rows["numerator"].to_numpy().astype(float) / n))
        shifted = y - z / (2 * np.sqrt(n)) if increase else y + z / (2 * np.sqrt(n))
        bound = np.square(np.sin(np.clip(shifted, 0, np.pi / 2)))
    elif comparison == RATIO:
        observed = rows["numerator"].to_numpy().astype(float)
        expected = rows["denominator"].to_numpy().astype(float)
        if increase:
            bound = chi2.ppf(alpha, 2 * observed) / 2 / expected
            bound = np.where(observed == 0, 0.0, bound)
        else:
            bound = chi2.ppf(1 - alpha, 2 * (observed + 1)) / 2 / expected
    else:
        bound = value.copy()
    if delta is None:
        return bound, np.full(value.size, None)
    if increase:
        return bound, bound >= peer_value - delta
    return bound, bound <= peer_value + delta
