"""Plain-English sentences for every finding: the measure's name, both periods, values in the
measure's unit, and the comparison made (issue 11 item 1). The statistics sit in a separate
``details`` text, shown behind "how this was worked out". No internal code ever appears here."""

from __future__ import annotations

from datetime import date

from candour.analytics.concern.constants import (
    PROPORTION,
    SMALLEST_SHOWN_P,
)

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
PEER_GROUP_NOUNS = {
    "Acute": "acute trusts",
    "Acute specialist": "specialist trusts",
    "Mental health": "mental health trusts",
    "Community": "community trusts",
    "Ambulance": "ambulance trusts",
}


def period_label(start: date | None, period_type: str | None) -> str:
    """'June 2025', 'Q1 2024-25', '2019', '2018-19'."""
    if start is None:
        return "an unknown period"
    if period_type == "month":
        return f"{MONTHS[start.month - 1]} {start.year}"
    if period_type == "quarter":
        financial = start.year if start.month >= 4 else start.year - 1
        quarter = ((start.month - 4) % 12) // 3 + 1
        return f"Q{quarter} {financial}-{str(financial + 1)[-2:]}"
    if period_type == "financial_year":
        return f"{start.year}-{str(start.year + 1)[-2:]}"
    return str(start.year)


def formatted(value: float | None, unit: str) -> str:
    """A value in its unit: 0.682 -> '68.2%' for a proportion, 1.05 for a ratio, '14.2 weeks'."""
    if value is None:
        return "no value"
    if unit == PROPORTION:
        return f"{100 * value:.1f}%"
    if unit in ("ratio", "index"):
        return f"{value:.2f}"
    if unit in ("weeks", "days"):
        return f"{value:.1f} {unit}"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:.2f}"


def change(before: float, after: float, unit: str) -> str:
    """'up 3.0 percentage points', 'down 0.05'."""
    difference = after - before
    direction = "up" if difference > 0 else "down" if difference < 0 else "unchanged"
    if direction == "unchanged":
        return direction
    if unit == PROPORTION:
        return f"{direction} {abs(100 * difference):.1f} percentage points"
    return f"{direction} {formatted(abs(difference), unit)}"


def peers(group: str | None) -> str:
    return PEER_GROUP_NOUNS.get(group or "", "similar organisations")


def p_text(p: float | None) -> str:
    if p is None:
        return "not computed"
    return f"<{SMALLEST_SHOWN_P}" if p < SMALLEST_SHOWN_P else f"{p:.3f}"


def funnel_sentence(row: dict, measure: dict) -> str:
    unit = measure["unit"]
    share = round(100 * (row["worse_than_share"] or 0))
    return (
        f"{measure['name']}: {formatted(row['value'], unit)} in "
        f"{period_label(row['period_start'], row['period_type'])}, against "
        f"{formatted(row['peer_value'], unit)} for {row['n_peers']} other {peers(row['peer_group'])}"
        f" in the same period; worse than {share}% of them."
    )


def funnel_details(row: dict, calibration: dict) -> str:
    tau = "" if not row.get("tau2") else f", between-trust variance tau² = {row['tau2']:.2g}"
    return (
        f"Compared with the other {peers(row['peer_group'])} only (leave-one-out), on a funnel "
        f"with overdispersion{tau}: z = {row['z']:.2f}. " + family_details(calibration)
    )


def spc_sentence(row: dict, measure: dict) -> str:
    unit = measure["unit"]
    period = row["worst_period_type"]
    return (
        f"{measure['name']}: {formatted(row['worst_value'], unit)} in "
        f"{period_label(row['worst_period_start'], period)}, {gap(row['worst_value'] - row['worst_peer_median'], unit)}"
        f" the median of other {peers(row['peer_group'])} ({formatted(row['worst_peer_median'], unit)});"
        f" from {period_label(row['baseline_start'], period)} to {period_label(row['baseline_end'], period)}"
        f" it was {gap(row['centre'], unit)} them on average. A change this large against its own"
        " history is special cause, not chance."
    )


def gap(difference: float, unit: str) -> str:
    """'3.1 percentage points below', '0.05 above', 'level with'."""
    if difference == 0:
        return "level with"
    side = "above" if difference > 0 else "below"
    if unit == PROPORTION:
        return f"{abs(100 * difference):.1f} percentage points {side}"
    return f"{formatted(abs(difference), unit)} {side}"


def spc_details(row: dict, calibration: dict) -> str:
    return (
        f"Making Data Count XmR limits on the organisation's difference from its peers' median, "
        f"fixed on the first points of the series since its last break: the point lies {row['s_max']:.1f} sigma beyond the average (3 sigma is the process "
        f"limit); the largest of the last {row['n_recent']} points, as a normal equivalent "
        f"z = {row['z']:.2f}. " + family_details(calibration)
    )


def divergence_sentence(row: dict, target: dict, balance: dict) -> str:
    base = period_label(row["base_start"], row["period_type"])
    now = period_label(row["now_start"], row["period_type"])
    return (
        f"{target['name']} {change(row['target_base'], row['target_now'], target['unit'])} "
        f"({formatted(row['target_base'], target['unit'])} to "
        f"{formatted(row['target_now'], target['unit'])}) from {base} to {now} while its balancing "
        f"measure, {balance['name'].lower()}, went "
        f"{change(row['balance_base'], row['balance_now'], balance['unit'])} "
        f"({formatted(row['balance_base'], balance['unit'])} to "
        f"{formatted(row['balance_now'], balance['unit'])}): both moved more than at other "
        f"{peers(row['peer_group'])}."
    )


def divergence_details(row: dict, calibration: dict) -> str:
    return (
        "Difference in differences against the peer group's change, with the between-trust "
        f"variance of changes estimated from the data: target z = {row['dz_target']:.2f}, balance "
        f"z = {row['dz_balance']:.2f}; the smaller, {row['z']:.2f}, is the test (intersection-union). "
        + family_details(calibration)
    )


def family_details(calibration: dict) -> str:
    return (
        f"The organisation has {calibration['n_tests']} tests; it is flagged at z of "
        f"{calibration['threshold']:.2f} or more (elevated risk from "
        f"{calibration['elevated_threshold']:.2f}), thresholds set by simulation under the observed "
        "correlation of the tests so that with no real differences 5% of organisations are "
        f"flagged. Adjusted p of its worst test = {p_text(calibration['p_adjusted'])}."
    )


def missing_sentence(row: dict, measure: dict, window: dict) -> str:
    return (
        f"{measure['name']}: no data for "
        f"{period_label(window['period_start'], window['period_type'])}, which "
        f"{window['n_reporting']} {peers(row['peer_group'])} have reported (its latest ends "
        f"{row['last_period_end']:%d %B %Y}); it cannot be compared until it reports."
    )


def system_sentence(row: dict, measure: dict) -> str:
    standard = formatted(row["threshold"], measure["unit"])
    relation = "below" if row["comparison"] == "at_least" else "above"
    return (
        f"{row['n_missing']} of {row['n_total']} {peers(row['peer_group'])} were {relation} the "
        f"{standard} standard for {measure['name'].lower()} in "
        f"{period_label(row['period_start'], row['period_type'])}: a system-wide finding, not "
        "evidence about any one of them."
    )
