"""Every write to organisations, measures, ratings and observations: keyword-only arguments,
``by`` the actor, one transaction that also records the audit event."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candour.importers.catalogue import measures as measure_definitions
from candour.importers.datasets import ImportedData, load_successors
from candour.web.core import audit
from candour.web.core.actions import actor_label
from candour.web.core.models import User
from candour.web.oversight import policy
from candour.web.oversight.models import (
    Concern,
    ConcernEvidence,
    ImportRun,
    Measure,
    Observation,
    Organisation,
    Rating,
    Target,
)

BATCH_SIZE = 2000
ORGANISATION_FIELDS = (
    "name",
    "org_type",
    "region_code",
    "region_name",
    "icb_code",
    "icb_name",
    "postcode",
    "open_date",
    "close_date",
)
Progress = Callable[[int], None]  # called with the number of rows just written


@dataclass(frozen=True)
class ImportSummary:
    dataset: str
    organisations_created: int
    organisations_updated: int
    ratings: int
    observations: int
    replaced: int
    skipped: dict[str, int]


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def sync_measures(*, by) -> int:
    """Make the Measure table match ``data/measures.toml``. Returns how many changed."""
    changed = 0
    for definition in measure_definitions().values():
        fields = asdict(definition)
        measure_id = fields.pop("id")
        current = Measure.objects.filter(pk=measure_id).values(*fields).first()
        if current != fields:
            Measure.objects.update_or_create(pk=measure_id, defaults=fields)
            changed += 1
    if changed:
        audit.append(actor=actor_label(by), action="measures.sync", details={"changed": changed})
    return changed


def _is_unset(organisation: Organisation, field_name: str) -> bool:
    value = getattr(organisation, field_name)
    return value in (None, "") or (field_name == "name" and value == organisation.ods_code)


def _upsert_organisations(frame: pl.DataFrame, *, names_authoritative: bool) -> tuple[int, int]:
    existing = Organisation.objects.in_bulk([*frame["ods_code"]])
    to_create, to_update, changed_fields = [], [], set()
    for row in frame.iter_rows(named=True):
        known = {f: row[f] for f in ORGANISATION_FIELDS if row[f] is not None}
        organisation = existing.get(row["ods_code"])
        if organisation is None:
            known.setdefault("name", row["ods_code"])
            to_create.append(Organisation(ods_code=row["ods_code"], **known))
            continue
        if not names_authoritative:  # only fill in what no dataset has said yet
            known = {f: v for f, v in known.items() if _is_unset(organisation, f)}
        differing = {f: v for f, v in known.items() if getattr(organisation, f) != v}
        if differing:
            for field_name, value in differing.items():
                setattr(organisation, field_name, value)
            changed_fields |= differing.keys()
            to_update.append(organisation)
    Organisation.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        Organisation.objects.bulk_update(to_update, sorted(changed_fields), batch_size=BATCH_SIZE)
    return len(to_create), len(to_update)


def _ensure_organisations(codes: list[str]) -> int:
    """Create a bare organisation (named by its code until a reference names it) for each code
    a dataset mentions that is not yet known."""
    known = set(Organisation.objects.filter(pk__in=codes).values_list("ods_code", flat=True))
    missing = [Organisation(ods_code=code, name=code) for code in codes if code not in known]
    Organisation.objects.bulk_create(missing, batch_size=BATCH_SIZE)
    return len(missing)


def _link_successors() -> None:
    """Point merged trusts at their successors (data/ods_successors.csv)."""
    successors = load_successors()
    present = set(Organisation.objects.values_list("ods_code", flat=True))
    for row in successors.iter_rows(named=True):
        if row["predecessor_code"] in present and row["successor_code"] in present:
            Organisation.objects.filter(pk=row["predecessor_code"]).exclude(
                successor_id=row["successor_code"], merged_on=row["effective_date"]
            ).update(successor_id=row["successor_code"], merged_on=row["effective_date"])


def _replace_ratings(dataset: str, frame: pl.DataFrame) -> tuple[int, int]:
    codes = frame["ods_code"].unique().to_list()
    replaced, _ = Rating.objects.filter(dataset=dataset, organisation_id__in=codes).delete()
    Rating.objects.bulk_create(
        [
            Rating(organisation_id=r.pop("ods_code"), dataset=dataset, **r)
            for r in frame.iter_rows(named=True)
        ],
        batch_size=BATCH_SIZE,
    )
    return len(frame), replaced


def _replace_observations(
    dataset: str, frame: pl.DataFrame, progress: Progress | None
) -> tuple[int, int]:
    """Delete this dataset's observations for the measures and periods in ``frame``; insert ``frame``."""
    replaced = 0
    for (measure_id, period_type), part in frame.group_by("measure_id", "period_type"):
        periods = part["period_start"].unique().to_list()
        deleted, _ = Observation.objects.filter(
            dataset=dataset,
            measure_id=measure_id,
            period_type=period_type,
            period_start__in=periods,
        ).delete()
        replaced += deleted
    for offset in range(0, len(frame), BATCH_SIZE):
        batch = frame.slice(offset, BATCH_SIZE)
        Observation.objects.bulk_create(
            [
                Observation(organisation_id=r.pop("ods_code"), dataset=dataset, **r)
                for r in batch.iter_rows(named=True)
            ]
        )
        if progress:
            progress(len(batch))
    return len(frame), replaced


@transaction.atomic
def import_dataset(
    *, imported: ImportedData, by, progress: Progress | None = None
) -> ImportSummary:
    """Persist one validated dataset. All or nothing: a failure leaves earlier data intact.
    Re-importing replaces this dataset's rows for the periods in the file; it never duplicates."""
    sync_measures(by=by)
    created = updated = ratings = observations = replaced = 0
    if imported.organisations is not None:
        created, updated = _upsert_organisations(
            imported.organisations, names_authoritative=imported.names_authoritative
        )
    for frame in (imported.ratings, imported.observations):
        if frame is not None:
            created += _ensure_organisations(frame["ods_code"].unique().to_list())
    _link_successors()
    if imported.ratings is not None:
        ratings, replaced_ratings = _replace_ratings(imported.dataset, imported.ratings)
        replaced += replaced_ratings
    if imported.observations is not None:
        observations, replaced_observations = _replace_observations(
            imported.dataset, imported.observations, progress
        )
        replaced += replaced_observations
    summary = ImportSummary(
        dataset=imported.dataset,
        organisations_created=created,
        organisations_updated=updated,
        ratings=ratings,
        observations=observations,
        replaced=replaced,
        skipped=dict(imported.skipped),
    )
    run = ImportRun.objects.create(
        dataset=imported.dataset,
        source_file=imported.path,
        sha256=_sha256(imported.path),
        rows=imported.rows,
        replaced=replaced,
        imported_by=actor_label(by),
    )
    audit.append(
        actor=actor_label(by),
        action="dataset.import",
        target_type="import_run",
        target_id=run.pk,
        details={"file": Path(imported.path).name, "sha256": run.sha256, **asdict(summary)},
    )
    return summary


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
