"""The pages of the person speaking up until their concern is open: choose an organisation,
raise a concern, save the receipt, come back with it; and the public "you said, we did". Their
concern's own pages are in :mod:`candour.web.speakup.views.your_concern`.

None of these views reads ``request.user``: a signed-in member of staff who raises a concern is
not linked to it. They store no address or user agent (the cost counters keep only a keyed hash,
in memory) and send ``Cache-Control: no-store`` and ``Referrer-Policy: no-referrer``
(:func:`~candour.web.speakup.views.reporting.reporter_page`). POST bodies are marked sensitive,
so Django's error reports never include them. Nothing here refuses anyone for sending too much:
a flood is slowed (:mod:`candour.web.speakup.costs`) and storage bounded
(:mod:`candour.web.speakup.bounds`); a receipt that opens its case always opens it.
"""

from __future__ import annotations

import functools
import hmac
import uuid

from django.core.cache import caches
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from candour import crypto
from candour.crypto.constants import DISPLAY_GROUP
from candour.web.oversight.models import Organisation
from candour.web.speakup import actions, bounds, costs, ratelimit, vault
from candour.web.speakup.choices import SealedFor, Status, SummaryStatus
from candour.web.speakup.conf import config
from candour.web.speakup.forms import ConcernForm, ConfirmReceiptForm, ReceiptForm
from candour.web.speakup.models import Case, SealedKey, WeDidSummary
from candour.web.speakup.sessions import ReporterSession
from candour.web.speakup.uploads import TOO_LARGE_ATTRIBUTE
from candour.web.speakup.views.reporting import FORM_EXPIRED, render_reporter, reporter_page

SEARCH_RESULTS = 20
RECEIPT_FAILURE = (
    "We could not open a concern with that receipt. A receipt has 20 letters and numbers, like "
    "ABCD-EFGH-JKMN-PQRS-TVWX. Check it and try again."
)
FILE_NOT_KEPT = "file_not_kept"
FULL_TODAY_STATUS = 503  # the organisation's bound for the day: not the sender's doing


def open_organisations():
    return Organisation.objects.filter(close_date__isnull=True, successor__isnull=True)


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
    return render_reporter(
        request,
        "speakup/start.html",
        {
            "query": query,
            "results": [(o, o.pk in with_guardian) for o in results],
            "left": request.reporter.pop_notice() == "left",
        },
    )


@reporter_page
def raise_concern(request, ods_code: str):
    organisation = get_object_or_404(open_organisations(), pk=ods_code.upper())
    if not actions.readers_of(organisation):
        _note_turned_away(request, organisation)
        return render_reporter(request, "speakup/no_guardian.html", {"organisation": organisation})
    if bounds.concerns_full(organisation.pk):
        return render_reporter(
            request,
            "speakup/full_today.html",
            {"organisation": organisation},
            status=FULL_TODAY_STATUS,
        )
    form = ConcernForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not request.reporter.form_token_ok(request):
            form.add_error(None, FORM_EXPIRED)
        else:
            upload = cleaned_upload(request, form)
            if form.is_valid() and upload is not False:
                return _send_concern(request, organisation, form, upload)
    return render_reporter(
        request,
        "speakup/raise.html",
        {"organisation": organisation, "form": form, "signed_in": request.user.is_authenticated},
        status=400 if form.errors else 200,
    )


def _send_concern(request, organisation, form, upload):
    notice = ""
    if upload is not None and bounds.files_full(organisation.pk, len(upload.data)):
        upload, notice = None, FILE_NOT_KEPT  # the concern goes; its file can follow later
    costs.charge(request, costs.CONCERN)
    submitted = actions.submit_concern(
        organisation=organisation,
        **form.submission(),
        attachment=upload,
        by=actions.REPORTER_FORM,
    )
    request.reporter.start(
        ReporterSession.new(
            lookup=vault.receipt_lookup(submitted.receipt),
            seed=vault.reporter_seed(submitted.receipt),
            receipt=submitted.receipt.canonical,
            notice=notice,
        )
    )
    return redirect("speakup:receipt")


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
        form.add_error("attachment", f"The selected file must be smaller than {limit_mib}MB")
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


def _session_for(receipt: crypto.Receipt) -> ReporterSession:
    return ReporterSession.new(
        lookup=vault.receipt_lookup(receipt), seed=vault.reporter_seed(receipt)
    )


@reporter_page
def receipt(request):
    """The receipt, shown until the reporter confirms they saved it; never after."""
    session = request.reporter.session
    if session is None or session.receipt is None:
        return redirect("speakup:follow_up")
    form = ConfirmReceiptForm(request.POST or None)
    if request.method == "POST":
        if not request.reporter.form_token_ok(request):
            form.add_error(None, FORM_EXPIRED)
        elif form.is_valid():
            typed = "".join(ch for ch in form.cleaned_data["last_group"].upper() if ch.isalnum())
            if hmac.compare_digest(typed, session.receipt[-DISPLAY_GROUP:]):
                request.reporter.update(receipt=None, notice="sent")
                return redirect("speakup:reporter_case")
            form.add_error("last_group", ConfirmReceiptForm.NOT_THE_END)
    return render_reporter(
        request,
        "speakup/receipt.html",
        {
            "receipt": str(crypto.Receipt(session.receipt)),
            "form": form,
            "file_not_kept": session.notice == FILE_NOT_KEPT,
        },
        status=400 if form.errors else 200,
    )


@reporter_page
def follow_up(request):
    """Come back with a receipt. A receipt that opens its case always does, at once; every
    failure looks the same, and each costs the source a proof of work or a wait."""
    form = ReceiptForm(request.POST or None)
    failure = None
    if request.method == "POST":
        if not request.reporter.form_token_ok(request):
            form.add_error(None, FORM_EXPIRED)
        elif form.is_valid():
            found = _find_case(form.cleaned_data["receipt"])
            if found is not None:
                request.reporter.start(found)
                return redirect("speakup:reporter_case")
            costs.charge(request, costs.RECEIPT)
            failure = RECEIPT_FAILURE
    return render_reporter(
        request,
        "speakup/follow_up.html",
        {"form": form, "failure": failure},
        status=400 if (failure or form.errors) else 200,
    )


def _find_case(text: str) -> ReporterSession | None:
    """The session for a receipt that opens a case, or None. The same work is done whether or
    not the receipt exists: the lookup hash and reporter key, two queries, one sealed-box open
    (of a dummy when there is no case)."""
    try:
        receipt_value = crypto.parse_receipt(text)
    except crypto.ReceiptError:
        return None
    session = _session_for(receipt_value)
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


@functools.cache
def _dummy_sealed() -> bytes:
    """A sealed key nobody can open, to spend the same time when there is no case."""
    return crypto.seal_case_key(crypto.new_case_key("timing"), crypto.KeyPair.generate().public_key)


@reporter_page
def we_did(request, ods_code: str):
    organisation = get_object_or_404(Organisation, pk=ods_code.upper())
    summaries = WeDidSummary.objects.filter(
        organisation=organisation, status=SummaryStatus.PUBLISHED
    )
    return render_reporter(
        request, "speakup/we_did.html", {"organisation": organisation, "summaries": summaries}
    )
