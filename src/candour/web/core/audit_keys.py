"""The audit chain's keys and checkpoint file, read from settings and validated in one place.

``AUDIT_KEY`` keys every event's hash (HMAC-SHA-256); ``AUDIT_SIGNING_KEY`` signs checkpoints
(Ed25519) and ``AUDIT_VERIFY_KEY`` checks them; ``AUDIT_CHECKPOINTS`` is the checkpoint file. See
the ``AUDIT_*`` block of ``candour.web.config.settings.base`` and docs/reference/audit.md. A bad
value raises ``ImproperlyConfigured`` naming the setting and how to make a good one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import nacl.bindings as sodium
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from nacl.signing import SigningKey, VerifyKey

# HMAC key length (RFC 2104 section 3): at least the hash's output (32 bytes for SHA-256); at most
# its block size (64 bytes), beyond which HMAC hashes the key first.
AUDIT_KEY_MIN_BYTES: Final = 32
AUDIT_KEY_MAX_BYTES: Final = 64
# Ed25519 (libsodium "Public-key signatures"): a 32-byte seed makes the key pair.
SIGNING_SEED_BYTES: Final = sodium.crypto_sign_SEEDBYTES
VERIFY_KEY_BYTES: Final = sodium.crypto_sign_PUBLICKEYBYTES
NEW_HEX_KEY: Final = "python -c 'import secrets; print(secrets.token_hex(32))'"


def chain_key() -> bytes:
    """The HMAC key of the chain (``AUDIT_KEY``)."""
    raw = _hex_setting("AUDIT_KEY", "CANDOUR_AUDIT_KEY")
    if not AUDIT_KEY_MIN_BYTES <= len(raw) <= AUDIT_KEY_MAX_BYTES:
        raise ImproperlyConfigured(
            f"AUDIT_KEY must be {AUDIT_KEY_MIN_BYTES}-{AUDIT_KEY_MAX_BYTES} random bytes "
            f"({2 * AUDIT_KEY_MIN_BYTES}-{2 * AUDIT_KEY_MAX_BYTES} hex characters). Set "
            f"CANDOUR_AUDIT_KEY; generate one with: {NEW_HEX_KEY}"
        )
    return raw


def signing_key() -> SigningKey:
    """The key signing checkpoints (``AUDIT_SIGNING_KEY``); only the checkpoint command needs it."""
    seed = _hex_setting("AUDIT_SIGNING_KEY", "CANDOUR_AUDIT_SIGNING_KEY")
    if len(seed) != SIGNING_SEED_BYTES:
        raise ImproperlyConfigured(
            f"AUDIT_SIGNING_KEY must be a {SIGNING_SEED_BYTES}-byte Ed25519 seed "
            f"({2 * SIGNING_SEED_BYTES} hex characters). Set CANDOUR_AUDIT_SIGNING_KEY; generate "
            f"one with: {NEW_HEX_KEY}"
        )
    return SigningKey(seed)


def verify_key(override: str = "") -> VerifyKey:
    """The public key checking checkpoints: ``override``, else ``AUDIT_VERIFY_KEY``, else the
    signing key's."""
    value = override or getattr(settings, "AUDIT_VERIFY_KEY", "")
    if not value:
        if not getattr(settings, "AUDIT_SIGNING_KEY", ""):
            raise ImproperlyConfigured(
                "Checkpoints cannot be checked without their public key: set "
                "CANDOUR_AUDIT_VERIFY_KEY (printed by `candour audit verify-key` where the "
                "signing key is) or CANDOUR_AUDIT_SIGNING_KEY"
            )
        return signing_key().verify_key
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raw = b""
    if len(raw) != VERIFY_KEY_BYTES:
        raise ImproperlyConfigured(
            f"The audit verify key must be {2 * VERIFY_KEY_BYTES} hex characters "
            f"(`candour audit verify-key` prints it), not {value!r}"
        )
    return VerifyKey(raw)


def checkpoint_path() -> Path | None:
    """The checkpoint file (``AUDIT_CHECKPOINTS``), or None when there is none."""
    value = getattr(settings, "AUDIT_CHECKPOINTS", "")
    return Path(value) if value and str(value).strip() else None


def _hex_setting(name: str, variable: str) -> bytes:
    value = getattr(settings, name, "")
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Set {variable}; generate one with: {NEW_HEX_KEY}"
        )
    try:
        return bytes.fromhex(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(
            f"{name} is not hexadecimal. Set {variable}; generate one with: {NEW_HEX_KEY}"
        ) from None
