"""Observations with no real differences, for calibrating and checking the error rate (issue 9
item 8): a parametric bootstrap of the real data.

Every observation keeps its organisation, measure, period and denominator (so missing data,
sample sizes and peer groups are the real ones), but its value is redrawn from the in-control
model the assessment assumes: in each measure, peer group and period, the pooled value plus the
organisation's random effect (tau, the between-organisation spread accepted as in control) plus
its own sampling error. The random effects keep the observed *correlation between measures*
(estimated from the real peer comparisons) and each organisation's effect is constant over time,
so nothing changes against its own history (no special cause), no target moves away from its
balance (no divergence), and no organisation differs beyond the random-effects spread (no
outlier). Whatever the assessment flags in such data, it flags by chance.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from candour.analytics.concern.constants import INCREASE, MAD_TO_SD, PROPORTION, RATIO
from candour.analytics.concern.core import Assessment
from candour.analytics.concern.family import nearest_correlation

PERIOD = ["measure_id", "peer_group", "period_type", "period_start"]


def null_observations(
    observations: pl.DataFrame, assessment: Assessment, rng: np.random.Generator
) -> pl.DataFrame:
    """``observations`` (the assessment's input, as checked) with every value redrawn under the
    null of no real differences, keeping the correlation of the measures in ``assessment``."""
    measures = {m["measure_id"]: m for m in assessment.measures.iter_rows(named=True)}
    groups = dict(assessment.organisations.select("ods_code", "peer_group").iter_rows())
    frame = observations.with_columns(
        peer_group=pl.col("ods_code").replace_strict(groups, default=None)
    ).filter(pl.col("peer_group").is_not_null() & pl.col("measure_id").is_in(list(measures)))
    effects = random_effects(frame, assessment, rng)
    frame = frame.join(effects, on=["ods_code", "measure_id"], how="left").with_columns(
        pl.col("effect").fill_null(0.0)
    )
    comparison = {m: row["comparison"] for m, row in measures.items()}
    frame = frame.with_columns(
        comparison=pl.col("measure_id").replace_strict(comparison),
        noise=pl.Series(rng.standard_normal(frame.height)),
    )
    return redrawn(frame).select(observations.columns)


def random_effects(
    frame: pl.DataFrame, assessment: Assessment, rng: np.random.Generator
) -> pl.DataFrame:
    """One standard-normal effect per organisation and measure, oriented as the measure is
    (+ means better), correlated across measures as the real peer comparisons are."""
    wide = (
        assessment.compared.filter(pl.col("z").is_not_null())
        .pivot(on="measure_id", index="ods_code", values="z")
        .sort("ods_code")
    )
    measure_ids = [c for c in wide.columns if c != "ods_code"]
    z = wide.select(measure_ids).to_numpy().astype(float)
    correlation = pairwise_correlation(z)
    codes = frame["ods_code"].unique().sort().to_list()
    draws = rng.standard_normal((len(codes), len(measure_ids))) @ root(correlation).T
    signs = {
        m["measure_id"]: (1.0 if m["improvement"] == INCREASE else -1.0)
        for m in assessment.measures.iter_rows(named=True)
    }
    rows = [
        # the draws are oriented (+ is worse); the effect is on the measure's own scale
        (code, measure_id, -signs.get(measure_id, 1.0) * draws[i, j])
        for i, code in enumerate(codes)
        for j, measure_id in enumerate(measure_ids)
    ]
    others = sorted(set(frame["measure_id"].unique()) - set(measure_ids))
    rows += [(code, m, float(rng.standard_normal())) for code in codes for m in others]
    return pl.DataFrame(
        rows,
        schema={"ods_code": pl.String, "measure_id": pl.String, "effect": pl.Float64},
        orient="row",
    )


def pairwise_correlation(z: np.ndarray, min_overlap: int = 20) -> np.ndarray:
    k = z.shape[1]
    result = np.eye(k)
    for a in range(k):
        for b in range(a + 1, k):
            both = ~np.isnan(z[:, a]) & ~np.isnan(z[:, b])
            if both.sum() >= min_overlap:
                r = np.corrcoef(z[both, a], z[both, b])[0, 1]
                result[a, b] = result[b, a] = r if np.isfinite(r) else 0.0
    return nearest_correlation(result)


def root(r: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(r)
    return vectors * np.sqrt(np.maximum(values, 0.0))


def redrawn(frame: pl.DataFrame) -> pl.DataFrame:
    """Every value = its measure, peer group and period's pooled value + the organisation's
    effect x tau + its own sampling error (``noise`` x s), all groups at once. Proportions and
    ratios on their funnel scales (arcsine, square root), published values by median and MAD."""
    n = pl.col("denominator")
    counted = pl.col("comparison").is_in([PROPORTION, RATIO]) & (n > 0)
    numerator = pl.col("numerator").fill_null(pl.col("value") * n)
    frame = frame.with_columns(
        y=pl.when(pl.col("comparison") == PROPORTION)
        .then((numerator / n).clip(0, 1).sqrt().arcsin())
        .otherwise(pl.col("value").clip(0, None).sqrt()),
        s=1 / (2 * n.sqrt()),
        counted=counted.fill_null(False),
    ).with_columns(w=1 / pl.col("s").pow(2))
    weighted_mean = (pl.col("w") * pl.col("y")).sum() / pl.col("w").sum()
    stats = frame.group_by(PERIOD).agg(
        pooled=pl.when(pl.col("comparison").first() == PROPORTION)
        .then((numerator.sum() / n.sum()).sqrt().arcsin())
        .otherwise(pl.lit(1.0)),
        q=(pl.col("w") * (pl.col("y") - weighted_mean).pow(2)).sum(),
        sw=pl.col("w").sum(),
        sw2=pl.col("w").pow(2).sum(),
        k=pl.len(),
        median=pl.col("value").median(),
        mad=(pl.col("value") - pl.col("value").median()).abs().median() * MAD_TO_SD,
    )
    tau = (
        ((pl.col("q") - (pl.col("k") - 1)) / (pl.col("sw") - pl.col("sw2") / pl.col("sw")))
        .clip(0, None)
        .fill_nan(0)
        .sqrt()
    )
    frame = frame.join(stats.with_columns(tau=tau), on=PERIOD)
    y_new = pl.col("pooled") + pl.col("effect") * pl.col("tau") + pl.col("noise") * pl.col("s")
    proportion = y_new.clip(0, np.pi / 2).sin().pow(2)
    ratio = y_new.clip(0, None).pow(2)
    value = (
        pl.when(~pl.col("counted"))
        .then(pl.col("median") + pl.col("effect") * pl.col("mad"))
        .when(pl.col("comparison") == PROPORTION)
        .then(proportion)
        .otherwise(ratio)
    )
    return frame.with_columns(value=value).with_columns(
        numerator=pl.when(pl.col("counted"))
        .then(pl.col("value") * n)
        .otherwise(pl.col("numerator"))
    )
