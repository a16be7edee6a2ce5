"""Crypto-shredding: the sealed key rows are the only path to a case's plaintext.

A whole case is built the way the web layer will build it, stored as rows, and a "backup" copied
of every row except the sealed keys. The test then gathers every other secret anyone could hold
(guardians' passwords and unlocked keys, recovery keys, session locks, the receipt, the pepper)
and shows that none of it decrypts anything in the backup, while the same material did decrypt
it through the sealed keys before they were destroyed.
"""

from __future__ import annotations

import io
import itertools

import pytest

from candour import crypto
from candour.crypto import CaseKey, DecryptionError, IdentityKey

CASE = "2b0d9c1a-5f7e-4c1b-9a52-000000000777"
PEPPER = b"p" * 32
CONTEXT = "candour:RX1"
FIELDS = {"narrative": "Theatre lists overrun nightly; staff told not to report.", "site": "B"}
FILE = b"%PDF-1.7 rota showing 1 RN to 28 patients" * 500
IDENTITY = "Alex Example, Staff Nurse, ext 4321"


@pytest.fixture(scope="module")
def world():
    """The stored rows of one case, and every secret that exists outside them."""
    guardians = [crypto.create_guardian_keys(f"password {n}") for n in range(2)]
    keypairs = [crypto.unlock_with_password(keyring, f"password {n}") for n, (keyring, _) in
                enumerate(guardians)]  # fmt: skip
    receipt = crypto.new_receipt()
    reporter = crypto.reporter_keypair(receipt, context=CONTEXT)
    case_key, identity_key = crypto.new_case_key(CASE), crypto.new_identity_key(CASE)
    attachment = io.BytesIO()
    crypto.encrypt_attachment(case_key, "file-1", FILE, attachment)
    rows = {
        "case.receipt_lookup": crypto.receipt_lookup(receipt, PEPPER),
        **{f"case.{name}": crypto.encrypt_field(case_key, name, value) for name, value in
           FIELDS.items()},
        "case.identity": crypto.encrypt_identity(identity_key, IDENTITY),
        "attachment.file-1": attachment.getvalue(),
        "guardian.0.keyring": guardians[0][0],
        "guardian.1.keyring": guardians[1][0],
    }  # fmt: skip
    sealed = {
        "sealed.case.guardian.0": crypto.seal_case_key(case_key, keypairs[0].public_key),
        "sealed.case.guardian.1": crypto.seal_case_key(case_key, keypairs[1].public_key),
        "sealed.case.reporter": crypto.seal_case_key(case_key, reporter.public_key),
        "sealed.identity.guardian.0": crypto.seal_identity_key(
            identity_key, keypairs[0].public_key
        ),
    }
    secrets_outside = {
        "keypairs": [*keypairs, reporter],
        "recovery_keys": [recovery for _, recovery in guardians],
        "sessions": [crypto.lock_for_session(keypair) for keypair in keypairs],
        "receipt": receipt,
    }
    return rows, sealed, secrets_outside, case_key, identity_key


def candidate_keys(secrets_outside, rows) -> list[bytes]:
    """Every 32-byte value an attacker holding all secrets except the sealed rows could try."""
    candidates = [PEPPER, crypto.receipt_key(secrets_outside["receipt"], context=CONTEXT)]
    candidates.append(rows["case.receipt_lookup"])
    for keypair in secrets_outside["keypairs"]:
        candidates += [keypair.private_key, keypair.public_key]
    for recovery in secrets_outside["recovery_keys"]:
        candidates.append(recovery.secret)
    for lock in secrets_outside["sessions"]:
        candidates.append(lock.cookie_key)
    return candidates


def stored_bytes(rows) -> list[bytes]:
    out = []
    for value in rows.values():
        if isinstance(value, crypto.GuardianKeyring):
            out += [value.public_key, value.by_password, value.by_recovery_key]
        else:
            out.append(value)
    return out


def test_before_shredding_every_reader_gets_the_plaintext(world):
    rows, sealed, secrets_outside, _, _ = world
    guardian, _, reporter = secrets_outside["keypairs"]
    for keypair, row in ((guardian, "sealed.case.guardian.0"), (reporter, "sealed.case.reporter")):
        case_key = crypto.open_case_key(sealed[row], keypair, case_id=CASE)
        assert (
            crypto.decrypt_text(case_key, "narrative", rows["case.narrative"])
            == FIELDS["narrative"]
        )
    identity_key = crypto.open_identity_key(
        sealed["sealed.identity.guardian.0"], guardian, case_id=CASE
    )
    assert crypto.decrypt_identity(identity_key, rows["case.identity"]) == IDENTITY


def test_keys_appear_in_no_stored_row_other_than_sealed(world):
    rows, _, _, case_key, identity_key = world
    blob = b"".join(stored_bytes(rows))
    assert case_key.secret not in blob
    assert identity_key.secret not in blob


def test_after_shredding_no_other_secret_decrypts_the_backup(world):
    rows, _sealed_destroyed, secrets_outside, _, _ = world
    backup = dict(rows)  # every row except the sealed keys
    attempts = 0
    for secret in candidate_keys(secrets_outside, backup):
        case_guess = CaseKey(case_id=CASE, secret=secret)
        identity_guess = IdentityKey(case_id=CASE, secret=secret)
        for name in FIELDS:
            with pytest.raises(DecryptionError):
                crypto.decrypt_field(case_guess, name, backup[f"case.{name}"])
        with pytest.raises(DecryptionError):
            crypto.decrypt_identity(identity_guess, backup["case.identity"])
        with pytest.raises(DecryptionError):
            crypto.decrypt_attachment(
                case_guess, "file-1", backup["attachment.file-1"], io.BytesIO()
            )
        attempts += 1
    assert attempts == len(candidate_keys(secrets_outside, backup)) >= 10


def test_after_shredding_key_pairs_open_nothing_left_in_the_backup(world):
    rows, _, secrets_outside, _, _ = world
    # A key pair opens only sealed boxes; the backup holds none, whatever row is tried.
    for keypair, value in itertools.product(secrets_outside["keypairs"], stored_bytes(rows)):
        with pytest.raises(DecryptionError):
            crypto.open_case_key(value, keypair, case_id=CASE)
        with pytest.raises(DecryptionError):
            crypto.open_identity_key(value, keypair, case_id=CASE)
