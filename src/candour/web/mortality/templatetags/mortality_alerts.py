"""The organisation page's mortality alerts panel, the concern page's link to its alert, and the
tag colour of each alert status. The panel is one tag so that the organisation page includes it
with one line: ``{% load mortality_alerts %}{% organisation_mortality_alerts organisation %}``."""

from __future__ import annotations

from django import template
from django.utils import timezone

from candour.web.mortality import policy, queries
from candour.web.mortality.models import MonthlyDeaths, MortalityAlert

register = template.Library()

STATUS_TAGS = {
    MortalityAlert.Status.AWAITING_RESPONSE: "nhsuk-tag--yellow",
    MortalityAlert.Status.OVERDUE: "nhsuk-tag--red",
    MortalityAlert.Status.AWAITING_REVIEW: "nhsuk-tag--blue",
    MortalityAlert.Status.CLOSED: "nhsuk-tag--grey",
}


@register.filter
def alert_tag(status: str) -> str:
    return STATUS_TAGS.get(status, "nhsuk-tag--grey")


@register.filter
def alert_status_label(status: str) -> str:
    return MortalityAlert.Status(status).label


@register.inclusion_tag("mortality/includes/organisation_alerts.html", takes_context=True)
def organisation_mortality_alerts(context, organisation):
    """Open alerts first (escalated, then seen without response, then oldest), for people who
    may read the organisation's concerns; nothing for anyone else."""
    user = context["request"].user
    if not policy.may_read_alerts(user, organisation):
        return {"visible": False}
    today = timezone.localdate()
    alerts = MortalityAlert.objects.filter(organisation=organisation).select_related("concern")
    rows = [
        {
            "alert": alert,
            "status": alert.status(today),
            "days_overdue": alert.days_overdue(today),
            "escalated": alert.escalated() and alert.overdue(today),
            "seen": queries.seen_while_waiting(alert, today)
            if alert.seen_without_response()
            else None,
        }
        for alert in alerts
    ]
    open_rows = sorted(
        (r for r in rows if r["status"] != MortalityAlert.Status.CLOSED),
        key=lambda r: (
            not r["escalated"],
            not r["days_overdue"],
            r["seen"] is None,
            r["alert"].raised_at,
        ),
    )
    deaths = MonthlyDeaths.objects.filter(organisation=organisation)
    return {
        "visible": True,
        "organisation": organisation,
        "open_rows": open_rows,
        "closed": len(rows) - len(open_rows),
        "series": deaths.values("group").distinct().count(),
        "synthetic": deaths.filter(synthetic=True).exists(),
    }


@register.inclusion_tag("mortality/includes/concern_alert.html")
def concern_mortality_alert(concern):
    """A link from a concern's page to its mortality alert, if it is one."""
    return {"alert": MortalityAlert.objects.filter(concern=concern).first()}
