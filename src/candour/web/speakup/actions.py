"""Every speak-up write. Keyword-only arguments; ``by`` is the actor (a User, or
``system:<what>`` for the reporter's pages and commands); the audit event is written in the same
transaction.

What the audit log never holds: concern content, messages, names, receipts, addresses. Events
caused by the person speaking up (raising, replying, answering) are recorded against the
*organisation*, not the case, because the audit log's timestamps are exact to the microsecond
while the case keeps only the day: joining the two would time-stamp a reporter's visit.
Guardians' events name the case.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from candour import crypto
from candour.crypto import KeyPair, Receipt, RecoveryKey
from candour.web.core import audit
from candour.web.core.actions import actor_label, grant_role, revoke_role
from candour.web.core.models import RoleGrant
from candour.web.core.roles import Role
from candour.web.oversight.models import Organisation
from candour.web.speakup import policy, vault
from candour.web.speakup.choices import (
    CATEGORIES,
    OPEN_STATUSES,
    ApprovalStatus,
    Author,
    Channel,
    Route,
    SealedFor,
    Status,
    SummaryStatus,
)
from candour.web.speakup.conf import config
from candour.web.speakup.models import (
    Attachment,
    Case,
    CaseAction,
    CheckIn,
    GuardianAssignment,
    GuardianKeys,
    IdentityDisclosure,
    Message,
    Note,
    Referral,
    ReporterActivity,
    SealedKey,
    TurnedAway,
    WeDidSummary,
)
from candour.web.speakup.vault import OpenCase

REPORTER_FORM = "system:speak-up-form"
REPORTER_FOLLOW_UP = "system:speak-up-follow-up"

ACKNOWLEDGEMENT = (
    "Thank you for speaking up. I have received your concern and will look into it. "
    "You can reply here at any time."
)


class NoGuardianError(Exception):
    """The organisation has no guardian with keys: a concern raised there could not be read."""


def today() -> datetime.date:
    return timezone.localdate()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {day}")  # pragma: no cover - unreachable


def _audit(by, what: str, *, case: Case | None = None, organisation=None, **details) -> None:
    if case is not None:
        target_type, target_id = "speakup_case", str(case.pk)
    elif organisation is not None:
        target_type, target_id = "organisation", organisation.pk
    else:
        target_type, target_id = "speakup_keystore", ""
    audit.append(
        actor=actor_label(by),
        action=f"speakup.{what}",
        target_type=target_type,
        target_id=target_id,
        details=details,
    )


def _audit_guardian(by, what: str, user, **details) -> None:
    """An event about a guardian's own keys (the target is the user, not a case)."""
    audit.append(
        actor=actor_label(by),
        action=f"speakup.guardian.{what}",
        target_type="user",
        target_id=str(user.pk),
        details=details,
    )


# ------------------------------------------------------------------------------------ guardians


@transaction.atomic
def enrol_guardian(*, user, password: str, organisation_code: str, by) -> RecoveryKey:
    """Create the guardian's key pair from their password and assign them to an organisation.

    Returns the recovery key: show it once, for printing; it is stored nowhere. The guardian
    role is granted for the organisation if they do not hold it yet.
    """
    organisation = _organisation(organisation_code)
    if GuardianKeys.objects.filter(user=user).exists():
        raise ValidationError(f"{user.get_username()} already has guardian keys.")
    recovery_key = _store_new_keys(user=user, password=password)
    _audit(by, "guardian.enrol", organisation=organisation, user=user.pk)
    assign_guardian(user=user, organisation_code=organisation_code, by=by)
    return recovery_key


@transaction.atomic
def assign_guardian(*, user, organisation_code: str, by) -> GuardianAssignment:
    """Concerns raised at this organisation from now on are sealed to this guardian too."""
    organisation = _organisation(organisation_code)
    if not GuardianKeys.objects.filter(user=user).exists():
        raise ValidationError(f"{user.get_username()} has no guardian keys yet: enrol them first.")
    grant_role(user=user, role=Role.GUARDIAN, organisation_code=organisation.pk, by=by)
    assignment, created = GuardianAssignment.objects.get_or_create(
        guardian=user, organisation=organisation, defaults={"assigned_on": today()}
    )
    if created:
        _audit(by, "guardian.assign", organisation=organisation, user=user.pk)
    return assignment


@transaction.atomic
def unassign_guardian(*, user, organisation_code: str, by) -> int:
    """Stop a guardian receiving this organisation's concerns, and take away their sealed keys
    to its cases. Refused while a case there is sealed to nobody else (hand it over first), so
    no case is left unreadable. Returns the number of sealed keys removed."""
    organisation = _organisation(organisation_code)
    assignment = GuardianAssignment.objects.filter(guardian=user, organisation=organisation)
    if not assignment.exists():
        raise ValidationError(f"{user.get_username()} is not a guardian of {organisation.pk}.")
    theirs = SealedKey.objects.filter(
        guardian=user, purpose=SealedFor.CASE, case__organisation=organisation
    ).values_list("case_id", flat=True)
    shared = (
        SealedKey.objects.filter(case_id__in=theirs, purpose=SealedFor.CASE, guardian__isnull=False)
        .exclude(guardian=user)
        .values_list("case_id", flat=True)
    )
    sole = set(theirs) - set(shared)
    if sole:
        raise ValidationError(
            f"{len(sole)} case(s) at {organisation.pk} can be read only by "
            f"{user.get_username()}: they must hand them over to another guardian first."
        )
    removed, _ = SealedKey.objects.filter(guardian=user, case__organisation=organisation).delete()
    assignment.delete()
    revoke_role(user=user, role=Role.GUARDIAN, organisation_code=organisation.pk, by=by)
    _audit(by, "guardian.unassign", organisation=organisation, user=user.pk, sealed_keys=removed)
    return removed


@transaction.atomic
def replace_guardian_keys(*, user, password: str, by) -> RecoveryKey:
    """A new key pair for a guardian whose password and recovery key are both lost.

    Their sealed keys to cases can no longer be opened by anyone, so they are deleted; another
    guardian of each case can share it with them again. Returns the new recovery key.
    """
    dropped, _ = SealedKey.objects.filter(guardian=user).delete()
    GuardianKeys.objects.filter(user=user).delete()
    recovery_key = _store_new_keys(user=user, password=password)
    _audit_guardian(by, "replace_keys", user, sealed_keys_dropped=dropped)
    return recovery_key


@transaction.atomic
def reset_guardian_password(*, user, recovery_key: str, new_password: str, by) -> None:
    """Re-wrap a guardian's keys under their (new) password, using the printed recovery key."""
    keys = GuardianKeys.objects.select_for_update().get(user=user)
    keyring = crypto.reset_password(
        vault.keyring_of(keys), recovery_key=recovery_key, new_password=new_password
    )
    keys.key_by_password = keyring.by_password
    keys.save(update_fields=["key_by_password"])
    _audit_guardian(by, "reset_password", user)


@transaction.atomic
def confirm_recovery_key(*, user, recovery_key: str, by) -> None:
    """The guardian typed their recovery key back and it unlocks their keys."""
    keys = GuardianKeys.objects.select_for_update().get(user=user)
    crypto.unlock_with_recovery_key(vault.keyring_of(keys), recovery_key)
    keys.recovery_key_confirmed_on = today()
    keys.save(update_fields=["recovery_key_confirmed_on"])
    _audit_guardian(by, "confirm_recovery_key", user)


@transaction.atomic
def new_recovery_key(*, user, password: str, by) -> RecoveryKey:
    """Retire the printed recovery key and make a new one (the password unlocks the keys)."""
    keys = GuardianKeys.objects.select_for_update().get(user=user)
    keyring, recovery_key = crypto.replace_recovery_key(vault.keyring_of(keys), password=password)
    keys.key_by_recovery_key = keyring.by_recovery_key
    keys.recovery_key_confirmed_on = None
    keys.save(update_fields=["key_by_recovery_key", "recovery_key_confirmed_on"])
    _audit_guardian(by, "new_recovery_key", user)
    return recovery_key


def _store_new_keys(*, user, password: str) -> RecoveryKey:
    keyring, recovery_key = crypto.create_guardian_keys(password)
    GuardianKeys.objects.create(
        user=user,
        public_key=keyring.public_key,
        key_by_password=keyring.by_password,
        key_by_recovery_key=keyring.by_recovery_key,
        created_on=today(),
    )
    return recovery_key


def _organisation(organisation_code: str) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_code.upper()).first()
    if organisation is None:
        raise ValidationError(f"No organisation has the ODS code {organisation_code!r}.")
    return organisation


def readers_of(organisation: Organisation) -> list[GuardianKeys]:
    """The keys of every active guardian assigned to the organisation who still holds the
    guardian role, unscoped or for this organisation (revoking it stops new concerns being
    sealed to them)."""
    with_role = RoleGrant.objects.filter(
        role=Role.GUARDIAN, organisation_code__in=["", organisation.pk]
    ).values("user_id")
    return list(
        GuardianKeys.objects.filter(
            user__guardian_assignments__organisation=organisation,
            user__is_active=True,
            user_id__in=with_role,
        ).order_by("user_id")
    )


# ----------------------------------------------------------------------------------- reporters


def _count_activity(organisation: Organisation, kind: str) -> None:
    """Count what a person speaking up did, for the day only (see :class:`ReporterActivity`)."""
    row, _ = ReporterActivity.objects.get_or_create(
        organisation=organisation, day=today(), kind=kind
    )
    ReporterActivity.objects.filter(pk=row.pk).update(count=F("count") + 1)


def audit_reporter_activity(*, before: datetime.date, by) -> int:
    """Write each finished day's counts of what people speaking up did (and of those turned
    away for want of a guardian) to the audit log, once. Returns the number of events."""
    events = 0
    for row in ReporterActivity.objects.filter(day__lt=before, audited=False).order_by(
        "day", "organisation_id", "kind"
    ):
        with transaction.atomic():
            if ReporterActivity.objects.filter(pk=row.pk, audited=False).update(audited=True):
                _audit(
                    by,
                    f"reporter.{row.kind}",
                    organisation=row.organisation,
                    day=row.day.isoformat(),
                    count=row.count,
                )
                events += 1
    for seen in TurnedAway.objects.filter(seen_on__lt=before, audited=False).order_by(
        "seen_on", "organisation_id"
    ):
        with transaction.atomic():
            if TurnedAway.objects.filter(pk=seen.pk, audited=False).update(audited=True):
                _audit(
                    by,
                    "no_guardian",
                    organisation=seen.organisation,
                    day=seen.seen_on.isoformat(),
                    attempts=seen.attempts,
                )
                events += 1
    return events


@dataclass(frozen=True, repr=False)
class Upload:
    """An attachment as received, already cleaned by :func:`candour.crypto.strip_metadata`:
    its bytes (in memory), name, declared type and the format cleaned ("" if none)."""

    name: str
    content_type: str
    data: bytes
    cleaned_format: str = ""

    def __repr__(self) -> str:
        return "Upload(<hidden>)"


@dataclass(frozen=True)
class Submitted:
    case: Case
    receipt: Receipt


@transaction.atomic
def submit_concern(
    *,
    organisation: Organisation,
    route: str,
    narrative: str,
    location: str = "",
    happened_on: datetime.date | None = None,
    categories: list[str],
    protected_characteristic: str = "",
    professional_group: str,
    raised_before: str,
    detriment_at_intake: str,
    identity: str = "",
    attachment: Upload | None = None,
    channel: str = Channel.WEB,
    by,
) -> Submitted:
    """Raise a concern: encrypt it, seal its key to every guardian and to a new receipt.

    :class:`NoGuardianError` when the organisation has no guardian (nobody could read it).
    ``attachment`` must already be cleaned (see :class:`Upload`).
    """
    guardians = readers_of(organisation)
    if not guardians:
        raise NoGuardianError(organisation.pk)
    unknown = set(categories) - set(CATEGORIES)
    if unknown or not categories:
        raise ValidationError("Choose at least one kind of concern.")
    if route != Route.ANONYMOUS and not identity.strip():
        raise ValidationError("Give your name and how to contact you, or speak up anonymously.")
    receipt = crypto.new_receipt()
    case = Case(
        id=uuid.uuid4(),
        organisation=organisation,
        route=route,
        channel=channel,
        received_on=today(),
        protected_characteristic=protected_characteristic if "discrimination" in categories else "",
        professional_group=professional_group,
        raised_before=raised_before,
        detriment_at_intake=detriment_at_intake,
        receipt_lookup=vault.receipt_lookup(receipt),
        **{name: name in categories for name in CATEGORIES},
    )
    case_key = crypto.new_case_key(str(case.id))
    opened = OpenCase(case=case, key=case_key)
    case.narrative = opened.seal("narrative", narrative)
    case.location = opened.seal("location", location) if location else None
    case.happened_on = opened.seal("happened_on", happened_on.isoformat()) if happened_on else None
    identity_key = None
    if route != Route.ANONYMOUS:
        identity_key = crypto.new_identity_key(str(case.id))
        case.identity = crypto.encrypt_identity(identity_key, identity.strip())
    retention_key = vault.keystore().create(case.id)  # durable before the rows that need it
    case.save(force_insert=True)
    reporter = vault.reporter_keypair(vault.reporter_seed(receipt))
    SealedKey.objects.bulk_create(
        vault.sealed_rows(
            case,
            retention_key=retention_key,
            case_key=case_key,
            identity_key=identity_key,
            guardians=guardians,
            reporter_public_key=reporter.public_key,
        )
    )
    if attachment is not None:
        _store_attachment(opened, attachment)
    if isinstance(by, str):  # the person themselves, through the form: counted, not timed
        _count_activity(organisation, ReporterActivity.Kind.CONCERN)
    else:  # a guardian recording a concern they received
        _audit(by, "concern.record", case=case)
    return Submitted(case=case, receipt=receipt)


def _store_attachment(opened: OpenCase, upload: Upload) -> Attachment:
    attachment_id = uuid.uuid4()
    return Attachment.objects.create(
        id=attachment_id,
        case=opened.case,
        description=opened.seal(
            f"attachment-name:{attachment_id}", f"{upload.name}\n{upload.content_type}"
        ),
        content=opened.seal_attachment(str(attachment_id), upload.data),
        cleaned_format=upload.cleaned_format,
    )


@transaction.atomic
def record_turned_away(*, organisation: Organisation, by) -> TurnedAway:
    """Someone found no guardian at this organisation: counted for the day (administrators see
    it on the coverage page; the daily job writes the day's count to the audit log)."""
    seen, created = TurnedAway.objects.get_or_create(organisation=organisation, seen_on=today())
    if not created:
        TurnedAway.objects.filter(pk=seen.pk).update(attempts=F("attempts") + 1)
    return seen


@transaction.atomic
def reporter_reply(*, opened: OpenCase, body: str, by) -> Message:
    """The person who spoke up writes to their guardian (through their receipt)."""
    case = _locked(opened.case)
    if case.status == Status.EXPIRED:
        raise ValidationError("This concern has been closed and its details destroyed.")
    message = _add_message(opened, author=Author.REPORTER, body=body)
    _count_activity(case.organisation, ReporterActivity.Kind.REPLY)
    return message


@transaction.atomic
def answer_speak_up_again(
    *, opened: OpenCase, answer: str, comment: str = "", author: str = Author.REPORTER, by
) -> Case:
    """ "Given your experience, would you speak up again?", once the case is closed."""
    case = _locked(opened.case)
    if case.status not in (Status.DETRIMENT_WATCH, Status.CLOSED):
        raise ValidationError("This question is asked once the concern is closed.")
    if case.speak_up_again:
        raise ValidationError("This question has already been answered.")
    case.speak_up_again = answer
    case.speak_up_again_on = today()
    case.speak_up_again_comment = (
        opened.seal("speak_up_again_comment", comment) if comment else None
    )
    case.save(update_fields=["speak_up_again", "speak_up_again_on", "speak_up_again_comment"])
    if author == Author.REPORTER:
        _count_activity(case.organisation, ReporterActivity.Kind.SPEAK_UP_AGAIN)
    else:
        _audit(by, "case.speak_up_again", case=case, answer=answer)
    return case


@transaction.atomic
def answer_check_in(
    *,
    opened: OpenCase,
    check_in: CheckIn,
    answer: str,
    comment: str = "",
    author: str = Author.REPORTER,
    by,
) -> CheckIn:
    """Record a detriment check-in (none / suspected / confirmed). When the last one is in, a
    case in detriment watch becomes closed."""
    case = _locked(opened.case)
    check_in = CheckIn.objects.select_for_update().get(pk=check_in.pk, case=case)
    if check_in.answered_on:
        raise ValidationError("This check-in has already been answered.")
    if author == Author.REPORTER and check_in.due_on > today():
        raise ValidationError("This check-in is not due yet.")
    check_in.answer = answer
    check_in.answered_on = today()
    check_in.answered_by = author
    check_in.comment = opened.seal(check_in.field, comment) if comment else None
    check_in.save(update_fields=["answer", "answered_on", "answered_by", "comment"])
    if case.status == Status.DETRIMENT_WATCH and not case.check_ins.filter(answered_on=None):
        case.status = Status.CLOSED
        case.save(update_fields=["status"])
    if author == Author.REPORTER:
        _count_activity(case.organisation, ReporterActivity.Kind.CHECK_IN)
    else:
        _audit(by, "case.check_in", case=case, months=check_in.months_after_closure, answer=answer)
    return check_in


# ---------------------------------------------------------------------------- guardians' cases


@transaction.atomic
def record_case_read(*, case: Case, by) -> None:
    """A guardian opened the case: who and when, never what."""
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
    """An action with a named owner. The owner sees only ``description``."""
    case = _locked(case)
    _require_triaged(case)
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
    """An onward referral (HR, safeguarding, patient-safety incident, counter-fraud, regulator)."""
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


@transaction.atomic
def set_legal_hold(*, case: Case, hold: bool, by) -> Case:
    """A case on legal hold is never expired."""
    Case.objects.filter(pk=case.pk).update(legal_hold=hold)
    case.legal_hold = hold
    _audit(by, "case.legal_hold", case=case, hold=hold)
    return case


# ---------------------------------------------------------------------------------- identity


@transaction.atomic
def request_disclosure(*, case: Case, reason: str, by) -> IdentityDisclosure:
    """Ask to read a confidential reporter's identity; a second person must approve."""
    if case.route != Route.CONFIDENTIAL or case.identity is None:
        raise ValidationError("Only a confidential concern has an identity to disclose.")
    if not reason.strip():
        raise ValidationError("Give the reason the identity is needed.")
    if case.disclosures.filter(requested_by=by, status=ApprovalStatus.REQUESTED).exists():
        raise ValidationError("You have already asked; it is waiting for a second approver.")
    disclosure = IdentityDisclosure.objects.create(
        case=case, requested_by=by, requested_on=today(), reason=reason
    )
    _audit(by, "identity.request", case=case, disclosure=disclosure.pk)
    return disclosure


@transaction.atomic
def decide_disclosure(*, disclosure: IdentityDisclosure, approve: bool, by) -> IdentityDisclosure:
    """The second approver's decision: another guardian of the organisation or a board member
    granted for it, never the requester."""
    disclosure = IdentityDisclosure.objects.select_for_update().get(pk=disclosure.pk)
    case = disclosure.case
    if disclosure.status != ApprovalStatus.REQUESTED:
        raise ValidationError("This request has already been decided.")
    if not policy.can_second(
        by, organisation_code=case.organisation_id, author=disclosure.requested_by
    ):
        raise ValidationError(
            "A second approver is another guardian of this organisation or one of its board "
            "members, not the person who asked."
        )
    disclosure.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REFUSED
    disclosure.decided_by = by
    disclosure.decided_on = today()
    disclosure.save(update_fields=["status", "decided_by", "decided_on"])
    _audit(
        by,
        "identity.approve" if approve else "identity.refuse",
        case=case,
        disclosure=disclosure.pk,
    )
    return disclosure


@transaction.atomic
def reveal_identity(*, opened: OpenCase, keypair: KeyPair, by) -> str:
    """Open the identity envelope. Open route: any assigned guardian. Confidential route: only
    the requester of an approved disclosure, and the person who spoke up is told (once per
    disclosure) in a message on their case. Audited every time."""
    case = _locked(opened.case)
    disclosure = None
    if case.route == Route.CONFIDENTIAL:
        disclosure = (
            case.disclosures.filter(requested_by=by, status=ApprovalStatus.APPROVED)
            .order_by("-decided_on", "-id")
            .first()
        )
        if disclosure is None:
            raise ValidationError("Reading this identity needs an approved disclosure request.")
    elif case.route != Route.OPEN:
        raise ValidationError("An anonymous concern has no identity.")
    identity = vault.open_identity(case, keypair, guardian_id=by.pk)
    if disclosure is not None and disclosure.reporter_told_on is None:
        disclosure.reporter_told_on = today()
        disclosure.save(update_fields=["reporter_told_on"])
        _add_message(
            opened,
            author=Author.SYSTEM,
            body=(
                f"Your name and contact details were shared with your guardian on "
                f"{today():%-d %B %Y}, approved by a second person (disclosure {disclosure.pk}). "
                f"The reason given: {disclosure.reason}"
            ),
        )
    _audit(by, "identity.read", case=case, disclosure=disclosure.pk if disclosure else None)
    return identity


# ---------------------------------------------------------------------------------- handover


@transaction.atomic
def share_case(*, case: Case, keypair: KeyPair, to_guardian, by) -> int:
    """Re-seal a case's keys (case and identity) to another enrolled guardian, who must be
    assigned to the case's organisation. Returns the number of keys sealed."""
    to_keys = GuardianKeys.objects.filter(user=to_guardian).first()
    if to_keys is None:
        raise ValidationError(f"{to_guardian.get_username()} has no guardian keys yet.")
    if not policy.is_assigned_guardian(to_guardian, case.organisation_id):
        raise ValidationError(
            f"{to_guardian.get_username()} is not a guardian of {case.organisation_id}."
        )
    sealed = 0
    for row in SealedKey.objects.filter(case=case, guardian=by):
        resealed = crypto.hand_over(
            vault.unwrap(row),
            keypair=keypair,
            case_id=str(case.pk),
            to_public_key=bytes(to_keys.public_key),
        )
        resealed = vault.wrap(case, vault.keystore().get(case.pk), row.purpose, resealed)
        SealedKey.objects.update_or_create(
            case=case,
            purpose=row.purpose,
            guardian=to_guardian,
            defaults={"public_key": bytes(to_keys.public_key), "sealed": resealed},
        )
        sealed += 1
    if not sealed:
        raise vault.NoAccess
    _audit(by, "case.share", case=case, to_guardian=to_guardian.pk)
    return sealed


@transaction.atomic
def hand_over_cases(
    *, cases: list[Case], keypair: KeyPair, to_guardian, remove_own_access: bool, by
) -> int:
    """Share every case with a successor and, optionally, give up one's own access (the
    successor must then hold every key first). Returns the number of cases handed over."""
    for case in cases:
        share_case(case=case, keypair=keypair, to_guardian=to_guardian, by=by)
        if remove_own_access:
            SealedKey.objects.filter(case=case, guardian=by).delete()
            _audit(by, "case.give_up_access", case=case)
    return len(cases)


# ------------------------------------------------------------------------- you said, we did


@transaction.atomic
def write_summary(
    *, organisation: Organisation, theme: str, you_said: str, we_did: str, by
) -> WeDidSummary:
    if theme not in CATEGORIES:
        raise ValidationError("Choose a theme.")
    if not policy.is_assigned_guardian(by, organisation.pk):
        raise ValidationError(f"You are not a guardian of {organisation.pk}.")
    summary = WeDidSummary.objects.create(
        organisation=organisation,
        theme=theme,
        you_said=you_said,
        we_did=we_did,
        written_by=by,
        written_on=today(),
    )
    _audit(by, "summary.write", organisation=organisation, summary=summary.pk)
    return summary


@transaction.atomic
def decide_summary(*, summary: WeDidSummary, approve: bool, by) -> WeDidSummary:
    """Publish (or send back) a summary: a second person must approve it."""
    summary = WeDidSummary.objects.select_for_update().get(pk=summary.pk)
    if summary.status != SummaryStatus.DRAFT:
        raise ValidationError("This summary has already been decided.")
    if not policy.can_second(
        by, organisation_code=summary.organisation_id, author=summary.written_by
    ):
        raise ValidationError(
            "A summary is approved by a board member of the organisation or another of its "
            "guardians, not by the person who wrote it."
        )
    summary.status = SummaryStatus.PUBLISHED if approve else SummaryStatus.WITHDRAWN
    summary.approved_by = by if approve else None
    summary.published_on = today() if approve else None
    summary.save(update_fields=["status", "approved_by", "published_on"])
    _audit(
        by,
        "summary.publish" if approve else "summary.reject",
        organisation=summary.organisation,
        summary=summary.pk,
    )
    return summary


# --------------------------------------------------------------------------------- retention


@dataclass(frozen=True)
class Shredded:
    case_id: str
    organisation: str
    sealed_keys: int
    ciphertexts: int
    shared_texts: int


@transaction.atomic
def shred_case(*, case: Case, by) -> Shredded:
    """Crypto-shred a case: destroy its retention key (outside the database, so every earlier
    copy of the database is blinded too), then delete every sealed key and every ciphertext.
    The metadata row stays (status expired) for past returns.

    The key goes first: if the database work then fails, the case is already unreadable and
    the next run of the expiry job finishes it."""
    case = _locked(case)
    if case.legal_hold:
        raise ValidationError("This case is on legal hold.")
    vault.keystore().destroy(case.pk)
    sealed_keys, _ = SealedKey.objects.filter(case=case).delete()
    ciphertexts = 0
    ciphertexts += Attachment.objects.filter(case=case).delete()[0]
    ciphertexts += Note.objects.filter(case=case).delete()[0]
    ciphertexts += Message.objects.filter(case=case).delete()[0]
    ciphertexts += CheckIn.objects.filter(case=case).exclude(comment=None).update(comment=None)
    sealed_columns = (
        "location",
        "happened_on",
        "identity",
        "closure_evidence",
        "speak_up_again_comment",
    )
    ciphertexts += 1 + sum(getattr(case, column) is not None for column in sealed_columns)
    case.narrative = b""
    for column in sealed_columns:
        setattr(case, column, None)
    case.status = Status.EXPIRED
    case.shredded_on = today()
    case.save()
    # the plaintext a guardian wrote for people without the key goes too (the rows stay, counted)
    shared_texts = (
        CaseAction.objects.filter(case=case).update(description="", evidence="")
        + Referral.objects.filter(case=case).exclude(reference="").update(reference="")
        + IdentityDisclosure.objects.filter(case=case).update(reason="")
    )
    _audit(
        by,
        "case.shred",
        case=case,
        sealed_keys=sealed_keys,
        ciphertexts=ciphertexts,
        shared_texts=shared_texts,
    )
    return Shredded(str(case.pk), case.organisation_id, sealed_keys, ciphertexts, shared_texts)


def expire_cases(*, on: datetime.date | None = None, by) -> list[Shredded]:
    """Shred every closed case whose retention ended on or before ``on`` (default today),
    except those on legal hold. Each case is its own transaction and audit event."""
    day = on or today()
    due = Case.objects.filter(
        status__in=[Status.CLOSED, Status.DETRIMENT_WATCH],
        expires_on__lte=day,
        legal_hold=False,
    ).order_by("expires_on", "id")
    return [shred_case(case=case, by=by) for case in due]


ORPHAN_QUERY_BATCH = 500  # case ids per query (well under SQLite's 32,766 variables)
# How many of the most recent unexpired cases must have their key before orphans are deleted.
KEYSTORE_MATCH_SAMPLE = 100


class KeyStoreMismatch(ValidationError):
    """The key store does not belong to this database: deleting "orphans" would shred cases."""


def orphan_keys() -> list[str]:
    """Retention keys whose case is not in the database and that are old enough not to belong
    to a submission still in its transaction: left by submissions that rolled back."""
    settled = vault.keystore().settled()
    orphans = []
    for start in range(0, len(settled), ORPHAN_QUERY_BATCH):
        batch = settled[start : start + ORPHAN_QUERY_BATCH]
        known = {str(pk) for pk in Case.objects.filter(pk__in=batch).values_list("pk", flat=True)}
        orphans += [case_id for case_id in batch if case_id not in known]
    return orphans


def check_keystore_matches_database() -> None:
    """:class:`KeyStoreMismatch` unless the key store holds the keys of this database's cases:
    the most recent unexpired cases all have theirs, and some settled key has its case here."""
    store = vault.keystore()
    recent = Case.objects.exclude(status=Status.EXPIRED).order_by("-received_on", "-pk")
    missing = [case.pk for case in recent[:KEYSTORE_MATCH_SAMPLE] if not store.has(case.pk)]
    settled = store.settled()
    if missing or (settled and len(orphan_keys()) == len(settled)):
        raise KeyStoreMismatch(
            f"the key store {store.directory} does not match this database "
            f"({len(missing)} recent case(s) without a key; "
            f"{len(settled)} settled key(s)): check CANDOUR_SPEAKUP_KEYSTORE and the database "
            "settings. Nothing was deleted."
        )


def delete_orphan_keys(*, by) -> list[str]:
    """Delete the :func:`orphan_keys`, after :func:`check_keystore_matches_database`. Audited."""
    check_keystore_matches_database()
    orphans = orphan_keys()
    store = vault.keystore()
    for case_id in orphans:
        store.destroy(case_id)
    if orphans:
        with transaction.atomic():
            _audit(by, "keystore.delete_orphans", orphan_keys=len(orphans))
    return orphans


# ----------------------------------------------------------------------------------- helpers

STATUS_ORDER = [*OPEN_STATUSES, Status.DETRIMENT_WATCH, Status.CLOSED, Status.EXPIRED]


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)


def _check_status(case: Case, expected: str) -> None:
    if case.status != expected:
        raise ValidationError(
            f"This case is {case.get_status_display().lower()}; that step is for a case that is "
            f"{Status(expected).label.lower()}."
        )


def _advance(case: Case, expected: str, to: str, date_field: str) -> Case:
    case = _locked(case)
    _check_status(case, expected)
    case.status = to
    setattr(case, date_field, today())
    case.save()
    return case


def _require_triaged(case: Case) -> None:
    if STATUS_ORDER.index(case.status) < STATUS_ORDER.index(Status.TRIAGED):
        raise ValidationError("Triage the case before recording actions or referrals.")
    if case.status not in OPEN_STATUSES:
        raise ValidationError("This case is closed.")


def _mark_actioned(case: Case) -> None:
    if case.status == Status.TRIAGED:
        case.status = Status.ACTIONED
        case.actioned_on = today()
        case.save(update_fields=["status", "actioned_on"])


def _add_message(opened: OpenCase, *, author: str, body: str, guardian=None) -> Message:
    if not body.strip():
        raise ValidationError("Write a message.")
    last = Message.objects.filter(case=opened.case).aggregate(last=Max("sequence"))["last"]
    message = Message(
        id=uuid.uuid4(),
        case=opened.case,
        sequence=(last or 0) + 1,
        author=author,
        guardian=guardian,
        sent_on=today(),
    )
    message.body = opened.seal(message.field, body)
    message.save(force_insert=True)
    return message


def sealed_for(case: Case, user) -> bool:
    """Whether ``user`` holds a sealed case key for this case."""
    return SealedKey.objects.filter(case=case, guardian=user, purpose=SealedFor.CASE).exists()
