"""How the registry's pages write dates known to a year or month, hours and frequencies."""

from __future__ import annotations

from datetime import date

from django import template

from candour.analytics.datarequests.model import FREQUENCY_WORDS

register = template.Library()

NOT_RECORDED = "not recorded"


@register.filter
def since(text: str) -> str:
    """A date known to a year, a month or a day, as precisely as known: "2001", "October 2011",
    "1 March 2026"; "not recorded" when empty."""
    if not text:
        return NOT_RECORDED
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    day = date(parts[0], parts[1], parts[2] if len(parts) == 3 else 1)
    return day.strftime("%B %Y") if len(parts) == 2 else f"{day.day} {day:%B %Y}"


@register.filter
def hours(value) -> str:
    """Hours with thousands separators, whole when whole: 1,234 or 12.5."""
    if value is None:
        return "not estimated"
    rounded = round(float(value), 1)
    return f"{rounded:,.0f}" if rounded.is_integer() else f"{rounded:,.1f}"


@register.filter
def how_often(frequency: str) -> str:
    """ "monthly", "once", "irregularly"."""
    return FREQUENCY_WORDS.get(frequency, frequency)


@register.filter
def get_label(labels: dict, key: str) -> str:
    """``labels[key]``: held data in words."""
    return labels.get(key, key)
