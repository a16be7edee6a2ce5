"""Open mortality alerts as reported evidence in the concern-first assessment (issue 13 item 3).

An O/E CUSUM signal on a trust's monthly deaths (:mod:`candour.analytics.cusum.monitor`) is an
alert the trust must answer; until regional oversight closes it on recorded evidence it is part of
the trust's picture. Like speak-up detriment, it is a rule, not a test in the error-rate family:
its own false-alarm rate was fixed when h was designed (about 0.1% per series-year), so
Benjamini–Hochberg or the family calibration must not weaken it again.

Level: ``risk`` while the trust's response is awaited or regional oversight is reviewing it;
``elevated risk`` once the response is overdue — the Mid Staffordshire pattern, an alert seen
and not answered.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from candour.analytics.concern.checks import (
    DATE,
    ROW,
    TEXT,
    Column,
    conformed,
    duplicates,
    problems_of,
    raise_if_any,
    required_rule,
)
from candour.analytics.concern.constants import ELEVATED_RISK, RISK

MORTALITY_DOMAIN = "safe"
# Workflow statuses of candour.web.mortality (MortalityAlert.Status) and the level each gives.
OVERDUE = "overdue"
LEVEL_OF_STATUS = {
    "awaiting_response": RISK,
    "awaiting_review": RISK,
    OVERDUE: ELEVATED_RISK,
}
STATUS_WORDS = {
    "awaiting_response": "the trust's response is awaited",
    "awaiting_review": "the trust has responded and regional oversight is reviewing it",
    OVERDUE: "the trust's response is overdue",
}
ALERT_COLUMNS = (
    Column("ods_code", TEXT, meaning="the organisation"),
    Column("group", TEXT, meaning="the diagnosis group monitored"),
    Column("first_signal", DATE, meaning="the month of the first signal"),
    Column("status", TEXT, meaning="awaiting_response, awaiting_review or overdue"),
    Column("sentence", TEXT, meaning="the alert in plain words"),
)


def checked_alerts(frame: Any) -> pl.DataFrame:
    """Open mortality alerts, checked; may be empty."""
    alerts = conformed(frame, ALERT_COLUMNS, "mortality", allow_empty=True)
    rules = [required_rule(c.name, c.meaning) for c in ALERT_COLUMNS]
    rules.append(status_rule())
    problems = problems_of(alerts, rules)
    problems += duplicates(alerts, ["ods_code", "group", "first_signal"])
    raise_if_any("mortality", problems)
    return alerts.drop(ROW)


def status_rule():
    known = list(LEVEL_OF_STATUS)
    return (
        "status",
        pl.col("status").is_not_null() & ~pl.col("status").is_in(known),
        f"one of {', '.join(known)} (closed alerts are not evidence)",
    )


def mortality_flags(alerts: Any) -> pl.DataFrame:
    """One flag per open alert: ``ods_code``, ``domain``, ``level``, ``sentence``, sorted."""
    frame = checked_alerts(alerts).sort("ods_code", "first_signal", "group")
    return frame.select(
        "ods_code",
        domain=pl.lit(MORTALITY_DOMAIN),
        level=pl.col("status").replace_strict(LEVEL_OF_STATUS, return_dtype=pl.String),
        sentence=pl.format(
            "Mortality alert, {}: {}; {}.",
            pl.col("group"),
            pl.col("sentence").str.strip_chars_end("."),
            pl.col("status").replace_strict(STATUS_WORDS, return_dtype=pl.String),
        ),
    )
