"""A guardian's keys and assignments: enrolment, assignment, recovery and replacement."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from candour import crypto
from candour.crypto import RecoveryKey
from candour.web.core.actions import grant_role, revoke_role
from candour.web.core.roles import Role
from candour.web.speakup import vault
from candour.web.speakup.actions.common import (
    _audit,
    _audit_guardian,
    _organisation,
    today,
)
from candour.web.speakup.choices import (
    SealedFor,
)
from candour.web.speakup.models import (
    GuardianAssignment,
    GuardianKeys,
    SealedKey,
)

# ------------------------------------------------------------------------------------ guardians


@transaction.atomic
def enrol_guardian(*, user, password: str, organisation_code: str, by) -> RecoveryKey:
    """Create the guardian's key pair from their password and assign them to an organisation.

    Returns the recovery key: show it once, for printing; it is stored nowhere. The guardian
    role is granted for the organisation if they do not hold it yet.
    """
    organisation = _organisation(organisation_code)
    if GuardianKeys.objects.filter(user=user).exists():
        raise ValidationError(f"{user.get_username()} already has guardian keys.")
    recovery_key = _store_new_keys(user=user, password=password)
    _audit(by, "guardian.enrol", organisation=organisation, user=user.pk)
    assign_guardian(user=user, organisation_code=organisation_code, by=by)
    return recovery_key


@transaction.atomic
def assign_guardian(*, user, organisation_code: str, by) -> GuardianAssignment:
    """Concerns raised at this organisation from now on are sealed to this guardian too."""
    organisation = _organisation(organisation_code)
    if not GuardianKeys.objects.filter(user=user).exists():
        raise ValidationError(f"{user.get_username()} has no guardian keys yet: enrol them first.")
    grant_role(user=user, role=Role.GUARDIAN, organisation_code=organisation.pk, by=by)
    assignment, created = GuardianAssignment.objects.get_or_create(
        guardian=user, organisation=organisation, defaults={"assigned_on": today()}
    )
    if created:
        _audit(by, "guardian.assign", organisation=organisation, user=user.pk)
    return assignment


@transaction.atomic
def unassign_guardian(*, user, organisation_code: str, by) -> int:
    """Stop a guardian receiving this organisation's concerns, and take away their sealed keys
    to its cases. Refused while a case there is sealed to nobody else (hand it over first), so
    no case is left unreadable. Returns the number of sealed keys removed."""
    organisation = _organisation(organisation_code)
    assignment = GuardianAssignment.objects.filter(guardian=user, organisation=organisation)
    if not assignment.exists():
        raise ValidationError(f"{user.get_username()} is not a guardian of {organisation.pk}.")
    theirs = SealedKey.objects.filter(
        guardian=user, purpose=SealedFor.CASE, case__organisation=organisation
    ).values_list("case_id", flat=True)
    shared = (
        SealedKey.objects.filter(case_id__in=theirs, purpose=SealedFor.CASE, guardian__isnull=False)
        .exclude(guardian=user)
        .values_list("case_id", flat=True)
    )
    sole = set(theirs) - set(shared)
    if sole:
        raise ValidationError(
            f"{len(sole)} case(s) at {organisation.pk} can be read only by "
            f"{user.get_username()}: they must hand them over to another guardian first."
        )
    removed, _ = SealedKey.objects.filter(guardian=user, case__organisation=organisation).delete()
    assignment.delete()
    revoke_role(user=user, role=Role.GUARDIAN, organisation_code=organisation.pk, by=by)
    _audit(by, "guardian.unassign", organisation=organisation, user=user.pk, sealed_keys=removed)
    return removed


@transaction.atomic
def replace_guardian_keys(*, user, password: str, by) -> RecoveryKey:
    """A new key pair for a guardian whose password and recovery key are both lost.

    Their sealed keys to cases can no longer be opened by anyone, so they are deleted; another
    guardian of each case can share it with them again. Returns the new recovery key.
    """
    dropped, _ = SealedKey.objects.filter(guardian=user).delete()
    GuardianKeys.objects.filter(user=user).delete()
    recovery_key = _store_new_keys(user=user, password=password)
    _audit_guardian(by, "replace_keys", user, sealed_keys_dropped=dropped)
    return recovery_key


@transaction.atomic
def reset_guardian_password(*, user, recovery_key: str, new_password: str, by) -> None:
    """Re-wrap a guardian's keys under their (new) password, using the printed recovery key."""
    keys = GuardianKeys.objects.select_for_update().get(user=user)
    keyring = crypto.reset_password(
        vault.keyring_of(keys), recovery_key=recovery_key, new_password=new_password
    )
    keys.key_by_password = keyring.by_password
    keys.save(update_fields=["key_by_password"])
    _audit_guardian(by, "reset_password", user)


@transaction.atomic
def confirm_recovery_key(*, user, recovery_key: str, by) -> None:
    """The guardian typed their recovery key back and it unlocks their keys."""
    keys = GuardianKeys.objects.select_for_update().get(user=user)
    crypto.unlock_with_recovery_key(vault.keyring_of(keys), recovery_key)
    keys.recovery_key_confirmed_on = today()
    keys.save(update_fields=["recovery_key_confirmed_on"])
    _audit_guardian(by, "confirm_recovery_key", user)


@transaction.atomic
def new_recovery_key(*, user, password: str, by) -> RecoveryKey:
    """Retire the printed recovery key and make a new one (the password unlocks the keys)."""
    keys = GuardianKeys.objects.select_for_update().get(user=user)
    keyring, recovery_key = crypto.replace_recovery_key(vault.keyring_of(keys), password=password)
    keys.key_by_recovery_key = keyring.by_recovery_key
    keys.recovery_key_confirmed_on = None
    keys.save(update_fields=["key_by_recovery_key", "recovery_key_confirmed_on"])
    _audit_guardian(by, "new_recovery_key", user)
    return recovery_key


def _store_new_keys(*, user, password: str) -> RecoveryKey:
    keyring, recovery_key = crypto.create_guardian_keys(password)
    GuardianKeys.objects.create(
        user=user,
        public_key=keyring.public_key,
        key_by_password=keyring.by_password,
        key_by_recovery_key=keyring.by_recovery_key,
        created_on=today(),
    )
    return recovery_key
