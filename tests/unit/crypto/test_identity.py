"""A confidential reporter's identity sits in its own envelope, opened by a separate call."""

from __future__ import annotations

import pytest

from candour.crypto import (
    DecryptionError,
    IdentityKey,
    KeyPair,
    decrypt_field,
    decrypt_identity,
    encrypt_field,
    encrypt_identity,
    new_case_key,
    new_identity_key,
    open_case_key,
    open_identity_key,
    seal_case_key,
    seal_identity_key,
)

CASE = "case-0001"
IDENTITY = "Sam Example, HCA, Ward 7, 07700 900123"


def test_identity_round_trip_through_the_explicit_disclosure_call():
    guardian = KeyPair.generate()
    identity_key = new_identity_key(CASE)
    ciphertext = encrypt_identity(identity_key, IDENTITY)
    sealed = seal_identity_key(identity_key, guardian.public_key)
    opened = open_identity_key(sealed, guardian, case_id=CASE)
    assert isinstance(opened, IdentityKey)
    assert decrypt_identity(opened, ciphertext) == IDENTITY


def test_everything_a_case_reader_holds_does_not_reveal_the_identity():
    guardian = KeyPair.generate()
    case_key, identity_key = new_case_key(CASE), new_identity_key(CASE)
    identity_ciphertext = encrypt_identity(identity_key, IDENTITY)
    sealed_case_key = seal_case_key(case_key, guardian.public_key)
    opened_case_key = open_case_key(sealed_case_key, guardian, case_id=CASE)

    assert opened_case_key.secret != identity_key.secret
    as_identity_key = IdentityKey(case_id=CASE, secret=opened_case_key.secret)
    with pytest.raises(DecryptionError):
        decrypt_identity(as_identity_key, identity_ciphertext)
    # Nor can the identity ciphertext be read as if it were one of the case's fields.
    for field in ("identity", "narrative"):
        with pytest.raises(DecryptionError):
            decrypt_field(opened_case_key, field, identity_ciphertext)


def test_sealed_case_key_cannot_be_opened_as_an_identity_key():
    guardian = KeyPair.generate()
    sealed = seal_case_key(new_case_key(CASE), guardian.public_key)
    with pytest.raises(DecryptionError, match="different purpose"):
        open_identity_key(sealed, guardian, case_id=CASE)


def test_identity_ciphertext_is_bound_to_its_case():
    identity_key = new_identity_key(CASE)
    ciphertext = encrypt_identity(identity_key, IDENTITY)
    moved = IdentityKey(case_id="case-0002", secret=identity_key.secret)
    with pytest.raises(DecryptionError):
        decrypt_identity(moved, ciphertext)


def test_identity_ciphertext_tampering_is_detected():
    identity_key = new_identity_key(CASE)
    ciphertext = bytearray(encrypt_identity(identity_key, IDENTITY))
    ciphertext[-1] ^= 0x80
    with pytest.raises(DecryptionError):
        decrypt_identity(identity_key, bytes(ciphertext))


def test_a_field_ciphertext_cannot_pass_as_the_identity():
    # Same key bytes used for both (never done, but the labels must still keep them apart).
    case_key = new_case_key(CASE)
    identity_key = IdentityKey(case_id=CASE, secret=case_key.secret)
    with pytest.raises(DecryptionError):
        decrypt_identity(identity_key, encrypt_field(case_key, "identity", IDENTITY))


def test_a_case_key_cannot_be_used_as_an_identity_key():
    with pytest.raises(TypeError, match="IdentityKey"):
        encrypt_identity(new_case_key(CASE), IDENTITY)  # type: ignore[arg-type]
