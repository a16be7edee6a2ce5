"""Leadership pages: the Kerr analysis, and each region's talent board (supply and demand,
ledger, pools, succession plans, decisions)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from candour.importers.catalogue import sources
from candour.web.core.access import requires
from candour.web.core.roles import Role
from candour.web.leadership import actions, queries, queries_newdeal
from candour.web.leadership.access import board_for, boards_of
from candour.web.leadership.forms import DecisionForm
from candour.web.leadership.models import BoardPost, Person, SuccessionDecision

# The Kerr analysis is aggregated and disclosure-controlled: for those who oversee boards.
KERR_READERS = (Role.BOARD, Role.ANALYST, Role.REGIONAL, Role.TALENT_BOARD)


def talent_board_page(view):
    """A talent-board page: the role, then (in the view) a seat on the region's board."""
    return requires(Role.TALENT_BOARD)(never_cache(view))


@talent_board_page
def home(request):
    """Where a talent-board member lands after signing in: their region's supply and demand,
    or a choice of regions when they sit on several boards."""
    boards = boards_of(request.user)
    if len(boards) == 1:
        return redirect("leadership:region", region_code=boards[0].region_code)
    return render(request, "leadership/home.html", {"boards": boards})


@requires(*KERR_READERS)
def kerr(request):
    analysis = queries.kerr_analysis(timezone.localdate())
    return render(
        request,
        "leadership/kerr.html",
        {"analysis": analysis, "source": sources()["cqc_ratings"]},
    )


def _region_context(board, active: str) -> dict:
    return {
        "board": board,
        "active": active,
        "as_of": timezone.localdate(),
        "synthetic": queries.is_synthetic(
            BoardPost.objects.filter(organisation__region_code=board.region_code)
        )
        or Person.objects.filter(memberships__pool__board=board, synthetic=True).exists(),
    }


@talent_board_page
def region(request, region_code: str):
    board = board_for(request.user, region_code)
    context = _region_context(board, "region")
    items = queries.supply_and_demand(board, context["as_of"])
    context |= {
        "items": items,
        "counts": queries.demand_counts(items),
        "overdue": queries_newdeal.overdue_in_region(board.region_code, context["as_of"]),
    }
    return render(request, "leadership/region.html", context)


@talent_board_page
def region_ledger(request, region_code: str):
    board = board_for(request.user, region_code)
    context = _region_context(board, "ledger")
    context["organisations"] = queries.region_ledger(board.region_code, context["as_of"])
    return render(request, "leadership/ledger.html", context)


@talent_board_page
def region_pools(request, region_code: str):
    board = board_for(request.user, region_code)
    context = _region_context(board, "pools")
    context |= {
        "pools": queries.region_pools(board),
        "diversity": queries.region_diversity(board, context["as_of"].year),
        "year": context["as_of"].year,
    }
    return render(request, "leadership/pools.html", context)


@talent_board_page
def region_plans(request, region_code: str):
    board = board_for(request.user, region_code)
    context = _region_context(board, "plans")
    context["plans"] = queries.region_plans(board)
    return render(request, "leadership/plans.html", context)


@talent_board_page
def decide(request, region_code: str, post_id: str):
    """Record the board's decision about one post of its region."""
    board = board_for(request.user, region_code)
    post = get_object_or_404(
        BoardPost.objects.select_related("organisation"),
        post_id=post_id,
        organisation__region_code=board.region_code,
    )
    context = _region_context(board, "region")
    item = next(
        (i for i in queries.supply_and_demand(board, context["as_of"]) if i.post == post), None
    )
    people = _people_for(item, post)
    form = DecisionForm(request.POST or None, people=[(p.person_id, label) for p, label in people])
    if request.method == "POST" and form.is_valid():
        chosen = {p.person_id: p for p, _ in people}.get(form.cleaned_data["person"])
        try:
            decision = actions.record_succession_decision(
                board=board,
                post=post,
                kind=form.cleaned_data["kind"],
                person=chosen,
                rationale=form.cleaned_data["rationale"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, _recorded(decision))
            url = reverse("leadership:region", kwargs={"region_code": board.region_code})
            return redirect(f"{url}#post-{post.post_id}")
    context |= {"post": post, "item": item, "form": form}
    return render(request, "leadership/decide.html", context)


def _people_for(item, post) -> list[tuple[Person, str]]:
    """The people a decision can name: the post's matches, then its plan's other successors."""
    people: list[tuple[Person, str]] = []
    seen = set()
    for match in item.matches if item else []:
        organisation = (
            match.person.organisation.name if match.person.organisation else "outside the NHS"
        )
        label = f"{match.person.name}, {organisation} (ready now, {match.proximity_label})"
        people.append((match.person, label))
        seen.add(match.person.pk)
    plan = getattr(post, "succession_plan", None)
    for successor in plan.successors.select_related("person") if plan else []:
        if successor.person.pk not in seen:
            people.append(
                (successor.person, f"{successor.person.name} (successor {successor.rank})")
            )
    return people


def _recorded(decision: SuccessionDecision) -> str:
    who = f" {decision.person.name}:" if decision.person else ":"
    return (
        f"Decision recorded for {decision.post.name} at {decision.post.organisation.name}."
        f"{who} {decision.get_kind_display().lower()}."
    )
