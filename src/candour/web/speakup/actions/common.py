"""What every speak-up action shares: the actors, the audit helpers, the day, the case's
status steps and who reads an organisation's concerns."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from candour.web.core import audit
from candour.web.core.actions import actor_label
from candour.web.core.models import RoleGrant
from candour.web.core.roles import Role
from candour.web.oversight.models import Organisation
from candour.web.speakup.choices import (
    OPEN_STATUSES,
    SealedFor,
    Status,
)
from candour.web.speakup.models import (
    Case,
    GuardianKeys,
    Message,
    SealedKey,
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
