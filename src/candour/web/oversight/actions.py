"""Every write to targets and concerns: keyword-only arguments, ``by`` the actor, one
transaction that also records the audit event. Imports (organisations, measures, ratings and
observations from files) are in :mod:`candour.web.oversight.imports`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candour.web.core import audit
from candour.web.core.actions import actor_label
from candour.web.core.models import User
from candour.web.oversight import assessment, policy
from candour.web.oversight.imports import (  # moved there; still importable from here
    ImportSummary as ImportSummary,
)
from candour.web.oversight.imports import import_dataset as import_dataset
from candour.web.oversight.imports import sync_measures as sync_measures
from candour.web.oversight.models import (
    Concern,
    ConcernEvidence,
    Measure,
    Organisation,
    Target,
)

# --- Targets -----------------------------------------------------------------------------------

TARGET_FIELDS = (
    "name",
    "measure_id",
    "comparison",
    "threshold",
    "set_by",
    "effective_from",
    "effective_to",
    "organisation_types",
    "resources_and_support",
    "consequence_policy",
    "consequence_notes",
    "rationale",
)


@transaction.atomic
def save_target(
    *,
    target_id: str,
    fields: dict,
    balancing_measure_ids: list[str],
    organisation_codes: list[str] | None = None,
    publish: bool,
    by,
) -> Target:
    """Create or update a target and, if ``publish``, publish it. Publishing runs the Francis
    rule (Target.publication_problems); a ValidationError rolls the whole change back.
    ``organisation_codes`` replaces the organisations it applies to (``None`` keeps them)."""
    unknown = set(fields) - set(TARGET_FIELDS)
    if unknown:
        raise ValueError(f"unknown target fields: {sorted(unknown)}")
    _require_target_scope(by, target_id, organisation_codes, publish=publish)
    named = {*balancing_measure_ids, fields.get("measure_id")} - {None}
    missing_measures = named - set(
        Measure.objects.filter(pk__in=named).values_list("pk", flat=True)
    )
    if missing_measures:
        raise ValidationError(f"Target {target_id}: unknown measures {sorted(missing_measures)}.")
    target = Target.objects.filter(pk=target_id).first() or Target(pk=target_id)
    was = target.status if target.pk and Target.objects.filter(pk=target_id).exists() else None
    for name, value in fields.items():
        setattr(target, name, value)
    target.status = Target.Status.DRAFT  # while its balancing measures change
    target.save()
    target.balancing_measures.set(balancing_measure_ids)
    if organisation_codes is not None:
        target.organisations.set(organisation_codes)
    if publish:
        target.status = Target.Status.PUBLISHED
        target.save()
    audit.append(
        actor=actor_label(by),
        action="target.publish" if publish else "target.save",
        target_type="target",
        target_id=target.pk,
        details={
            "previous_status": was,
            "status": target.status,
            "measure": target.measure_id,
            "threshold": target.threshold,
            "balancing_measures": sorted(balancing_measure_ids),
        },
    )
    if Target.Status.PUBLISHED in (was, target.status):
        assessment.bump(f"target {target.pk}")
    return target


def _require_target_scope(by, target_id: str, organisation_codes, *, publish: bool) -> None:
    """A person writes a target only with a grant covering every organisation it applies to,
    before and after the change (commands, ``system:`` actors, are not limited)."""
    if not isinstance(by, User):
        return
    existing = Target.objects.filter(pk=target_id).first()
    before = list(existing.organisations.all()) if existing else None
    if organisation_codes is None:
        after = before or []
    else:
        after = list(Organisation.objects.filter(pk__in=list(organisation_codes)))
    roles = policy.TARGET_PUBLISHERS if publish else policy.TARGET_EDITORS
    for organisations in (before, after):
        if organisations is None:  # a new target has no organisations before
            continue
        policy.require(
            policy.covers_all(by, roles, organisations),
            "not granted for every organisation this target applies to",
        )


@transaction.atomic
def set_target_status(*, target: Target, status: str, by) -> Target:
    """Publish or withdraw a target (publishing checks the Francis rule)."""
    if isinstance(by, User):
        policy.require(policy.may_publish_target(by, target), "not granted for this target")
    previous = target.status
    target.status = status
    target.save()
    audit.append(
        actor=actor_label(by),
        action=f"target.{status}",
        target_type="target",
        target_id=target.pk,
        details={"previous_status": previous},
    )
    if Target.Status.PUBLISHED in (previous, status):
        assessment.bump(f"target {target.pk}")
    return target


# --- Concerns (sticky: closed only on recorded evidence) -----------------------------------------


@transaction.atomic
def raise_concern(
    *,
    organisation: Organisation,
    title: str,
    explanation: str,
    owner,
    by,
    origin: str = Concern.Origin.PERSON,
    measure: Measure | None = None,
    rule: str = "",
    severity: str = "",
) -> Concern:
    if isinstance(by, User):
        policy.require(
            policy.may_raise_concern(by, organisation), "not granted for this organisation"
        )
    if not policy.concern_owners(organisation).filter(pk=owner.pk).exists():
        raise ValidationError(
            f"{owner.get_username()} cannot own a concern about {organisation.ods_code}: "
            "choose someone who may resolve concerns there."
        )
    concern = Concern.objects.create(
        organisation=organisation,
        title=title,
        explanation=explanation,
        owner=owner,
        origin=origin,
        measure=measure,
        rule=rule,
        severity=severity,
        opened_by=actor_label(by),
    )
    audit.append(
        actor=actor_label(by),
        action="concern.raise",
        target_type="concern",
        target_id=concern.pk,
        details={
            "organisation": organisation.pk,
            "title": title,
            "owner": owner.get_username(),
            "rule": rule,
        },
    )
    return concern


def _require_resolver(by, concern: Concern) -> None:
    if isinstance(by, User):
        policy.require(
            policy.may_resolve_concern(by, concern), "not granted for this concern's organisation"
        )


@transaction.atomic
def record_evidence(
    *, concern: Concern, kind: str, summary: str, reference: str = "", by
) -> ConcernEvidence:
    _require_resolver(by, concern)
    if not summary.strip():
        raise ValidationError("Describe the evidence.")
    evidence = ConcernEvidence.objects.create(
        concern=concern,
        kind=kind,
        summary=summary,
        reference=reference,
        recorded_by=actor_label(by),
    )
    audit.append(
        actor=actor_label(by),
        action="concern.evidence",
        target_type="concern",
        target_id=concern.pk,
        details={"evidence": evidence.pk, "kind": kind, "reference": reference},
    )
    return evidence


@transaction.atomic
def close_concern(*, concern: Concern, evidence: ConcernEvidence, by) -> Concern:
    """Close a concern on one piece of its recorded evidence. Nothing else closes a concern."""
    _require_resolver(by, concern)
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status != Concern.Status.OPEN:
        raise ValidationError("This concern is already closed.")
    if evidence.concern_id != concern.pk:
        raise ValidationError("The evidence belongs to another concern.")
    concern.status = Concern.Status.CLOSED
    concern.closing_evidence = evidence
    concern.closed_by = actor_label(by)
    concern.closed_at = timezone.now()
    concern.save(update_fields=["status", "closing_evidence", "closed_by", "closed_at"])
    audit.append(
        actor=actor_label(by),
        action="concern.close",
        target_type="concern",
        target_id=concern.pk,
        details={"evidence": evidence.pk, "kind": evidence.kind},
    )
    return concern


# --- Board packs -------------------------------------------------------------------------------


@transaction.atomic
def record_board_pack(
    *, organisation: Organisation, as_of, replayed: bool, channel: str, by
) -> None:
    """Record that a board pack of ``organisation`` was made (a read, audited as the data
    requests' served returns are): who, which organisation, the date of the data it shows
    (``replayed``: a past date asked for, not the latest data) and how (``web`` or ``cli``)."""
    audit.append(
        actor=actor_label(by),
        action="board_pack.download",
        target_type="organisation",
        target_id=organisation.pk,
        details={"as_of": as_of.isoformat(), "replayed": replayed, "channel": channel},
    )
