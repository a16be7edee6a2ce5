"""Every finding explains itself: which measure, which rule, the numbers, and the level.

Each function turns one row (a dict of a result frame's columns) into one sentence, for example
"SHMI 1.12: 3.4 SE above expected, where lower is better (z=3.40, p<0.001, q=0.003) — elevated
risk".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from candour.analytics.concern.constants import (
    ASSURANCE_FAIL,
    CONCERN_LEVELS,
    DECREASE,
    INCREASE,
    NEUTRAL_HIGH,
    NEUTRAL_LOW,
    SMALLEST_SHOWN_P,
    SPC_CONCERN_ICONS,
    SPC_CONCERN_LEVEL,
    UNINFORMATIVE,
)
from candour.analytics.concern.options import ConcernOptions

Row = Mapping[str, Any]

DOMAIN_LABELS = {
    "safe": "Safe",
    "effective": "Effective",
    "caring": "Caring",
    "responsive": "Responsive",
    "well_led": "Well-led",
    "staff_voice": "Staff voice",
    "performance": "Performance",
}
DIRECTION_TEXT = {
    INCREASE: "higher is better",
    DECREASE: "lower is better",
}
TWO_SIDED_TEXT = "neither direction is better, so either way is a concern"


def probability(label: str, p: float | None) -> str:
    """``p=0.003``: three decimals, ``p<0.001`` below that, ``p=n/a`` when there is none."""
    if p is None:
        return f"{label}=n/a"
    if p < SMALLEST_SHOWN_P:
        return f"{label}<{SMALLEST_SHOWN_P}"
    return f"{label}={p:.3f}"


def figure(value: float) -> str:
    """A measured value as published: up to four significant figures."""
    return f"{value:.4g}"


def measure_heading(row: Row) -> str:
    return row["name"] if row["value"] is None else f"{row['name']} {figure(row['value'])}"


def measure_explanation(row: Row, options: ConcernOptions) -> str:
    """The z-test of one organisation x measure (P1, P2, P7)."""
    heading = measure_heading(row)
    if row["z"] is None:
        return f"{heading}: no z-score was supplied, so it was not tested — {UNINFORMATIVE}"
    position = _position(row["z"])
    direction = DIRECTION_TEXT.get(row["improvement"], TWO_SIDED_TEXT)
    numbers = f"z={row['z']:.2f}, {probability('p', row['p'])}, {probability('q', row['q'])}"
    numbers += _weight_note(row)
    if row["level"] in CONCERN_LEVELS:
        return f"{heading}: {position}, where {direction} ({numbers}) — {row['level']}"
    if row["z_concern"] > 0:
        finding = f"not significant ({numbers})"
    else:
        side = "favourable" if row["z_concern"] < 0 else "no departure"
        finding = f"{side} (z={row['z']:.2f}), so it adds nothing to concern"
    return (
        f"{heading}: {position}, where {direction}; {finding}; {_power_clause(row, options)}"
        f" — {row['level']}"
    )


def _position(z: float) -> str:
    side = "above" if z > 0 else "below" if z < 0 else "at"
    if side == "at":
        return "exactly as expected"
    return f"{abs(z):.1f} SE {side} expected"


def _weight_note(row: Row) -> str:
    if row["weight_used"] > row["weight"]:
        return (
            f"; as staff voice, weight raised from {row['weight']:g} to {row['weight_used']:g} (P6)"
        )
    return ""


def _power_clause(row: Row, options: ConcernOptions) -> str:
    unknown = "so its power is unknown and silence is not reassurance"
    if row["relevant_change"] is None:
        return f"no relevant change is set for this measure, {unknown}"
    if row["se"] is None:
        return f"no standard error was supplied, {unknown}"
    change = figure(row["relevant_change"])
    threshold = f"{options.informative_power:g}"
    if row["informative"]:
        return f"power {row['power']:.2f} ≥ {threshold} to detect a change of {change}"
    return (
        f"power {row['power']:.2f} < {threshold} to detect a change of {change},"
        " so silence here is not reassurance"
    )


def spc_explanation(row: Row) -> str | None:
    """The SPC findings of one organisation x measure that are concerns, or None."""
    reasons = []
    icon = row["spc_variation"]
    if icon in SPC_CONCERN_ICONS:
        if icon in (NEUTRAL_HIGH, NEUTRAL_LOW):
            reasons.append(f"SPC shows special-cause variation ({icon}) where {TWO_SIDED_TEXT}")
        else:
            reasons.append(f"SPC shows special-cause variation of concern ({icon})")
    if row["spc_assurance"] == ASSURANCE_FAIL and row["spc_target_fail"]:
        reasons.append("SPC assurance shows the process will consistently miss its target (fail)")
    if not reasons:
        return None
    return f"{row['name']}: " + "; and ".join(reasons) + f" — {SPC_CONCERN_LEVEL}"


def domain_explanation(row: Row, options: ConcernOptions) -> str:
    """A domain's concern sum against its null distribution (P1), and its status."""
    label = DOMAIN_LABELS[row["domain"]]
    if row["n_tested"] == 0:
        return (
            f"{label}: none of its {row['n_measures']} measure(s) was tested;"
            f" coverage {row['coverage']:.2f} — {row['status']}"
        )
    text = (
        f"{label}: K={row['concern']:.2f} from {row['n_tested']} of {row['n_measures']}"
        f" measure(s), {row['scaled']:.2f}× the null {options.domain_quantile * 100:g}% point"
        f" {row['crit']:.2f} ({probability('p', row['p'])}, {probability('q', row['q'])})"
    )
    if row["worst_measure"] is not None:
        text += f"; largest contribution {row['worst_measure']}"
    if row["n_measure_flags"]:
        text += f"; {row['n_measure_flags']} measure flag(s)"
    text += f"; coverage {row['coverage']:.2f}"
    return f"{text} — {row['status']}"


def divergence_explanation(row: Row, options: ConcernOptions) -> str:
    """P3: did the target improve while its balancing measure worsened?"""
    target = (
        f"{row['target_name']} {_moved(row['dz_target'], 'improved', 'worsened')}"
        f" ({figure(row['target_base'])} → {figure(row['target_now'])})"
    )
    balance = (
        f"its balancing measure {row['balance_name']}"
        f" {_moved(row['dz_balance'], 'worsened', 'improved')}"
        f" ({figure(row['balance_base'])} → {figure(row['balance_now'])})"
    )
    d = row["divergence"]
    threshold = options.divergence_z
    comparison = "≥" if d >= threshold else "<"
    verdict = row["level"] if row["level"] is not None else "not flagged"
    return (
        f"{target} while {balance}: D = min({row['dz_target']:.2f}, {row['dz_balance']:.2f})"
        f" = {d:.2f} {comparison} {threshold:.3f} (intersection–union test,"
        f" {probability('p', row['p'])}) — {verdict}"
    )


def _moved(dz: float, positive: str, negative: str) -> str:
    word = positive if dz >= 0 else negative
    return f"{word} by {abs(dz):.2f} SE"


def organisation_explanation(row: Row, options: ConcernOptions) -> str:
    """The status, the worst flag, and the headline: the worst domain, never an average (P1)."""
    if row["headline_domain"] is None:
        worst_domain = "No domain shows any concern."
    else:
        worst_domain = (
            f"Worst domain: {DOMAIN_LABELS[row['headline_domain']]} at {row['headline']:.2f}×"
            f" its null {options.domain_quantile * 100:g}% point."
        )
    worst_flag = f" Worst flag: {row['flags'][0]}." if row["flags"] else ""
    return (
        f"{row['ods_code']} — {row['status']}.{worst_flag} {worst_domain}"
        f" {row['n_flags']} flag(s); coverage {row['coverage']:.2f}."
    )
