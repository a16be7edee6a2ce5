"""A guardian's case keys: set up, recovery, unlock and lock for the session, handover."""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from candour import crypto
from candour.web.speakup import actions, policy, queries, ratelimit, vault
from candour.web.speakup.choices import (
    Status,
)
from candour.web.speakup.conf import config
from candour.web.speakup.forms import (
    HandoverForm,
    PasswordForm,
    RecoverForm,
    RecoveryKeyForm,
)
from candour.web.speakup.models import GuardianKeys
from candour.web.speakup.sessions import guardian_keypair, lock_guardian, unlock_guardian
from candour.web.speakup.views.guardian import (
    GUARDIAN,
    guardian_keys_of,
    guardian_page,
    to_unlock,
)

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
    existing = guardian_keys_of(user)
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
            {
                "keys": guardian_keys_of(user),
                "form": form,
                "confirm_form": RecoveryKeyForm(prefix="confirm"),
            },
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
    if guardian_keys_of(user) is None:
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
    if guardian_keys_of(user) is None:
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


# --------------------------------------------------------------------------------- handover


@guardian_page
def handover(request):
    """Re-seal every case at an organisation to another guardian (and optionally leave)."""
    user = request.user
    organisations = policy.guardian_organisation_codes(user)
    keypair = guardian_keypair(request)
    if keypair is None:
        return to_unlock(request)
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
