from datetime import date

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from candour.importers.catalogue import sources
from candour.importers.datasets import CQC_RATINGS
from candour.web.core.access import SIGNED_IN, requires
from candour.web.oversight import actions, assessment, chart_store, monitoring, policy, queries
from candour.web.oversight.forms import ConcernForm, EvidenceForm, TargetForm
from candour.web.oversight.models import Concern, ConcernEvidence, Measure, Organisation, Target
from candour.web.oversight.policy import (
    CONCERN_RAISERS,
    CONCERN_READERS,
    TARGET_EDITORS,
    TARGET_PUBLISHERS,
)

PAGE_SIZE = 25


@requires(*SIGNED_IN)
def organisation_list(request):
    params = {
        "search": request.GET.get("q", "").strip(),
        "region": request.GET.get("region", ""),
        "org_type": request.GET.get("type", ""),
        "rating": request.GET.get("rating", ""),
        "include_closed": request.GET.get("closed") == "1",
    }
    page = Paginator(queries.organisations(**params), PAGE_SIZE).get_page(request.GET.get("page"))
    ratings = queries.overall_ratings([o.ods_code for o in page.object_list])
    rows = [(organisation, ratings.get(organisation.ods_code)) for organisation in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "oversight/organisation_list.html",
        {
            "page": page,
            "rows": rows,
            "params": params,
            "choices": queries.filter_choices(),
            "cqc_ratings": CQC_RATINGS,
            "query_string": query.urlencode(),
            "former_organisations": queries.former_organisations(params["search"]),
        },
    )


@requires(*SIGNED_IN)
def organisation_detail(request, ods_code: str):
    organisation = get_object_or_404(
        Organisation.objects.select_related("successor"), pk=ods_code.upper()
    )
    trends = queries.measure_trends(organisation)
    picture = monitoring.organisation_picture(organisation.ods_code)
    icons = {
        (row["measure_id"], row["ods_code"]): row
        for row in monitoring.organisation_icons(
            organisation.ods_code, [t.organisation_code for t in trends] or [organisation.ods_code]
        ).iter_rows(named=True)
    }
    target_rows = queries.targets_for(organisation, icons, trends=trends)
    used_sources = {t.measure.source for t in trends}
    if organisation.ratings.exists():
        used_sources.add("cqc_ratings")
    can_read_concerns = policy.may_read_concerns(request.user, organisation)
    concerns = organisation.concerns.all() if can_read_concerns else organisation.concerns.none()
    return render(
        request,
        "oversight/organisation_detail.html",
        {
            "organisation": organisation,
            "predecessors": organisation.predecessors.order_by("name"),
            "ratings": queries.key_question_ratings(organisation),
            "trends": trends,
            "benchmarks": queries.staff_voice_benchmarks(organisation),
            "sources": [s for key, s in sources().items() if key in used_sources],
            "open_concerns": concerns.filter(status=Concern.Status.OPEN).select_related("owner"),
            "closed_concerns": concerns.filter(status=Concern.Status.CLOSED).select_related(
                "closing_evidence"
            ),
            "can_read_concerns": can_read_concerns,
            "can_raise": policy.may_raise_concern(request.user, organisation),
            "picture": picture,
            "speakup": monitoring.speakup_themes(organisation.ods_code),
            "target_rows": target_rows,
            "icons": icons,
        },
    )


@requires(*SIGNED_IN)
def board_pack(request, ods_code: str):
    """The organisation page as a board pack (PDF), for whoever may read the page; concerns
    raised and mortality alerts only for those who may read them there."""
    from candour.web.oversight import boardpack, boardpack_pdf

    organisation = get_object_or_404(Organisation, pk=ods_code.upper())
    as_of = None
    if request.GET.get("as_of"):
        try:
            as_of = date.fromisoformat(request.GET["as_of"])
        except ValueError:
            return HttpResponseBadRequest("as_of must be a date as YYYY-MM-DD")
    readable = policy.may_read_concerns(request.user, organisation)
    pack = boardpack.gather(
        organisation, as_of=as_of, concerns_shown=readable, alerts_shown=readable
    )
    pdf = boardpack_pdf.pack_pdf(pack)
    actions.record_board_pack(
        organisation=organisation,
        as_of=pack.as_of,
        replayed=pack.replayed,
        channel="web",
        by=request.user,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"board-pack-{organisation.ods_code}-{pack.as_of.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Targets -----------------------------------------------------------------------------------


@requires(*SIGNED_IN)
def target_list(request):
    targets = Target.objects.select_related("measure").prefetch_related("balancing_measures")
    return render(
        request,
        "oversight/target_list.html",
        {"targets": targets, "can_edit": policy.may_edit_target(request.user)},
    )


@requires(*SIGNED_IN)
def target_detail(request, target_id: str):
    target = get_object_or_404(Target.objects.select_related("measure"), pk=target_id)
    return render(
        request,
        "oversight/target_detail.html",
        {
            "target": target,
            "balancing": target.balancing_measures.order_by("domain", "name"),
            "problems": target.publication_problems(),
            "can_edit": policy.may_edit_target(request.user, target),
            "can_publish": policy.may_publish_target(request.user, target),
        },
    )


@requires(*TARGET_EDITORS)
def target_edit(request, target_id: str | None = None):
    instance = get_object_or_404(Target, pk=target_id) if target_id else None
    policy.require(
        policy.may_edit_target(request.user, instance),
        "not granted for every organisation this target applies to",
    )
    publish = "publish" in request.POST
    if publish and not policy.may_publish_target(request.user, instance):
        raise PermissionDenied("only regional oversight publishes targets")
    form = TargetForm(
        request.POST if request.method == "POST" else None, instance=instance, publish=publish
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = actions.save_target(
                target_id=instance.pk if instance else data["id"],
                fields={
                    "name": data["name"],
                    "measure_id": data["measure"].pk,
                    "comparison": data["comparison"],
                    "threshold": data["threshold"],
                    "set_by": data["set_by"],
                    "effective_from": data["effective_from"],
                    "effective_to": data["effective_to"],
                    "organisation_types": data["organisation_types"],
                    "resources_and_support": data["resources_and_support"],
                    "consequence_policy": data["consequence_policy"] or "",
                    "consequence_notes": data["consequence_notes"],
                    "rationale": data["rationale"],
                },
                balancing_measure_ids=[m.pk for m in data["balancing_measures"]],
                publish=publish,
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("oversight:target", target_id=target.pk)
    return render(
        request,
        "oversight/target_form.html",
        {
            "form": form,
            "target": instance,
            "can_publish": policy.may_publish_target(request.user, instance),
        },
    )


@require_POST
@requires(*TARGET_PUBLISHERS)
def target_status(request, target_id: str):
    target = get_object_or_404(Target, pk=target_id)
    policy.require(policy.may_publish_target(request.user, target), "not granted for this target")
    status = request.POST.get("status")
    if status not in (Target.Status.PUBLISHED, Target.Status.WITHDRAWN):
        return HttpResponseBadRequest("unknown status")
    try:
        actions.set_target_status(target=target, status=status, by=request.user)
    except ValidationError as exc:
        target.refresh_from_db()
        return render(
            request,
            "oversight/target_detail.html",
            {
                "target": target,
                "balancing": target.balancing_measures.order_by("domain", "name"),
                "problems": target.publication_problems(),
                "errors": exc.messages,
                "can_edit": policy.may_edit_target(request.user, target),
                "can_publish": True,
            },
            status=400,
        )
    return redirect("oversight:target", target_id=target.pk)


# --- Concerns ----------------------------------------------------------------------------------


@requires(*CONCERN_RAISERS)
def concern_new(request, ods_code: str):
    """Raise a concern by hand, or from one of the organisation's flags (``?flag=<key>``), whose
    measure, rule and explanation are then taken from the assessment, not from the form."""
    organisation = get_object_or_404(Organisation, pk=ods_code.upper())
    policy.require(
        policy.may_raise_concern(request.user, organisation), "not granted for this organisation"
    )
    flag_key = request.POST.get("flag") or request.GET.get("flag") or ""
    flag = monitoring.find_flag(organisation.ods_code, flag_key) if flag_key else None
    if flag_key and flag is None:
        raise Http404("that flag is no longer raised by the data")
    initial = {"title": flag_title(flag), "explanation": flag["sentence"]} if flag else {}
    form = ConcernForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        owners=policy.concern_owners(organisation),
    )
    if request.method == "POST" and form.is_valid():
        concern = actions.raise_concern(
            organisation=organisation,
            title=form.cleaned_data["title"],
            explanation=form.cleaned_data["explanation"],
            owner=form.cleaned_data["owner"],
            by=request.user,
            **(flag_origin(flag) if flag else {}),
        )
        return redirect("oversight:concern", concern_id=concern.pk)
    return render(
        request,
        "oversight/concern_form.html",
        {"form": form, "organisation": organisation, "flag": flag},
    )


def flag_title(flag: dict) -> str:
    from candour.web.speakup.returns import THEME_MEASURES

    measure = Measure.objects.filter(pk=flag.get("measure_id")).first()
    if measure:
        subject = measure.name
    elif flag["kind"] == "speak_up":
        theme = THEME_MEASURES[flag["measure_id"].removeprefix("speakup_")]
        subject = f"speaking up, {theme.lower()}"
    else:
        subject = (flag.get("domain") or "").replace("_", " ")
    return f"{flag['level'].capitalize()}: {subject}"[:200]


def flag_origin(flag: dict) -> dict:
    return {
        "origin": Concern.Origin.FLAG,
        "measure": Measure.objects.filter(pk=flag.get("measure_id")).first(),
        "rule": f"{flag['kind']} ({flag['key']})"[:120],
        "severity": flag["level"],
    }


@requires(*CONCERN_READERS)
def concern_detail(request, concern_id: int):
    concern = get_object_or_404(
        Concern.objects.select_related("organisation", "owner", "measure", "closing_evidence"),
        pk=concern_id,
    )
    policy.require(
        policy.may_read_concerns(request.user, concern.organisation),
        "not granted for this concern's organisation",
    )
    can_resolve = (
        policy.may_resolve_concern(request.user, concern) and concern.status == Concern.Status.OPEN
    )
    recording = request.method == "POST" and "close" not in request.POST
    evidence_form = EvidenceForm(request.POST if recording else None) if can_resolve else None
    errors = []
    if request.method == "POST":
        if not can_resolve:
            raise PermissionDenied(
                "only regional oversight and board members granted for the organisation record "
                "evidence"
            )
        try:
            if "close" in request.POST:
                evidence = get_object_or_404(
                    ConcernEvidence, pk=request.POST.get("evidence"), concern=concern
                )
                actions.close_concern(concern=concern, evidence=evidence, by=request.user)
                return redirect("oversight:concern", concern_id=concern.pk)
            if evidence_form.is_valid():
                actions.record_evidence(
                    concern=concern, by=request.user, **evidence_form.cleaned_data
                )
                return redirect("oversight:concern", concern_id=concern.pk)
        except ValidationError as exc:
            errors = exc.messages
    return render(
        request,
        "oversight/concern_detail.html",
        {
            "concern": concern,
            "evidence": concern.evidence.all(),
            "evidence_form": evidence_form,
            "can_resolve": can_resolve,
            "errors": errors,
        },
    )


@requires(*SIGNED_IN)
def staff_voice_by_rating(request):
    return render(
        request,
        "oversight/staff_voice_by_rating.html",
        {
            "year": queries.RATING_COMPARISON_YEAR,
            "rows": queries.measures_by_cqc_rating(),
            "cqc_ratings": CQC_RATINGS,
            "sources": [sources()[key] for key in ("cqc_ratings", "staff_survey_2019", "shmi")],
        },
    )


# --- Monitoring: SPC charts, regional views, flags raised as concerns ---------------------------


@requires(*SIGNED_IN)
def series_chart(request, ods_code: str, measure_id: str):
    chart = monitoring.series_chart(measure_id, ods_code.upper())
    if chart is None:
        raise Http404("no series")
    return chart_store.svg_response(request, chart)


@requires(*SIGNED_IN)
def region_list(request):
    regions = (
        Organisation.objects.filter(close_date__isnull=True, successor__isnull=True)
        .exclude(region_code="")
        .values_list("region_code", "region_name")
        .distinct()
        .order_by("region_name")
    )
    return render(request, "oversight/region_list.html", {"regions": regions})


@requires(*SIGNED_IN)
def region_detail(request, region_code: str):
    ranking = monitoring.region_ranking(region_code.upper())
    if not ranking:
        raise Http404("no such region")
    open_concerns = policy.readable_concerns(
        request.user,
        Concern.objects.filter(
            status=Concern.Status.OPEN, organisation__region_code=region_code.upper()
        ).select_related("organisation", "owner"),
    )
    return render(
        request,
        "oversight/region_detail.html",
        {
            "region_name": ranking[0]["organisation"].region_name,
            "region_code": region_code.upper(),
            "ranking": ranking,
            "concerns": list(open_concerns),
        },
    )


@requires(*SIGNED_IN)
def national_ranking(request):
    result = assessment.current()
    measures = {m["measure_id"]: m for m in result.measures.iter_rows(named=True)}
    system = [
        dict(row, measure=measures[row["measure_id"]])
        for row in result.system.filter(pl.col("system_wide")).iter_rows(named=True)
    ]
    return render(
        request,
        "oversight/ranking.html",
        {"ranking": monitoring.ranking(), "system": system, "as_of": result.as_of},
    )


@requires(*SIGNED_IN)
def measure_detail(request, measure_id: str):
    measure = get_object_or_404(Measure, pk=measure_id)
    region = request.GET.get("region", "")
    has_funnel = monitoring.has_funnel(measure)
    return render(
        request,
        "oversight/measure_detail.html",
        {
            "measure": measure,
            "rows": monitoring.measure_summary(measure, region),
            "region": region,
            "choices": queries.filter_choices(),
            "targets": measure.targets.filter(status=Target.Status.PUBLISHED),
            "balancing_for": measure.balancing_for.filter(status=Target.Status.PUBLISHED),
            "source": sources().get(measure.source),
            "has_funnel": has_funnel,
            "outliers": monitoring.funnel_outliers(measure) if has_funnel else None,
            "windows": monitoring.measure_windows(measure),
        },
    )


@requires(*SIGNED_IN)
def measure_list(request):
    return render(
        request,
        "oversight/measure_list.html",
        {"measures": Measure.objects.order_by("domain", "name")},
    )


@requires(*SIGNED_IN)
def measure_funnel_chart(request, measure_id: str):
    measure = get_object_or_404(Measure, pk=measure_id)
    chart = monitoring.funnel_chart(measure)
    if chart is None:
        raise Http404("no funnel for this measure")
    return chart_store.svg_response(request, chart)
