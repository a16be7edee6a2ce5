"""Every write to targets and concerns: keyword-only arguments, ``by`` the actor, one
transaction that also records the audit event. Imports (organisations, measures, ratings and
observations from files) are in :mod:`candour.web.oversight.imports`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candour.web.core import audit
from candour.web.core.actions import actor_label
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
    organisation_codes: list[str] = (),
    publish: bool,
    by,
) -> Target:
    """Create or update a target and, if ``publish``, publish it. Publishing runs the Francis
    rule (Target.publication_problems); a ValidationError rolls the whole change back."""
    unknown = set(fields) - set(TARGET_FIELDS)
    if unknown:
        raise ValueError(f"unknown target fields: {sorted(unknown)}")
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
    return target


@transaction.atomic
def set_target_status(*, target: Target, status: str, by) -> Target:
    """Publish or withdraw a target (publishing checks the Francis rule)."""
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


@transaction.atomic
def record_evidence(
    *, concern: Concern, kind: str, summary: str, reference: str = "", by
) -> ConcernEvidence:
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
