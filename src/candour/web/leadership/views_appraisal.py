"""Appraisal and 360 pages. Every page declares its roles (``candour.web.core.access``); the
object rules are :mod:`candour.web.leadership.policy`: an appraisal answers 404 to anyone but
the person appraised and their appraiser, a 360 request to anyone but its rater."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from candour.web.core.access import SIGNED_IN, has_role, requires
from candour.web.leadership import policy, queries_appraisal, queries_people
from candour.web.leadership.actions_appraisal import (
    Nomination,
    Rating,
    add_development_action,
    add_objective,
    open_appraisal,
    record_career_conversation,
    save_appraiser_ratings,
    save_self_assessment,
)
from candour.web.leadership.actions_feedback import (
    answer_feedback,
    close_appraisal,
    request_feedback,
)
from candour.web.leadership.forms_appraisal import (
    CareerConversationForm,
    CloseForm,
    CompetencyForm,
    DevelopmentActionForm,
    FeedbackRequestForm,
    ObjectiveForm,
    StartAppraisalForm,
    posted,
)
from candour.web.leadership.models import Appraisal, FeedbackRequest


def people_page(view):
    """A page anyone signed in may open; what it shows is decided by the policy."""
    return requires(*SIGNED_IN)(never_cache(view))


@people_page
def appraisals(request):
    """Your appraisals, your appraisees', the 360 feedback you are asked for, and the board
    records you keep or investigate."""
    user = request.user
    return render(
        request,
        "leadership/appraisals.html",
        {
            "mine": queries_appraisal.my_appraisals(user),
            "appraising": queries_appraisal.appraising(user),
            "to_give": queries_appraisal.feedback_to_give(user),
            "can_start": has_role(user, policy.APPRAISER_ROLES),
            **queries_people.board_records_for(user),
        },
    )


@requires(*policy.APPRAISER_ROLES)
@never_cache
def appraisal_new(request):
    form = StartAppraisalForm(
        posted(request), people=queries_appraisal.appraisable_people(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            appraisal = open_appraisal(
                person=form.cleaned_data["person"],
                year=form.cleaned_data["year"],
                appraiser=request.user,
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, f"Appraisal for {appraisal.year} started.")
            return redirect("leadership:appraisal", pk=appraisal.pk)
    return render(
        request, "leadership/appraisal_new.html", {"form": form}, status=400 if form.errors else 200
    )


def readable_appraisal(request, pk: int) -> Appraisal:
    appraisal = get_object_or_404(
        Appraisal.objects.select_related("person", "organisation", "appraiser", "framework"),
        pk=pk,
    )
    if not policy.can_read_appraisal(request.user, appraisal):
        raise Http404("no appraisal of yours has this id")
    return appraisal


def _forms(request, appraisal, bound: dict) -> dict:
    if not appraisal.is_open:
        return {}
    forms = {
        "objective": ObjectiveForm(prefix="objective"),
        "plan": DevelopmentActionForm(prefix="plan"),
        "feedback": FeedbackRequestForm(
            prefix="feedback", raters=queries_appraisal.possible_raters(appraisal)
        ),
    }
    if policy.is_appraiser(request.user, appraisal):
        forms["close"] = CloseForm(prefix="close")
    return forms | bound


def render_appraisal(request, appraisal, *, bound=None, status=200):
    return render(
        request,
        "leadership/appraisal.html",
        {
            "appraisal": appraisal,
            "is_appraiser": policy.is_appraiser(request.user, appraisal),
            "is_appraisee": policy.is_appraisee(request.user, appraisal),
            "domains": queries_appraisal.competency_rows(appraisal),
            "release": queries_appraisal.release_of(appraisal),
            "requests": appraisal.feedback_requests.select_related("rater"),
            "conversation": getattr(appraisal, "career_conversation", None),
            "forms": _forms(request, appraisal, bound or {}),
        },
        status=status,
    )


@people_page
def appraisal(request, pk: int):
    return render_appraisal(request, readable_appraisal(request, pk))


STEPS = ("self", "rate", "conversation", "objective", "plan", "feedback", "close")


@people_page
def appraisal_step(request, pk: int, step: str):
    """One step on an appraisal: the two rating forms and the career conversation have their own
    pages; the others are posted from the appraisal's page."""
    if step not in STEPS:
        raise Http404("no such step")
    appraisal = readable_appraisal(request, pk)
    if step in ("self", "rate"):
        return _ratings(request, appraisal, step)
    if step == "conversation":
        return _conversation(request, appraisal)
    if request.method != "POST":
        return redirect("leadership:appraisal", pk=appraisal.pk)
    form = _forms(request, appraisal, {}).get(step)
    if form is None:
        raise Http404("not a step you can take on this appraisal")
    form = type(form)(request.POST, prefix=step, **_form_kwargs(form))
    if form.is_valid():
        try:
            message = _perform(request, appraisal, step, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, message)
            return redirect(reverse("leadership:appraisal", args=[appraisal.pk]) + f"#{step}")
    return render_appraisal(request, appraisal, bound={step: form}, status=400)


def _form_kwargs(form) -> dict:
    return {"raters": form.raters.values()} if isinstance(form, FeedbackRequestForm) else {}


def _perform(request, appraisal, step: str, data: dict) -> str:
    user = request.user
    if step == "objective":
        add_objective(appraisal=appraisal, by=user, **data)
        return "Objective added."
    if step == "plan":
        add_development_action(appraisal=appraisal, by=user, **data)
        return "Development action added."
    if step == "feedback":
        request_feedback(
            appraisal=appraisal, rater=data["rater"], relationship=data["relationship"], by=user
        )
        return "Feedback requested."
    close_appraisal(appraisal=appraisal, summary=data["summary"], by=user)
    return "Appraisal closed and signed off. The 360 feedback is released."


def _ratings(request, appraisal, step: str):
    """The self-assessment (the person appraised) or the appraiser's ratings."""
    allowed = (
        policy.is_appraisee(request.user, appraisal)
        if step == "self"
        else policy.is_appraiser(request.user, appraisal)
    )
    if not allowed or not appraisal.is_open:
        raise Http404("not a form you can fill in")
    source = "self" if step == "self" else "appraiser"
    initial = {}
    for rating in appraisal.ratings.filter(source=source):
        initial[f"level_{rating.competency_id}"] = str(rating.level_id)
        initial[f"evidence_{rating.competency_id}"] = rating.evidence
    form = CompetencyForm(
        posted(request),
        initial=initial,
        framework=appraisal.framework,
        evidence=True,
        required=False,
    )
    if request.method == "POST" and form.is_valid():
        ratings = [Rating(c, level, evidence) for c, level, evidence in form.ratings()]
        save = save_self_assessment if step == "self" else save_appraiser_ratings
        try:
            save(
                appraisal=appraisal,
                ratings=ratings,
                submit="submit" in request.POST,
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, "Submitted." if "submit" in request.POST else "Saved.")
            return redirect("leadership:appraisal", pk=appraisal.pk)
    return render(
        request,
        "leadership/appraisal_ratings.html",
        {"appraisal": appraisal, "form": form, "step": step},
        status=400 if form.errors else 200,
    )


def _conversation(request, appraisal):
    if not policy.is_appraiser(request.user, appraisal) or not appraisal.is_open:
        raise Http404("not a form you can fill in")
    form = CareerConversationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        nomination = (
            Nomination(
                data["readiness"], data["pool"], data["mobility"], tuple(data["target_roles"])
            )
            if data["nominate"]
            else None
        )
        try:
            record_career_conversation(
                appraisal=appraisal,
                held_on=data["held_on"],
                impact=data["impact"],
                growth=data["growth"],
                aspiration=data["aspiration"],
                plan=data["plan"],
                nomination=nomination,
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(
                request,
                "Career conversation recorded"
                + (": nominated to the region's talent pool." if nomination else "."),
            )
            return redirect("leadership:appraisal", pk=appraisal.pk)
    return render(
        request,
        "leadership/appraisal_conversation.html",
        {"appraisal": appraisal, "form": form},
        status=400 if form.errors else 200,
    )


@people_page
def feedback_answer(request, pk: int):
    """A rater answers the 360 feedback they were asked for, once."""
    feedback = get_object_or_404(
        FeedbackRequest.objects.select_related(
            "appraisal__person", "appraisal__organisation", "appraisal__framework"
        ),
        pk=pk,
    )
    if not policy.is_rater(request.user, feedback):
        raise Http404("no feedback request to you has this id")
    appraisal = feedback.appraisal
    form = None
    if feedback.answered_on is None and appraisal.is_open:
        form = CompetencyForm(
            posted(request), framework=appraisal.framework, evidence=False, required=True
        )
        if request.method == "POST" and form.is_valid():
            levels = {c.pk: level for c, level, _ in form.ratings()}
            try:
                answer_feedback(request=feedback, levels=levels, by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                flash.success(
                    request, f"Thank you: your feedback for {appraisal.person.name} is in."
                )
                return redirect("leadership:appraisals")
    return render(
        request,
        "leadership/feedback_answer.html",
        {"feedback": feedback, "appraisal": appraisal, "form": form},
        status=400 if form is not None and form.errors else 200,
    )
