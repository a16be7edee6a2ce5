from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from candour.importers.catalogue import sources
from candour.importers.datasets import CQC_RATINGS
from candour.web.core.access import SIGNED_IN, requires
from candour.web.oversight import queries
from candour.web.oversight.models import Organisation

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
        },
    )


@requires(*SIGNED_IN)
def organisation_detail(request, ods_code: str):
    organisation = get_object_or_404(
        Organisation.objects.select_related("successor"), pk=ods_code.upper()
    )
    trends = queries.measure_trends(organisation)
    used_sources = {t.measure.source for t in trends}
    if organisation.ratings.exists():
        used_sources.add("cqc_ratings")
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
        },
    )
