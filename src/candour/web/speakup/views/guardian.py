"""The guardian's pages: what they share. A guardian reads a case only with their key pair
unlocked for the session (their password, once per sign-in) and only if the case is sealed to
them; any other case answers 404, whoever asks. Every read is audited (who and when, never what).

The pages themselves: :mod:`.keys` (keys, unlock, handover), :mod:`.cases` (the list, recording
a concern, a case and its files) and :mod:`.steps` (every step on a case).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from candour import crypto
from candour.web.core.access import requires
from candour.web.core.roles import Role
from candour.web.speakup import actions, policy, vault
from candour.web.speakup.models import Case, GuardianKeys
from candour.web.speakup.sessions import guardian_keypair

GUARDIAN = Role.GUARDIAN


def guardian_page(view):
    return requires(GUARDIAN)(never_cache(sensitive_post_parameters()(view)))


def guardian_keys_of(user) -> GuardianKeys | None:
    return GuardianKeys.objects.filter(user=user).first()


def to_unlock(request):
    return redirect(f"{reverse('speakup:unlock')}?next={request.get_full_path()}")


def open_case(request, case_id):
    """(case, opened, keypair) for the signed-in guardian; Http404 unless sealed to them,
    :class:`Locked` while their keys are locked."""
    case = get_object_or_404(Case.objects.select_related("organisation"), pk=case_id)
    if not actions.sealed_for(case, request.user) or not policy.is_assigned_guardian(
        request.user, case.organisation_id
    ):
        raise Http404("no case sealed to you has this id")
    keypair = guardian_keypair(request)
    if keypair is None:
        raise Locked
    try:
        opened = vault.open_for(case, keypair, guardian_id=request.user.pk)
    except (vault.NoAccess, crypto.DecryptionError):
        raise Http404("no case sealed to you has this id") from None
    return case, opened, keypair


class Locked(Exception):
    pass
