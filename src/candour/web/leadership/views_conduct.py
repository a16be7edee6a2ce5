"""Conduct concerns about leaders: the organisation's list and recording a concern are the
chair's; a concern is read by those investigating it and the chair, never by the person it is
about (:func:`candour.web.leadership.policy.can_read_conduct`; anyone else 404)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from candour.web.core.access import SIGNED_IN, requires, users_with_role_for
from candour.web.leadership import actions_conduct, policy, queries_people
from candour.web.leadership.forms_appraisal import posted
from candour.web.leadership.forms_fitness import (
    ConcludeForm,
    ConductForm,
    FindingsForm,
    InvestigatorsForm,
)
from candour.web.leadership.models import ConductConcern, FitAndProperRecord
from candour.web.oversight.models import Organisation


@requires(*policy.CHAIR_ROLES)
@never_cache
def conduct(request, ods_code: str):
    organisation = get_object_or_404(Organisation, pk=ods_code.upper())
    if not policy.is_chair(request.user, organisation):
        raise PermissionDenied("not the chair of this organisation")
    people = [p for p in queries_people.board_people(organisation) if p.user_id != request.user.pk]
    form = ConductForm(posted(request), people=people)
    if request.method == "POST" and form.is_valid():
        try:
            concern = actions_conduct.record_conduct_concern(
                organisation=organisation, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, f"Conduct concern {concern.reference} recorded.")
            return redirect("leadership:conduct_concern", pk=concern.pk)
    concerns = [
        c
        for c in ConductConcern.objects.filter(organisation=organisation).select_related("subject")
        if policy.can_read_conduct(request.user, c)
    ]
    return render(
        request,
        "leadership/conduct.html",
        {"organisation": organisation, "concerns": concerns, "form": form},
        status=400 if form.errors else 200,
    )


def readable_concern(request, pk: int) -> ConductConcern:
    concern = get_object_or_404(
        ConductConcern.objects.select_related("organisation", "subject", "fitness_record"), pk=pk
    )
    if not policy.can_read_conduct(request.user, concern):
        raise Http404("no conduct concern you may read has this id")
    return concern


def _forms(request, concern, bound: dict) -> dict:
    if concern.status == ConductConcern.Status.CONCLUDED:
        return {}
    forms = {}
    if policy.is_chair(request.user, concern.organisation):
        forms["investigators"] = InvestigatorsForm(
            prefix="investigators",
            users=users_with_role_for(SIGNED_IN, concern.organisation).exclude(
                pk=concern.subject.user_id or 0
            ),
            initial={"investigators": [str(u.pk) for u in concern.investigators.all()]},
        )
    forms["findings"] = FindingsForm(prefix="findings", initial={"findings": concern.findings})
    forms["conclude"] = ConcludeForm(prefix="conclude", records=_records(concern))
    return forms | bound


def _records(concern):
    return FitAndProperRecord.objects.filter(
        organisation=concern.organisation, person=concern.subject
    ).order_by("-year")


def render_concern(request, concern, *, bound=None, status=200):
    return render(
        request,
        "leadership/conduct_concern.html",
        {
            "concern": concern,
            "investigators": concern.investigators.all(),
            "forms": _forms(request, concern, bound or {}),
            "is_chair": policy.is_chair(request.user, concern.organisation),
        },
        status=status,
    )


@requires(*SIGNED_IN)
@never_cache
def conduct_concern(request, pk: int):
    return render_concern(request, readable_concern(request, pk))


@require_POST
@requires(*SIGNED_IN)
@never_cache
def conduct_step(request, pk: int, step: str):
    concern = readable_concern(request, pk)
    offered = _forms(request, concern, {})
    if step not in offered:
        raise Http404("not a step you can take on this concern")
    unbound = offered[step]
    kwargs = {"prefix": step}
    if isinstance(unbound, InvestigatorsForm):
        kwargs["users"] = unbound.users.values()
    if isinstance(unbound, ConcludeForm):
        kwargs["records"] = unbound.records.values()
    form = type(unbound)(request.POST, **kwargs)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if step == "investigators":
                actions_conduct.assign_investigators(
                    concern=concern, investigators=data["investigators"], by=request.user
                )
            elif step == "findings":
                actions_conduct.record_findings(
                    concern=concern, findings=data["findings"], by=request.user
                )
            else:
                actions_conduct.conclude_conduct_concern(concern=concern, by=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, "Recorded.")
            return redirect(reverse("leadership:conduct_concern", args=[concern.pk]) + f"#{step}")
    return render_concern(request, concern, bound={step: form}, status=400)
