"""Fit-and-proper person records and board references: for the organisation's chair and the
administrators it names only (:func:`candour.web.leadership.policy.can_read_fppt`; anyone else
403), never cached."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from candour.web.core.access import requires
from candour.web.leadership import actions_fitness, policy, queries_people
from candour.web.leadership.forms_appraisal import posted
from candour.web.leadership.forms_fitness import (
    CheckForm,
    DateStepForm,
    ReferenceForm,
    SignOffForm,
    StartRecordForm,
    SubmitForm,
)
from candour.web.leadership.models import BoardReference, FitAndProperRecord, Person
from candour.web.oversight.models import Organisation


def fppt_page(view):
    return requires(*policy.FPPT_ROLES)(never_cache(view))


def fppt_organisation(request, ods_code: str) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=ods_code.upper())
    if not policy.can_read_fppt(request.user, organisation):
        raise PermissionDenied("not a named fit-and-proper officer of this organisation")
    return organisation


@fppt_page
def fppt(request, ods_code: str):
    """The board's members and their record for the year; start a record."""
    organisation = fppt_organisation(request, ods_code)
    year = _year(request)
    members, former = queries_people.fppt_overview(organisation, year)
    form = StartRecordForm(posted(request), members=[m for m in members if not m.record])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = data["member"]
        try:
            person = member.person
            if person is None or data["date_of_birth"]:
                person = actions_fitness.register_person(
                    person_id=member.person_id,
                    name=data["name"] or person.name,
                    organisation=(person.organisation if person else None) or organisation,
                    date_of_birth=data["date_of_birth"],
                    by=request.user,
                )
            record = actions_fitness.start_fppt_record(
                organisation=organisation,
                person=person,
                year=data["year"],
                post=member.post,
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("leadership:fppt_record", pk=record.pk)
    return render(
        request,
        "leadership/fppt.html",
        {
            "organisation": organisation,
            "year": year,
            "members": members,
            "former": former,
            "form": form,
            "is_chair": policy.is_chair(request.user, organisation),
        },
        status=400 if form.errors else 200,
    )


def _year(request) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else timezone.localdate().year


def readable_record(request, pk: int) -> FitAndProperRecord:
    record = get_object_or_404(
        FitAndProperRecord.objects.select_related("organisation", "person", "post"), pk=pk
    )
    if not policy.can_read_fppt(request.user, record.organisation):
        raise PermissionDenied("not a named fit-and-proper officer of this organisation")
    return record


STEP_FORMS = {
    "check": CheckForm,
    "self_assessed": DateStepForm,
    "attested": DateStepForm,
    "sign_off": SignOffForm,
    "submit": SubmitForm,
}


def _record_forms(request, record, bound: dict) -> dict:
    if record.submitted_on is not None:
        return {}
    forms = {name: form(prefix=name) for name, form in STEP_FORMS.items()}
    if not policy.is_chair(request.user, record.organisation) or record.signed_off_on:
        forms.pop("sign_off")
    if record.signed_off_on is None:
        forms.pop("submit")
    return forms | bound


def render_record(request, record, *, bound=None, status=200):
    is_chair = policy.is_chair(request.user, record.organisation)
    concerns = record.conduct_concerns.select_related("subject")
    return render(
        request,
        "leadership/fppt_record.html",
        {
            "record": record,
            "checks": record.checks.select_related("recorded_by"),
            "concerns": concerns if is_chair else None,
            "concern_count": concerns.count(),
            "forms": _record_forms(request, record, bound or {}),
            "retain_until": _retain_until(record.person),
        },
        status=status,
    )


def _retain_until(person: Person):
    from candour.analytics.leadership.retention import retain_until

    return retain_until(person.date_of_birth) if person.date_of_birth else None


@fppt_page
def fppt_record(request, pk: int):
    return render_record(request, readable_record(request, pk))


@require_POST
@fppt_page
def fppt_step(request, pk: int, step: str):
    if step not in STEP_FORMS:
        raise Http404("no such step")
    record = readable_record(request, pk)
    if step not in _record_forms(request, record, {}):
        raise PermissionDenied("not a step you can take on this record")
    form = STEP_FORMS[step](request.POST, prefix=step)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if step == "check":
                actions_fitness.add_fppt_check(record=record, by=request.user, **data)
            elif step in ("self_assessed", "attested"):
                actions_fitness.record_fppt_date(
                    record=record, step=step, on=data["on"], by=request.user
                )
            elif step == "sign_off":
                actions_fitness.sign_off_fppt(record=record, by=request.user, **data)
            else:
                actions_fitness.submit_fppt(record=record, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, "Recorded.")
            return redirect(reverse("leadership:fppt_record", args=[record.pk]) + f"#{step}")
    record.refresh_from_db()
    return render_record(request, record, bound={step: form}, status=400)


@fppt_page
def references(request, ods_code: str):
    """Board references written, and a new one for a director who has left or is leaving."""
    organisation = fppt_organisation(request, ods_code)
    holdings = queries_people.leavers(organisation)
    people = Person.objects.in_bulk([h.person_id for h in holdings], field_name="person_id")
    form = ReferenceForm(posted(request), holdings=holdings, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        holding = data["holding"]
        try:
            person = people.get(holding.person_id) or actions_fitness.register_person(
                person_id=holding.person_id,
                name=data["name"],
                organisation=organisation,
                by=request.user,
            )
            actions_fitness.write_board_reference(
                person=person,
                organisation=organisation,
                role_held=holding.post.name,
                held_from=holding.start,
                held_to=holding.end,
                requested_by=data["requested_by"],
                investigations=data["investigations"],
                misconduct_found=data["misconduct_found"],
                details=data["details"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, "Reference recorded.")
            return redirect("leadership:references", ods_code=organisation.pk)
    return render(
        request,
        "leadership/references.html",
        {
            "organisation": organisation,
            "references": BoardReference.objects.filter(organisation=organisation).select_related(
                "person", "written_by"
            ),
            "form": form,
        },
        status=400 if form.errors else 200,
    )
