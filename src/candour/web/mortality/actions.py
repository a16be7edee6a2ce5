"""Every write to mortality alerts: keyword-only arguments, ``by`` the actor, one transaction
that also records the audit event. Importing data is in :mod:`candour.web.mortality.imports`;
the monitoring job that raises alerts in :mod:`candour.web.mortality.job`.

The workflow (docs/reference/cusum.md, "Alerts that must be answered"):

1. the job raises an alert: an oversight concern owned at the trust, due for a response in
   ``response_days``;
2. every opening of its page is counted (:func:`record_view`): one row per person and day, an
   audit event on the first opening of the day only;
3. the trust responds (:func:`respond`) with its coding review, case-note review and action plan,
   each recorded as evidence on the concern;
4. regional oversight reviews the response (:func:`review`): accepts it and closes the alert on
   one piece of recorded evidence, or returns it with a new deadline;
5. the daily job escalates a missed deadline (:func:`escalate_overdue`) and flags an alert seen
   many times without a response (:func:`flag_seen_without_response`).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from candour.web.core import audit
from candour.web.core.actions import actor_label
from candour.web.core.models import User
from candour.web.mortality import policy
from candour.web.mortality.conf import config
from candour.web.mortality.models import (
    RESPONSE_PARTS,
    AlertResponse,
    AlertReview,
    AlertView,
    MortalityAlert,
)
from candour.web.mortality.queries import open_alerts, seen_while_waiting
from candour.web.oversight import actions as oversight_actions
from candour.web.oversight import assessment
from candour.web.oversight.models import ConcernEvidence

SYSTEM = "system:candour-mortality"
TARGET = "mortality_alert"


def _today() -> dt.date:
    return timezone.localdate()


# Actions that change an open alert's evidence in the concern-first assessment (its existence or
# its level: awaiting, overdue, reviewed, closed); views and repeat signals change neither.
CHANGES_ASSESSMENT = frozenset({"raise", "respond", "review", "escalate"})


def alert_event(alert: MortalityAlert, action: str, by, **details) -> None:
    """The audit event ``mortality.alert.<action>`` about ``alert`` (and, for an action that
    changes the assessment's evidence, a new data version in the same transaction)."""
    if action in CHANGES_ASSESSMENT:
        # an alert's chart draws its series and its h, never its workflow
        assessment.bump(f"mortality alert {alert.pk}: {action}", charts=False)
    audit.append(
        actor=actor_label(by),
        action=f"mortality.alert.{action}",
        target_type=TARGET,
        target_id=alert.pk,
        details={"organisation": alert.organisation_id, **details},
    )


# --- Views --------------------------------------------------------------------------------------


@transaction.atomic
def record_view(*, alert: MortalityAlert, by: User, today: dt.date | None = None) -> AlertView:
    """Count one opening of ``alert``'s page by ``by``. One row per person and day holds the
    count; only the day's first opening is an audit event (no content, just the day), so that
    reloading a page does not grow the audit chain. Then flag the alert if it has now been seen
    too often without a response."""
    today = today or _today()
    view, created = AlertView.objects.get_or_create(alert=alert, viewer=by, day=today)
    if created:
        alert_event(alert, "view", by, day=today.isoformat())
    else:
        AlertView.objects.filter(pk=view.pk).update(loads=F("loads") + 1)
    flag_seen_without_response(alert=alert, by=SYSTEM, today=today)
    return view


@transaction.atomic
def flag_seen_without_response(*, alert: MortalityAlert, by, today: dt.date | None = None) -> bool:
    """Flag ``alert`` once its views while the trust's response is awaited reach
    ``seen_without_response`` (person-days). True if it was flagged now."""
    alert = MortalityAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.seen_flagged_at is not None or not alert.awaiting_trust():
        return False
    seen = seen_while_waiting(alert, today)
    if seen.views < config().seen_without_response:
        return False
    alert.seen_flagged_at = timezone.now()
    alert.save(update_fields=["seen_flagged_at"])
    alert_event(
        alert,
        "seen_without_response",
        by,
        views=seen.views,
        people=seen.people,
        days=seen.days,
        threshold=config().seen_without_response,
    )
    return True


# --- Deadlines ----------------------------------------------------------------------------------


@transaction.atomic
def escalate(*, alert: MortalityAlert, by, today: dt.date | None = None) -> bool:
    """Escalate ``alert`` if its response is overdue and this deadline's miss has not been
    escalated yet. True if it was escalated now."""
    today = today or _today()
    alert = MortalityAlert.objects.select_for_update().get(pk=alert.pk)
    if not alert.overdue(today) or alert.escalated():
        return False
    alert.escalated_due = alert.response_due
    alert.escalations += 1
    alert.save(update_fields=["escalated_due", "escalations"])
    alert_event(
        alert,
        "escalate",
        by,
        response_due=alert.response_due.isoformat(),
        days_overdue=alert.days_overdue(today),
        escalations=alert.escalations,
    )
    return True


def escalate_overdue(*, by, today: dt.date | None = None) -> int:
    """Escalate every open alert whose response is overdue (the daily job). Returns how many."""
    today = today or _today()
    late = open_alerts().filter(response_due__lt=today)
    return sum(escalate(alert=alert, by=by, today=today) for alert in late)


def flag_all_seen_without_response(*, by, today: dt.date | None = None) -> int:
    """Flag every open alert seen too often without a response (the daily job, for alerts whose
    count reached a lowered threshold). Returns how many were flagged."""
    waiting = open_alerts().filter(seen_flagged_at__isnull=True)
    return sum(flag_seen_without_response(alert=a, by=by, today=today) for a in waiting)


# --- The trust's response -----------------------------------------------------------------------


def _require_open(alert: MortalityAlert) -> None:
    if not alert.is_open:
        raise ValidationError("This alert is closed.")


@transaction.atomic
def respond(
    *,
    alert: MortalityAlert,
    coding_review: str,
    case_note_review: str,
    action_plan: str,
    by,
) -> AlertResponse:
    """Record the trust's response: its coding review, case-note review and action plan, each
    as evidence on the alert's concern. Only while the response is awaited (once the alert is
    raised, or after regional oversight returns the last one)."""
    if isinstance(by, User):
        policy.require(
            policy.may_respond(by, alert),
            "only a board member granted for the trust responds to its alerts",
        )
    alert = MortalityAlert.objects.select_for_update().get(pk=alert.pk)
    _require_open(alert)
    if not alert.awaiting_trust():
        raise ValidationError("The trust has responded; regional oversight is reviewing it.")
    given = {
        "coding_review": coding_review,
        "case_note_review": case_note_review,
        "action_plan": action_plan,
    }
    missing = [label for name, _, label in RESPONSE_PARTS if not given[name].strip()]
    if missing:
        raise ValidationError(f"Give every part of the response: {', '.join(missing)} missing.")
    late = _today() > alert.response_due
    number = alert.responses.count() + 1
    evidence = {
        name: oversight_actions.record_evidence(
            concern=alert.concern,
            kind=kind,
            summary=given[name].strip(),
            reference=f"{label}, trust response {number} to mortality alert {alert.pk}",
            by=by,
        )
        for name, kind, label in RESPONSE_PARTS
    }
    response = AlertResponse.objects.create(alert=alert, submitted_by=actor_label(by), **evidence)
    alert_event(
        alert,
        "respond",
        by,
        response=response.pk,
        evidence=[e.pk for e in evidence.values()],
        late=late,
    )
    return response


# --- Regional oversight's review ----------------------------------------------------------------


@transaction.atomic
def review(
    *,
    alert: MortalityAlert,
    decision: str,
    note: str,
    by,
    evidence: ConcernEvidence | None = None,
    today: dt.date | None = None,
) -> AlertReview:
    """Review the trust's latest response. ``accept`` closes the alert's concern on
    ``evidence`` (recorded on it: a part of a response, or evidence regional oversight
    recorded); ``return`` asks the trust for more, due in ``response_days`` from ``today``."""
    today = today or _today()
    if isinstance(by, User):
        policy.require(
            policy.may_review(by, alert),
            "only regional oversight granted for the trust reviews its alerts",
        )
    alert = MortalityAlert.objects.select_for_update().get(pk=alert.pk)
    _require_open(alert)
    response = alert.latest_response()
    if response is None or alert.awaiting_trust():
        raise ValidationError("There is no response from the trust to review yet.")
    if not note.strip():
        raise ValidationError("Say why: the note is required.")
    if decision not in AlertReview.Decision.values:
        raise ValidationError(f"Unknown decision {decision!r}.")
    if decision == AlertReview.Decision.ACCEPT:
        if evidence is None or evidence.concern_id != alert.concern_id:
            raise ValidationError("Choose the recorded evidence the alert is closed on.")
    else:
        evidence = None
    decided = AlertReview.objects.create(
        alert=alert,
        response=response,
        decision=decision,
        note=note.strip(),
        closed_on=evidence,
        reviewed_by=actor_label(by),
    )
    if decision == AlertReview.Decision.ACCEPT:
        oversight_actions.close_concern(concern=alert.concern, evidence=evidence, by=by)
    else:
        alert.response_due = today + dt.timedelta(days=config().response_days)
        alert.waiting_since = timezone.now()
        alert.seen_flagged_at = None
        alert.save(update_fields=["response_due", "waiting_since", "seen_flagged_at"])
    alert_event(
        alert,
        "review",
        by,
        review=decided.pk,
        response=response.pk,
        decision=decision,
        evidence=evidence.pk if evidence else None,
        response_due=alert.response_due.isoformat(),
    )
    return decided
