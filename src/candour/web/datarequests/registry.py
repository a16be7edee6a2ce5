"""The registry as the analytics core sees it: each stored request as a
:class:`~candour.analytics.datarequests.model.Request`, its duplicates, what Candour holds of it,
and its burden. Reads only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch

from candour.analytics.datarequests import (
    EXACT,
    Burden,
    Duplicate,
    DuplicatedItem,
    Item,
    Request,
    Served,
    all_duplicates,
    duplicates_of,
    most_duplicated,
    organisation_burden,
    region_burden,
    requester_burden,
)
from candour.importers.datasets import CQC_KEY_QUESTIONS
from candour.web.datarequests.models import (
    KEY_QUESTION_LABELS,
    DataRequest,
    RequestItem,
    ServedReturn,
)
from candour.web.oversight.models import Measure, Observation, Organisation, Rating

TRUST_WIDE = "Overall"  # the service of a rating for the whole trust (CQC importer)


def item_spec(item: RequestItem) -> Item:
    return Item(
        key=str(item.pk),
        name=item.name,
        definition=item.definition,
        unit=item.unit,
        period_type=item.period_type,
        held=item.held,
    )


def _asked_codes(request_ids=None) -> dict[int, frozenset[str]]:
    through = DataRequest.organisations.through.objects.all()
    if request_ids is not None:
        through = through.filter(datarequest_id__in=list(request_ids))
    codes: dict[int, set[str]] = defaultdict(set)
    for request_id, code in through.values_list("datarequest_id", "organisation_id"):
        codes[request_id].add(code)
    return {request_id: frozenset(found) for request_id, found in codes.items()}


def request_spec(request: DataRequest, organisations: frozenset[str]) -> Request:
    return Request(
        key=str(request.pk),
        requester=request.requester.name,
        title=request.title,
        frequency=request.frequency,
        organisations=organisations,
        items=tuple(item_spec(item) for item in request.items.all()),
        periods_from=request.periods_from,
        periods_to=request.periods_to,
        asked_since=request.asked_since,
        hours_per_return=request.hours_per_return,
    )


def stored_requests():
    return DataRequest.objects.select_related("requester").prefetch_related(
        Prefetch("items", queryset=RequestItem.objects.order_by("position"))
    )


def specs(requests=None) -> dict[int, Request]:
    """Every stored request (or those given) as the core sees it, by primary key."""
    requests = list(stored_requests() if requests is None else requests)
    codes = _asked_codes(r.pk for r in requests)
    return {r.pk: request_spec(r, codes.get(r.pk, frozenset())) for r in requests}


def rating_label(question: str) -> str:
    return f"CQC rating: {KEY_QUESTION_LABELS.get(question, question.capitalize())}"


def held_labels() -> dict[str, str]:
    """Held data by key, in words: measures by name, CQC ratings by key question."""
    labels = {f"measure:{pk}": name for pk, name in Measure.objects.values_list("pk", "name")}
    return labels | {f"cqc_rating:{q}": rating_label(q) for q in CQC_KEY_QUESTIONS}


@dataclass(frozen=True)
class ItemDuplicate:
    """A duplicate of one item, as the request page shows it."""

    kind: str
    score: float
    other: DataRequest
    other_item: RequestItem

    @property
    def exact(self) -> bool:
        return self.kind == EXACT


def item_duplicates(request: DataRequest) -> dict[int, list[ItemDuplicate]]:
    """Each item of ``request`` (by primary key) -> its duplicates in other requests."""
    everything = specs()
    mine = everything.get(request.pk)
    if mine is None:
        return {}
    found = duplicates_of(mine, [s for pk, s in everything.items() if pk != request.pk])
    others = {int(d.other.key) for d in found}
    requests = {r.pk: r for r in stored_requests().filter(pk__in=others)}
    items = {i.pk: i for r in requests.values() for i in r.items.all()}
    result: dict[int, list[ItemDuplicate]] = defaultdict(list)
    for d in found:
        result[int(d.item.key)].append(
            ItemDuplicate(d.kind, d.score, requests[int(d.other.key)], items[int(d.other_item.key)])
        )
    return dict(result)


def held_organisations(request: DataRequest) -> dict[int, int]:
    """Each item (by primary key) -> how many of the organisations asked Candour holds it for
    (in the request's periods); 0 for an item mapped to nothing."""
    asked = request.organisations.all()
    result = {}
    for item in request.items.all():
        if item.measure_id:
            rows = Observation.objects.filter(
                measure_id=item.measure_id, period_type=item.period_type, organisation__in=asked
            )
            if request.periods_from:
                rows = rows.filter(period_start__gte=request.periods_from)
            if request.periods_to:
                rows = rows.filter(period_start__lte=request.periods_to)
        elif item.cqc_key_question:
            rows = Rating.objects.filter(
                key_question=item.cqc_key_question, service=TRUST_WIDE, organisation__in=asked
            )
            if request.periods_to:
                rows = rows.filter(published__lte=request.periods_to)
        else:
            result[item.pk] = 0
            continue
        result[item.pk] = rows.values("organisation").distinct().count()
    return result


def answerable_now(held: dict[int, int]) -> bool:
    """Every item is held for at least one organisation asked."""
    return bool(held) and all(count > 0 for count in held.values())


# --------------------------------------------------------------------------------- burden


@dataclass(frozen=True)
class BurdenView:
    by_organisation: dict[str, Burden]
    by_region: dict[str, Burden]
    by_requester: dict[str, Burden]
    duplicated: list[DuplicatedItem]
    requests: dict[int, Request]
    duplicates: list[Duplicate]


def duplicates() -> list[Duplicate]:
    """Every duplicate in the registry, each pair found from both sides."""
    return all_duplicates(list(specs().values()))


def served_returns() -> list[Served]:
    return [
        Served(str(r.request_id), r.organisation_id, r.period, r.held_items, r.items)
        for r in ServedReturn.objects.all()
    ]


def burden(*, organisations: frozenset[str] | None = None) -> BurdenView:
    """The burden of every stored request; the table of most duplicated items narrowed to
    ``organisations`` when given (a region's)."""
    requests = specs()
    listed = list(requests.values())
    duplicates = all_duplicates(listed)
    served = served_returns()
    by_organisation = organisation_burden(listed, duplicates, served)
    regions = dict(
        Organisation.objects.filter(pk__in=list(by_organisation)).values_list(
            "ods_code", "region_code"
        )
    )
    return BurdenView(
        by_organisation=by_organisation,
        by_region=region_burden(by_organisation, regions),
        by_requester=requester_burden(listed, duplicates, served),
        duplicated=most_duplicated(listed, duplicates, held_labels(), organisations=organisations),
        requests=requests,
        duplicates=duplicates,
    )


def estimate_sources(requests=None):
    """Each request with its hours per return and the estimate's source, for the burden pages."""
    requests = DataRequest.objects.all() if requests is None else requests
    return requests.select_related("requester")
