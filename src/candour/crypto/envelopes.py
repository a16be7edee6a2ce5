"""Case keys, sealed to their readers, and the fields they encrypt.

* Each case has a random 256-bit :class:`CaseKey` (:func:`new_case_key`).
* The case key is sealed (libsodium SealedBox, X25519) to each reader's public key: every assigned
  guardian, and the reporter's receipt-derived key (:func:`seal_case_key`). One sealed copy per
  reader is stored; nothing else in the database can recover the key.
* Each field is encrypted with XChaCha20-Poly1305 under the case key, with associated data
  binding the ciphertext to ``case_id | field`` (:func:`encrypt_field`).

What a sealed box holds is ``version | purpose | key | case_id``. The purpose byte stops a sealed
identity key from being opened as a case key (and the reverse); the case id stops a sealed key
copied to another case's row from being accepted there.
"""

from __future__ import annotations

import uuid

import nacl.bindings as sodium
import nacl.exceptions

from candour.crypto import aead
from candour.crypto.constants import (
    FORMAT_VERSION,
    KEY_BYTES,
    PURPOSE_CASE_KEY,
    SEALED_BOX_OVERHEAD,
)
from candour.crypto.errors import DecryptionError
from candour.crypto.keymaterial import CaseKey, KeyPair, _DataKey, check_label, check_public_key

FIELD_LABEL = "field"


def new_case_key(case_id: str | uuid.UUID) -> CaseKey:
    """A fresh random key for one case."""
    return CaseKey.generate(case_id)


def encrypt_field(case_key: CaseKey, field: str, plaintext: str | bytes) -> bytes:
    """``plaintext`` (text is stored as UTF-8) encrypted for this case and field."""
    _check_case_key(case_key)
    data = plaintext.encode() if isinstance(plaintext, str) else plaintext
    return aead.encrypt(case_key.secret, data, _field_ad(case_key, field))


def decrypt_field(case_key: CaseKey, field: str, ciphertext: bytes) -> bytes:
    """The bytes :func:`encrypt_field` was given. :class:`DecryptionError` if the key, case,
    field or any byte differs."""
    _check_case_key(case_key)
    return aead.decrypt(case_key.secret, ciphertext, _field_ad(case_key, field))


def decrypt_text(case_key: CaseKey, field: str, ciphertext: bytes) -> str:
    """:func:`decrypt_field` for a text field."""
    return decrypt_field(case_key, field, ciphertext).decode()


def seal_case_key(case_key: CaseKey, recipient_public_key: bytes) -> bytes:
    """The case key sealed to one reader's X25519 public key (a guardian's or the reporter's)."""
    _check_case_key(case_key)
    return seal_data_key(case_key, PURPOSE_CASE_KEY, recipient_public_key)


def open_case_key(sealed: bytes, keypair: KeyPair, *, case_id: str | uuid.UUID) -> CaseKey:
    """The case key from a sealed copy, checked to be a case key for ``case_id``."""
    secret = open_data_key(sealed, keypair, PURPOSE_CASE_KEY, case_id)
    return CaseKey(case_id=case_id, secret=secret)


def seal_data_key(key: _DataKey, purpose: int, recipient_public_key: bytes) -> bytes:
    """Seal a case or identity key, with its purpose and case, to a public key."""
    return seal_secret(key.secret, purpose, key.case_id, recipient_public_key)


def open_data_key(sealed: bytes, keypair: KeyPair, purpose: int, case_id: str | uuid.UUID) -> bytes:
    """The 32-byte secret of a sealed key, if it was sealed for this purpose and case."""
    secret, sealed_purpose, sealed_case = open_sealed(sealed, keypair)
    if sealed_purpose != purpose:
        raise DecryptionError("sealed key is for a different purpose")
    if sealed_case != check_label("case_id", case_id):
        raise DecryptionError("sealed key belongs to a different case")
    return secret


def seal_secret(secret: bytes, purpose: int, case_id: str, recipient_public_key: bytes) -> bytes:
    """SealedBox of ``version | purpose | secret | case_id`` to ``recipient_public_key``."""
    message = bytes([FORMAT_VERSION, purpose]) + secret + case_id.encode()
    return sodium.crypto_box_seal(message, check_public_key(recipient_public_key))


def open_sealed(sealed: bytes, keypair: KeyPair) -> tuple[bytes, int, str]:
    """(secret, purpose, case id) from a sealed key; :class:`DecryptionError` if it won't open."""
    if not isinstance(sealed, bytes) or len(sealed) <= SEALED_BOX_OVERHEAD:
        raise DecryptionError("a sealed key is longer than a sealed box's overhead")
    try:
        message = sodium.crypto_box_seal_open(sealed, keypair.public_key, keypair.private_key)
    except nacl.exceptions.CryptoError:
        raise DecryptionError("sealed key does not open with this key pair") from None
    if len(message) <= 2 + KEY_BYTES or message[0] != FORMAT_VERSION:
        raise DecryptionError("sealed key has an unknown format")
    try:
        case_id = message[2 + KEY_BYTES :].decode()
    except UnicodeDecodeError:
        raise DecryptionError("sealed key has an unknown format") from None
    return message[2 : 2 + KEY_BYTES], message[1], case_id


def _field_ad(case_key: CaseKey, field: str) -> bytes:
    return aead.associated_data(FIELD_LABEL, case_key.case_id, check_label("field", field))


def _check_case_key(case_key: CaseKey) -> None:
    if not isinstance(case_key, CaseKey):
        raise TypeError(f"expected a CaseKey, got {type(case_key).__name__}")
