"""The alert pages: the list, an alert (every opening counted), its chart, the trust's response
and regional oversight's review. Access: candour.web.core.access (the roles) and
candour.web.mortality.policy (which organisations)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from candour.analytics.cusum.monitor import expected_false_alarms_sentence, one_in
from candour.web.core.access import requires
from candour.web.mortality import actions, charts, policy, queries
from candour.web.mortality.forms import ResponseForm, ReviewForm
from candour.web.mortality.models import MonitoringRun, MortalityAlert
from candour.web.oversight.chart_store import svg_response

ALERT_FIELDS = ("organisation", "concern", "concern__owner", "concern__closing_evidence")


def _alert(request, alert_id: int) -> MortalityAlert:
    alert = get_object_or_404(MortalityAlert.objects.select_related(*ALERT_FIELDS), pk=alert_id)
    policy.require(
        policy.may_read_alerts(request.user, alert.organisation),
        "not granted for this alert's organisation",
    )
    return alert


def _urgency(alert: MortalityAlert, today) -> tuple:
    """Open alerts, most pressing first: escalated, seen without response, oldest."""
    return (not alert.escalated(), not alert.overdue(today), not alert.seen_without_response(),
            alert.raised_at)  # fmt: skip


@requires(*policy.ALERT_READERS)
def alert_list(request):
    today = timezone.localdate()
    alerts = policy.readable_alerts(
        request.user, MortalityAlert.objects.select_related(*ALERT_FIELDS)
    )
    rows = [(a, a.status(today)) for a in alerts]
    open_rows = sorted((r for r in rows if r[1] != "closed"), key=lambda r: _urgency(r[0], today))
    return render(
        request,
        "mortality/alert_list.html",
        {
            "open_rows": open_rows,
            "closed": [a for a, status in rows if status == "closed"],
            "run": MonitoringRun.objects.first(),
            "today": today,
        },
    )


def _detail_context(request, alert: MortalityAlert) -> dict:
    today = timezone.localdate()
    status = alert.status(today)
    return {
        "alert": alert,
        "status": status,
        "today": today,
        "days_overdue": alert.days_overdue(today),
        "seen": queries.seen_while_waiting(alert, today),
        "views_by_day": queries.views_by_day(alert),
        "responses": alert.responses.select_related(
            "coding_review", "case_note_review", "action_plan"
        ),
        "reviews": alert.reviews.select_related("closed_on"),
        "can_respond": policy.may_respond(request.user, alert) and alert.awaiting_trust(),
        "can_review": policy.may_review(request.user, alert) and status == "awaiting_review",
        "threshold_words": one_in(alert.false_alarm_rate),
        "years_words": f"{round(1 / alert.false_alarm_rate):,}",
        "ratio_words": f"{alert.rate_ratio:g}",
        "expected_words": expected_false_alarms_sentence(
            alert.monitored_series, alert.false_alarm_rate
        ),
        "chart_description": charts.chart_description(alert),
    }


@requires(*policy.ALERT_READERS)
def alert_detail(request, alert_id: int):
    alert = _alert(request, alert_id)
    actions.record_view(alert=alert, by=request.user)
    alert.refresh_from_db()
    return render(request, "mortality/alert_detail.html", _detail_context(request, alert))


@requires(*policy.ALERT_READERS)
def alert_chart(request, alert_id: int):
    chart = charts.alert_chart(_alert(request, alert_id))
    if chart is None:
        raise Http404("no data for this alert's series")
    return svg_response(request, chart)


def _form_step(request, alert, *, allowed: bool, why: str, open_now: bool, form_class,
               action, done: str, template: str, **context):  # fmt: skip
    """A step of the workflow on its own page: refuse unless ``allowed``; while ``open_now``,
    a valid POST runs ``action`` with the form's data and goes back to the alert with ``done``
    (the errors it raises are shown instead); otherwise the page says there is nothing to do."""
    policy.require(allowed, why)
    posted = request.POST if request.method == "POST" and open_now else None
    form = form_class(posted, **context.pop("form_options", {}))
    errors = []
    if posted is not None and form.is_valid():
        try:
            action(alert=alert, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, done)
            return redirect("mortality:alert", alert_id=alert.pk)
    context = {"alert": alert, "form": form, "open_now": open_now, "errors": errors, **context}
    return render(request, template, context)


@requires(*policy.RESPONDERS)
def alert_respond(request, alert_id: int):
    alert = _alert(request, alert_id)
    return _form_step(
        request,
        alert,
        allowed=policy.may_respond(request.user, alert),
        why="only a board member granted for the trust responds to its alerts",
        open_now=alert.awaiting_trust(),
        form_class=ResponseForm,
        action=actions.respond,
        done="Response sent to regional oversight for review.",
        template="mortality/alert_respond.html",
    )


@requires(*policy.REVIEWERS)
def alert_review(request, alert_id: int):
    alert = _alert(request, alert_id)
    return _form_step(
        request,
        alert,
        allowed=policy.may_review(request.user, alert),
        why="only regional oversight granted for the trust reviews its alerts",
        open_now=alert.status(timezone.localdate()) == MortalityAlert.Status.AWAITING_REVIEW,
        form_class=ReviewForm,
        action=actions.review,
        done="Review recorded.",
        template="mortality/alert_review.html",
        form_options={"evidence": alert.concern.evidence.order_by("-recorded_at")},
        response=alert.latest_response(),
    )
