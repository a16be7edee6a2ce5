"""Formatting for the leadership pages."""

from __future__ import annotations

from django import template

from candour.analytics.leadership.constants import ROLE_LABELS
from candour.analytics.leadership.kerr import RATES

register = template.Library()

DAYS_PER_YEAR = 365.25


@register.filter
def kerr_value(value, measure: str) -> str:
    """A rate as a percentage; a tenure in days as years."""
    if value is None:
        return "–"
    if measure in RATES:
        return f"{value * 100:.1f}%"
    return f"{value / DAYS_PER_YEAR:.1f} years"


@register.filter
def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


@register.filter
def share(value) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


@register.filter
def pounds(value) -> str:
    """Whole pounds with thousands separators: £4,500,000."""
    return "–" if value is None else f"£{value:,}"


@register.filter
def in_unit(value, measure) -> str:
    """A measure's value in its unit: a proportion as a percentage, anything else to 2 places."""
    if value is None:
        return "–"
    if getattr(measure, "unit", "") == "proportion":
        return f"{value * 100:.1f}%"
    return f"{value:,.2f}"
