"""The pages of the person speaking up: no account, no JavaScript, nothing about them kept.

None of these views reads ``request.user``: a signed-in member of staff who raises a concern is
not linked to it. They store no address or user agent (the rate limiter keeps only a keyed hash,
in memory) and send ``Cache-Control: no-store``. POST bodies are marked sensitive, so Django's
error reports never include them.
"""

from __future__ import annotations

import functools
import hmac
import uuid

from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from candour import crypto
from candour.crypto.constants import DISPLAY_GROUP
from candour.web.core.access import public
from candour.web.oversight.models import Organisation
from candour.web.speakup import actions, ratelimit, vault
from candour.web.speakup.choices import (
    STATUS_FOR_REPORTER,
    Author,
    SealedFor,
    Status,
    SummaryStatus,
)
from candour.web.speakup.conf import config
from candour.web.speakup.forms import (
    CheckInForm,
    ConcernForm,
    ConfirmReceiptForm,
    ReceiptForm,
    ReplyForm,
    SpeakUpAgainForm,
)
from candour.web.speakup.models import Case, SealedKey, WeDidSummary
from candour.web.speakup.sessions import (
    ReporterSession,
    end_reporter_session,
    reporter_session,
    start_reporter_session,
)
from candour.web.speakup.uploads import TOO_LARGE_ATTRIBUTE

SEARCH_RESULTS = 20
RECEIPT_FAILURE = (
    "We could not open a concern with that receipt. A receipt has 20 letters and numbers, like "
    "ABCD-EFGH-JKMN-PQRS-TVWX. Check it and try again."
)
LOCKED_OUT = (
    "There have been too many attempts. For your security, wait up to an hour and try again. If you "
    "have lost your receipt, you can raise your concern again or speak to a guardian in person."
)
RECEIPT_LIMITS = ("receipt_per_source", "receipt_global")
SUBMIT_LIMITS = ("submit_per_source", "submit_global")
REPLY_LIMITS = ("reply_per_source",)
TOO_MANY_STATUS = 429


def open_organisations():
    return Organisation.objects.filter(close_date__isnull=True, successor__isnull=True)


def reporter_page(view):
    """Reporter pages: public, never cached, POST bodies hidden from error reports."""
    return public(never_cache(sensitive_post_parameters()(view)))


@reporter_page
def start(request):
    query = request.GET.get("q", "").strip()
    results = []
    if query:
        results = list(
            open_organisations()
            .filter(Q(ods_code__iexact=query) | Q(name__icontains=query))
            .order_by("name")[:SEARCH_RESULTS]
        )
    with_guardian = {o.pk for o in results if actions.readers_of(o)}
    return render(
        request,
        "speakup/start.html",
        {"query": query, "results": [(o, o.pk in with_guardian) for o in results]},
    )


@reporter_page
def raise_concern(request, ods_code: str):
    organisation = get_object_or_404(open_organisations(), pk=ods_code.upper())
    if not actions.readers_of(organisation):
        _note_turned_away(request, organisation)
        return render(request, "speakup/no_guardian.html", {"organisation": organisation})
    form = ConcernForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if ratelimit.count(request, *SUBMIT_LIMITS):
            return _too_many(request)
        upload = cleaned_upload(request, form)
        if form.is_valid() and upload is not False:
            submitted = actions.submit_concern(
                organisation=organisation,
                **form.submission(),
                attachment=upload,
                by=actions.REPORTER_FORM,
            )
            response = redirect("speakup:receipt")
            start_reporter_session(response, _session_for(submitted.receipt, pending=True))
            return response
    return render(
        request,
        "speakup/raise.html",
        {"organisation": organisation, "form": form, "signed_in": request.user.is_authenticated},
        status=400 if form.errors else 200,
    )


def _note_turned_away(request, organisation) -> None:
    """Tell the administrator, counting each source once a day (so the page cannot be used to
    flood the audit log)."""
    day = timezone.localdate().isoformat()
    key = f"speakup:turned-away:{organisation.pk}:{day}:{ratelimit.source_of(request)}"
    if caches[config().cache_alias].add(key, 1, timeout=24 * 60 * 60):
        actions.record_turned_away(organisation=organisation, by=actions.REPORTER_FORM)


def cleaned_upload(request, form) -> actions.Upload | bool | None:
    """The attachment with its metadata removed; None if there is none; False (and a form
    error) if it is too large or cannot be cleaned."""
    if getattr(request, TOO_LARGE_ATTRIBUTE, False):
        limit_mib = config().max_attachment_bytes // (1024 * 1024)
        form.add_error(None, f"The file is larger than {limit_mib} MB. Attach a smaller file.")
        return False
    upload = request.FILES.get("attachment")
    if upload is None:
        return None
    try:
        cleaned = crypto.strip_metadata(upload.read())
    except crypto.MetadataError as exc:
        form.add_error("attachment", str(exc))
        return False
    return actions.Upload(
        name=upload.name[:200],
        content_type=(upload.content_type or "application/octet-stream")[:100],
        data=cleaned.data,
        cleaned_format=cleaned.format or "",
    )


def _session_for(receipt: crypto.Receipt, *, pending: bool) -> ReporterSession:
    return ReporterSession(
        lookup=vault.receipt_lookup(receipt),
        seed=vault.reporter_seed(receipt),
        receipt=receipt.canonical if pending else None,
    )


def _too_many(request):
    return render(request, "speakup/too_many.html", {"message": LOCKED_OUT}, status=TOO_MANY_STATUS)


@reporter_page
def receipt(request):
    """The receipt, shown until the reporter confirms they saved it; never after."""
    session = reporter_session(request)
    if session is None or session.receipt is None:
        return redirect("speakup:follow_up")
    shown = crypto.Receipt(session.receipt)
    form = ConfirmReceiptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        typed = "".join(ch for ch in form.cleaned_data["last_group"].upper() if ch.isalnum())
        if hmac.compare_digest(typed, session.receipt[-DISPLAY_GROUP:]):
            response = redirect(reverse("speakup:reporter_case") + "?sent=1")
            start_reporter_session(
                response, ReporterSession(lookup=session.lookup, seed=session.seed)
            )
            return response
        form.add_error("last_group", "That is not the end of your receipt. Check what you saved.")
    return render(
        request,
        "speakup/receipt.html",
        {"receipt": str(shown), "form": form},
        status=400 if form.errors else 200,
    )


@reporter_page
def follow_up(request):
    """Come back with a receipt. Every failure looks the same; failures are rate-limited per
    source and globally, with lockout; during lockout a right receipt is refused like a wrong
    one."""
    form = ReceiptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if ratelimit.locked_out(request, *RECEIPT_LIMITS):
            return render(
                request,
                "speakup/follow_up.html",
                {"form": form, "failure": LOCKED_OUT},
                status=TOO_MANY_STATUS,
            )
        found = _find_case(form.cleaned_data["receipt"])
        if found is not None:
            response = redirect("speakup:reporter_case")
            start_reporter_session(response, found)
            return response
        ratelimit.count(request, *RECEIPT_LIMITS)
        return render(
            request,
            "speakup/follow_up.html",
            {"form": form, "failure": RECEIPT_FAILURE},
            status=400,
        )
    return render(
        request, "speakup/follow_up.html", {"form": form}, status=400 if form.errors else 200
    )


def _find_case(text: str) -> ReporterSession | None:
    """The session for a receipt that opens a case, or None. The same work is done whether or
    not the receipt exists: the lookup hash and reporter key, two queries, one sealed-box open
    (of a dummy when there is no case)."""
    try:
        receipt_value = crypto.parse_receipt(text)
    except crypto.ReceiptError:
        return None
    session = _session_for(receipt_value, pending=False)
    case = Case.objects.filter(receipt_lookup=session.lookup).first()
    row = SealedKey.objects.filter(
        case_id=case.pk if case else uuid.uuid4(), purpose=SealedFor.CASE, guardian=None
    ).first()
    sealed, case_id = _dummy_sealed(), "timing"
    if row is not None:
        try:
            sealed, case_id = vault.unwrap(row), str(case.pk)
        except vault.NoAccess:
            row = None  # the retention key is destroyed: shredded
    try:
        crypto.open_case_key(sealed, session.keypair(), case_id=case_id)
    except crypto.DecryptionError:
        opens = False
    else:
        opens = True
    if row is None:
        # no sealed key: no such case, or its keys were destroyed (the page says so)
        return session if case is not None and case.status == Status.EXPIRED else None
    return session if opens else None


@functools.cache
def _dummy_sealed() -> bytes:
    """A sealed key nobody can open, to spend the same time when there is no case."""
    return crypto.seal_case_key(crypto.new_case_key("timing"), crypto.KeyPair.generate().public_key)


def _reporter_case(request):
    """(session, case, opened or None) for the reporter's session; raises Http404 if none."""
    session = reporter_session(request)
    if session is None or session.receipt is not None:
        raise _NoSession
    case = Case.objects.select_related("organisation").filter(receipt_lookup=session.lookup).first()
    if case is None:
        raise _NoSession
    try:
        opened = vault.open_for(case, session.keypair(), guardian_id=None)
    except (vault.NoAccess, crypto.DecryptionError):
        opened = None  # shredded
    return session, case, opened


class _NoSession(Exception):
    pass


def _follow_up_redirect():
    response = redirect("speakup:follow_up")
    end_reporter_session(response)
    return response


@reporter_page
def reporter_case(request):
    try:
        session, case, opened = _reporter_case(request)
    except _NoSession:
        return _follow_up_redirect()
    return _render_case(request, session, case, opened)


def _render_case(request, session, case, opened, *, forms=None, status=200):
    forms = forms or {}
    context = {
        "case": case,
        "opened": opened,
        "status_text": STATUS_FOR_REPORTER[case.status],
        "sent": request.GET.get("sent") == "1",
        "replied": request.GET.get("replied") == "1",
    }
    if opened is not None:
        context["messages_shown"] = [
            (message, opened.message(message)) for message in case.messages.all()
        ]
        context["reply_form"] = forms.get("reply") or ReplyForm(prefix="reply")
        if case.status in (Status.DETRIMENT_WATCH, Status.CLOSED) and not case.speak_up_again:
            context["feedback_form"] = forms.get("feedback") or SpeakUpAgainForm(prefix="feedback")
        due = case.check_ins.filter(answered_on=None, due_on__lte=timezone.localdate()).first()
        if due is not None:
            context["check_in"] = due
            context["check_in_form"] = forms.get("check_in") or CheckInForm(prefix="check_in")
        context["summaries"] = WeDidSummary.objects.filter(
            organisation=case.organisation, status=SummaryStatus.PUBLISHED
        )[:10]
    context["author"] = Author
    context["session_minutes"] = config().reporter_session_seconds // 60
    response = render(request, "speakup/reporter_case.html", context, status=status)
    start_reporter_session(response, session)  # slide the expiry
    return response


def _reporter_post(request, form_class, form_key: str, perform):
    try:
        session, case, opened = _reporter_case(request)
    except _NoSession:
        return _follow_up_redirect()
    if opened is None:
        raise Http404("this case has expired")
    if ratelimit.count(request, *REPLY_LIMITS):
        return _too_many(request)
    form = form_class(request.POST, prefix=form_key)
    if form.is_valid():
        try:
            perform(opened, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(reverse("speakup:reporter_case") + "?replied=1")
    return _render_case(request, session, case, opened, forms={form_key: form}, status=400)


@require_POST
@reporter_page
def reporter_reply(request):
    return _reporter_post(
        request,
        ReplyForm,
        "reply",
        lambda opened, data: actions.reporter_reply(
            opened=opened, body=data["body"], by=actions.REPORTER_FOLLOW_UP
        ),
    )


@require_POST
@reporter_page
def reporter_feedback(request):
    return _reporter_post(
        request,
        SpeakUpAgainForm,
        "feedback",
        lambda opened, data: actions.answer_speak_up_again(
            opened=opened,
            answer=data["answer"],
            comment=data["comment"],
            by=actions.REPORTER_FOLLOW_UP,
        ),
    )


@require_POST
@reporter_page
def reporter_check_in(request):
    def perform(opened, data):
        due = opened.case.check_ins.filter(
            answered_on=None, due_on__lte=timezone.localdate()
        ).first()
        if due is None:
            raise ValidationError("No check-in is due.")
        actions.answer_check_in(
            opened=opened,
            check_in=due,
            answer=data["answer"],
            comment=data["comment"],
            by=actions.REPORTER_FOLLOW_UP,
        )

    return _reporter_post(request, CheckInForm, "check_in", perform)


@require_POST
@reporter_page
def reporter_leave(request):
    response = redirect(reverse("speakup:start") + "?left=1")
    end_reporter_session(response)
    return response


@reporter_page
def we_did(request, ods_code: str):
    organisation = get_object_or_404(Organisation, pk=ods_code.upper())
    summaries = WeDidSummary.objects.filter(
        organisation=organisation, status=SummaryStatus.PUBLISHED
    )
    return render(
        request, "speakup/we_did.html", {"organisation": organisation, "summaries": summaries}
    )
