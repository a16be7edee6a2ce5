"""Every step on a case (POST only): each opens the case, validates its form, runs its action
and goes back to the case page, or shows it again with the form's errors."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from candour.web.speakup import actions, vault
from candour.web.speakup.actions.conduct import refer_to_conduct
from candour.web.speakup.choices import (
    Author,
)
from candour.web.speakup.forms import (
    ActionDoneForm,
    ActionForm,
    CloseForm,
    DisclosureForm,
    EscalateForm,
    FeedbackForm,
    GuardianCheckInForm,
    GuardianSpeakUpAgainForm,
    LegalHoldForm,
    MessageForm,
    NoteForm,
    ReferralForm,
    ShareForm,
    TriageForm,
)
from candour.web.speakup.forms_conduct import ConductReferralForm
from candour.web.speakup.models import CaseAction
from candour.web.speakup.views.cases import render_case
from candour.web.speakup.views.guardian import (
    Locked,
    guardian_page,
    open_case,
    to_unlock,
)


def _step(name: str, form_class, perform, *, needs_form: bool = True, anchor: str = ""):
    """A POST-only step on a case: open it, validate the form, run the action, go back to the
    case page (or show it again with the form's errors)."""

    @require_POST
    @guardian_page
    def view(request, case_id):
        try:
            case, opened, keypair = open_case(request, case_id)
        except Locked:
            return to_unlock(request)
        kwargs = {"prefix": name}
        if form_class is ShareForm:
            kwargs.update(organisation_code=case.organisation_id, exclude=request.user)
        if form_class is ActionForm:
            kwargs.update(organisation_code=case.organisation_id)
        if form_class is ConductReferralForm:
            kwargs.update(organisation=case.organisation)
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                result = perform(request, case, opened, keypair, form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if isinstance(result, HttpResponse):
                    return result
                return redirect(reverse("speakup:case", args=[case.pk]) + (anchor or f"#{name}"))
        case.refresh_from_db()
        return render_case(request, case, opened, forms={name: form}, status=400)

    view.__name__ = f"case_{name}"
    return view


case_acknowledge = _step(
    "acknowledge",
    MessageForm,
    lambda request, case, opened, keypair, data: actions.acknowledge(
        opened=opened, message=data["body"], by=request.user
    ),
    anchor="#messages",
)
case_triage = _step(
    "triage",
    TriageForm,
    lambda request, case, opened, keypair, data: actions.triage(
        case=case,
        risk=data["risk"],
        immediate_harm=data["immediate_harm"],
        categories=data["categories"],
        protected_characteristic=data["protected_characteristic"],
        by=request.user,
    ),
)
case_message = _step(
    "message",
    MessageForm,
    lambda request, case, opened, keypair, data: actions.send_message(
        opened=opened, body=data["body"], by=request.user
    ),
    anchor="#messages",
)
case_note = _step(
    "note",
    NoteForm,
    lambda request, case, opened, keypair, data: actions.add_note(
        opened=opened, body=data["body"], by=request.user
    ),
    anchor="#notes",
)
case_action = _step(
    "action",
    ActionForm,
    lambda request, case, opened, keypair, data: actions.add_action(
        case=case,
        description=data["description"],
        owner=data["owner"],
        due_on=data["due_on"],
        by=request.user,
    ),
    anchor="#actions",
)
case_referral = _step(
    "referral",
    ReferralForm,
    lambda request, case, opened, keypair, data: actions.refer(
        case=case, kind=data["kind"], reference=data["reference"], by=request.user
    ),
    anchor="#actions",
)
case_conduct = _step(
    "conduct",
    ConductReferralForm,
    lambda request, case, opened, keypair, data: refer_to_conduct(
        case=case,
        subject=data["subject"],
        category=data["category"],
        summary=data["summary"],
        consent_on=data["consent_on"],
        by=request.user,
    ),
    anchor="#actions",
)
case_feedback = _step(
    "feedback",
    FeedbackForm,
    lambda request, case, opened, keypair, data: actions.give_feedback(
        opened=opened, body=data["body"], by=request.user
    ),
    anchor="#messages",
)
case_close = _step(
    "close",
    CloseForm,
    lambda request, case, opened, keypair, data: actions.close_case(
        opened=opened, outcome=data["outcome"], evidence=data["evidence"], by=request.user
    ),
)


def _record_check_in(request, case, opened, keypair, data):
    pending = case.check_ins.filter(answered_on=None).order_by("due_on").first()
    if pending is None:
        raise ValidationError("Every check-in has been recorded.")
    actions.answer_check_in(
        opened=opened,
        check_in=pending,
        answer=data["answer"],
        comment=data["comment"],
        author=Author.GUARDIAN,
        by=request.user,
    )


def _escalate(request, case, opened, keypair, data):
    check_in = (
        case.check_ins.filter(answer__in=["suspected", "confirmed"], escalated_on=None)
        .order_by("due_on")
        .first()
    )
    if check_in is None:
        raise ValidationError("No detriment is waiting to be escalated.")
    actions.escalate_check_in(
        check_in=check_in, kind=data["kind"], reference=data["reference"], by=request.user
    )


def _action_done(request, case, opened, keypair, data):
    action_id = request.POST.get("action_id", "")
    if not action_id.isdigit():
        raise Http404("no such action")
    action = get_object_or_404(CaseAction, pk=int(action_id), case=case)
    actions.complete_action(action=action, evidence=data["evidence"], by=request.user)


case_check_in = _step("check_in", GuardianCheckInForm, _record_check_in, anchor="#detriment")
case_escalate = _step("escalate", EscalateForm, _escalate, anchor="#detriment")
case_action_done = _step("action_done", ActionDoneForm, _action_done, anchor="#actions")
case_speak_up_again = _step(
    "speak_up_again",
    GuardianSpeakUpAgainForm,
    lambda request, case, opened, keypair, data: actions.answer_speak_up_again(
        opened=opened,
        answer=data["answer"],
        comment=data["comment"],
        author=Author.GUARDIAN,
        by=request.user,
    ),
)
case_disclosure = _step(
    "disclosure",
    DisclosureForm,
    lambda request, case, opened, keypair, data: actions.request_disclosure(
        case=case, reason=data["reason"], by=request.user
    ),
    anchor="#identity",
)
case_share = _step(
    "share",
    ShareForm,
    lambda request, case, opened, keypair, data: actions.share_case(
        case=case, keypair=keypair, to_guardian=data["guardian"], by=request.user
    ),
    anchor="#readers",
)


@require_POST
@guardian_page
def case_identity(request, case_id):
    """Open the identity envelope (open route; or confidential after an approved disclosure)."""
    try:
        case, opened, keypair = open_case(request, case_id)
    except Locked:
        return to_unlock(request)
    try:
        identity = actions.reveal_identity(opened=opened, keypair=keypair, by=request.user)
    except (ValidationError, vault.NoAccess) as exc:
        errors = exc.messages if isinstance(exc, ValidationError) else ["No identity key for you."]
        return render(
            request, "speakup/identity.html", {"case": case, "errors": errors}, status=403
        )
    return render(request, "speakup/identity.html", {"case": case, "identity": identity})


case_legal_hold = _step(
    "legal_hold",
    LegalHoldForm,
    lambda request, case, opened, keypair, data: actions.set_legal_hold(
        case=case, hold=request.POST.get("hold") == "1", reason=data["reason"], by=request.user
    ),
    anchor="#retention",
)
