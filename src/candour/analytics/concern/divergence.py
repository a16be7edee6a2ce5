"""Target-balance divergence that means something (P3 as corrected in §7; issue 9 item 6).

"Hitting the target and missing the point": a target measure improved while its pre-registered
balancing measure worsened. For each pair and peer group:

- the *same periods* for both measures: ``now`` is the latest period in both measures' current
  windows (their shared window), ``base`` the same period a year earlier where most of the group
  reported both (so seasonality cancels), else the earliest period both share since the last break;
- each organisation's change on the comparison scale (arcsine for proportions, square root for
  ratios, the value itself otherwise) is compared with the *peer group's* change
  (difference-in-differences, leave-one-out), with the between-organisation variance of changes
  tau_Delta^2 estimated from the others' changes (the same robust Paule-Mandel estimator as the
  peer comparisons), not assumed 0;
- D = min(Delta z_target, Delta z_balance), oriented so + means "target improved more than peers"
  and "balance worsened more than peers"; D is an intersection-union test (Berger 1982), so its
  normal equivalent is D itself (conservative whatever the two changes' correlation) and it joins
  the one error-rate family like every other test.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from candour.analytics.concern.constants import (
    DIVERGENCE_BASE_MONTHS,
    INCREASE,
    MAD_TO_SD,
    PROPORTION,
    RATIO,
)
from candour.analytics.concern.crosssection import (
    effective_df,
    loo_random_effects,
    normal_equivalent,
    others,
)
from candour.analytics.concern.options import AssessOptions

DIVERGENCE_SCHEMA = {
    "ods_code": pl.String,
    "target_measure_id": pl.String,
    "balance_measure_id": pl.String,
    "peer_group": pl.String,
    "period_type": pl.String,
    "base_start": pl.Date,
    "now_start": pl.Date,
    "target_base": pl.Float64,
    "target_now": pl.Float64,
    "balance_base": pl.Float64,
    "balance_now": pl.Float64,
    "peer_target_change": pl.Float64,
    "peer_balance_change": pl.Float64,
    "dz_target": pl.Float64,
    "dz_balance": pl.Float64,
    "z": pl.Float64,
}


def divergence(
    observations: pl.DataFrame,
    measures: pl.DataFrame,
    pairs: pl.DataFrame,
    windows: pl.DataFrame,
    breaks: pl.DataFrame,
    options: AssessOptions,
) -> pl.DataFrame:
    """One row per organisation x pair x peer group with both measures in both periods."""
    catalogue = {row["measure_id"]: row for row in measures.iter_rows(named=True)}
    current = windows.filter(pl.col("state") == "current")
    parts = []
    for target_id, balance_id in pairs.iter_rows():
        for group in current.filter(pl.col("measure_id") == target_id)["peer_group"].to_list():
            periods = matched_periods(
                observations, current, target_id, balance_id, group, breaks, options
            )
            if periods is None:
                continue
            part = pair_changes(
                observations, catalogue[target_id], catalogue[balance_id], group, *periods
            )
            if part is not None:
                parts.append(part)
    if not parts:
        return pl.DataFrame(schema=DIVERGENCE_SCHEMA)
    return (
        pl.concat(parts)
        .select([pl.col(c).cast(t) for c, t in DIVERGENCE_SCHEMA.items()])
        .sort("ods_code", "target_measure_id", "balance_measure_id")
    )


def matched_periods(
    observations: pl.DataFrame,
    current: pl.DataFrame,
    target_id: str,
    balance_id: str,
    group: str,
    breaks: pl.DataFrame,
    options: AssessOptions,
) -> tuple[str, date, date] | None:
    """(period_type, base_start, now_start) for a pair in a peer group, or None."""
    windows = current.filter(
        pl.col("measure_id").is_in([target_id, balance_id]) & (pl.col("peer_group") == group)
    )
    if windows.height != 2 or windows["period_type"].n_unique() != 1:
        return None
    period_type = windows["period_type"][0]
    now = windows["period_start"].min()
    both = _reported_by_both(observations, target_id, balance_id, group, period_type)
    n_now = both.filter(pl.col("period_start") == now)["n"].sum()
    if n_now < options.min_peers:
        return None
    last_break = _last_break(breaks, [target_id, balance_id], now)
    usable = both.filter(
        (pl.col("period_start") < now)
        & (pl.col("n") > options.majority * n_now)
        & (pl.col("n") >= options.min_peers)
    )
    if last_break is not None:
        usable = usable.filter(pl.col("period_start") >= last_break)
    if usable.is_empty():
        return None
    year_before = now.replace(year=now.year - DIVERGENCE_BASE_MONTHS // 12)
    if year_before in usable["period_start"].to_list():
        return period_type, year_before, now
    return period_type, usable["period_start"].min(), now


def _reported_by_both(
    observations: pl.DataFrame, target_id: str, balance_id: str, group: str, period_type: str
) -> pl.DataFrame:
    rows = observations.filter(
        pl.col("measure_id").is_in([target_id, balance_id])
        & (pl.col("peer_group") == group)
        & (pl.col("period_type") == period_type)
    )
    return (
        rows.group_by("ods_code", "period_start")
        .agg(pl.col("measure_id").n_unique().alias("k"))
        .filter(pl.col("k") == 2)
        .group_by("period_start")
        .agg(n=pl.len())
    )


def _last_break(breaks: pl.DataFrame, measure_ids: list[str], on_or_before: date) -> date | None:
    """The latest break for all organisations that applies to these measures (organisation-only
    breaks, such as mergers, are applied per organisation in :func:`pair_changes`)."""
    applying = breaks.filter(
        pl.col("ods_code").is_null()
        & (pl.col("measure_id").is_null() | pl.col("measure_id").is_in(measure_ids))
        & (pl.col("date") <= on_or_before)
    )
    return applying["date"].max() if applying.height else None


def pair_changes(
    observations: pl.DataFrame,
    target: dict,
    balance: dict,
    group: str,
    period_type: str,
    base: date,
    now: date,
) -> pl.DataFrame | None:
    """Delta z for both measures and D, for organisations with all four values."""
    sides = {}
    for side, measure in (("target", target), ("balance", balance)):
        rows = observations.filter(
            (pl.col("measure_id") == measure["measure_id"])
            & (pl.col("peer_group") == group)
            & (pl.col("period_type") == period_type)
            & pl.col("period_start").is_in([base, now])
        )
        wide = rows.with_columns(
            at=pl.when(pl.col("period_start") == now).then(pl.lit("now")).otherwise(pl.lit("base"))
        ).pivot(on="at", index="ods_code", values=["value", "numerator", "denominator"])
        sides[side] = wide
    needed = [f"{k}_{at}" for k in ("value", "numerator", "denominator") for at in ("now", "base")]
    if any(c not in sides[s].columns for s in sides for c in needed):
        return None
    joined = sides["target"].join(sides["balance"], on="ods_code", suffix="_b").sort("ods_code")
    joined = joined.filter(
        pl.all_horizontal(
            pl.col(c).is_not_null()
            for c in ("value_now", "value_base", "value_now_b", "value_base_b")
        )
    )
    if joined.height < 3:
        return None
    dz_target, peer_t = change_z(joined, target, "")
    dz_balance, peer_b = change_z(joined, balance, "_b")
    # + means the target improved and the balance worsened, more than at the peers
    improved = dz_target if target["improvement"] == INCREASE else -dz_target
    worsened = -dz_balance if balance["improvement"] == INCREASE else dz_balance
    return pl.DataFrame(
        {
            "ods_code": joined["ods_code"],
            "target_measure_id": target["measure_id"],
            "balance_measure_id": balance["measure_id"],
            "peer_group": group,
            "period_type": period_type,
            "base_start": base,
            "now_start": now,
            "target_base": joined["value_base"],
            "target_now": joined["value_now"],
            "balance_base": joined["value_base_b"],
            "balance_now": joined["value_now_b"],
            "peer_target_change": peer_t,
            "peer_balance_change": peer_b,
            "dz_target": improved,
            "dz_balance": worsened,
            "z": np.fmin(improved, worsened),
        },
        strict=False,
    ).filter(pl.col("z").is_not_nan())


def change_z(frame: pl.DataFrame, measure: dict, suffix: str) -> tuple[np.ndarray, np.ndarray]:
    """(Delta z unoriented, the peers' change in the measure's own unit) per organisation:
    leave-one-out difference-in-differences with tau_Delta^2 from the others' changes."""
    value_now = frame[f"value_now{suffix}"].to_numpy().astype(float)
    value_base = frame[f"value_base{suffix}"].to_numpy().astype(float)
    raw_change = value_now - value_base
    peer_change = np.nanmedian(others(raw_change), axis=1)
    comparison = measure["comparison"]
    if comparison in (PROPORTION, RATIO):
        scale_now, s_now = _scaled(frame, suffix, "now", comparison)
        scale_base, s_base = _scaled(frame, suffix, "base", comparison)
        change = scale_now - scale_base
        s = np.sqrt(np.square(s_now) + np.square(s_base))
        if np.all(np.isfinite(s)) and np.all(s > 0):
            tau2, reference = loo_random_effects(change, s)
            z = (change - reference) / np.sqrt(np.square(s) + tau2)
            return normal_equivalent(z, effective_df(change.size - 1)), peer_change
    matrix = others(raw_change)
    median = np.nanmedian(matrix, axis=1)
    mad = np.nanmedian(np.abs(matrix - median[:, None]), axis=1) * MAD_TO_SD
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(mad > 0, (raw_change - median) / mad, np.nan)
    return normal_equivalent(z, effective_df(raw_change.size - 1)), peer_change


def _scaled(frame: pl.DataFrame, suffix: str, at: str, comparison: str):
    numerator = frame[f"numerator_{at}{suffix}"].to_numpy().astype(float)
    denominator = frame[f"denominator_{at}{suffix}"].to_numpy().astype(float)
    if comparison == PROPORTION:
        value = frame[f"value_{at}{suffix}"].to_numpy().astype(float)
        numerator = np.where(np.isnan(numerator), value * denominator, numerator)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.arcsin(np.sqrt(numerator / denominator)), 1 / (2 * np.sqrt(denominator))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(numerator / denominator), 1 / (2 * np.sqrt(denominator))
