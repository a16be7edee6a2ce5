"""New-deal starting packages: the region's list and a new package (talent-board members of the
region), a package's page with its commitments and success-measure charts (also its
organisation's board members and regional oversight, read only), and the steps that change it."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from candour.web.core.access import requires
from candour.web.core.roles import Role
from candour.web.leadership import (
    actions_fitness,
    actions_newdeal,
    policy,
    queries,
    queries_newdeal,
)
from candour.web.leadership.access import board_for
from candour.web.leadership.forms_appraisal import posted
from candour.web.leadership.forms_newdeal import CommitmentForm, PackageForm, StatusForm
from candour.web.leadership.models import Commitment, NewDealPackage
from candour.web.leadership.views import talent_board_page
from candour.web.oversight.models import Measure

PACKAGE_ROLES = (Role.TALENT_BOARD, *policy.PACKAGE_READER_ROLES)


def _region_context(board, active: str) -> dict:
    return {"board": board, "active": active, "as_of": timezone.localdate()}


@talent_board_page
def region_new_deals(request, region_code: str):
    board = board_for(request.user, region_code)
    context = _region_context(board, "new_deals")
    context |= {
        "packages": queries_newdeal.region_packages(board.region_code),
        "overdue": queries_newdeal.overdue_in_region(board.region_code, context["as_of"]),
    }
    context["synthetic"] = any(p.synthetic for p in context["packages"])
    return render(request, "leadership/new_deals.html", context)


@talent_board_page
def new_deal_new(request, region_code: str):
    board = board_for(request.user, region_code)
    form = PackageForm(
        posted(request),
        organisations=queries.region_organisations(board.region_code).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = data["organisation"]
        try:
            ceo = actions_fitness.register_person(
                person_id=data["chief_executive_id"],
                name=data["chief_executive_name"],
                organisation=organisation,
                by=request.user,
            )
            chair = (
                actions_fitness.register_person(
                    person_id=data["chair_id"],
                    name=data["chair_name"],
                    organisation=organisation,
                    by=request.user,
                )
                if data["chair_id"]
                else None
            )
            package = actions_newdeal.create_package(
                organisation=organisation,
                chief_executive=ceo,
                chair=chair,
                starts_on=data["starts_on"],
                agreed_on=data["agreed_on"],
                protected_until=data["protected_until"],
                summary=data["summary"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, "New-deal package recorded: add its commitments.")
            return redirect("leadership:new_deal", pk=package.pk)
    context = _region_context(board, "new_deals") | {"form": form}
    return render(
        request, "leadership/new_deal_new.html", context, status=400 if form.errors else 200
    )


def readable_package(request, pk: int) -> NewDealPackage:
    package = get_object_or_404(
        NewDealPackage.objects.select_related("organisation", "chief_executive", "chair"), pk=pk
    )
    if not policy.can_read_package(request.user, package):
        raise Http404("no new-deal package you may read has this id")
    return package


def writable_package(request, pk: int) -> NewDealPackage:
    package = readable_package(request, pk)
    if not policy.can_write_package(request.user, package):
        raise PermissionDenied("only the region's talent board changes a package")
    return package


@requires(*PACKAGE_ROLES)
@never_cache
def new_deal(request, pk: int):
    package = readable_package(request, pk)
    as_of = timezone.localdate()
    commitments = list(package.commitments.select_related("measure").prefetch_related("trajectory"))
    writer = policy.can_write_package(request.user, package)
    rows = [
        {
            "commitment": c,
            "overdue": c.overdue_on(as_of),
            "progress": queries_newdeal.progress(c) if c.kind == "success_measure" else None,
            "status_form": StatusForm(prefix=f"c{c.pk}", initial={"status": c.status})
            if writer
            else None,
        }
        for c in commitments
    ]
    return render(
        request,
        "leadership/new_deal.html",
        {
            "package": package,
            "as_of": as_of,
            "centre": [r for r in rows if r["commitment"].is_centre],
            "trust": [r for r in rows if not r["commitment"].is_centre],
            "overdue_centre": sum(1 for r in rows if r["overdue"] and r["commitment"].is_centre),
            "overdue_trust": sum(1 for r in rows if r["overdue"] and not r["commitment"].is_centre),
            "writer": writer,
        },
    )


@requires(Role.TALENT_BOARD)
@never_cache
def new_deal_commitment(request, pk: int):
    package = writable_package(request, pk)
    form = CommitmentForm(posted(request), measures=Measure.objects.order_by("name"))
    if request.method == "POST" and form.is_valid():
        try:
            actions_newdeal.add_commitment(package=package, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, "Commitment added.")
            return redirect("leadership:new_deal", pk=package.pk)
    return render(
        request,
        "leadership/new_deal_commitment.html",
        {"package": package, "form": form},
        status=400 if form.errors else 200,
    )


def _commitment(package, commitment_id: int) -> Commitment:
    return get_object_or_404(Commitment, pk=commitment_id, package=package)


@require_POST
@requires(Role.TALENT_BOARD)
@never_cache
def commitment_status(request, pk: int, commitment_id: int):
    package = writable_package(request, pk)
    commitment = _commitment(package, commitment_id)
    form = StatusForm(request.POST, prefix=f"c{commitment.pk}")
    if not form.is_valid():
        raise Http404("no such status")
    actions_newdeal.set_commitment_status(
        commitment=commitment, status=form.cleaned_data["status"], by=request.user
    )
    flash.success(request, "Status updated.")
    return redirect(reverse("leadership:new_deal", args=[package.pk]) + f"#c{commitment.pk}")


@requires(*PACKAGE_ROLES)
def commitment_chart(request, pk: int, commitment_id: int):
    package = readable_package(request, pk)
    commitment = _commitment(package, commitment_id)
    if commitment.kind != "success_measure":
        raise Http404("not a success measure")
    svg = queries_newdeal.chart_svg(commitment)
    if svg is None:
        raise Http404("too few points for an SPC chart")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response
