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
    parts = []
    for (measure_id, *_), rows in frame.group_by(PERIOD, maintain_order=True):
        parts.append(redrawn(rows, measures[measure_id], rng))
    return pl.concat(parts).select(observations.columns)


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


def redrawn(rows: pl.DataFrame, measure: dict, rng: np.random.Generator) -> pl.DataFrame:
    """One measure, peer group and period: values = pooled + effect x tau + sampling error."""
    effect = rows["effect"].to_numpy()
    comparison = measure["comparison"]
    n = rows["denominator"].to_numpy().astype(float)
    value = rows["value"].to_numpy().astype(float)
    if comparison == PROPORTION and np.all(n > 0):
        numerator = np.where(
            np.isnan(rows["numerator"].to_numpy().astype(float)),
            value * n,
            rows["numerator"].to_numpy().astype(float),
        )
        y = np.arcsin(np.sqrt(numerator / n))
        s = 1 / (2 * np.sqrt(n))
        centre = np.arcsin(np.sqrt(numerator.sum() / n.sum()))
        tau = np.sqrt(dersimonian_laird(y, s))
        y_new = np.clip(centre + effect * tau + rng.standard_normal(y.size) * s, 0, np.pi / 2)
        new = np.square(np.sin(y_new))
        return rows.with_columns(value=pl.Series(new), numerator=pl.Series(new * n))
    if comparison == RATIO and np.all(n > 0):
        y = np.sqrt(value)
        s = 1 / (2 * np.sqrt(n))
        tau = np.sqrt(dersimonian_laird(y, s))
        new = np.square(np.maximum(1 + effect * tau + rng.standard_normal(y.size) * s, 0))
        return rows.with_columns(value=pl.Series(new), numerator=pl.Series(new * n))
    centre = np.median(value)
    spread = np.median(np.abs(value - centre)) * MAD_TO_SD
    return rows.with_columns(value=pl.Series(centre + effect * spread))


def dersimonian_laird(y: np.ndarray, s: np.ndarray) -> float:
    w = 1 / np.square(s)
    mean = np.sum(w * y) / np.sum(w)
    q = np.sum(w * np.square(y - mean))
    return float(max(0.0, (q - (y.size - 1)) / (np.sum(w) - np.sum(np.square(w)) / np.sum(w))))
