"""A confidential reporter's identity, in its own envelope with its own key.

The identity (name, contact details, role) is encrypted under an :class:`IdentityKey` that is
separate from the case key and sealed to guardians separately. Opening a case (its key, its
fields, its attachments) therefore never reveals who raised it: reading the identity is a second,
explicit call, :func:`open_identity_key`, which the web layer makes only after the disclosure
workflow (second approver, audit event, reporter told) has allowed it.

A sealed identity key cannot be opened by :func:`candour.crypto.envelopes.open_case_key`, nor a
sealed case key by :func:`open_identity_key` (each sealed box carries its purpose), and the
identity ciphertext is bound to its case by associated data.

The reporter is never sealed a copy: they know who they are.
"""

from __future__ import annotations

import uuid

from candour.crypto import aead
from candour.crypto.constants import PURPOSE_IDENTITY_KEY
from candour.crypto.envelopes import open_data_key, seal_data_key
from candour.crypto.keymaterial import IdentityKey, KeyPair

IDENTITY_LABEL = "identity"


def new_identity_key(case_id: str | uuid.UUID) -> IdentityKey:
    """A fresh random key for one case's reporter identity."""
    return IdentityKey.generate(case_id)


def encrypt_identity(identity_key: IdentityKey, identity: str) -> bytes:
    """The identity text encrypted for its case."""
    _check_identity_key(identity_key)
    return aead.encrypt(identity_key.secret, identity.encode(), _identity_ad(identity_key))


def decrypt_identity(identity_key: IdentityKey, ciphertext: bytes) -> str:
    """The identity text; :class:`~candour.crypto.errors.DecryptionError` if anything differs."""
    _check_identity_key(identity_key)
    return aead.decrypt(identity_key.secret, ciphertext, _identity_ad(identity_key)).decode()


def seal_identity_key(identity_key: IdentityKey, recipient_public_key: bytes) -> bytes:
    """The identity key sealed to one guardian's X25519 public key."""
    _check_identity_key(identity_key)
    return seal_data_key(identity_key, PURPOSE_IDENTITY_KEY, recipient_public_key)


def open_identity_key(sealed: bytes, keypair: KeyPair, *, case_id: str | uuid.UUID) -> IdentityKey:
    """The identity key from a sealed copy: the disclosure step. Call only once it is approved."""
    secret = open_data_key(sealed, keypair, PURPOSE_IDENTITY_KEY, case_id)
    return IdentityKey(case_id=case_id, secret=secret)


def _identity_ad(identity_key: IdentityKey) -> bytes:
    return aead.associated_data(IDENTITY_LABEL, identity_key.case_id)


def _check_identity_key(identity_key: IdentityKey) -> None:
    if not isinstance(identity_key, IdentityKey):
        raise TypeError(f"expected an IdentityKey, got {type(identity_key).__name__}")
