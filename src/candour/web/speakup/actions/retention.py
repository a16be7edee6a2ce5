"""Retention: legal hold, crypto-shredding of expired cases and orphan retention keys."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from candour.web.speakup import vault
from candour.web.speakup.actions.common import (
    _audit,
    _locked,
    today,
)
from candour.web.speakup.choices import (
    Status,
)
from candour.web.speakup.models import (
    Attachment,
    Case,
    CaseAction,
    CheckIn,
    IdentityDisclosure,
    LegalHold,
    Message,
    Note,
    Referral,
    SealedKey,
)


@transaction.atomic
def set_legal_hold(*, case: Case, hold: bool, reason: str, by) -> LegalHold:
    """Place a case on legal hold (it is then never expired) or release it; either needs a
    reason, kept with who and on what day (:class:`LegalHold`). Audited; the event names the
    hold, never the reason (it is shared text, cleared when the case is shredded)."""
    if not reason.strip():
        raise ValidationError(
            "Enter why the case must be kept" if hold else "Enter why the hold can end"
        )
    case = _locked(case)
    current = case.legal_holds.filter(released_on=None).first()
    if hold:
        if case.legal_hold:
            raise ValidationError("This case is already on legal hold.")
        record = LegalHold.objects.create(
            case=case, placed_by=by, placed_on=today(), reason=reason.strip()
        )
    else:
        if not case.legal_hold or current is None:
            raise ValidationError("This case is not on legal hold.")
        current.released_by, current.released_on = by, today()
        current.release_reason = reason.strip()
        current.save(update_fields=["released_by", "released_on", "release_reason"])
        record = current
    Case.objects.filter(pk=case.pk).update(legal_hold=hold)
    case.legal_hold = hold
    _audit(by, "case.legal_hold", case=case, hold=hold, legal_hold=record.pk)
    return record


# --------------------------------------------------------------------------------- retention


@dataclass(frozen=True)
class Shredded:
    case_id: str
    organisation: str
    sealed_keys: int
    ciphertexts: int
    shared_texts: int


@transaction.atomic
def shred_case(*, case: Case, by) -> Shredded:
    """Crypto-shred a case: destroy its retention key (outside the database, so every earlier
    copy of the database is blinded too), then delete every sealed key and every ciphertext.
    The metadata row stays (status expired) for past returns.

    The key goes first: if the database work then fails, the case is already unreadable and
    the next run of the expiry job finishes it."""
    case = _locked(case)
    if case.legal_hold:
        raise ValidationError("This case is on legal hold.")
    vault.keystore().destroy(case.pk)
    sealed_keys, _ = SealedKey.objects.filter(case=case).delete()
    ciphertexts = 0
    ciphertexts += Attachment.objects.filter(case=case).delete()[0]
    ciphertexts += Note.objects.filter(case=case).delete()[0]
    ciphertexts += Message.objects.filter(case=case).delete()[0]
    ciphertexts += CheckIn.objects.filter(case=case).exclude(comment=None).update(comment=None)
    sealed_columns = (
        "location",
        "happened_on",
        "identity",
        "closure_evidence",
        "speak_up_again_comment",
    )
    ciphertexts += 1 + sum(getattr(case, column) is not None for column in sealed_columns)
    case.narrative = b""
    for column in sealed_columns:
        setattr(case, column, None)
    case.status = Status.EXPIRED
    case.shredded_on = today()
    case.save()
    # the plaintext a guardian wrote for people without the key goes too (the rows stay, counted)
    shared_texts = (
        CaseAction.objects.filter(case=case).update(description="", evidence="")
        + Referral.objects.filter(case=case).exclude(reference="").update(reference="")
        + IdentityDisclosure.objects.filter(case=case).update(reason="")
        + LegalHold.objects.filter(case=case).update(reason="", release_reason="")
    )
    _audit(
        by,
        "case.shred",
        case=case,
        sealed_keys=sealed_keys,
        ciphertexts=ciphertexts,
        shared_texts=shared_texts,
    )
    return Shredded(str(case.pk), case.organisation_id, sealed_keys, ciphertexts, shared_texts)


def expire_cases(*, on: datetime.date | None = None, by) -> list[Shredded]:
    """Shred every closed case whose retention ended on or before ``on`` (default today),
    except those on legal hold. Each case is its own transaction and audit event."""
    day = on or today()
    due = Case.objects.filter(
        status__in=[Status.CLOSED, Status.DETRIMENT_WATCH],
        expires_on__lte=day,
        legal_hold=False,
    ).order_by("expires_on", "id")
    return [shred_case(case=case, by=by) for case in due]


ORPHAN_QUERY_BATCH = 500  # case ids per query (well under SQLite's 32,766 variables)
# How many of the most recent unexpired cases must have their key before orphans are deleted.
KEYSTORE_MATCH_SAMPLE = 100


class KeyStoreMismatch(ValidationError):
    """The key store does not belong to this database: deleting "orphans" would shred cases."""


def orphan_keys() -> list[str]:
    """Retention keys whose case is not in the database and that are old enough not to belong
    to a submission still in its transaction: left by submissions that rolled back."""
    settled = vault.keystore().settled()
    orphans = []
    for start in range(0, len(settled), ORPHAN_QUERY_BATCH):
        batch = settled[start : start + ORPHAN_QUERY_BATCH]
        known = {str(pk) for pk in Case.objects.filter(pk__in=batch).values_list("pk", flat=True)}
        orphans += [case_id for case_id in batch if case_id not in known]
    return orphans


def check_keystore_matches_database() -> None:
    """:class:`KeyStoreMismatch` unless the key store holds the keys of this database's cases:
    the most recent unexpired cases all have theirs, and some settled key has its case here."""
    store = vault.keystore()
    recent = Case.objects.exclude(status=Status.EXPIRED).order_by("-received_on", "-pk")
    missing = [case.pk for case in recent[:KEYSTORE_MATCH_SAMPLE] if not store.has(case.pk)]
    settled = store.settled()
    if missing or (settled and len(orphan_keys()) == len(settled)):
        raise KeyStoreMismatch(
            f"the key store {store.directory} does not match this database "
            f"({len(missing)} recent case(s) without a key; "
            f"{len(settled)} settled key(s)): check CANDOUR_SPEAKUP_KEYSTORE and the database "
            "settings. Nothing was deleted."
        )


def delete_orphan_keys(*, by) -> list[str]:
    """Delete the :func:`orphan_keys`, after :func:`check_keystore_matches_database`. Audited."""
    check_keystore_matches_database()
    orphans = orphan_keys()
    store = vault.keystore()
    for case_id in orphans:
        store.destroy(case_id)
    if orphans:
        with transaction.atomic():
            _audit(by, "keystore.delete_orphans", orphan_keys=len(orphans))
    return orphans
