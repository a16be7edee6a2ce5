"""Every write to conduct concerns about leaders (Kerr: regulators should deal with "bad
behaviours"). The chair records a concern raised with them, names who investigates, and with
the investigators records the investigation, the outcome and its effect on the fit-and-proper
decision. A Freedom to Speak Up guardian refers a case into a concern through
:func:`receive_speak_up_referral` (called by the speak-up step, in its transaction): the
referral carries the category and the guardian's own summary, never who spoke up or what they
wrote. Audit events name the concern and its organisation, never its summary or findings.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candour.web.core import audit
from candour.web.core.access import SIGNED_IN, has_role_for
from candour.web.core.actions import actor_label
from candour.web.leadership import policy
from candour.web.leadership.actions_fitness import person_or_officer
from candour.web.leadership.models import (
    BoardOfficer,
    ConductConcern,
    FitAndProperRecord,
    Person,
)

SUMMARY_MAX = 4000


def today() -> dt.date:
    return timezone.localdate()


def _audit(by, what: str, concern: ConductConcern, **details) -> None:
    audit.append(
        actor=actor_label(by),
        action=f"conduct.{what}",
        target_type="conduct_concern",
        target_id=concern.pk,
        details={"organisation": concern.organisation_id, **details},
    )


def _check(organisation, subject: Person, category: str, summary: str) -> None:
    if category not in ConductConcern.Category.values:
        raise ValidationError(f"Unknown category {category!r}.")
    if not summary.strip():
        raise ValidationError("Write a summary of the concern.")
    if len(summary) > SUMMARY_MAX:
        raise ValidationError(f"Keep the summary under {SUMMARY_MAX} characters.")
    if subject.organisation_id != organisation.pk:
        raise ValidationError(f"{subject.name} is not recorded as working at {organisation.name}.")


@transaction.atomic
def record_conduct_concern(
    *, organisation, subject: Person, category: str, summary: str, by, synthetic: bool = False
) -> ConductConcern:
    """A concern about a leader raised with the chair."""
    if policy.is_person(by):
        policy.require(policy.can_record_conduct(by, organisation), "only the chair")
        if subject.user_id == by.pk:
            raise ValidationError("A concern about the chair goes to the region, not the chair.")
    _check(organisation, subject, category, summary)
    concern = ConductConcern.objects.create(
        organisation=organisation,
        subject=subject,
        category=category,
        summary=summary.strip(),
        source=ConductConcern.Source.DIRECT,
        received_on=today(),
        recorded_by=person_or_officer(by, organisation, BoardOfficer.Kind.CHAIR),
        synthetic=synthetic,
    )
    _audit(by, "record", concern, category=category)
    return concern


def receive_speak_up_referral(
    *, organisation, subject: Person, category: str, summary: str, consent_on: dt.date, guardian
) -> ConductConcern:
    """A guardian's referral of a speak-up case (the caller holds the transaction and has checked
    the guardian may act on the case). ``consent_on``: the day the person who spoke up agreed."""
    _check(organisation, subject, category, summary)
    if consent_on is None or consent_on > today():
        raise ValidationError("Record the day the person who spoke up agreed to the referral.")
    concern = ConductConcern.objects.create(
        organisation=organisation,
        subject=subject,
        category=category,
        summary=summary.strip(),
        source=ConductConcern.Source.SPEAK_UP,
        received_on=today(),
        recorded_by=guardian,
        reporter_consent_on=consent_on,
    )
    _audit(guardian, "referred_from_speak_up", concern, category=category)
    return concern


def _locked(concern: ConductConcern) -> ConductConcern:
    return (
        ConductConcern.objects.select_for_update()
        .select_related("organisation", "subject")
        .get(pk=concern.pk)
    )


@transaction.atomic
def assign_investigators(*, concern: ConductConcern, investigators: list, by) -> ConductConcern:
    """The chair names who investigates: people holding a role for the organisation, never the
    person the concern is about."""
    concern = _locked(concern)
    if policy.is_person(by):
        policy.require(policy.is_chair(by, concern.organisation), "only the chair")
        policy.require(not policy.is_subject(by, concern), "not about yourself")
    if concern.status == ConductConcern.Status.CONCLUDED:
        raise ValidationError("This concern is concluded.")
    for user in investigators:
        if concern.subject.user_id == user.pk:
            raise ValidationError("The person the concern is about cannot investigate it.")
        if not has_role_for(user, SIGNED_IN, concern.organisation):
            raise ValidationError(
                f"{user.get_username()} holds no role for {concern.organisation.name}."
            )
    concern.investigators.set(investigators)
    if investigators and concern.status == ConductConcern.Status.RECEIVED:
        concern.status = ConductConcern.Status.INVESTIGATING
        concern.save(update_fields=["status"])
    _audit(by, "investigators", concern, investigators=sorted(u.pk for u in investigators))
    return concern


def _require_investigating_party(by, concern: ConductConcern) -> None:
    if policy.is_person(by):
        policy.require(
            policy.is_investigator(by, concern)
            or (policy.is_chair(by, concern.organisation) and not policy.is_subject(by, concern)),
            "only those investigating and the chair",
        )


@transaction.atomic
def record_findings(*, concern: ConductConcern, findings: str, by) -> ConductConcern:
    """The investigation's findings so far (replacing the earlier text)."""
    concern = _locked(concern)
    _require_investigating_party(by, concern)
    if concern.status == ConductConcern.Status.CONCLUDED:
        raise ValidationError("This concern is concluded.")
    concern.findings = findings.strip()
    concern.save(update_fields=["findings"])
    _audit(by, "findings", concern)
    return concern


@transaction.atomic
def conclude_conduct_concern(
    *,
    concern: ConductConcern,
    outcome: str,
    findings: str,
    fitness_impact: str,
    fitness_record: FitAndProperRecord | None,
    by,
) -> ConductConcern:
    """The outcome, and its effect on the subject's fit-and-proper decision: linked to their
    record at the organisation, which the chair then signs off with it in view."""
    concern = _locked(concern)
    _require_investigating_party(by, concern)
    if concern.status == ConductConcern.Status.CONCLUDED:
        raise ValidationError("This concern is already concluded.")
    if outcome not in ConductConcern.Outcome.values or not outcome:
        raise ValidationError("Choose the outcome.")
    if fitness_impact not in ConductConcern.FitnessImpact.values or not fitness_impact:
        raise ValidationError("Say what it means for their fitness.")
    if not findings.strip():
        raise ValidationError("Record the findings.")
    if fitness_record is not None and (
        fitness_record.person_id != concern.subject_id
        or fitness_record.organisation_id != concern.organisation_id
    ):
        raise ValidationError("That fit-and-proper record is not this person's here.")
    if fitness_impact != ConductConcern.FitnessImpact.NONE and fitness_record is None:
        raise ValidationError("Link the fit-and-proper record the outcome affects.")
    concern.status = ConductConcern.Status.CONCLUDED
    concern.outcome = outcome
    concern.findings = findings.strip()
    concern.fitness_impact = fitness_impact
    concern.fitness_record = fitness_record
    concern.concluded_on = today()
    concern.save()
    _audit(by, "conclude", concern, outcome=outcome, fitness_impact=fitness_impact)
    return concern
