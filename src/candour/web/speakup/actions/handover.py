"""Sharing a case with another guardian and handing every case over to a successor."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from candour import crypto
from candour.crypto import KeyPair
from candour.web.speakup import policy, vault
from candour.web.speakup.actions.common import (
    _audit,
)
from candour.web.speakup.models import (
    Case,
    GuardianKeys,
    SealedKey,
)

# ---------------------------------------------------------------------------------- handover


@transaction.atomic
def share_case(*, case: Case, keypair: KeyPair, to_guardian, by) -> int:
    """Re-seal a case's keys (case and identity) to another enrolled guardian, who must be
    assigned to the case's organisation. Returns the number of keys sealed."""
    to_keys = GuardianKeys.objects.filter(user=to_guardian).first()
    if to_keys is None:
        raise ValidationError(f"{to_guardian.get_username()} has no guardian keys yet.")
    if not policy.is_assigned_guardian(to_guardian, case.organisation_id):
        raise ValidationError(
            f"{to_guardian.get_username()} is not a guardian of {case.organisation_id}."
        )
    sealed = 0
    for row in SealedKey.objects.filter(case=case, guardian=by):
        resealed = crypto.hand_over(
            vault.unwrap(row),
            keypair=keypair,
            case_id=str(case.pk),
            to_public_key=bytes(to_keys.public_key),
        )
        resealed = vault.wrap(case, vault.keystore().get(case.pk), row.purpose, resealed)
        SealedKey.objects.update_or_create(
            case=case,
            purpose=row.purpose,
            guardian=to_guardian,
            defaults={"public_key": bytes(to_keys.public_key), "sealed": resealed},
        )
        sealed += 1
    if not sealed:
        raise vault.NoAccess
    _audit(by, "case.share", case=case, to_guardian=to_guardian.pk)
    return sealed


@transaction.atomic
def hand_over_cases(
    *, cases: list[Case], keypair: KeyPair, to_guardian, remove_own_access: bool, by
) -> int:
    """Share every case with a successor and, optionally, give up one's own access (the
    successor must then hold every key first). Returns the number of cases handed over."""
    for case in cases:
        share_case(case=case, keypair=keypair, to_guardian=to_guardian, by=by)
        if remove_own_access:
            SealedKey.objects.filter(case=case, guardian=by).delete()
            _audit(by, "case.give_up_access", case=case)
    return len(cases)
