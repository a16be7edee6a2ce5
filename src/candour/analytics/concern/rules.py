"""One small, pure function per statistical rule of the concern engine.

Each works on NumPy arrays (or Polars expressions, where the rule is arithmetic) so that the
engine can apply it to every organisation x measure at once.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.special import ndtr

from candour.analytics.concern.constants import (
    ASSURANCE_FAIL,
    DECREASE,
    INCREASE,
    NEUTRAL,
    SPC_CONCERN_ICONS,
    TARGET,
)


def oriented_z(z: pl.Expr, improvement: pl.Expr) -> pl.Expr:
    """z turned so that + means worse (P1's z^D).

    The input z is (value - expected) / SE, + meaning above expected. Where higher is better
    (increase) it is negated; where lower is better (decrease) it is kept; where neither is better
    (neutral) its size is taken, since a departure either way is a concern (two-sided).
    """
    return (
        pl.when(improvement == INCREASE)
        .then(-z)
        .when(improvement == DECREASE)
        .then(z)
        .otherwise(z.abs())
    )


def concern_contribution(weight: pl.Expr, z_concern: pl.Expr) -> pl.Expr:
    """P1: w * max(0, z)^2. A favourable result (z <= 0) contributes exactly 0."""
    positive = pl.when(z_concern > 0).then(z_concern).otherwise(pl.lit(0.0))
    return weight * positive * positive


def p_value(z_concern: np.ndarray, two_sided: np.ndarray) -> np.ndarray:
    """The p-value of the oriented z: P(Z >= z) one-sided; P(|Z| >= |z|) for neutral measures."""
    upper_tail = ndtr(-z_concern)
    return np.where(two_sided, np.minimum(2 * upper_tail, 1.0), upper_tail)


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """P7: Benjamini & Hochberg (1995) adjusted p-values ("q-values"), in the input's order.

    q_(i) = min over j >= i of m p_(j) / j, capped at 1, for the p-values sorted ascending. Tied
    p-values get the same q, so the result does not depend on the input's order.
    """
    p = np.asarray(p, dtype=float)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    stepped_up = np.minimum.accumulate(scaled[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(stepped_up, 1.0)
    return q


def power(relevant_change: np.ndarray, se: np.ndarray, critical_z: float) -> np.ndarray:
    """P2: pi = Phi(delta / SE - z_crit), the chance of detecting a shift of delta (z_crit 1.96)."""
    return ndtr(np.asarray(relevant_change) / np.asarray(se) - critical_z)


def change_z(
    value_now: pl.Expr, se_now: pl.Expr, value_base: pl.Expr, se_base: pl.Expr, tau_delta: pl.Expr
) -> pl.Expr:
    """P3: (x_now - x_base) / sqrt(SE_now^2 + SE_base^2 + 2 tau_delta^2), + meaning it went up."""
    variance = se_now.pow(2) + se_base.pow(2) + 2 * tau_delta.pow(2)
    return (value_now - value_base) / variance.sqrt()


def direction_sign(improvement: pl.Expr) -> pl.Expr:
    """+1 where higher is better, -1 where lower is better (P3 needs a direction)."""
    return pl.when(improvement == INCREASE).then(1.0).otherwise(-1.0)


def divergence(target_improved: np.ndarray, balance_worsened: np.ndarray) -> np.ndarray:
    """P3: D = min(dz_T, dz_B); large only if the target improved AND its balance worsened."""
    return np.minimum(target_improved, balance_worsened)


def divergence_p_value(d: np.ndarray) -> np.ndarray:
    """The intersection-union test's p-value: the larger of the two one-sided p-values."""
    return ndtr(-np.asarray(d))


def spc_special_cause_concern(variation: pl.Expr) -> pl.Expr:
    """A special cause of concern (MDC orange icon), or any special cause on a neutral measure."""
    return variation.is_in(list(SPC_CONCERN_ICONS)).fill_null(False)


def spc_assurance_fails_target(assurance: pl.Expr, role: pl.Expr) -> pl.Expr:
    """A target the process will consistently fail to meet (MDC assurance "fail")."""
    return ((assurance == ASSURANCE_FAIL) & (role == TARGET)).fill_null(False)


def is_two_sided(improvement: pl.Expr) -> pl.Expr:
    return improvement == NEUTRAL
