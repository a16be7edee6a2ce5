"""Formatting of measure values and small server-side charts (no JavaScript needed)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from candour.analytics.spc.constants import TOO_FEW_POINTS_WORDS
from candour.analytics.spc.icons import Icon, icon_svg
from candour.analytics.spc.icons import assurance_icon as mdc_assurance_icon
from candour.analytics.spc.icons import variation_icon as mdc_variation_icon
from candour.analytics.spc.words import assurance_words
from candour.analytics.units import format_change, format_value

register = template.Library()

SPARKLINE_WIDTH = 120
SPARKLINE_HEIGHT = 28
SPARKLINE_COLOUR = "#005eb8"  # NHS Blue (NHS identity guidelines)


@register.filter
def measure_value(value, unit: str) -> str:
    """A value in the measure's unit: "76.9%", "1,204", "1.08", "18.4 weeks"."""
    return format_value(value, unit)


@register.filter
def period_label(day, period_type: str) -> str:
    if period_type == "month":
        return day.strftime("%b %Y")
    if period_type == "year":
        return str(day.year)
    if period_type == "financial_year":
        return f"{day.year}/{(day.year + 1) % 100:02d}"
    return day.isoformat()


@register.simple_tag
def sparkline(points, label: str):
    """An inline SVG line of ``points`` [(date, value)], labelled for screen readers."""
    values = [v for _, v in points]
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (SPARKLINE_WIDTH - 4) / (len(values) - 1)
    coords = " ".join(
        f"{2 + i * step:.1f},{SPARKLINE_HEIGHT - 2 - (v - low) / span * (SPARKLINE_HEIGHT - 4):.1f}"
        for i, v in enumerate(values)
    )
    return format_html(
        '<svg class="candour-sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/></svg>',
        SPARKLINE_WIDTH,
        SPARKLINE_HEIGHT,
        SPARKLINE_WIDTH,
        SPARKLINE_HEIGHT,
        f"{label}: trend over the last {len(values)} periods",
        SPARKLINE_COLOUR,
        mark_safe(coords),  # noqa: S308 - numbers formatted above
    )


RATING_TAGS = {
    "Outstanding": "nhsuk-tag--blue",
    "Good": "nhsuk-tag--green",
    "Requires improvement": "nhsuk-tag--orange",
    "Inadequate": "nhsuk-tag--red",
}


@register.filter
def rating_tag(rating: str) -> str:
    return RATING_TAGS.get(rating, "nhsuk-tag--grey")


# Making Data Count icons, as NHS England designed them (candour.analytics.spc.icons draws them).
MDC_ICON_SIZE = 28


def _mdc_icon(icon: Icon | None, missing: str):
    if icon is None:
        return format_html('<span class="nhsuk-body-s">{}</span>', missing)
    return mark_safe(icon_svg(icon, MDC_ICON_SIZE))  # noqa: S308 - drawn from constants, label escaped


@register.simple_tag
def variation_icon(icon):
    return _mdc_icon(mdc_variation_icon(icon), "Not shown")


@register.simple_tag
def assurance_icon(icon, icons=None):
    """The assurance icon, or why there is none: ``icons`` is the series' icon row (with its
    ``target``); without a row the series had too few points for icons. "No target" only when
    the series has no target (issue 11: it was printed whenever an icon was missing)."""
    if icons:
        missing = assurance_words({"assurance_icon": icon, "target": icons.get("target")})
    else:
        missing = TOO_FEW_POINTS_WORDS
    return _mdc_icon(mdc_assurance_icon(icon), missing[:1].upper() + missing[1:])


LEVEL_TAGS = {
    "elevated risk": "nhsuk-tag--red",
    "risk": "nhsuk-tag--orange",
    "no recent data": "nhsuk-tag--yellow",
    "uninformative": "nhsuk-tag--grey",
    "no evidence of concern": "nhsuk-tag--white",
    "history": "nhsuk-tag--grey",
    "not compared": "nhsuk-tag--grey",
}
# What each level is called on the pages (docs/reference/concern.md explains each).
LEVEL_LABELS = {
    "elevated risk": "Elevated risk",
    "risk": "Risk",
    "no recent data": "No recent data",
    "uninformative": "Not assured",
    "no evidence of concern": "No evidence of concern",
    "history": "History only",
    "not compared": "Not compared",
}


@register.filter
def level_tag(level: str) -> str:
    return LEVEL_TAGS.get(level, "nhsuk-tag--grey")


@register.filter
def level_label(level: str | None) -> str:
    return LEVEL_LABELS.get(level or "", "Not assessed")


@register.filter
def domain_label(domain: str | None) -> str:
    from candour.analytics.concern.constants import DOMAIN_NAMES

    return DOMAIN_NAMES.get(domain or "", "–")


@register.filter
def peer_label(group: str | None) -> str:
    from candour.analytics.concern.explain import peers

    return peers(group)


@register.filter
def period_words(day, period_type: str) -> str:
    """'June 2025', 'Q1 2024-25', '2019', '2018-19' (the sentences' own wording)."""
    from candour.analytics.concern.explain import period_label as label

    return label(day, period_type)


@register.simple_tag
def lookup_icons(icons: dict, measure_id: str, ods_code: str):
    """The SPC summary row of (measure, organisation), if there is one."""
    return icons.get((measure_id, ods_code))


@register.filter
def icon_words(icon: str | None) -> str:
    """A variation or assurance icon in words, for alt text."""
    drawn = mdc_variation_icon(icon) or mdc_assurance_icon(icon)
    return drawn.words if drawn else "not shown"


@register.filter
def measure_change(change, unit: str) -> str:
    """A change between periods in the measure's unit: percentage points for a proportion
    ("down 3.0 percentage points" would read as a relative change if shown as -3.0%)."""
    return format_change(change, unit)
