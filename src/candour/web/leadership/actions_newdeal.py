"""Every write to new-deal packages: the agreement, each commitment on either side, and its
status. Members of the region's talent board record them (checked here as on the pages)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candour.analytics.leadership.newdeal import STATUSES
from candour.web.core import audit
from candour.web.core.actions import actor_label
from candour.web.leadership import policy
from candour.web.leadership.models import Commitment, NewDealPackage, Person, TrajectoryPoint
from candour.web.leadership.models_newdeal import CENTRE_KINDS, KIND_LABELS, PARTY_LABELS

TRUST_KINDS = ("success_measure", "other")


def today() -> dt.date:
    return timezone.localdate()


def _audit(by, what: str, package: NewDealPackage, **details) -> None:
    audit.append(
        actor=actor_label(by),
        action=f"new_deal.{what}",
        target_type="new_deal",
        target_id=package.pk,
        details={"organisation": package.organisation_id, **details},
    )


def _require_writer(by, package_or_organisation) -> None:
    organisation = getattr(package_or_organisation, "organisation", package_or_organisation)
    if policy.is_person(by):
        policy.require(
            policy.sits_on_board_of(by, organisation), "not on this region's talent board"
        )


@transaction.atomic
def create_package(
    *,
    organisation,
    chief_executive: Person,
    starts_on: dt.date,
    agreed_on: dt.date,
    by,
    chair: Person | None = None,
    protected_until: dt.date | None = None,
    summary: str = "",
    synthetic: bool = False,
) -> NewDealPackage:
    """The agreement between the region, the ICB, the chair and the incoming chief executive."""
    _require_writer(by, organisation)
    if protected_until is not None and protected_until < starts_on:
        raise ValidationError("The protected period ends after the chief executive starts.")
    if chair is not None and chair.pk == chief_executive.pk:
        raise ValidationError("The chair and the chief executive are two people.")
    package = NewDealPackage.objects.create(
        organisation=organisation,
        chief_executive=chief_executive,
        chair=chair,
        starts_on=starts_on,
        agreed_on=agreed_on,
        protected_until=protected_until,
        summary=summary.strip(),
        created_by=by if policy.is_person(by) else _member_of(organisation),
        synthetic=synthetic,
    )
    _audit(by, "create", package)
    return package


def _member_of(organisation):
    from candour.web.leadership.models import TalentBoardMember

    member = TalentBoardMember.objects.filter(board__region_code=organisation.region_code).first()
    if member is None:
        raise ValidationError(f"{organisation.region_name} has no talent board members.")
    return member.user


def _check_commitment(party: str, kind: str, values: dict) -> None:
    if party not in PARTY_LABELS:
        raise ValidationError(f"Unknown party {party!r}.")
    if kind not in KIND_LABELS:
        raise ValidationError(f"Unknown kind {kind!r}.")
    centre = party in ("region", "icb")
    if centre and kind not in CENTRE_KINDS:
        raise ValidationError(
            "The centre's commitments are support: capital, improvement "
            "support, posts, coaching, a protected period or other."
        )
    if not centre and kind not in TRUST_KINDS:
        raise ValidationError("The trust's commitments are success measures (or other).")
    if kind == "capital" and not values.get("capital_pounds"):
        raise ValidationError("Give the capital in pounds.")
    if kind == "success_measure":
        if values.get("measure") is None or values.get("baseline_value") is None:
            raise ValidationError("A success measure needs its Candour measure and baseline.")
        if values.get("baseline_on") is None:
            raise ValidationError("Give the date of the baseline.")
        if not values.get("trajectory"):
            raise ValidationError("A success measure needs its trajectory.")


@transaction.atomic
def add_commitment(
    *,
    package: NewDealPackage,
    party: str,
    kind: str,
    description: str,
    owner: str,
    due_on: dt.date,
    by,
    capital_pounds: int | None = None,
    measure=None,
    baseline_value: float | None = None,
    baseline_on: dt.date | None = None,
    trajectory: list[tuple[dt.date, float]] = (),
    review_dates: list[dt.date] = (),
) -> Commitment:
    """One commitment: the centre's support, or one of the trust's success measures with its
    baseline, trajectory (points after the baseline) and review dates."""
    _require_writer(by, package)
    _check_commitment(
        party,
        kind,
        {
            "capital_pounds": capital_pounds,
            "measure": measure,
            "baseline_value": baseline_value,
            "baseline_on": baseline_on,
            "trajectory": trajectory,
        },
    )
    if not description.strip() or not owner.strip():
        raise ValidationError("Describe the commitment and name its owner.")
    if baseline_on is not None and any(day <= baseline_on for day, _ in trajectory):
        raise ValidationError("Every trajectory point comes after the baseline.")
    commitment = Commitment.objects.create(
        package=package,
        party=party,
        kind=kind,
        description=description.strip(),
        owner=owner.strip(),
        due_on=due_on,
        status_on=today(),
        capital_pounds=capital_pounds if kind == "capital" else None,
        measure=measure if kind == "success_measure" else None,
        baseline_value=baseline_value if kind == "success_measure" else None,
        baseline_on=baseline_on if kind == "success_measure" else None,
        review_dates=sorted(day.isoformat() for day in review_dates),
    )
    TrajectoryPoint.objects.bulk_create(
        TrajectoryPoint(commitment=commitment, on=day, value=value) for day, value in trajectory
    )
    _audit(by, "commitment", package, commitment=commitment.pk, party=party, kind=kind)
    return commitment


@transaction.atomic
def set_commitment_status(*, commitment: Commitment, status: str, by) -> Commitment:
    commitment = (
        Commitment.objects.select_for_update().select_related("package").get(pk=commitment.pk)
    )
    _require_writer(by, commitment.package)
    if status not in STATUSES:
        raise ValidationError(f"Unknown status {status!r}.")
    commitment.status = status
    commitment.status_on = today()
    commitment.save(update_fields=["status", "status_on"])
    _audit(by, "commitment_status", commitment.package, commitment=commitment.pk, status=status)
    return commitment
