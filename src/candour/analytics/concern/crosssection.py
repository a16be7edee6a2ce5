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
from scipy.special import ndtri, ndtri_exp
from scipy.stats import chi2
from scipy.stats import t as student_t

from candour.analytics.concern.constants import (
    DECREASE,
    INCREASE,
    MAD_EFFICIENCY,
    MAD_TO_SD,
    PROPORTION,
    RATIO,
    VALUE,
    WINSORISED_EFFICIENCY,
    WINSORISED_MEAN_SQUARE,
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
    for (measure_id, _group), rows in current.group_by(
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
    return (
        pl.concat(parts)
        .select([pl.col(c).cast(t) for c, t in COMPARED_SCHEMA.items()])
        .sort("ods_code", "measure_id")
    )


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
        raw, se, tau2, _reference, peer_value = loo_proportion(
            rows["numerator"].to_numpy().astype(float), rows["denominator"].to_numpy().astype(float)
        )
    elif comparison == RATIO:
        raw, se, tau2, _reference, peer_value = loo_ratio(
            rows["numerator"].to_numpy().astype(float), rows["denominator"].to_numpy().astype(float)
        )
    else:
        raw, se, tau2, _reference, peer_value = loo_value(value)
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
        z=pl.Series(
            normal_equivalent(sign * raw, effective_df(rows.height - 1, comparison)),
            nan_to_null=True,
        ),
        se=pl.Series(se),
        tau2=pl.Series(tau2),
        bound=pl.Series(bound),
        reassured=pl.Series(reassured, dtype=pl.Boolean),
    )


def effective_df(peers: int, comparison: str = PROPORTION) -> int:
    """The degrees of freedom of a z-score whose spread was estimated, robustly, from ``peers``
    other organisations: (peers - 1) x the estimator's efficiency (WINSORISED_EFFICIENCY, or
    MAD_EFFICIENCY for published values standardised by the median absolute deviation)."""
    efficiency = MAD_EFFICIENCY if comparison == VALUE else WINSORISED_EFFICIENCY
    return max(1, round((peers - 1) * efficiency))


def normal_equivalent(z: np.ndarray, df: int) -> np.ndarray:
    """The standard-normal z with the same tail probability as ``z`` under Student's t with
    ``df`` degrees of freedom. Each organisation is judged against a reference and a spread
    estimated from its n - 1 peers, as a new observation is against a prediction interval: with
    10 ambulance trusts that uncertainty is large, and treating z as normal would flag a fifth of
    them by chance; with 120 acute trusts it hardly matters."""
    df = max(df, 1)
    with np.errstate(invalid="ignore"):
        upper = -ndtri_exp(student_t.logsf(z, df))
        lower = ndtri_exp(student_t.logcdf(z, df))
    return np.where(z > 0, upper, lower)


# --- Leave-one-out estimators (one small function each) ----------------------------------------

# Bisection steps for tau^2: the interval shrinks 2^-24 times, far below any reported precision.
PAULE_MANDEL_STEPS = 24


def others(matrix_row_values: np.ndarray) -> np.ndarray:
    """An I x I matrix whose row i holds every unit's value except unit i's (NaN there)."""
    values = np.asarray(matrix_row_values, dtype=float)
    matrix = np.tile(values, (values.size, 1))
    np.fill_diagonal(matrix, np.nan)
    return matrix


def others_index(size: int) -> np.ndarray:
    """A size x (size - 1) index: row i lists every unit but i."""
    full = np.tile(np.arange(size), (size, 1))
    return full[~np.eye(size, dtype=bool)].reshape(size, size - 1)


def winsorised_mean_squares(residuals: np.ndarray) -> np.ndarray:
    """Per row: the mean square after Winsorising at the row's 10% and 90% quantiles (R type 7),
    divided by what that leaves of a standard normal's mean square
    (constants.WINSORISED_MEAN_SQUARE), so that it estimates the residuals' variance robustly."""
    lower, upper = np.quantile(residuals, [DEFAULT_TRIM_BY, 1 - DEFAULT_TRIM_BY], axis=1)
    clipped = np.clip(residuals, lower[:, None], upper[:, None])
    return np.mean(np.square(clipped), axis=1) / WINSORISED_MEAN_SQUARE


def loo_random_effects(
    y: np.ndarray, s: np.ndarray, fixed_reference: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(tau^2, reference) for each unit from the *other* units: tau^2 the between-unit variance
    at which their standardised residuals (y - reference) / sqrt(s^2 + tau^2) have, robustly,
    the variance they should (1, less the degree of freedom the reference takes), and the
    reference their mean weighted by 1 / (s^2 + tau^2) - or ``fixed_reference`` (1 for a ratio
    of observed to expected).

    This is Paule & Mandel's estimator (J Res Natl Bur Stand 1982) with Spiegelhalter's 10%
    Winsorisation made consistent. It is used rather than DerSimonian-Laird on the fixed-effect
    z-scores (FunnelPlotR's way), because when trusts differ by much more than their sampling
    error and their sizes vary, those z-scores are a mixture of very different spreads, and
    Winsorising them removed so much that tau^2 was underestimated and 17% of organisations were
    flagged in data with no real differences."""
    index = others_index(y.size)
    matrix = y[index]
    variance = np.square(s)[index]
    count = y.size - 1
    target = (count - (0 if fixed_reference is not None else 1)) / count

    def residual_spread(tau2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        weights = 1 / (variance + tau2[:, None])
        if fixed_reference is None:
            reference = np.sum(weights * matrix, axis=1) / weights.sum(axis=1)
        else:
            reference = np.full(y.size, fixed_reference)
        residuals = (matrix - reference[:, None]) * np.sqrt(weights)
        return winsorised_mean_squares(residuals) - target, reference

    low = np.zeros(y.size)
    # the bracket comes from the others alone, so the estimate never depends on the unit's own y
    high = np.maximum(np.var(matrix, axis=1) * 4, np.max(variance, axis=1))
    excess, _ = residual_spread(low)
    overdispersed = excess > 0
    for _ in range(PAULE_MANDEL_STEPS):
        middle = (low + high) / 2
        excess, _ = residual_spread(middle)
        low = np.where(excess > 0, middle, low)
        high = np.where(excess > 0, high, middle)
    tau2 = np.where(overdispersed, (low + high) / 2, 0.0)
    return tau2, residual_spread(tau2)[1]


def loo_proportion(numerator: np.ndarray, denominator: np.ndarray):
    """(z unoriented, se, tau2, reference on the arcsine scale, peer proportion) per unit."""
    y = np.arcsin(np.sqrt(numerator / denominator))
    s = 1 / (2 * np.sqrt(denominator))
    tau2, reference = loo_random_effects(y, s)
    se = np.sqrt(np.square(s) + tau2)
    return (y - reference) / se, se, tau2, reference, np.square(np.sin(reference))


def loo_ratio(observed: np.ndarray, expected: np.ndarray):
    """(z unoriented, se, tau2, reference sqrt(1), peer ratio 1) per unit: the CQC method's
    transform, the reference fixed at observed = expected."""
    y = np.sqrt(observed / expected)
    s = 1 / (2 * np.sqrt(expected))
    tau2, reference = loo_random_effects(y, s, fixed_reference=float(np.sqrt(SR_TARGET)))
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
