"""Speak-up themes as staff-voice flags: published (disclosure-controlled) counts only.

Two things staff report through Freedom to Speak Up are concerns in themselves, whatever the
other measures say (non-compensatory, as P1): people who **indicated detriment** for speaking up
(reference (e): "automated detriment follow-up"; the National Guardian's Office records it for
every case) and people who, after their case closed, said they **would not speak up again**
(the question the NGO return asks; Kerr: staff "do not feel confident that speaking out would
make a difference"). Each organisation with a non-zero published count of either, in any
quarter given, gets one flag per measure at level "risk" in the staff-voice domain.

The input is what :func:`candour.analytics.disclosure.disclose` publishes: a count of 1 to 7
shows only as ``*``, which already tells that the count is not zero, so flagging it discloses
nothing more than the published table. Counts are never compared between organisations here:
a handful of cases a quarter is too few for a funnel, so this is a rule, not a test (no p or q).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from candour.analytics.concern.checks import (
    ROW,
    TEXT,
    Column,
    conformed,
    duplicates,
    problems_of,
    raise_if_any,
    required_rule,
)
from candour.analytics.concern.constants import RISK

SPEAKUP_FLAG_KIND = "speak_up"
SPEAKUP_DOMAIN = "staff_voice"
# The published speak-up measures that raise a flag, and how the explanation names them.
SPEAKUP_FLAG_MEASURES = {
    "speakup_detriment_indicated": "people speaking up indicated detriment for doing so",
    "speakup_would_not_speak_up_again": (
        "people whose concern was closed said they would not speak up again"
    ),
}
ZERO = "0"
SPEAKUP_COLUMNS = (
    Column("ods_code", TEXT, meaning="the organisation"),
    Column("quarter", TEXT, meaning="the quarter, e.g. 2026-27-q3"),
    Column("measure_id", TEXT, meaning="a speak-up theme measure, e.g. speakup_cases"),
    Column("display", TEXT, meaning="the disclosed count as published: 0, * or a multiple of 5"),
)


def checked_speakup(frame: Any) -> pl.DataFrame:
    """Published speak-up theme counts (disclosure-controlled), checked; may be empty."""
    speakup = conformed(frame, SPEAKUP_COLUMNS, "speakup", allow_empty=True)
    problems = problems_of(speakup, [required_rule(c.name, c.meaning) for c in SPEAKUP_COLUMNS])
    problems += duplicates(speakup, ["ods_code", "quarter", "measure_id"])
    raise_if_any("speakup", problems)
    return speakup.drop(ROW)


def speakup_flags(published: Any) -> pl.DataFrame:
    """One flag per organisation and flagged measure with a non-zero published count.

    ``published`` has ``ods_code``, ``quarter`` (e.g. ``2026-27-q3``), ``measure_id`` and
    ``display`` (the disclosed text: ``0``, ``*`` or a count rounded to 5). Returns ``ods_code``,
    ``domain``, ``measure_id``, ``level`` and ``explanation``, sorted.
    """
    frame = checked_speakup(published)
    reported = frame.filter(
        pl.col("measure_id").is_in(list(SPEAKUP_FLAG_MEASURES)) & (pl.col("display") != ZERO)
    ).sort("ods_code", "measure_id", "quarter")
    rows = [
        {
            "ods_code": ods_code,
            "domain": SPEAKUP_DOMAIN,
            "measure_id": measure_id,
            "level": RISK,
            "explanation": speakup_explanation(measure_id, group),
        }
        for (ods_code, measure_id), group in reported.group_by(
            "ods_code", "measure_id", maintain_order=True
        )
    ]
    return pl.DataFrame(
        rows,
        schema={
            "ods_code": pl.String,
            "domain": pl.String,
            "measure_id": pl.String,
            "level": pl.String,
            "explanation": pl.String,
        },
    )


def speakup_explanation(measure_id: str, group: pl.DataFrame) -> str:
    """e.g. 'Freedom to Speak Up: people speaking up indicated detriment for doing so
    (2026-27 Q2: *; 2026-27 Q3: 10). * is 1 to 7, hidden by disclosure control.'"""
    quarters = "; ".join(
        f"{_quarter_label(quarter)}: {display}"
        for quarter, display in group.select("quarter", "display").iter_rows()
    )
    hidden = " * is 1 to 7, hidden by disclosure control." if "*" in group["display"] else ""
    return f"Freedom to Speak Up: {SPEAKUP_FLAG_MEASURES[measure_id]} ({quarters}).{hidden}"


def _quarter_label(slug: str) -> str:
    """'2026-27-q3' -> '2026-27 Q3'."""
    years, _, number = slug.rpartition("-q")
    return f"{years} Q{number}" if years else slug
