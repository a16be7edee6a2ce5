"""A guardian's steps on a case, from acknowledgement to closure on evidence."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction

from candour.web.speakup import policy
from candour.web.speakup.actions.common import (
    ACKNOWLEDGEMENT,
    _add_message,
    _advance,
    _audit,
    _check_status,
    _locked,
    _mark_actioned,
    _require_triaged,
    add_months,
    today,
)
from candour.web.speakup.choices import (
    CATEGORIES,
    Author,
    ReferralKind,
    Status,
)
from candour.web.speakup.conf import config
from candour.web.speakup.models import (
    Attachment,
    Case,
    CaseAction,
    CheckIn,
    GuardianRead,
    Message,
    Note,
    Referral,
)
from candour.web.speakup.vault import OpenCase

# ---------------------------------------------------------------------------- guardians' cases


@transaction.atomic
def record_case_read(*, case: Case, by) -> None:
    """A guardian opened the case: who and when, never what. Everything the person who spoke
    up has sent so far is now seen by this guardian (the unread marker; no time is kept, and the
    audit event does not say whether there was anything new)."""
    updates = Case.objects.filter(pk=case.pk).values_list("reporter_updates", flat=True).get()
    GuardianRead.objects.update_or_create(case=case, guardian=by, defaults={"seen": updates})
    _audit(by, "case.read", case=case)


@transaction.atomic
def record_attachment_read(*, attachment: Attachment, by) -> None:
    _audit(by, "attachment.read", case=attachment.case, attachment=str(attachment.pk))


@transaction.atomic
def acknowledge(*, opened: OpenCase, message: str = ACKNOWLEDGEMENT, by) -> Case:
    """Received -> acknowledged, telling the person who spoke up."""
    case = _advance(opened.case, Status.RECEIVED, Status.ACKNOWLEDGED, "acknowledged_on")
    _add_message(opened, author=Author.GUARDIAN, body=message, guardian=by)
    _audit(by, "case.acknowledge", case=case)
    return case


@transaction.atomic
def triage(
    *,
    case: Case,
    risk: str,
    immediate_harm: bool,
    categories: list[str],
    protected_characteristic: str = "",
    by,
) -> Case:
    """Acknowledged -> triaged: the guardian's risk assessment, and the categories as recorded
    for the national return (they may correct what the person chose)."""
    if not categories or set(categories) - set(CATEGORIES):
        raise ValidationError("Record at least one category.")
    case = _advance(case, Status.ACKNOWLEDGED, Status.TRIAGED, "triaged_on")
    case.risk = risk
    case.immediate_harm = immediate_harm
    for name in CATEGORIES:
        setattr(case, name, name in categories)
    case.protected_characteristic = protected_characteristic if case.discrimination else ""
    case.save()
    _audit(
        by,
        "case.triage",
        case=case,
        risk=risk,
        immediate_harm=immediate_harm,
        categories=sorted(categories),
    )
    return case


@transaction.atomic
def send_message(*, opened: OpenCase, body: str, by) -> Message:
    case = _locked(opened.case)
    if case.status == Status.EXPIRED:
        raise ValidationError("This case has expired.")
    message = _add_message(opened, author=Author.GUARDIAN, body=body, guardian=by)
    _audit(by, "case.message", case=case)
    return message


@transaction.atomic
def add_note(*, opened: OpenCase, body: str, by) -> Note:
    note = Note(id=uuid.uuid4(), case=opened.case, guardian=by, written_on=today())
    note.body = opened.seal(note.field, body)
    note.save(force_insert=True)
    _audit(by, "case.note", case=opened.case)
    return note


@transaction.atomic
def add_action(*, case: Case, description: str, owner, due_on: datetime.date, by) -> CaseAction:
    """An action with a named owner, someone holding a role at the case's organisation. The
    owner sees only ``description``."""
    case = _locked(case)
    _require_triaged(case)
    if not policy.holds_role_at(owner, case.organisation_id):
        raise ValidationError(
            f"{owner.get_full_name() or owner.get_username()} holds no role at "
            f"{case.organisation_id}: choose an owner from the organisation."
        )
    action = CaseAction.objects.create(
        case=case,
        description=description,
        owner=owner,
        due_on=due_on,
        created_on=today(),
        created_by=by,
    )
    _mark_actioned(case)
    _audit(by, "case.action", case=case, action_id=action.pk, owner=owner.pk, due_on=due_on)
    return action


@transaction.atomic
def complete_action(*, action: CaseAction, evidence: str, by) -> CaseAction:
    """The owner (or a guardian) records the action done, with its evidence."""
    if not evidence.strip():
        raise ValidationError("Say what was done: the evidence is required.")
    action = CaseAction.objects.select_for_update().select_related("case").get(pk=action.pk)
    if action.case.status == Status.EXPIRED:
        raise ValidationError("This case has expired and its details were destroyed.")
    if action.done_on:
        raise ValidationError("This action is already done.")
    action.done_on = today()
    action.evidence = evidence
    action.save(update_fields=["done_on", "evidence"])
    _audit(by, "case.action_done", case=action.case, action_id=action.pk)
    return action


@transaction.atomic
def refer(*, case: Case, kind: str, reference: str = "", by) -> Referral:
    """An onward referral (HR, safeguarding, patient-safety incident, counter-fraud, regulator).
    A conduct concern is :func:`candour.web.speakup.actions.conduct.refer_to_conduct`."""
    if kind == ReferralKind.CONDUCT:
        raise ValidationError("Refer a conduct concern with its own step (consent and summary).")
    case = _locked(case)
    _require_triaged(case)
    referral = Referral.objects.create(
        case=case, kind=kind, reference=reference, referred_on=today(), referred_by=by
    )
    _mark_actioned(case)
    _audit(by, "case.refer", case=case, kind=kind)
    return referral


@transaction.atomic
def give_feedback(*, opened: OpenCase, body: str, by) -> Case:
    """Actioned (or triaged) -> feedback given: the guardian tells the person what was done, or,
    for a concern looked into and not upheld or withdrawn, why nothing was (no action needed)."""
    case = opened.case
    if _locked(case).status == Status.TRIAGED:
        case = _advance(case, Status.TRIAGED, Status.FEEDBACK_GIVEN, "feedback_given_on")
    else:
        case = _advance(case, Status.ACTIONED, Status.FEEDBACK_GIVEN, "feedback_given_on")
    _add_message(opened, author=Author.GUARDIAN, body=body, guardian=by)
    _audit(by, "case.feedback", case=case)
    return case


@transaction.atomic
def close_case(*, opened: OpenCase, outcome: str, evidence: str, by) -> Case:
    """Close on recorded evidence, with an outcome; schedule the detriment check-ins.

    Needs feedback given and every action done (closure only on evidence, Francis)."""
    if not evidence.strip():
        raise ValidationError("Record the evidence the case is closed on.")
    case = _locked(opened.case)
    open_actions = case.actions.filter(done_on=None).count()
    if open_actions:
        raise ValidationError(
            f"{open_actions} action{'s are' if open_actions > 1 else ' is'} not done yet: "
            "a case closes only when every action has its evidence."
        )
    settings = config()
    _check_status(case, Status.FEEDBACK_GIVEN)
    case.status = Status.CLOSED
    case.closed_on = today()
    case.outcome = outcome
    case.closure_evidence = opened.seal("closure_evidence", evidence)
    case.expires_on = case.closed_on + datetime.timedelta(days=settings.retention_days)
    if settings.check_in_months:
        case.status = Status.DETRIMENT_WATCH
        CheckIn.objects.bulk_create(
            CheckIn(
                case=case, months_after_closure=months, due_on=add_months(case.closed_on, months)
            )
            for months in settings.check_in_months
        )
    case.save()
    _add_message(
        opened,
        author=Author.SYSTEM,
        body=(
            f"Your concern has been closed. Outcome: {case.get_outcome_display()}. "
            "Please tell us whether, given your experience, you would speak up again."
        ),
    )
    _audit(by, "case.close", case=case, outcome=outcome)
    return case


@transaction.atomic
def escalate_check_in(*, check_in: CheckIn, kind: str, reference: str = "", by) -> Referral:
    """A suspected or confirmed detriment is escalated by an onward referral."""
    check_in = CheckIn.objects.select_for_update().select_related("case").get(pk=check_in.pk)
    if check_in.answer not in ("suspected", "confirmed"):
        raise ValidationError("Only a suspected or confirmed detriment is escalated.")
    if check_in.escalated_on:
        raise ValidationError("This detriment has already been escalated.")
    referral = Referral.objects.create(
        case=check_in.case, kind=kind, reference=reference, referred_on=today(), referred_by=by
    )
    check_in.escalated_on = today()
    check_in.escalation = referral
    check_in.save(update_fields=["escalated_on", "escalation"])
    _audit(by, "case.escalate_detriment", case=check_in.case, kind=kind)
    return referral
