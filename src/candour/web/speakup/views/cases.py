"""The guardian's case list, a concern recorded for someone, a case page and its files."""

import io

from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from candour.web.oversight.models import Organisation
from candour.web.speakup import actions, policy, queries
from candour.web.speakup.choices import (
    OPEN_STATUSES,
    ApprovalStatus,
    Author,
    Route,
    Status,
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
    RecordedConcernForm,
    ReferralForm,
    ShareForm,
    TriageForm,
)
from candour.web.speakup.forms_conduct import ConductReferralForm
from candour.web.speakup.models import Attachment
from candour.web.speakup.sessions import guardian_keypair
from candour.web.speakup.views.guardian import (
    Locked,
    guardian_keys_of,
    guardian_page,
    open_case,
    to_unlock,
)
from candour.web.speakup.views.reporter import cleaned_upload

# ------------------------------------------------------------------------------------ cases


@guardian_page
def cases(request):
    user = request.user
    organisations = policy.guardian_organisation_codes(user)
    show_closed = request.GET.get("show") == "all"
    mine = queries.guardian_cases(user, expired_at=organisations if show_closed else ())
    if not show_closed:
        mine = mine.filter(status__in=[*OPEN_STATUSES, Status.DETRIMENT_WATCH])
    today = timezone.localdate()
    return render(
        request,
        "speakup/cases.html",
        {
            "keys": guardian_keys_of(user),
            "unlocked": guardian_keypair(request) is not None,
            "organisations": organisations,
            "rows": queries.case_rows(mine, today),
            "unreadable": queries.unreadable_cases(user, organisations)[:50],
            "show_closed": show_closed,
        },
    )


@guardian_page
def record_concern(request):
    """A concern received in person, by phone, by email or through a champion, recorded by a
    guardian of the organisation for the person; they get a receipt to follow it up online."""
    codes = policy.guardian_organisation_codes(request.user)
    organisations = list(Organisation.objects.filter(pk__in=codes).order_by("name"))
    form = RecordedConcernForm(
        request.POST or None, request.FILES or None, organisations=organisations
    )
    if request.method == "POST":
        upload = cleaned_upload(request, form)
        if form.is_valid() and upload is not False:
            organisation = next(
                o for o in organisations if o.pk == form.cleaned_data["organisation"]
            )
            try:
                submitted = actions.submit_concern(
                    organisation=organisation,
                    **form.submission(),
                    attachment=upload,
                    channel=form.cleaned_data["channel"],
                    by=request.user,
                )
            except actions.NoGuardianError:
                form.add_error(
                    None,
                    f"Nobody at {organisation.name} has case keys yet, so the concern could not "
                    "be sealed to anyone. Set up your case keys first.",
                )
            else:
                return render(
                    request,
                    "speakup/recorded.html",
                    {"receipt": str(submitted.receipt), "case": submitted.case},
                )
    return render(
        request,
        "speakup/record.html",
        {"form": form, "organisations": organisations},
        status=400 if form.errors else 200,
    )


@guardian_page
def case_detail(request, case_id):
    try:
        case, opened, _ = open_case(request, case_id)
    except Locked:
        return to_unlock(request)
    actions.record_case_read(case=case, by=request.user)
    return render_case(request, case, opened)


def render_case(request, case, opened, *, forms=None, status=200):
    forms = forms or {}
    user = request.user
    messages_shown = [(m, opened.message(m)) for m in case.messages.select_related("guardian")]
    notes = [(n, opened.note(n)) for n in case.notes.select_related("guardian")]
    attachments = [(a, *opened.attachment_description(a)) for a in case.attachments.all()]
    check_ins = [(c, opened.check_in_comment(c)) for c in case.check_ins.all()]
    step, due = queries.next_step(case)
    context = {
        "case": case,
        "opened": opened,
        "step": step,
        "due": due,
        "overdue": due is not None and due < timezone.localdate(),
        "messages_shown": messages_shown,
        "notes": notes,
        "attachments": attachments,
        "case_actions": case.actions.select_related("owner"),
        "referrals": case.referrals.select_related("referred_by"),
        "check_ins": check_ins,
        "disclosures": case.disclosures.select_related("requested_by", "decided_by"),
        "author": Author,
        "status": Status,
        "route": Route,
        "forms": _case_forms(case, user, forms),
        "can_reveal": _can_reveal(case, user),
        "legal_holds": case.legal_holds.select_related("placed_by", "released_by"),
    }
    return render(request, "speakup/case.html", context, status=status)


def _case_forms(case, user, bound) -> dict:
    """The forms the case page offers, by the case's status (bound ones keep their errors)."""
    offered = {"message": MessageForm, "note": NoteForm}
    if case.status == Status.RECEIVED:
        offered["acknowledge"] = MessageForm
    if case.status == Status.ACKNOWLEDGED:
        offered["triage"] = TriageForm
    if case.status in (Status.TRIAGED, Status.ACTIONED, Status.FEEDBACK_GIVEN):
        offered["action"] = ActionForm
        offered["referral"] = ReferralForm
        offered["conduct"] = ConductReferralForm
        offered["action_done"] = ActionDoneForm
    if case.status in (Status.TRIAGED, Status.ACTIONED):
        offered["feedback"] = FeedbackForm
    if case.status == Status.FEEDBACK_GIVEN:
        offered["close"] = CloseForm
    if case.status == Status.DETRIMENT_WATCH:
        offered["check_in"] = GuardianCheckInForm
    if case.check_ins.filter(answer__in=["suspected", "confirmed"], escalated_on=None).exists():
        offered["escalate"] = EscalateForm
    if (
        case.status in (Status.DETRIMENT_WATCH, Status.CLOSED)
        and not case.speak_up_again
        and case.route != Route.ANONYMOUS
    ):
        offered["speak_up_again"] = GuardianSpeakUpAgainForm
    if case.route == Route.CONFIDENTIAL and case.status != Status.EXPIRED:
        offered["disclosure"] = DisclosureForm
    forms = dict(bound)  # a form sent back with errors shows, whatever the status
    for name, form_class in offered.items():
        if name in bound:
            forms[name] = bound[name]
        elif name == "acknowledge":
            forms[name] = form_class(prefix=name, initial={"body": actions.ACKNOWLEDGEMENT})
        elif name == "action":
            forms[name] = form_class(prefix=name, organisation_code=case.organisation_id)
        elif name == "conduct":
            forms[name] = form_class(prefix=name, organisation=case.organisation)
        else:
            forms[name] = form_class(prefix=name)
    forms["share"] = bound.get("share") or ShareForm(
        prefix="share", organisation_code=case.organisation_id, exclude=user
    )
    forms["legal_hold"] = bound.get("legal_hold") or LegalHoldForm(prefix="legal_hold")
    return forms


def _can_reveal(case, user) -> bool:
    if case.route == Route.OPEN:
        return case.identity is not None
    if case.route == Route.CONFIDENTIAL:
        return case.disclosures.filter(requested_by=user, status=ApprovalStatus.APPROVED).exists()
    return False


@guardian_page
def case_attachment(request, case_id, attachment_id):
    try:
        case, opened, _ = open_case(request, case_id)
    except Locked:
        return to_unlock(request)
    attachment = get_object_or_404(Attachment, pk=attachment_id, case=case)
    content = opened.attachment_content(attachment)
    name, _ = opened.attachment_description(attachment)
    actions.record_attachment_read(attachment=attachment, by=request.user)
    response = FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=name or "attachment",
        content_type="application/octet-stream",
    )
    response["Cache-Control"] = "no-store"
    return response
