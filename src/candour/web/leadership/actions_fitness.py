"""Every write to fit-and-proper records and board references, and their retention.

Keyword-only arguments, ``by`` the actor, one transaction with the audit event; the rules of
:mod:`candour.web.leadership.policy` (the chair and the named administrators; only the chair
signs off) are checked here as well as on the pages. Audit events name the record, the
organisation and the year: never a check's result, the evidence's whereabouts or what a
reference says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candour.analytics.leadership.retention import latest_birth_date_expired
from candour.web.core import audit
from candour.web.core.access import has_role_for
from candour.web.core.actions import actor_label
from candour.web.leadership import policy
from candour.web.leadership.models import (
    BoardOfficer,
    BoardReference,
    ConductConcern,
    FitAndProperCheck,
    FitAndProperRecord,
    Person,
)
from candour.web.leadership.models_fitness import FPPT_CHECK_LABELS


def today() -> dt.date:
    return timezone.localdate()


def _audit(by, what: str, record: FitAndProperRecord, **details) -> None:
    audit.append(
        actor=actor_label(by),
        action=f"fppt.{what}",
        target_type="fppt_record",
        target_id=record.pk,
        details={"organisation": record.organisation_id, "year": record.year, **details},
    )


# ------------------------------------------------------------------------- officers, people


def person_or_officer(by, organisation, kind: str | None = None):
    """Who a record names as having done something: ``by`` when a person did it; for a
    ``system:`` actor (the demo, commands), the organisation's named chair or, without ``kind``,
    its first named officer."""
    if policy.is_person(by):
        return by
    officers = BoardOfficer.objects.filter(organisation=organisation).order_by("kind", "pk")
    officer = (officers.filter(kind=kind) if kind else officers).first()
    if officer is None:
        raise ValidationError(f"{organisation.pk} has no named {kind or 'chair or administrator'}.")
    return officer.user


@transaction.atomic
def name_board_officer(*, organisation, user, kind: str, by) -> BoardOfficer:
    """Name ``user`` the organisation's chair or one of its fit-and-proper administrators."""
    if kind not in BoardOfficer.Kind.values:
        raise ValidationError(f"Unknown kind {kind!r}.")
    if not has_role_for(user, policy.FPPT_ROLES, organisation):
        raise ValidationError(
            f"{user.get_username()} holds no board or administrator role for {organisation.pk}."
        )
    if kind == BoardOfficer.Kind.CHAIR and not has_role_for(user, policy.CHAIR_ROLES, organisation):
        raise ValidationError("The chair holds the board role for the organisation.")
    officer, created = BoardOfficer.objects.get_or_create(
        organisation=organisation, user=user, kind=kind, defaults={"named_on": today()}
    )
    if created:
        audit.append(
            actor=actor_label(by),
            action="board_officer.name",
            target_type="user",
            target_id=user.pk,
            details={"organisation": organisation.pk, "kind": kind},
        )
    return officer


@transaction.atomic
def remove_board_officer(*, organisation, user, kind: str, by) -> int:
    deleted, _ = BoardOfficer.objects.filter(
        organisation=organisation, user=user, kind=kind
    ).delete()
    if deleted:
        audit.append(
            actor=actor_label(by),
            action="board_officer.remove",
            target_type="user",
            target_id=user.pk,
            details={"organisation": organisation.pk, "kind": kind},
        )
    return deleted


@transaction.atomic
def register_person(
    *,
    person_id: str,
    name: str,
    organisation,
    by,
    date_of_birth: dt.date | None = None,
    user=None,
    synthetic: bool = False,
) -> Person:
    """Create or update a person (a board member, an incoming chief executive) by the ledger's
    identifier. A date of birth already held is kept unless a new one is given."""
    if not person_id.strip() or not name.strip():
        raise ValidationError("A person needs an identifier and a name.")
    if date_of_birth is not None and date_of_birth >= today():
        raise ValidationError("The date of birth must be in the past.")
    person, created = Person.objects.get_or_create(
        person_id=person_id.strip(),
        defaults={"name": name.strip(), "organisation": organisation, "synthetic": synthetic},
    )
    person.name = name.strip()
    person.organisation = organisation or person.organisation
    if date_of_birth is not None:
        person.date_of_birth = date_of_birth
    if user is not None:
        person.user = user
    person.save()
    audit.append(
        actor=actor_label(by),
        action="person.create" if created else "person.update",
        target_type="person",
        target_id=person.pk,
        details={
            "linked_account": user is not None,
            "date_of_birth_given": date_of_birth is not None,
        },
    )
    return person


# --------------------------------------------------------------------------------- records


def _require_reader(by, organisation) -> None:
    if policy.is_person(by):
        policy.require(policy.can_read_fppt(by, organisation), "not a named FPPT officer here")


def _locked(record: FitAndProperRecord) -> FitAndProperRecord:
    return (
        FitAndProperRecord.objects.select_for_update()
        .select_related("organisation", "person")
        .get(pk=record.pk)
    )


def _require_not_submitted(record: FitAndProperRecord) -> None:
    if record.submitted_on is not None:
        raise ValidationError("This record has been submitted to the region and is closed.")


@transaction.atomic
def start_fppt_record(
    *, organisation, person: Person, year: int, by, post=None, synthetic: bool = False
) -> FitAndProperRecord:
    _require_reader(by, organisation)
    if post is not None and post.organisation_id != organisation.pk:
        raise ValidationError("The post is not on this organisation's board.")
    if FitAndProperRecord.objects.filter(
        organisation=organisation, person=person, year=year
    ).exists():
        raise ValidationError(f"{person.name} already has a record for {year} here.")
    record = FitAndProperRecord.objects.create(
        organisation=organisation,
        person=person,
        year=year,
        post=post,
        created_on=today(),
        synthetic=synthetic,
    )
    _audit(by, "start", record)
    return record


@transaction.atomic
def add_fppt_check(
    *,
    record: FitAndProperRecord,
    kind: str,
    checked_on: dt.date,
    result: str,
    evidence_held_at: str,
    by,
) -> FitAndProperCheck:
    record = _locked(record)
    _require_reader(by, record.organisation)
    _require_not_submitted(record)
    if kind not in FPPT_CHECK_LABELS:
        raise ValidationError(f"Unknown check {kind!r}.")
    if result not in FitAndProperCheck.Result.values:
        raise ValidationError(f"Unknown result {result!r}.")
    if checked_on > today():
        raise ValidationError("A check cannot be dated in the future.")
    if not evidence_held_at.strip():
        raise ValidationError("Say where the evidence is held.")
    check = FitAndProperCheck.objects.create(
        record=record,
        kind=kind,
        checked_on=checked_on,
        result=result,
        evidence_held_at=evidence_held_at.strip(),
        recorded_by=person_or_officer(by, record.organisation),
    )
    _audit(by, "check", record, kind=kind)
    return check


@transaction.atomic
def record_fppt_date(*, record: FitAndProperRecord, step: str, on: dt.date, by):
    """The leadership-competency self-assessment (``self_assessed``) or the director's annual
    attestation (``attested``), completed on ``on``."""
    fields = {"self_assessed": "self_assessed_on", "attested": "attested_on"}
    if step not in fields:
        raise ValidationError(f"Unknown step {step!r}.")
    record = _locked(record)
    _require_reader(by, record.organisation)
    _require_not_submitted(record)
    if on > today():
        raise ValidationError("The date cannot be in the future.")
    setattr(record, fields[step], on)
    record.save(update_fields=[fields[step]])
    _audit(by, step, record)
    return record


@transaction.atomic
def sign_off_fppt(*, record: FitAndProperRecord, outcome: str, actions: str, by):
    """The chair's decision, after the checks and the attestation. A chair does not sign off
    their own record."""
    record = _locked(record)
    if policy.is_person(by):
        policy.require(policy.is_chair(by, record.organisation), "only the chair signs off")
        if record.person.user_id == by.pk:
            raise ValidationError("A chair does not sign off their own record.")
    _require_not_submitted(record)
    if outcome not in FitAndProperRecord.Outcome.values or not outcome:
        raise ValidationError("Choose the outcome.")
    if record.attested_on is None or not record.checks.exists():
        raise ValidationError("Record the checks and the director's attestation first.")
    if outcome == FitAndProperRecord.Outcome.FIT_WITH_ACTIONS and not actions.strip():
        raise ValidationError("Say what the actions are.")
    record.outcome = outcome
    record.actions = actions.strip()
    record.signed_off_on = today()
    record.signed_off_by = person_or_officer(by, record.organisation, BoardOfficer.Kind.CHAIR)
    record.save(update_fields=["outcome", "actions", "signed_off_on", "signed_off_by"])
    _audit(by, "sign_off", record)
    return record


@transaction.atomic
def submit_fppt(*, record: FitAndProperRecord, by) -> FitAndProperRecord:
    """The chair's annual return to NHS England's regional director."""
    record = _locked(record)
    _require_reader(by, record.organisation)
    _require_not_submitted(record)
    if record.signed_off_on is None:
        raise ValidationError("The chair signs the record off before it goes to the region.")
    record.submitted_on = today()
    record.submitted_by = by if policy.is_person(by) else record.signed_off_by
    record.save(update_fields=["submitted_on", "submitted_by"])
    _audit(by, "submit", record, region=record.organisation.region_code)
    return record


@transaction.atomic
def write_board_reference(
    *,
    person: Person,
    organisation,
    role_held: str,
    held_from: dt.date,
    held_to: dt.date,
    requested_by: str,
    investigations: bool,
    misconduct_found: bool,
    details: str,
    by,
    synthetic: bool = False,
) -> BoardReference:
    """The standard reference for a director who has left (or is leaving) the board."""
    _require_reader(by, organisation)
    if held_to < held_from:
        raise ValidationError("The role cannot end before it started.")
    if (investigations or misconduct_found) and not details.strip():
        raise ValidationError("Give the details of the investigation or finding.")
    reference = BoardReference.objects.create(
        person=person,
        organisation=organisation,
        role_held=role_held.strip(),
        held_from=held_from,
        held_to=held_to,
        requested_by=requested_by.strip(),
        investigations=investigations,
        misconduct_found=misconduct_found,
        details=details.strip(),
        written_on=today(),
        written_by=person_or_officer(by, organisation),
        synthetic=synthetic,
    )
    audit.append(
        actor=actor_label(by),
        action="board_reference.write",
        target_type="board_reference",
        target_id=reference.pk,
        details={"organisation": organisation.pk},
    )
    return reference


# ------------------------------------------------------------------------------- retention


@dataclass(frozen=True)
class Expired:
    records: int
    references: int
    conduct_concerns: int


def expired_querysets(as_of: dt.date):
    """What has reached its director's 75th birthday by ``as_of``: FPPT records (with their
    checks), board references and conduct concerns. People without a date of birth are kept."""
    born_by = latest_birth_date_expired(as_of)
    people = Person.objects.filter(date_of_birth__isnull=False, date_of_birth__lte=born_by)
    return (
        FitAndProperRecord.objects.filter(person__in=people).order_by("pk"),
        BoardReference.objects.filter(person__in=people).order_by("pk"),
        ConductConcern.objects.filter(subject__in=people).order_by("pk"),
    )


@transaction.atomic
def expire_fitness_records(*, as_of: dt.date, by, dry_run: bool = False) -> Expired:
    """Delete exactly the expired records, each with its own audit event naming what kind of
    record it was, its id, organisation and year: never whom it was about or what it said."""
    records, references, concerns = expired_querysets(as_of)
    found = Expired(records.count(), references.count(), concerns.count())
    if dry_run:
        return found
    for kind, queryset, year in (
        ("fppt_record", records, lambda r: r.year),
        ("board_reference", references, lambda r: r.written_on.year),
        ("conduct_concern", concerns, lambda r: r.received_on.year),
    ):
        for row in queryset.select_for_update():
            audit.append(
                actor=actor_label(by),
                action="leadership.expire",
                target_type=kind,
                target_id=row.pk,
                details={"organisation": row.organisation_id, "year": year(row)},
            )
            row.delete()
    return found
