"""Pages that need no keys: themes and the quarterly return (disclosure-controlled), second
approvals, "you said, we did", action owners' list, and the administrator's guardian coverage."""

from __future__ import annotations

import datetime

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from candour.web.core.access import SIGNED_IN, requires
from candour.web.core.roles import Role
from candour.web.oversight.models import Organisation
from candour.web.speakup import actions, policy, returns
from candour.web.speakup.choices import ApprovalStatus, SummaryStatus
from candour.web.speakup.forms import ActionDoneForm, SummaryForm
from candour.web.speakup.models import (
    CaseAction,
    GuardianAssignment,
    IdentityDisclosure,
    TurnedAway,
    WeDidSummary,
)
from candour.web.speakup.queries import Quarter, recent_quarters

THEME_READERS = (Role.GUARDIAN, Role.BOARD, Role.REGIONAL, Role.ANALYST)
SECOND_APPROVERS = (Role.GUARDIAN, Role.BOARD)
TURNED_AWAY_DAYS = 90
QUARTERS_SHOWN = 8


def _quarter(request) -> Quarter:
    try:
        return Quarter.parse(request.GET.get("quarter", ""))
    except ValueError:
        return Quarter.containing(timezone.localdate())


def _home_organisations(user) -> list[str]:
    """The organisations a person looks at first: where they are a guardian or board member."""
    codes = policy.guardian_organisation_codes(user) + policy.granted_organisation_codes(
        user, Role.BOARD
    )
    return sorted(set(codes))


# ------------------------------------------------------------------------------------- themes


@requires(*THEME_READERS)
def themes(request):
    """Themes by organisation within a quarter, or by quarter for one organisation."""
    today = timezone.localdate()
    quarters = recent_quarters(today, QUARTERS_SHOWN)
    code = request.GET.get("organisation", "").strip().upper()
    if code:
        organisation = get_object_or_404(Organisation, pk=code)
        published = returns.disclose_by(returns.theme_counts(quarters, [code]), "quarter")
        row_labels = [(q.slug, q.label) for q in reversed(quarters)]
        row_key, quarter = "quarter", None
    else:
        organisation = None
        quarter = _quarter(request)
        published = returns.disclose_by(returns.theme_counts([quarter]), "ods_code")
        codes = [c for c in published["ods_code"].unique().sort().to_list() if c != returns.TOTAL]
        names = dict(Organisation.objects.filter(pk__in=codes).values_list("pk", "name"))
        row_labels = [(c, f"{names.get(c, c)} ({c})") for c in codes]
        row_key = "ods_code"
    cells = {
        (row[row_key], row["measure"]): row["display"] for row in published.iter_rows(named=True)
    }
    rows = [
        (label, [cells.get((key, measure), "0") for measure in returns.THEME_MEASURES])
        for key, label in [*row_labels, (returns.TOTAL, "Total")]
        if any((key, m) in cells for m in returns.THEME_MEASURES) or key == returns.TOTAL
    ]
    return render(
        request,
        "speakup/themes.html",
        {
            "rows": rows if len(rows) > 1 else [],
            "measures": list(returns.THEME_MEASURES.values()),
            "quarter": quarter,
            "quarters": quarters,
            "organisation": organisation,
            "home": _home_organisations(request.user),
        },
    )


# ------------------------------------------------------------------------------------- return


def _return_subject(request) -> tuple[Organisation, Quarter]:
    code = request.GET.get("organisation", "").strip().upper()
    if not code:
        home = _home_organisations(request.user)
        if not home:
            raise Http404("choose an organisation")
        code = home[0]
    return get_object_or_404(Organisation, pk=code), _quarter(request)


@requires(*THEME_READERS)
def quarterly_return(request):
    try:
        organisation, quarter = _return_subject(request)
    except Http404:
        return render(
            request,
            "speakup/return.html",
            {
                "organisation": None,
                "quarters": recent_quarters(timezone.localdate(), QUARTERS_SHOWN),
            },
        )
    # the organisation's own guardians see (and export) the true counts they submit to the
    # National Guardian's Office; everyone else, and every published figure, is suppressed
    true_counts = policy.is_assigned_guardian(request.user, organisation.pk)
    sections = (returns.true_return if true_counts else returns.disclosed_return)(
        organisation.pk, quarter
    )
    return render(
        request,
        "speakup/return.html",
        {
            "organisation": organisation,
            "quarter": quarter,
            "quarters": recent_quarters(timezone.localdate(), QUARTERS_SHOWN),
            "sections": sections,
            "true_counts": true_counts,
            "differences": returns.reconcile(organisation.pk, quarter),
        },
    )


@requires(*THEME_READERS)
def quarterly_return_csv(request):
    organisation, quarter = _return_subject(request)
    response = HttpResponse(
        returns.return_csv(organisation.pk, quarter), content_type="text/csv; charset=utf-8"
    )
    filename = f"freedom-to-speak-up-{organisation.pk}-{quarter.slug}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@requires(Role.GUARDIAN)
def quarterly_return_ngo_csv(request):
    """The return with true counts, in the National Guardian's Office layout: only for the
    organisation's own guardians (anyone else: 403)."""
    organisation, quarter = _return_subject(request)
    if not policy.is_assigned_guardian(request.user, organisation.pk):
        raise PermissionDenied("Only the organisation's own guardians submit its true counts.")
    response = HttpResponse(
        returns.ngo_csv(organisation, quarter), content_type="text/csv; charset=utf-8"
    )
    filename = f"ngo-return-{organisation.pk}-{quarter.slug}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------------------------- approvals


@never_cache
@requires(*SECOND_APPROVERS)
def approvals(request):
    user = request.user
    codes = policy.approver_organisation_codes(user)
    disclosures = [
        d
        for d in IdentityDisclosure.objects.filter(
            status=ApprovalStatus.REQUESTED, case__organisation_id__in=codes
        ).select_related("case", "requested_by")
        if policy.can_second(user, organisation_code=d.case.organisation_id, author=d.requested_by)
    ]
    summaries = [
        s
        for s in WeDidSummary.objects.filter(
            status=SummaryStatus.DRAFT, organisation_id__in=codes
        ).select_related("organisation", "written_by")
        if policy.can_second(user, organisation_code=s.organisation_id, author=s.written_by)
    ]
    return render(
        request,
        "speakup/approvals.html",
        {"disclosures": disclosures, "summaries": summaries, "organisations": codes},
    )


@require_POST
@requires(*SECOND_APPROVERS)
def decide_disclosure(request, pk: int):
    disclosure = get_object_or_404(IdentityDisclosure, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        actions.decide_disclosure(disclosure=disclosure, approve=approve, by=request.user)
    except ValidationError as exc:
        raise PermissionDenied(exc.messages[0]) from None
    flash.success(request, "Disclosure approved." if approve else "Disclosure refused.")
    return redirect("speakup:approvals")


@require_POST
@requires(*SECOND_APPROVERS)
def decide_summary(request, pk: int):
    summary = get_object_or_404(WeDidSummary, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        actions.decide_summary(summary=summary, approve=approve, by=request.user)
    except ValidationError as exc:
        raise PermissionDenied(exc.messages[0]) from None
    flash.success(request, "Summary published." if approve else "Summary sent back.")
    return redirect("speakup:approvals")


# --------------------------------------------------------------------------- you said, we did


@never_cache
@requires(Role.GUARDIAN)
def summaries(request):
    user = request.user
    codes = policy.guardian_organisation_codes(user)
    form = SummaryForm(request.POST or None, organisation_codes=codes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.write_summary(
                organisation=Organisation.objects.get(pk=data["organisation"]),
                theme=data["theme"],
                you_said=data["you_said"],
                we_did=data["we_did"],
                by=user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(
                request, "Summary saved. A second person must approve it before it is published."
            )
            return redirect("speakup:summaries")
    return render(
        request,
        "speakup/summaries.html",
        {
            "form": form if codes else None,
            "summaries": WeDidSummary.objects.filter(organisation_id__in=codes).select_related(
                "written_by", "approved_by"
            ),
        },
        status=400 if form.errors else 200,
    )


# ----------------------------------------------------------------------------- action owners


@never_cache
@requires(*SIGNED_IN)
def my_actions(request):
    """Actions owned by the signed-in person: only each action's text, never the case."""
    owned = CaseAction.objects.filter(owner=request.user).order_by("done_on", "due_on", "id")
    return render(
        request,
        "speakup/my_actions.html",
        {
            "owned": owned,
            "form": ActionDoneForm(),
            "today": timezone.localdate(),
        },
    )


@require_POST
@requires(*SIGNED_IN)
def action_done(request, pk: int):
    action = get_object_or_404(CaseAction, pk=pk, owner=request.user)
    form = ActionDoneForm(request.POST)
    if form.is_valid():
        try:
            actions.complete_action(
                action=action, evidence=form.cleaned_data["evidence"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, "Recorded as done, with your evidence, on the case.")
            return redirect("speakup:my_actions")
    owned = CaseAction.objects.filter(owner=request.user).order_by("done_on", "due_on", "id")
    return render(
        request,
        "speakup/my_actions.html",
        {"owned": owned, "form": form, "failed": action.pk, "today": timezone.localdate()},
        status=400,
    )


# ----------------------------------------------------------------------------------- coverage


@requires(Role.ADMIN)
def coverage(request):
    """Where a guardian is missing: organisations where staff were turned away, and how many
    guardians (with keys) each organisation has."""
    since = timezone.localdate() - datetime.timedelta(days=TURNED_AWAY_DAYS)
    turned_away = (
        TurnedAway.objects.filter(seen_on__gte=since)
        .values("organisation_id", "organisation__name")
        .annotate(days=Count("pk"), attempts=Sum("attempts"))
        .order_by("-attempts", "organisation_id")
    )
    staffed = (
        GuardianAssignment.objects.filter(guardian__is_active=True)
        .values("organisation_id", "organisation__name")
        .annotate(guardians=Count("guardian", distinct=True))
        .order_by("guardians", "organisation_id")
    )
    return render(
        request,
        "speakup/coverage.html",
        {"turned_away": list(turned_away), "staffed": list(staffed), "since": since},
    )
