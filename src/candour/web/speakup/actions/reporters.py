"""What the person speaking up does: raise a concern, reply, answer; counted per day, never timed."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from candour import crypto
from candour.crypto import Receipt
from candour.web.oversight.models import Organisation
from candour.web.speakup import vault
from candour.web.speakup.actions.common import (
    NoGuardianError,
    _add_message,
    _audit,
    _locked,
    readers_of,
    today,
)
from candour.web.speakup.choices import (
    CATEGORIES,
    Author,
    Channel,
    Route,
    Status,
)
from candour.web.speakup.models import (
    Attachment,
    Case,
    CheckIn,
    GuardianRead,
    Message,
    ReporterActivity,
    SealedKey,
    TurnedAway,
)
from candour.web.speakup.vault import OpenCase

# ----------------------------------------------------------------------------------- reporters


def _count_activity(organisation: Organisation, kind: str, case: Case | None = None) -> None:
    """Count what a person speaking up did, for the day only (see :class:`ReporterActivity`),
    for the audit log and the guardians' notification (both daily jobs), and, on an existing
    case, one more update for its guardians to read (the unread marker): counts, never times."""
    row, _ = ReporterActivity.objects.get_or_create(
        organisation=organisation, day=today(), kind=kind
    )
    ReporterActivity.objects.filter(pk=row.pk).update(count=F("count") + 1, notified=False)
    if case is not None:
        Case.objects.filter(pk=case.pk).update(reporter_updates=F("reporter_updates") + 1)


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
    else:  # a guardian recording a concern they received (and so has seen it)
        GuardianRead.objects.create(case=case, guardian=by, seen=case.reporter_updates)
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
        added_on=today(),
    )


@transaction.atomic
def reporter_add_file(*, opened: OpenCase, upload: Upload, by) -> Attachment:
    """The person who spoke up adds a file to their concern later, through their receipt: its
    metadata already stripped (see :class:`Upload`), then sealed like the first."""
    case = _locked(opened.case)
    if case.status == Status.EXPIRED:
        raise ValidationError("This concern has been closed and its details destroyed.")
    attachment = _store_attachment(opened, upload)
    _count_activity(case.organisation, ReporterActivity.Kind.FILE, case)
    return attachment


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
    _count_activity(case.organisation, ReporterActivity.Kind.REPLY, case)
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
        _count_activity(case.organisation, ReporterActivity.Kind.SPEAK_UP_AGAIN, case)
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
        _count_activity(case.organisation, ReporterActivity.Kind.CHECK_IN, case)
    else:
        _audit(by, "case.check_in", case=case, months=check_in.months_after_closure, answer=answer)
    return check_in
