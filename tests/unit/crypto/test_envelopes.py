"""Case keys, sealing to readers, and field encryption bound to case and field."""

from __future__ import annotations

import uuid

import pytest

from candour.crypto import (
    CaseKey,
    DecryptionError,
    KeyPair,
    decrypt_field,
    decrypt_text,
    encrypt_field,
    new_case_key,
    new_identity_key,
    open_case_key,
    seal_case_key,
    seal_identity_key,
)
from candour.crypto.constants import AEAD_NONCE_BYTES, AEAD_TAG_BYTES, FORMAT_VERSION

CASE = "6f1c7d1e-0000-4000-8000-000000000001"
OTHER_CASE = "6f1c7d1e-0000-4000-8000-000000000002"
TEXT = "The ward was left with one registered nurse for 28 patients on nights."


def flip(data: bytes, index: int) -> bytes:
    """``data`` with one bit of the byte at ``index`` flipped."""
    changed = bytearray(data)
    changed[index] ^= 0x01
    return bytes(changed)


@pytest.fixture
def case_key() -> CaseKey:
    return new_case_key(CASE)


def test_field_round_trip_for_text_and_bytes(case_key):
    assert decrypt_text(case_key, "narrative", encrypt_field(case_key, "narrative", TEXT)) == TEXT
    raw = bytes(range(256))
    assert decrypt_field(case_key, "blob", encrypt_field(case_key, "blob", raw)) == raw
    assert decrypt_text(case_key, "empty", encrypt_field(case_key, "empty", "")) == ""


def test_serialisation_is_version_nonce_ciphertext(case_key):
    ciphertext = encrypt_field(case_key, "narrative", TEXT)
    assert ciphertext[0] == FORMAT_VERSION
    assert len(ciphertext) == 1 + AEAD_NONCE_BYTES + len(TEXT.encode()) + AEAD_TAG_BYTES
    assert TEXT.encode() not in ciphertext


def test_same_plaintext_encrypts_differently_each_time(case_key):
    assert encrypt_field(case_key, "narrative", TEXT) != encrypt_field(case_key, "narrative", TEXT)


def test_ciphertext_moved_to_another_field_fails(case_key):
    ciphertext = encrypt_field(case_key, "narrative", TEXT)
    with pytest.raises(DecryptionError):
        decrypt_field(case_key, "outcome", ciphertext)


def test_ciphertext_moved_to_another_case_fails_even_with_the_same_key_bytes(case_key):
    # Only the case id differs: the associated data alone must make it fail.
    ciphertext = encrypt_field(case_key, "narrative", TEXT)
    same_bytes_other_case = CaseKey(case_id=OTHER_CASE, secret=case_key.secret)
    with pytest.raises(DecryptionError):
        decrypt_field(same_bytes_other_case, "narrative", ciphertext)


def test_ciphertext_fails_under_another_key(case_key):
    ciphertext = encrypt_field(case_key, "narrative", TEXT)
    with pytest.raises(DecryptionError):
        decrypt_field(new_case_key(CASE), "narrative", ciphertext)


def test_case_and_field_boundaries_cannot_be_shifted():
    # With a plain "case|field" join these would share associated data; the length prefixes stop it.
    key = new_case_key("a|b")
    shifted = CaseKey(case_id="a", secret=key.secret)
    ciphertext = encrypt_field(key, "c", TEXT)
    with pytest.raises(DecryptionError):
        decrypt_field(shifted, "b|c", ciphertext)


def test_every_flipped_byte_is_detected(case_key):
    ciphertext = encrypt_field(case_key, "narrative", "short")
    for index in range(len(ciphertext)):
        with pytest.raises(DecryptionError):
            decrypt_field(case_key, "narrative", flip(ciphertext, index))


def test_truncated_or_extended_ciphertext_fails(case_key):
    ciphertext = encrypt_field(case_key, "narrative", TEXT)
    for broken in (ciphertext[:-1], ciphertext + b"\x00", ciphertext[:10], b""):
        with pytest.raises(DecryptionError):
            decrypt_field(case_key, "narrative", broken)


def test_unknown_version_is_refused(case_key):
    ciphertext = encrypt_field(case_key, "narrative", TEXT)
    with pytest.raises(DecryptionError, match="version"):
        decrypt_field(case_key, "narrative", bytes([2]) + ciphertext[1:])


def test_an_identity_key_cannot_encrypt_case_fields():
    with pytest.raises(TypeError, match="CaseKey"):
        encrypt_field(new_identity_key(CASE), "narrative", TEXT)  # type: ignore[arg-type]


def test_case_id_may_be_a_uuid():
    case_id = uuid.uuid4()
    key = new_case_key(case_id)
    assert key.case_id == str(case_id)
    assert decrypt_text(key, "f", encrypt_field(key, "f", TEXT)) == TEXT


@pytest.mark.parametrize("bad", ["", "x" * 256, None])
def test_bad_case_ids_and_field_names_are_refused(bad, case_key):
    with pytest.raises(ValueError, match="case_id"):
        new_case_key(bad)
    with pytest.raises(ValueError, match="field"):
        encrypt_field(case_key, bad, TEXT)


def test_key_material_is_hidden_from_repr(case_key):
    assert case_key.secret.hex() not in repr(case_key)
    keypair = KeyPair.generate()
    assert keypair.private_key.hex() not in repr(keypair)


def test_keypair_refuses_a_mismatched_private_key():
    one, two = KeyPair.generate(), KeyPair.generate()
    with pytest.raises(ValueError, match="does not belong"):
        KeyPair(public_key=one.public_key, private_key=two.private_key)


# ------------------------------------------------------------------------------------ sealing


def test_case_key_sealed_to_each_reader_opens_for_each(case_key):
    readers = [KeyPair.generate() for _ in range(3)]
    sealed = [seal_case_key(case_key, reader.public_key) for reader in readers]
    assert len(set(sealed)) == 3
    for reader, copy in zip(readers, sealed, strict=True):
        assert open_case_key(copy, reader, case_id=CASE) == case_key


def test_sealed_case_key_does_not_open_for_someone_else(case_key):
    sealed = seal_case_key(case_key, KeyPair.generate().public_key)
    with pytest.raises(DecryptionError):
        open_case_key(sealed, KeyPair.generate(), case_id=CASE)


def test_sealed_case_key_moved_to_another_case_is_refused(case_key):
    reader = KeyPair.generate()
    sealed = seal_case_key(case_key, reader.public_key)
    with pytest.raises(DecryptionError, match="different case"):
        open_case_key(sealed, reader, case_id=OTHER_CASE)


def test_sealed_identity_key_cannot_be_opened_as_a_case_key():
    reader = KeyPair.generate()
    sealed = seal_identity_key(new_identity_key(CASE), reader.public_key)
    with pytest.raises(DecryptionError, match="different purpose"):
        open_case_key(sealed, reader, case_id=CASE)


def test_every_flipped_byte_of_a_sealed_key_is_detected(case_key):
    reader = KeyPair.generate()
    sealed = seal_case_key(case_key, reader.public_key)
    for index in range(len(sealed)):
        with pytest.raises(DecryptionError):
            open_case_key(flip(sealed, index), reader, case_id=CASE)


def test_truncated_sealed_key_fails(case_key):
    reader = KeyPair.generate()
    sealed = seal_case_key(case_key, reader.public_key)
    for broken in (sealed[:-1], sealed[:48], sealed[:10], b""):
        with pytest.raises(DecryptionError):
            open_case_key(broken, reader, case_id=CASE)


def test_sealing_refuses_a_malformed_public_key(case_key):
    with pytest.raises(ValueError, match="32 bytes"):
        seal_case_key(case_key, b"\x00" * 31)
