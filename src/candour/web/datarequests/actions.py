"""Every write to the data-request registry: keyword-only arguments, ``by`` the actor, one
transaction that also records the audit event. People are held to the rules of
:mod:`candour.web.datarequests.policy`; commands (``system:`` actors) are not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from candour.analytics.datarequests.model import split_held
from candour.exceptions import DataFileError, Problem
from candour.importers.datarequests import Asked, RegistryFile, RequestDefinition
from candour.web.core import audit
from candour.web.core.actions import actor_label
from candour.web.core.models import User
from candour.web.datarequests import policy
from candour.web.datarequests.answers import AnswerRow
from candour.web.datarequests.models import (
    DataRequest,
    Requester,
    RequesterStaff,
    RequestItem,
    ServedReturn,
)
from candour.web.oversight.models import Measure, Observation, Organisation

REQUEST_FIELDS = (
    "title",
    "description",
    "mandate",
    "standard_number",
    "mandate_note",
    "frequency",
    "due",
    "asked_since",
    "periods_from",
    "periods_to",
    "hours_per_return",
    "estimate_source",
    "source",
    "source_note",
)
ITEM_FIELDS = ("name", "definition", "unit", "period_type", "measure_id", "cqc_key_question")


def _is_person(by) -> bool:
    return isinstance(by, User)


# ------------------------------------------------------------------------------- requesters


@transaction.atomic
def ensure_requester(*, id: str, name: str, kind: str, website: str = "", by) -> Requester:
    """Create a requesting body, or update its name, kind and website."""
    requester, created = Requester.objects.update_or_create(
        pk=id, defaults={"name": name, "kind": kind, "website": website}
    )
    audit.append(
        actor=actor_label(by),
        action="requester.save",
        target_type="requester",
        target_id=requester.pk,
        details={"created": created, "name": name, "kind": kind},
    )
    return requester


@transaction.atomic
def add_requester_staff(*, requester: Requester, user: User, by) -> RequesterStaff:
    """Put ``user`` on the staff of ``requester``: they may then register its requests (with the
    data-requester or regional-oversight role)."""
    member, created = RequesterStaff.objects.get_or_create(
        requester=requester, user=user, defaults={"added_by": actor_label(by)}
    )
    if created:
        audit.append(
            actor=actor_label(by),
            action="requester.add_staff",
            target_type="requester",
            target_id=requester.pk,
            details={"user": user.get_username()},
        )
    return member


# ---------------------------------------------------------------------------- registration


def _check_item(fields: dict) -> None:
    """An item maps to held data only where it fits: the measure's unit, a period Candour holds
    it for; a CQC rating as a rating at a point in time."""
    measure_id = fields.get("measure_id")
    if measure_id:
        measure = Measure.objects.filter(pk=measure_id).first()
        if measure is None:
            raise ValidationError(f"Candour has no measure {measure_id!r}.")
        if fields["unit"] != measure.unit:
            raise ValidationError(
                f"{measure.name} is in {measure.get_unit_display().lower()}, so the item "
                f"{fields['name']!r} must be too."
            )
        periods = set(
            Observation.objects.filter(measure_id=measure_id)
            .values_list("period_type", flat=True)
            .distinct()
        )
        if periods and fields["period_type"] not in periods:
            held = ", ".join(sorted(periods))
            raise ValidationError(
                f"Candour holds {measure.name} by {held}, not by {fields['period_type']}: "
                f"the item {fields['name']!r} is a new item."
            )
    if fields.get("cqc_key_question") and (
        fields["unit"] != "rating" or fields["period_type"] != "point_in_time"
    ):
        raise ValidationError(
            f"A CQC rating is a rating at a point in time: change the item {fields['name']!r}."
        )


def _create_items(request: DataRequest, items: list[dict]) -> None:
    for position, fields in enumerate(items, start=1):
        unknown = set(fields) - set(ITEM_FIELDS)
        if unknown:
            raise ValueError(f"unknown item fields: {sorted(unknown)}")
        _check_item(fields)
        RequestItem.objects.create(request=request, position=position, **fields)


@transaction.atomic
def register_request(
    *,
    requester: Requester,
    fields: dict,
    organisations: list[Organisation],
    items: list[dict],
    by,
) -> DataRequest:
    """Register a request of ``requester`` asking ``organisations`` for ``items`` (dicts of
    ITEM_FIELDS). A person must be on the body's staff and hold their role for every
    organisation asked."""
    unknown = set(fields) - set(REQUEST_FIELDS)
    if unknown:
        raise ValueError(f"unknown request fields: {sorted(unknown)}")
    if not organisations:
        raise ValidationError("A request asks at least one organisation.")
    if not items:
        raise ValidationError("A request asks for at least one item.")
    if _is_person(by):
        policy.require(policy.is_staff_of(by, requester), "not on this requester's staff")
        outside = [o.ods_code for o in organisations if not policy.may_ask(by, o)]
        policy.require(not outside, f"not granted for {', '.join(outside[:5])}")
    # Asking since it was registered, unless the registration says otherwise.
    fields = {"asked_since": timezone.localdate().isoformat(), **fields}
    request = DataRequest(requester=requester, registered_by=actor_label(by), **fields)
    request.full_clean(exclude=["organisations"])
    request.save()
    request.organisations.set(organisations)
    _create_items(request, items)
    audit.append(
        actor=actor_label(by),
        action="datarequest.register",
        target_type="datarequest",
        target_id=request.pk,
        details={
            "requester": requester.pk,
            "title": request.title,
            "organisations": len(organisations),
            "items": len(items),
        },
    )
    return request


@transaction.atomic
def map_item(*, item: RequestItem, held: str | None, by) -> RequestItem:
    """Map ``item`` to held data ("measure:<id>", "cqc_rating:<key question>") or, with
    ``held=None``, to nothing (a new item). Its body's staff only."""
    if _is_person(by):
        policy.require(policy.may_edit_request(by, item.request), "not this requester's staff")
    was = item.held
    fields = {
        "name": item.name,
        "unit": item.unit,
        "period_type": item.period_type,
        "measure_id": None,
        "cqc_key_question": "",
    }
    if held:
        kind, name = split_held(held)
        fields["measure_id" if kind == "measure" else "cqc_key_question"] = name
    _check_item(fields)
    item.measure_id = fields["measure_id"]
    item.cqc_key_question = fields["cqc_key_question"]
    item.save(update_fields=["measure", "cqc_key_question"])
    audit.append(
        actor=actor_label(by),
        action="datarequest.map_item",
        target_type="datarequest",
        target_id=item.request_id,
        details={"item": item.position, "was": was, "now": item.held},
    )
    return item


# --------------------------------------------------------------------------- registry files


@dataclass(frozen=True)
class LoadSummary:
    requesters: int
    requests: int
    items: int
    created: int


def asked_organisations(asked: Asked):
    """The organisations a request in a registry file asks."""
    open_ones = Organisation.objects.filter(close_date__isnull=True, successor__isnull=True)
    if asked.open_organisations:
        return open_ones
    if asked.regions:
        return open_ones.filter(region_code__in=list(asked.regions))
    return Organisation.objects.filter(
        Q(observations__dataset__in=list(asked.datasets))
        | Q(ratings__dataset__in=list(asked.datasets))
    ).distinct()


def _store(definition: RequestDefinition, requesters: dict[str, Requester], by) -> bool:
    organisations = list(asked_organisations(definition.asked))
    if not organisations:
        raise DataFileError(
            "",
            [
                Problem(
                    "no organisation matches; import the datasets first (candour import all)",
                    column=f"requests.{definition.key}.asked",
                )
            ],
        )
    fields = {name: getattr(definition, name) for name in REQUEST_FIELDS}
    request = DataRequest.objects.filter(seed_key=definition.key).first()
    created = request is None
    if created:
        request = DataRequest(seed_key=definition.key, registered_by=actor_label(by))
    for name, value in fields.items():
        setattr(request, name, value)
    request.requester = requesters[definition.requester]
    request.synthetic = definition.synthetic
    request.save()
    request.organisations.set(organisations)
    request.items.all().delete()
    items = []
    for item in definition.items:
        kind, name = split_held(item.held) if item.held else (None, "")
        items.append(
            {
                "name": item.name,
                "definition": item.definition,
                "unit": item.unit,
                "period_type": item.period_type,
                "measure_id": name if kind == "measure" else None,
                "cqc_key_question": name if kind == "cqc_rating" else "",
            }
        )
    _create_items(request, items)
    return created


@transaction.atomic
def load_registry(*, registry: RegistryFile, by) -> LoadSummary:
    """Store a checked registry file: its requesting bodies, and each request (matched by its
    key, so loading again updates it and replaces its items). All or nothing."""
    requesters = {
        d.id: Requester.objects.update_or_create(
            pk=d.id, defaults={"name": d.name, "kind": d.kind, "website": d.website}
        )[0]
        for d in registry.requesters
    }
    requesters |= {
        r.pk: r
        for r in Requester.objects.filter(
            pk__in={d.requester for d in registry.requests} - set(requesters)
        )
    }
    try:
        created = sum(_store(d, requesters, by) for d in registry.requests)
    except DataFileError as error:
        raise DataFileError(
            registry.path, error.problems, consequence="nothing was loaded"
        ) from error
    summary = LoadSummary(
        requesters=len(registry.requesters),
        requests=len(registry.requests),
        items=sum(len(d.items) for d in registry.requests),
        created=created,
    )
    audit.append(
        actor=actor_label(by),
        action="datarequest.load",
        target_type="datarequest",
        details={
            "file": registry.path,
            "requests": sorted(d.key for d in registry.requests),
            "created": created,
        },
    )
    return summary


# ---------------------------------------------------------------------------------- serving


@transaction.atomic
def serve_answer(
    *, request: DataRequest, rows: list[AnswerRow], channel: str, served_at: datetime, by
) -> int:
    """Record that ``request``'s return was served from held data (``rows``, through
    ``channel``: csv, xlsx or api): for each organisation in it, the return for its latest
    period, and one audit event. Returns the number of organisations served."""
    items = request.items.count()
    by_organisation: dict[str, list[AnswerRow]] = {}
    for row in rows:
        by_organisation.setdefault(row.ods_code, []).append(row)
    for code, mine in by_organisation.items():
        served, created = ServedReturn.objects.get_or_create(
            request=request,
            organisation_id=code,
            period=max(r.period_start for r in mine),
            defaults={
                "held_items": len({r.item_position for r in mine}),
                "items": items,
                "first_served_at": served_at,
                "last_served_at": served_at,
            },
        )
        if not created:
            ServedReturn.objects.filter(pk=served.pk).update(
                times_served=F("times_served") + 1, last_served_at=served_at
            )
    audit.append(
        actor=actor_label(by),
        action="datarequest.serve",
        target_type="datarequest",
        target_id=request.pk,
        details={
            "channel": channel,
            "organisations": sorted(by_organisation),
            "rows": len(rows),
        },
    )
    return len(by_organisation)
