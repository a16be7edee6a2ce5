"""Data-request registry pages: the requests, registering one, a request with its duplicates and
its held answer, and the burden view (docs/reference/requests.md)."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from candour.analytics.datarequests import EXACT, FUZZY
from candour.importers.datasets import REGIONS
from candour.web.core.access import requires
from candour.web.datarequests import actions, answers, policy, registry
from candour.web.datarequests.forms import ItemFormSet, MapItemForm, RequestForm
from candour.web.datarequests.models import DataRequest, RequestItem
from candour.web.oversight.models import Organisation

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MOST_DUPLICATED_SHOWN = 20


def _asked_count(requests) -> dict[int, int]:
    through = DataRequest.organisations.through.objects.filter(
        datarequest_id__in=[r.pk for r in requests]
    )
    return Counter(through.values_list("datarequest_id", flat=True))


@requires(*policy.READERS)
def request_list(request):
    """The requests the signed-in person may read; ``?organisation=ODS`` narrows to those asked
    of one organisation."""
    requests = policy.readable_requests(request.user, registry.stored_requests())
    organisation = None
    code = request.GET.get("organisation", "").strip().upper()
    if code:
        organisation = get_object_or_404(Organisation, pk=code)
        requests = requests.filter(organisations=organisation)
    requests = list(requests.order_by("requester__name", "title"))
    kinds: dict[str, set[str]] = {}
    for d in registry.duplicates():
        kinds.setdefault(d.request.key, set()).add(d.kind)
    asked = _asked_count(requests)
    rows = [
        {
            "request": r,
            "asked": asked.get(r.pk, 0),
            "answerable": registry.answerable_now(registry.held_organisations(r)),
            "exact": EXACT in kinds.get(str(r.pk), set()),
            "fuzzy": FUZZY in kinds.get(str(r.pk), set()),
        }
        for r in requests
    ]
    return render(
        request,
        "datarequests/list.html",
        {
            "rows": rows,
            "organisation": organisation,
            "can_register": policy.may_register(request.user),
            "can_read_burden": policy.may_read_burden(request.user),
            "synthetic": any(r.synthetic for r in requests),
        },
    )


@never_cache
@requires(*policy.REGISTRARS)
def request_new(request):
    """Register a request for a body the person is on the staff of (without one, the page says
    how to be added)."""
    if not policy.may_register(request.user):
        return render(request, "datarequests/no_body.html")
    form = RequestForm(request.POST or None, user=request.user)
    items = ItemFormSet(request.POST or None, prefix="items")
    if request.method == "POST" and form.is_valid() and items.is_valid():
        try:
            with transaction.atomic():
                data_request = actions.register_request(
                    requester=form.bodies[form.cleaned_data["requester"]],
                    fields=form.request_fields(),
                    organisations=form.cleaned_data["organisations"],
                    items=[f.item_fields() for f in items.forms if f.has_changed()],
                    by=request.user,
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            found = registry.item_duplicates(data_request)
            flash.success(request, _registered(data_request, found))
            return redirect("datarequests:detail", request_id=data_request.pk)
    return render(request, "datarequests/form.html", {"form": form, "items": items})


def _registered(data_request: DataRequest, found: dict) -> str:
    if not found:
        return f"Request registered: {data_request.title}. No other request asks for its items."
    exact = sum(any(d.exact for d in ds) for ds in found.values())
    possible = len(found) - exact
    parts = []
    if exact:
        parts.append(f"{exact} item(s) ask for data another request already collects")
    if possible:
        parts.append(f"{possible} item(s) look like items other requests ask for")
    return f"Request registered: {data_request.title}. " + "; ".join(parts) + "."


@requires(*policy.READERS)
def request_detail(request, request_id: int):
    data_request = get_object_or_404(DataRequest.objects.select_related("requester"), pk=request_id)
    policy.require(policy.may_read_request(request.user, data_request), "not your request")
    held = registry.held_organisations(data_request)
    duplicates = registry.item_duplicates(data_request)
    can_edit = policy.may_edit_request(request.user, data_request)
    items = []
    for item in data_request.items.select_related("measure").order_by("position"):
        found = duplicates.get(item.pk, [])
        suggestion = next(
            (d.other_item for d in found if not d.exact and d.other_item.held and not item.held),
            None,
        )
        items.append(
            {
                "item": item,
                "held_for": held.get(item.pk, 0),
                "duplicates": found,
                "suggestion": suggestion,
            }
        )
    answerable = policy.answerable_organisations(request.user, data_request)
    asked = data_request.organisations.order_by("name")
    return render(
        request,
        "datarequests/detail.html",
        {
            "data_request": data_request,
            "items": items,
            "asked": asked,
            "asked_count": asked.count(),
            "answerable_now": registry.answerable_now(held),
            "any_held": any(held.values()),
            "answer_organisations": answerable.order_by("name"),
            "answer_count": answerable.count(),
            "can_edit": can_edit,
            "labels": registry.held_labels(),
            "synthetic": data_request.synthetic,
        },
    )


@require_POST
@requires(*policy.REGISTRARS)
def map_item(request, request_id: int, item_id: int):
    """Map an item to held data (accepting a suggestion), or back to a new item."""
    item = get_object_or_404(
        RequestItem.objects.select_related("request__requester"),
        pk=item_id,
        request_id=request_id,
    )
    policy.require(policy.may_edit_request(request.user, item.request), "not your request")
    form = MapItemForm(request.POST)
    if not form.is_valid():
        raise Http404("no such held data")
    held = form.cleaned_data["held"] or None
    if held is not None and held not in registry.held_labels():
        raise Http404("no such held data")
    try:
        actions.map_item(item=item, held=held, by=request.user)
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        label = registry.held_labels().get(held, "") if held else ""
        flash.success(
            request,
            f"{item.name} now maps to {label}: Candour answers it from held data."
            if held
            else f"{item.name} is now a new item.",
        )
    return redirect("datarequests:detail", request_id=request_id)


def _answer_rows(request, request_id: int, channel: str):
    data_request = get_object_or_404(DataRequest.objects.select_related("requester"), pk=request_id)
    policy.require(policy.may_read_request(request.user, data_request), "not your request")
    organisations = policy.answerable_organisations(request.user, data_request)
    code = request.GET.get("organisation", "").strip().upper()
    if code:
        if not data_request.organisations.filter(pk=code).exists():
            raise Http404("this request does not ask that organisation")
        organisations = organisations.filter(pk=code)
        policy.require(organisations.exists(), "not granted for that organisation")
    served_at = timezone.now()
    rows = answers.held_answer(data_request, organisations, served_at=served_at)
    if rows:
        actions.serve_answer(
            request=data_request, rows=rows, channel=channel, served_at=served_at, by=request.user
        )
    suffix = f"-{code}" if code else ""
    return data_request, rows, f"request-{data_request.pk}-held-answer{suffix}"


@never_cache
@requires(*policy.READERS)
def answer_csv(request, request_id: int):
    _, rows, name = _answer_rows(request, request_id, "csv")
    response = HttpResponse(answers.answer_csv(rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@never_cache
@requires(*policy.READERS)
def answer_xlsx(request, request_id: int):
    data_request, rows, name = _answer_rows(request, request_id, "xlsx")
    response = HttpResponse(answers.answer_xlsx(rows, data_request), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


# ---------------------------------------------------------------------------------- burden


def _regions_named() -> dict[str, str]:
    return dict(
        Organisation.objects.exclude(region_code="")
        .values_list("region_code", "region_name")
        .distinct()
    )


def _row(name: str, burden, url: str = "") -> dict:
    return {"name": name, "burden": burden, "url": url}


@requires(*policy.BURDEN_ROLES)
def burden(request):
    policy.require(policy.may_read_burden(request.user), "burden: national or regional roles")
    view = registry.burden()
    names = _regions_named()
    regions = [
        _row(
            names.get(code, REGIONS.get(code, code)),
            b,
            reverse("datarequests:burden_region", kwargs={"region_code": code}),
        )
        for code, b in view.by_region.items()
    ]
    return render(
        request,
        "datarequests/burden.html",
        {
            "regions": sorted(regions, key=lambda row: row["name"]),
            "requesters": [_row(name, b) for name, b in sorted(view.by_requester.items())],
            "duplicated": view.duplicated[:MOST_DUPLICATED_SHOWN],
            "estimates": registry.estimate_sources().order_by("requester__name", "title"),
            "synthetic": DataRequest.objects.filter(synthetic=True).exists(),
        },
    )


@requires(*policy.BURDEN_ROLES)
def burden_region(request, region_code: str):
    policy.require(policy.may_read_burden(request.user), "burden: national or regional roles")
    region_code = region_code.upper()
    organisations = Organisation.objects.filter(region_code=region_code)
    if not organisations.exists():
        raise Http404("no such region")
    codes = frozenset(organisations.values_list("ods_code", flat=True))
    view = registry.burden(organisations=codes)
    names = dict(organisations.values_list("ods_code", "name"))
    region_name = organisations.first().region_name or REGIONS.get(region_code, region_code)
    rows = [
        _row(
            names[code],
            b,
            reverse("datarequests:burden_organisation", kwargs={"ods_code": code}),
        )
        for code, b in view.by_organisation.items()
        if code in codes
    ]
    requests = DataRequest.objects.filter(organisations__in=list(codes)).distinct()
    total = view.by_region.get(region_code)
    return render(
        request,
        "datarequests/burden_region.html",
        {
            "region_code": region_code,
            "region_name": region_name,
            "total_rows": [_row(region_name, total)] if total else [],
            "organisations": sorted(
                rows,
                key=lambda r: (-r["burden"].hours_per_year, -r["burden"].requests, r["name"]),
            ),
            "duplicated": view.duplicated[:MOST_DUPLICATED_SHOWN],
            "estimates": registry.estimate_sources(requests).order_by("requester__name", "title"),
            "synthetic": requests.filter(synthetic=True).exists(),
        },
    )


@requires(*policy.BURDEN_ROLES)
def burden_organisation(request, ods_code: str):
    organisation = get_object_or_404(Organisation, pk=ods_code.upper())
    policy.require(
        policy.may_read_organisation_burden(request.user, organisation),
        "burden: national or regional roles, or the organisation's analysts",
    )
    view = registry.burden(organisations=frozenset({organisation.ods_code}))
    requests = list(
        registry.stored_requests().filter(organisations=organisation).order_by("requester__name")
    )
    per_request = []
    for data_request in requests:
        spec = view.requests[data_request.pk]
        mine = [
            d
            for d in view.duplicates
            if d.request.key == spec.key and organisation.ods_code in d.other.organisations
        ]
        exact = {d.item.key for d in mine if d.kind == EXACT}
        possible = {d.item.key for d in mine if d.kind == FUZZY} - exact
        per_request.append(
            {
                "request": data_request,
                "items": len(spec.items),
                "duplicated": len(exact),
                "possible": len(possible),
                "hours": spec.hours_per_year(1),
            }
        )
    readable = set(policy.readable_requests(request.user).values_list("pk", flat=True))
    total = view.by_organisation.get(organisation.ods_code)
    return render(
        request,
        "datarequests/burden_organisation.html",
        {
            "organisation": organisation,
            "total_rows": [_row(organisation.name, total)] if total else [],
            "per_request": per_request,
            "readable": readable,
            "duplicated": view.duplicated[:MOST_DUPLICATED_SHOWN],
            "synthetic": any(r.synthetic for r in requests),
        },
    )
