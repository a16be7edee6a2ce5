"""Typed containers for key material, validated once at construction.

Secrets never appear in ``repr`` (so they cannot leak into logs or tracebacks by accident), and a
case key and an identity key are different types, so one cannot be passed where the other is
expected.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import nacl.bindings as sodium
import nacl.utils

from candour.crypto.constants import AD_PART_MAX_BYTES, KEY_BYTES, X25519_KEY_BYTES


def check_label(name: str, value: str | uuid.UUID) -> str:
    """A case id or field name as the text bound into associated data (UUIDs become their text)."""
    if isinstance(value, uuid.UUID):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be non-empty text, not {value!r}")
    if len(value.encode()) > AD_PART_MAX_BYTES:
        raise ValueError(f"{name} is longer than {AD_PART_MAX_BYTES} bytes")
    return value


def check_public_key(public_key: bytes) -> bytes:
    if not isinstance(public_key, bytes) or len(public_key) != X25519_KEY_BYTES:
        raise ValueError(f"an X25519 public key is {X25519_KEY_BYTES} bytes")
    return public_key


@dataclass(frozen=True, repr=False)
class KeyPair:
    """An X25519 key pair (a guardian's, or a reporter's derived from their receipt)."""

    public_key: bytes
    private_key: bytes

    def __post_init__(self) -> None:
        check_public_key(self.public_key)
        if not isinstance(self.private_key, bytes) or len(self.private_key) != X25519_KEY_BYTES:
            raise ValueError(f"an X25519 private key is {X25519_KEY_BYTES} bytes")
        if not sodium.sodium_memcmp(
            sodium.crypto_scalarmult_base(self.private_key), self.public_key
        ):
            raise ValueError("the private key does not belong to the public key")

    @classmethod
    def generate(cls) -> KeyPair:
        public_key, private_key = sodium.crypto_box_keypair()
        return cls(public_key=public_key, private_key=private_key)

    @classmethod
    def from_seed(cls, seed: bytes) -> KeyPair:
        """The key pair libsodium's crypto_box_seed_keypair derives from a 32-byte seed."""
        public_key, private_key = sodium.crypto_box_seed_keypair(seed)
        return cls(public_key=public_key, private_key=private_key)

    def __repr__(self) -> str:
        return f"KeyPair(public_key={self.public_key.hex()!r}, private_key=<hidden>)"


@dataclass(frozen=True, repr=False)
class _DataKey:
    case_id: str
    secret: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "case_id", check_label("case_id", self.case_id))
        if not isinstance(self.secret, bytes) or len(self.secret) != KEY_BYTES:
            raise ValueError(f"a data key is {KEY_BYTES} random bytes")

    @classmethod
    def generate(cls, case_id: str | uuid.UUID):
        return cls(case_id=case_id, secret=nacl.utils.random(KEY_BYTES))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(case_id={self.case_id!r}, secret=<hidden>)"


@dataclass(frozen=True, repr=False)
class CaseKey(_DataKey):
    """The random 256-bit key that encrypts one case's fields and attachments."""


@dataclass(frozen=True, repr=False)
class IdentityKey(_DataKey):
    """The random 256-bit key of a confidential reporter's identity, separate from the case key."""
