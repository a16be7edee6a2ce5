"""Every write to an appraisal: opening it, the self-assessment, the appraiser's ratings,
objectives, the development plan and the career conversation. Keyword-only arguments, ``by``
the actor, one transaction with the audit event; the rules of
:mod:`candour.web.leadership.policy` are checked here as well as on the pages (``system:``
actors, the demo and commands, are not limited). Audit events name the appraisal, never what was
written in it. 360 feedback and closing are :mod:`.actions_feedback`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candour.analytics.leadership.constants import MOBILITY, POOL_KINDS, READINESS, ROLES
from candour.web.core import audit
from candour.web.core.actions import actor_label
from candour.web.leadership import policy
from candour.web.leadership.actions_framework import current_framework
from candour.web.leadership.models import (
    Appraisal,
    CareerConversation,
    Competency,
    CompetencyRating,
    DevelopmentAction,
    Objective,
    Person,
    PoolMembership,
    RatingLevel,
    TalentPool,
)


def today() -> dt.date:
    return timezone.localdate()


def _audit(by, what: str, appraisal: Appraisal, **details) -> None:
    audit.append(
        actor=actor_label(by),
        action=f"appraisal.{what}",
        target_type="appraisal",
        target_id=appraisal.pk,
        details={"organisation": appraisal.organisation_id, "year": appraisal.year, **details},
    )


def locked(appraisal: Appraisal) -> Appraisal:
    """The appraisal, locked for this transaction; ValidationError once it has closed."""
    appraisal = (
        Appraisal.objects.select_for_update()
        .select_related("person", "organisation", "framework")
        .get(pk=appraisal.pk)
    )
    if not appraisal.is_open:
        raise ValidationError("This appraisal is closed: nothing more can be recorded on it.")
    return appraisal


@transaction.atomic
def open_appraisal(
    *,
    person: Person,
    year: int,
    appraiser,
    by,
    organisation=None,
    synthetic: bool = False,
) -> Appraisal:
    """Start ``person``'s appraisal for ``year`` at their organisation, against the framework in
    force today. The appraiser holds the board or regional role for the organisation and is not
    the person appraised."""
    organisation = organisation or person.organisation
    if organisation is None:
        raise ValidationError(f"{person.name} works at no organisation known to Candour.")
    if policy.is_person(by):
        policy.require(policy.can_appraise_at(by, organisation), "not an appraiser here")
    if not policy.can_appraise_at(appraiser, organisation):
        raise ValidationError(
            f"{appraiser.get_username()} holds no board or regional role for {organisation.name}."
        )
    if person.user_id is not None and person.user_id == appraiser.pk:
        raise ValidationError("Nobody appraises themselves: choose another appraiser.")
    framework = current_framework(today())
    if framework is None:
        raise ValidationError(
            "No competency framework is loaded: run 'candour leadership framework' first."
        )
    if Appraisal.objects.filter(person=person, year=year).exists():
        raise ValidationError(f"{person.name} already has an appraisal for {year}.")
    appraisal = Appraisal.objects.create(
        person=person,
        organisation=organisation,
        year=year,
        appraiser=appraiser,
        framework=framework,
        opened_on=today(),
        synthetic=synthetic,
    )
    _audit(by, "open", appraisal, framework=framework.key)
    return appraisal


@dataclass(frozen=True)
class Rating:
    """One competency's rating as a form gives it."""

    competency: Competency
    level: RatingLevel | None
    evidence: str = ""


def _save_ratings(appraisal: Appraisal, source: str, ratings: list[Rating]) -> int:
    competencies = {c.pk for c in Competency.objects.filter(domain__framework=appraisal.framework)}
    saved = 0
    for rating in ratings:
        if rating.competency.pk not in competencies:
            raise ValidationError("A competency is not from this appraisal's framework.")
        if rating.level is None:
            CompetencyRating.objects.filter(
                appraisal=appraisal, competency=rating.competency, source=source
            ).delete()
            continue
        if rating.level.framework_id != appraisal.framework_id:
            raise ValidationError("A rating is not on this appraisal's scale.")
        CompetencyRating.objects.update_or_create(
            appraisal=appraisal,
            competency=rating.competency,
            source=source,
            defaults={"level": rating.level, "evidence": rating.evidence.strip()},
        )
        saved += 1
    return saved


def _require_complete(appraisal: Appraisal, source: str) -> None:
    total = Competency.objects.filter(domain__framework=appraisal.framework).count()
    rated = appraisal.ratings.filter(source=source).count()
    if rated < total:
        raise ValidationError(
            f"{total - rated} of {total} competencies are not rated yet: rate every one (choose "
            "'no chance to demonstrate' where it applies) before submitting."
        )


@transaction.atomic
def save_self_assessment(
    *, appraisal: Appraisal, ratings: list[Rating], submit: bool, by
) -> Appraisal:
    """The person's own ratings with their evidence; ``submit`` marks it complete (every
    competency rated)."""
    appraisal = locked(appraisal)
    if policy.is_person(by):
        policy.require(policy.is_appraisee(by, appraisal), "only the person appraised")
    saved = _save_ratings(appraisal, CompetencyRating.Source.SELF, ratings)
    if submit:
        _require_complete(appraisal, CompetencyRating.Source.SELF)
        appraisal.self_assessed_on = today()
        appraisal.save(update_fields=["self_assessed_on"])
    _audit(by, "self_assessment", appraisal, rated=saved, submitted=submit)
    return appraisal


@transaction.atomic
def save_appraiser_ratings(
    *, appraisal: Appraisal, ratings: list[Rating], submit: bool, by
) -> Appraisal:
    """The appraiser's ratings, each with its evidence; ``submit`` marks them complete."""
    appraisal = locked(appraisal)
    if policy.is_person(by):
        policy.require(policy.is_appraiser(by, appraisal), "only the appraiser")
    missing = [r.competency.key for r in ratings if r.level is not None and not r.evidence.strip()]
    if missing:
        raise ValidationError(
            f"Give the evidence for each rating (missing for {', '.join(missing)})."
        )
    saved = _save_ratings(appraisal, CompetencyRating.Source.APPRAISER, ratings)
    if submit:
        _require_complete(appraisal, CompetencyRating.Source.APPRAISER)
        appraisal.rated_on = today()
        appraisal.save(update_fields=["rated_on"])
    _audit(by, "rate", appraisal, rated=saved, submitted=submit)
    return appraisal


def _require_party(by, appraisal: Appraisal) -> None:
    if policy.is_person(by):
        policy.require(policy.can_read_appraisal(by, appraisal), "not this appraisal's")


@transaction.atomic
def add_objective(
    *, appraisal: Appraisal, objective: str, success_measure: str, due_on: dt.date, by
) -> Objective:
    appraisal = locked(appraisal)
    _require_party(by, appraisal)
    if not objective.strip() or not success_measure.strip():
        raise ValidationError("Say what the objective is and how success will be known.")
    created = Objective.objects.create(
        appraisal=appraisal,
        objective=objective.strip(),
        success_measure=success_measure.strip(),
        due_on=due_on,
    )
    _audit(by, "objective", appraisal, objective_id=created.pk)
    return created


@transaction.atomic
def set_objective_status(*, objective: Objective, status: str, by) -> Objective:
    appraisal = locked(objective.appraisal)
    if policy.is_person(by):
        policy.require(policy.is_appraiser(by, appraisal), "only the appraiser")
    if status not in Objective.Status.values:
        raise ValidationError(f"Unknown status {status!r}.")
    objective.status = status
    objective.save(update_fields=["status"])
    _audit(by, "objective_status", appraisal, objective_id=objective.pk, status=status)
    return objective


@transaction.atomic
def add_development_action(
    *, appraisal: Appraisal, action: str, support: str, due_on: dt.date, by
) -> DevelopmentAction:
    appraisal = locked(appraisal)
    _require_party(by, appraisal)
    if not action.strip():
        raise ValidationError("Say what the development action is.")
    created = DevelopmentAction.objects.create(
        appraisal=appraisal, action=action.strip(), support=support.strip(), due_on=due_on
    )
    _audit(by, "development_action", appraisal, development_action_id=created.pk)
    return created


@dataclass(frozen=True)
class Nomination:
    """The talent-pool part of a career conversation's outcome."""

    readiness: str
    pool: str
    mobility: str
    target_roles: tuple[str, ...]

    def check(self) -> None:
        if self.readiness not in READINESS:
            raise ValidationError("Choose how ready they are.")
        if self.pool not in POOL_KINDS:
            raise ValidationError("Choose the talent pool.")
        if self.mobility not in MOBILITY:
            raise ValidationError("Choose how far they will move.")
        if not self.target_roles or set(self.target_roles) - set(ROLES):
            raise ValidationError("Choose the board roles they aim for.")


@transaction.atomic
def record_career_conversation(
    *,
    appraisal: Appraisal,
    held_on: dt.date,
    impact: str,
    growth: str,
    aspiration: str,
    plan: str,
    nomination: Nomination | None,
    by,
) -> CareerConversation:
    """The appraiser records the Scope-for-Growth conversation. With a ``nomination``, its
    outcome feeds the talent pool: the person joins (or is updated in) the pool of their
    region's talent board, nominated by their line manager, with the readiness, mobility and
    target roles agreed."""
    appraisal = locked(appraisal)
    if policy.is_person(by):
        policy.require(policy.is_appraiser(by, appraisal), "only the appraiser")
    if held_on > today():
        raise ValidationError("The conversation cannot be in the future.")
    values = {
        "held_on": held_on,
        "impact": impact,
        "growth": growth,
        "aspiration": aspiration.strip(),
        "plan": plan.strip(),
        "nominated": nomination is not None,
        "readiness": nomination.readiness if nomination else "",
        "pool": nomination.pool if nomination else "",
        "mobility": nomination.mobility if nomination else "",
        "target_roles": list(nomination.target_roles) if nomination else [],
        "membership": None,
    }
    if nomination is not None:
        nomination.check()
        values["membership"] = _join_pool(appraisal, nomination)
    conversation, _ = CareerConversation.objects.update_or_create(
        appraisal=appraisal, defaults=values
    )
    _audit(by, "career_conversation", appraisal, nominated=nomination is not None)
    return conversation


def _join_pool(appraisal: Appraisal, nomination: Nomination) -> PoolMembership:
    region = appraisal.organisation.region_code
    pool = TalentPool.objects.filter(board__region_code=region, kind=nomination.pool).first()
    if pool is None:
        raise ValidationError(
            f"{appraisal.organisation.region_name or 'This region'} has no talent board yet, so "
            "nobody can be nominated to its pools."
        )
    membership, _ = PoolMembership.objects.update_or_create(
        pool=pool,
        person=appraisal.person,
        defaults={
            "readiness": nomination.readiness,
            "mobility": nomination.mobility,
            "target_roles": list(nomination.target_roles),
            "nomination": PoolMembership.Nomination.LINE_MANAGER,
        },
        create_defaults={
            "readiness": nomination.readiness,
            "mobility": nomination.mobility,
            "target_roles": list(nomination.target_roles),
            "nomination": PoolMembership.Nomination.LINE_MANAGER,
            "joined_on": today(),
        },
    )
    return membership
