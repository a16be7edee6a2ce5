"""*Your concern*: the pages of a person who opened their concern with its receipt (or has just
sent it). They read where it is and what they sent, the messages, and reply, answer, add a file
or leave. Every page goes through :func:`~candour.web.speakup.views.reporting.reporter_page`;
each POST carries the session's form token and pays its cost (:mod:`candour.web.speakup.costs`);
what one concern can take in a day is bounded (:mod:`candour.web.speakup.bounds`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from candour import crypto
from candour.web.speakup import actions, bounds, costs, vault
from candour.web.speakup.choices import STATUS_FOR_REPORTER, Author, Route, Status, SummaryStatus
from candour.web.speakup.conf import config
from candour.web.speakup.forms import AddFileForm, CheckInForm, ReplyForm, SpeakUpAgainForm
from candour.web.speakup.models import Case, WeDidSummary
from candour.web.speakup.views.reporter import cleaned_upload
from candour.web.speakup.views.reporting import FORM_EXPIRED, render_reporter, reporter_page

# The one-time notices a POST leaves for the case page (kept in the session, not the URL).
NOTICES = {
    "sent": (
        "Sent",
        "Your concern has reached the guardian. Come back with your receipt to read their reply.",
    ),
    "replied": ("Sent", "Thank you. The guardian will see it next time they open your concern."),
    "file": ("File added", "The guardian will see it next time they open your concern."),
}
CASE_FULL_TODAY = (
    "You have added a lot to your concern today. You can add more tomorrow, or speak to a "
    "guardian in person."
)


class _NoSession(Exception):
    pass


def _reporter_case(request) -> tuple[Case, vault.OpenCase | None]:
    """The case of the reporter's session and its opened key (None once shredded)."""
    session = request.reporter.session
    if session is None or not session.has_case:
        raise _NoSession
    case = Case.objects.select_related("organisation").filter(receipt_lookup=session.lookup).first()
    if case is None:
        raise _NoSession
    try:
        opened = vault.open_for(case, session.keypair(), guardian_id=None)
    except (vault.NoAccess, crypto.DecryptionError):
        opened = None  # shredded
    return case, opened


def _follow_up_redirect(request):
    """No concern open: back to the receipt form, ending the session; or, while a new concern's
    receipt waits to be saved, back to it (ending the session would lose the receipt)."""
    session = request.reporter.session
    if session is not None and session.receipt is not None:
        return redirect("speakup:receipt")
    request.reporter.end()
    return redirect("speakup:follow_up")


@reporter_page
def reporter_case(request):
    try:
        case, opened = _reporter_case(request)
    except _NoSession:
        return _follow_up_redirect(request)
    return _render_case(request, case, opened, notice=request.reporter.pop_notice())


def _what_was_sent(case: Case, opened: vault.OpenCase) -> dict:
    """What the person sent, for them to read again (never their identity: its envelope is
    sealed to the guardians only)."""
    return {
        "narrative": opened.narrative,
        "location": opened.location,
        "happened_on": opened.happened_on,
        "categories": case.categories,
        "route": Route(case.route).short,
        "files": [
            (attachment, opened.attachment_description(attachment)[0])
            for attachment in case.attachments.order_by("added_on", "id")
        ],
    }


def _render_case(request, case, opened, *, forms=None, status=200, notice=""):
    forms = forms or {}
    context = {
        "case": case,
        "opened": opened,
        "status_text": STATUS_FOR_REPORTER[case.status],
        "notice": NOTICES.get(notice),
        "author": Author,
        "error_form": next((form for form in forms.values() if form.errors), None),
    }
    if opened is not None:
        context["sent"] = _what_was_sent(case, opened)
        context["messages_shown"] = [
            (message, opened.message(message)) for message in case.messages.all()
        ]
        context["reply_form"] = forms.get("reply") or ReplyForm(prefix="reply")
        if case.status != Status.EXPIRED:
            context["file_form"] = forms.get("file") or AddFileForm()
            context["max_mib"] = config().max_attachment_bytes // (1024 * 1024)
        if case.status in (Status.DETRIMENT_WATCH, Status.CLOSED) and not case.speak_up_again:
            context["feedback_form"] = forms.get("feedback") or SpeakUpAgainForm(prefix="feedback")
        due = case.check_ins.filter(answered_on=None, due_on__lte=timezone.localdate()).first()
        if due is not None:
            context["check_in"] = due
            context["check_in_form"] = forms.get("check_in") or CheckInForm(prefix="check_in")
        context["summaries"] = WeDidSummary.objects.filter(
            organisation=case.organisation, status=SummaryStatus.PUBLISHED
        )[:10]
    return render_reporter(request, "speakup/reporter_case.html", context, status=status)


def _reporter_post(request, key: str, form, perform, *, notice: str = "replied"):
    """Check, charge and run one of the reporter's POSTs on their case. ``perform`` may raise
    ValidationError or add errors to the form; either shows the page again with them."""
    try:
        case, opened = _reporter_case(request)
    except _NoSession:
        return _follow_up_redirect(request)
    if opened is None:
        raise Http404("this case has expired")
    if not request.reporter.form_token_ok(request):
        form.add_error(None, FORM_EXPIRED)
    elif bounds.case_full_today(case):
        form.add_error(None, CASE_FULL_TODAY)
    elif form.is_valid():
        try:
            perform(request, case, opened, form)
        except ValidationError as exc:
            form.add_error(None, exc)
        if not form.errors:
            request.reporter.update(notice=notice)
            return redirect("speakup:reporter_case")
    return _render_case(request, case, opened, forms={key: form}, status=400)


def _charged(action):
    """``action`` run after the reporter's cost is paid (only for a valid form)."""

    def perform(request, case, opened, form):
        costs.charge(request, costs.REPLY)
        action(request, case, opened, form.cleaned_data)

    return perform


@require_POST
@reporter_page
def reporter_reply(request):
    return _reporter_post(
        request,
        "reply",
        ReplyForm(request.POST, prefix="reply"),
        _charged(
            lambda request, case, opened, data: actions.reporter_reply(
                opened=opened, body=data["body"], by=actions.REPORTER_FOLLOW_UP
            )
        ),
    )


@require_POST
@reporter_page
def reporter_feedback(request):
    return _reporter_post(
        request,
        "feedback",
        SpeakUpAgainForm(request.POST, prefix="feedback"),
        _charged(
            lambda request, case, opened, data: actions.answer_speak_up_again(
                opened=opened,
                answer=data["answer"],
                comment=data["comment"],
                by=actions.REPORTER_FOLLOW_UP,
            )
        ),
    )


def _answer_check_in(request, case, opened, data):
    due = case.check_ins.filter(answered_on=None, due_on__lte=timezone.localdate()).first()
    if due is None:
        raise ValidationError("No check-in is due.")
    actions.answer_check_in(
        opened=opened,
        check_in=due,
        answer=data["answer"],
        comment=data["comment"],
        by=actions.REPORTER_FOLLOW_UP,
    )


@require_POST
@reporter_page
def reporter_check_in(request):
    return _reporter_post(
        request,
        "check_in",
        CheckInForm(request.POST, prefix="check_in"),
        _charged(_answer_check_in),
    )


def _add_file(request, case, opened, form):
    upload = cleaned_upload(request, form)
    if upload is None:
        form.add_error("attachment", "Select a file")
    if not upload:
        return
    if bounds.case_files_full(case):
        limit = config().daily_limits["files_per_case"]
        form.add_error(
            "attachment",
            f"Your concern already has {limit} files, the most it can hold. Give any others "
            "to a guardian in person",
        )
    elif bounds.files_full(case.organisation_id, len(upload.data)):
        form.add_error(
            "attachment",
            f"We cannot take more files for {case.organisation.name} today. Add it tomorrow, "
            "or give it to a guardian in person",
        )
    else:
        costs.charge(request, costs.REPLY)
        actions.reporter_add_file(opened=opened, upload=upload, by=actions.REPORTER_FOLLOW_UP)


@require_POST
@reporter_page
def reporter_add_file(request):
    form = AddFileForm(request.POST, request.FILES)
    return _reporter_post(request, "file", form, _add_file, notice="file")


@require_POST
@reporter_page
def reporter_leave(request):
    """End the session: the cookie (and any copy of it) opens nothing from now on."""
    if request.reporter.session is not None and not request.reporter.form_token_ok(request):
        return redirect("speakup:reporter_case")
    request.reporter.end(notice="left")
    return redirect("speakup:start")
