"""The guardian's pages: keys, the case list, a case and every step on it, handover.

A guardian reads a case only with their key pair unlocked for the session (their password,
once per sign-in) and only if the case is sealed to them; any other case answers 404, whoever
asks. Every read is audited (who and when, never what).
"""

from __future__ import annotations

import io

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from candour import crypto
from candour.web.core.access import requires
from candour.web.core.roles import Role
from candour.web.oversight.models import Organisation
from candour.web.speakup import actions, policy, queries, ratelimit, vault
from candour.web.speakup.choices import (
    OPEN_STATUSES,
    ApprovalStatus,
    Author,
    Route,
    Status,
)
from candour.web.speakup.conf import config
from candour.web.speakup.forms import (
    ActionDoneForm,
    ActionForm,
    CloseForm,
    DisclosureForm,
    EscalateForm,
    FeedbackForm,
    GuardianCheckInForm,
    GuardianSpeakUpAgainForm,
    HandoverForm,
    MessageForm,
    NoteForm,
    PasswordForm,
    RecordedConcernForm,
    RecoverForm,
    RecoveryKeyForm,
    ReferralForm,
    ShareForm,
    TriageForm,
)
from candour.web.speakup.models import Attachment, Case, CaseAction, GuardianKeys
from candour.web.speakup.sessions import guardian_keypair, lock_guardian, unlock_guardian
from candour.web.speakup.views.reporter import cleaned_upload

GUARDIAN = Role.GUARDIAN


def guardian_page(view):
    return requires(GUARDIAN)(never_cache(sensitive_post_parameters()(view)))


def _keys(user) -> GuardianKeys | None:
    return GuardianKeys.objects.filter(user=user).first()


def _to_unlock(request):
    return redirect(f"{reverse('speakup:unlock')}?next={request.get_full_path()}")


# ------------------------------------------------------------------------------------- keys

# Every check of a guardian's password or recovery key (unlock, set up, new recovery key, check
# recovery key, recover) shares one limit per user, so none of them is a way round the others.
PASSWORD_LIMIT = "unlock_per_user"  # noqa: S105 - a rate-limit name, not a password


def _password_subject(user) -> str:
    return f"user:{user.pk}"


def _password_locked(request) -> bool:
    return ratelimit.locked_out(request, PASSWORD_LIMIT, subject=_password_subject(request.user))


def _count_wrong_password(request) -> None:
    ratelimit.count(request, PASSWORD_LIMIT, subject=_password_subject(request.user))


def _too_many_passwords(request):
    minutes = -(-config().rate_limits[PASSWORD_LIMIT].lockout // 60)
    return render(
        request,
        "speakup/too_many.html",
        {
            "message": f"Too many wrong passwords or recovery keys. Wait {minutes} minutes and "
            "try again."
        },
        status=429,
    )


@guardian_page
def keys(request):
    """Set up case keys (first time), confirm the recovery key, or make a new one."""
    user = request.user
    existing = _keys(user)
    organisations = policy.granted_organisation_codes(user, GUARDIAN)
    action = request.POST.get("do") if request.method == "POST" else None
    form = PasswordForm(request.POST if action in ("enrol", "new") else None)
    confirm_form = RecoveryKeyForm(request.POST if action == "confirm" else None, prefix="confirm")
    if request.method == "POST":
        if _password_locked(request):
            return _too_many_passwords(request)
        if action == "enrol" and existing is None and organisations and form.is_valid():
            return _enrol(request, form, organisations)
        if action == "confirm" and existing is not None and confirm_form.is_valid():
            try:
                actions.confirm_recovery_key(
                    user=user, recovery_key=confirm_form.cleaned_data["recovery_key"], by=user
                )
            except (crypto.RecoveryKeyError, crypto.WrongPasswordError) as exc:
                _count_wrong_password(request)
                confirm_form.add_error("recovery_key", str(exc))
            else:
                flash.success(request, "Your recovery key is confirmed. Keep it somewhere safe.")
                return redirect("speakup:keys")
        if action == "new" and existing is not None and form.is_valid():
            return _new_recovery_key(request, form)
    return render(
        request,
        "speakup/keys.html",
        {
            "keys": existing,
            "organisations": organisations,
            "assigned": policy.guardian_organisation_codes(user),
            "form": form,
            "confirm_form": confirm_form,
        },
        status=400 if request.method == "POST" else 200,
    )


def _enrol(request, form, organisations):
    user, password = request.user, form.cleaned_data["password"]
    if not user.check_password(password):
        _count_wrong_password(request)
        form.add_error("password", "That is not your sign-in password.")
        return render(
            request,
            "speakup/keys.html",
            {"keys": None, "organisations": organisations, "form": form},
            status=400,
        )
    recovery_key = actions.enrol_guardian(
        user=user, password=password, organisation_code=organisations[0], by=user
    )
    for code in organisations[1:]:
        actions.assign_guardian(user=user, organisation_code=code, by=user)
    response = render(
        request,
        "speakup/recovery_key.html",
        {"recovery_key": str(recovery_key), "confirm_form": RecoveryKeyForm(prefix="confirm")},
    )
    unlock_guardian(
        request, response, crypto.unlock_with_recovery_key(_keyring(user), recovery_key)
    )
    return response


def _new_recovery_key(request, form):
    user = request.user
    try:
        recovery_key = actions.new_recovery_key(
            user=user, password=form.cleaned_data["password"], by=user
        )
    except crypto.WrongPasswordError as exc:
        _count_wrong_password(request)
        form.add_error("password", str(exc))
        return render(
            request,
            "speakup/keys.html",
            {"keys": _keys(user), "form": form, "confirm_form": RecoveryKeyForm(prefix="confirm")},
            status=400,
        )
    return render(
        request,
        "speakup/recovery_key.html",
        {"recovery_key": str(recovery_key), "confirm_form": RecoveryKeyForm(prefix="confirm")},
    )


def _keyring(user) -> crypto.GuardianKeyring:
    return vault.keyring_of(GuardianKeys.objects.get(user=user))


@guardian_page
def recover(request):
    """A new sign-in password no longer unlocks the keys: re-wrap them with the recovery key."""
    user = request.user
    if _keys(user) is None:
        return redirect("speakup:keys")
    form = RecoverForm(request.POST or None)
    if request.method == "POST" and _password_locked(request):
        return _too_many_passwords(request)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"]
        if not user.check_password(password):
            _count_wrong_password(request)
            form.add_error("password", "That is not your sign-in password.")
        else:
            try:
                actions.reset_guardian_password(
                    user=user,
                    recovery_key=form.cleaned_data["recovery_key"],
                    new_password=password,
                    by=user,
                )
            except (crypto.RecoveryKeyError, crypto.WrongPasswordError) as exc:
                _count_wrong_password(request)
                form.add_error("recovery_key", str(exc))
            else:
                flash.success(request, "Your case keys now open with your sign-in password.")
                return redirect("speakup:unlock")
    return render(
        request, "speakup/recover.html", {"form": form}, status=400 if form.errors else 200
    )


@guardian_page
def unlock(request):
    """Unlock the case keys for this session (Argon2id of the password, once)."""
    user = request.user
    if _keys(user) is None:
        return redirect("speakup:keys")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    form = PasswordForm(request.POST or None)
    locked = False
    if request.method == "POST" and form.is_valid():
        subject = f"user:{user.pk}"
        if ratelimit.locked_out(request, "unlock_per_user", subject=subject):
            locked = True
        else:
            try:
                keypair = crypto.unlock_with_password(_keyring(user), form.cleaned_data["password"])
            except crypto.WrongPasswordError:
                ratelimit.count(request, "unlock_per_user", subject=subject)
                form.add_error("password", "That password does not unlock your case keys.")
            else:
                response = redirect(next_url or "speakup:cases")
                unlock_guardian(request, response, keypair)
                return response
    return render(
        request,
        "speakup/unlock.html",
        {
            "form": form,
            "next": next_url,
            "locked": locked,
            "lockout_minutes": -(-config().rate_limits["unlock_per_user"].lockout // 60),
        },
        status=429 if locked else (400 if form.errors else 200),
    )


@require_POST
@guardian_page
def lock(request):
    response = redirect("speakup:cases")
    lock_guardian(request, response)
    return response


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
            "keys": _keys(user),
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


def _open_case(request, case_id):
    """(case, opened, keypair) for the signed-in guardian; Http404 unless sealed to them,
    :class:`_Locked` while their keys are locked."""
    case = get_object_or_404(Case.objects.select_related("organisation"), pk=case_id)
    if not actions.sealed_for(case, request.user) or not policy.is_assigned_guardian(
        request.user, case.organisation_id
    ):
        raise Http404("no case sealed to you has this id")
    keypair = guardian_keypair(request)
    if keypair is None:
        raise _Locked
    try:
        opened = vault.open_for(case, keypair, guardian_id=request.user.pk)
    except (vault.NoAccess, crypto.DecryptionError):
        raise Http404("no case sealed to you has this id") from None
    return case, opened, keypair


class _Locked(Exception):
    pass


@guardian_page
def case_detail(request, case_id):
    try:
        case, opened, _ = _open_case(request, case_id)
    except _Locked:
        return _to_unlock(request)
    actions.record_case_read(case=case, by=request.user)
    return _render_case(request, case, opened)


def _render_case(request, case, opened, *, forms=None, status=200):
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
        else:
            forms[name] = form_class(prefix=name)
    forms["share"] = bound.get("share") or ShareForm(
        prefix="share", organisation_code=case.organisation_id, exclude=user
    )
    return forms


def _can_reveal(case, user) -> bool:
    if case.route == Route.OPEN:
        return case.identity is not None
    if case.route == Route.CONFIDENTIAL:
        return case.disclosures.filter(requested_by=user, status=ApprovalStatus.APPROVED).exists()
    return False


def _step(name: str, form_class, perform, *, needs_form: bool = True, anchor: str = ""):
    """A POST-only step on a case: open it, validate the form, run the action, go back to the
    case page (or show it again with the form's errors)."""

    @require_POST
    @guardian_page
    def view(request, case_id):
        try:
            case, opened, keypair = _open_case(request, case_id)
        except _Locked:
            return _to_unlock(request)
        kwargs = {"prefix": name}
        if form_class is ShareForm:
            kwargs.update(organisation_code=case.organisation_id, exclude=request.user)
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
        return _render_case(request, case, opened, forms={name: form}, status=400)

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
        case, opened, keypair = _open_case(request, case_id)
    except _Locked:
        return _to_unlock(request)
    try:
        identity = actions.reveal_identity(opened=opened, keypair=keypair, by=request.user)
    except (ValidationError, vault.NoAccess) as exc:
        errors = exc.messages if isinstance(exc, ValidationError) else ["No identity key for you."]
        return render(
            request, "speakup/identity.html", {"case": case, "errors": errors}, status=403
        )
    return render(request, "speakup/identity.html", {"case": case, "identity": identity})


@require_POST
@guardian_page
def case_legal_hold(request, case_id):
    try:
        case, _, _ = _open_case(request, case_id)
    except _Locked:
        return _to_unlock(request)
    actions.set_legal_hold(case=case, hold=request.POST.get("hold") == "1", by=request.user)
    return redirect(reverse("speakup:case", args=[case.pk]) + "#retention")


@guardian_page
def case_attachment(request, case_id, attachment_id):
    try:
        case, opened, _ = _open_case(request, case_id)
    except _Locked:
        return _to_unlock(request)
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


# --------------------------------------------------------------------------------- handover


@guardian_page
def handover(request):
    """Re-seal every case at an organisation to another guardian (and optionally leave)."""
    user = request.user
    organisations = policy.guardian_organisation_codes(user)
    keypair = guardian_keypair(request)
    if keypair is None:
        return _to_unlock(request)
    form = HandoverForm(request.POST or None, organisation_codes=organisations, exclude=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = list(
            queries.guardian_cases(user)
            .filter(organisation_id=data["organisation"])
            .exclude(status=Status.EXPIRED)
        )
        try:
            count = actions.hand_over_cases(
                cases=chosen,
                keypair=keypair,
                to_guardian=data["guardian"],
                remove_own_access=data["remove_own_access"],
                by=user,
            )
        except (ValidationError, vault.NoAccess) as exc:
            form.add_error(
                None, exc if isinstance(exc, ValidationError) else "A case could not be opened."
            )
        else:
            flash.success(
                request,
                f"{count} case{'s' if count != 1 else ''} handed over to "
                f"{data['guardian'].get_username()}.",
            )
            return redirect("speakup:cases")
    return render(
        request,
        "speakup/handover.html",
        {"form": form, "organisations": organisations},
        status=400 if form.errors else 200,
    )
