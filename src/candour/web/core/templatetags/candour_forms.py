"""Small helpers for the shared NHS.UK form templates (templates/includes/field.html and
form_errors.html)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()

OPTION_GROUPS = frozenset({"radioselect", "checkboxselectmultiple"})


@register.filter
def error_anchor(field) -> str:
    """The id an error-summary link to ``field`` points at: the input itself, or the first
    option of a group of radios or checkboxes (NHS.UK error summary)."""
    if field.widget_type in OPTION_GROUPS:
        return f"{field.auto_id}_0"
    return field.id_for_label


@register.filter
def described_by(field) -> str:
    """The ``aria-describedby`` attribute naming a field's hint and error message, if any."""
    ids = [f"{field.auto_id}-hint"] if field.help_text else []
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return format_html(' aria-describedby="{}"', " ".join(ids)) if ids else ""
