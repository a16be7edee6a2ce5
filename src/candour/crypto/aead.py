"""XChaCha20-Poly1305-IETF with associated data, in Candour's versioned serialisation.

A serialised ciphertext is ``version (1 byte) | nonce (24 bytes) | ciphertext and tag``. The
version byte is authenticated together with the associated data. The associated data names what a
ciphertext is for (for a field: its case and field name), so a ciphertext copied to another row
or column fails to decrypt instead of showing one case's words in another.
"""

from __future__ import annotations

import nacl.bindings as sodium
import nacl.exceptions
import nacl.utils

from candour.crypto.constants import (
    AD_LABEL,
    AD_PART_MAX_BYTES,
    AEAD_NONCE_BYTES,
    AEAD_TAG_BYTES,
    FORMAT_VERSION,
    KEY_BYTES,
)
from candour.crypto.errors import DecryptionError

HEADER_BYTES = 1 + AEAD_NONCE_BYTES
OVERHEAD_BYTES = HEADER_BYTES + AEAD_TAG_BYTES


def associated_data(*parts: str | bytes) -> bytes:
    """``AD_LABEL`` then each part as a 2-byte big-endian length and its bytes (UTF-8 for text)."""
    out = bytearray(AD_LABEL)
    for part in parts:
        raw = part.encode() if isinstance(part, str) else part
        if len(raw) > AD_PART_MAX_BYTES:
            raise ValueError(f"associated-data part longer than {AD_PART_MAX_BYTES} bytes")
        out += len(raw).to_bytes(2, "big") + raw
    return bytes(out)


def encrypt(key: bytes, plaintext: bytes, ad: bytes) -> bytes:
    """Encrypt under a fresh random nonce; returns the serialised ciphertext."""
    _check_key(key)
    version = bytes([FORMAT_VERSION])
    nonce = nacl.utils.random(AEAD_NONCE_BYTES)
    body = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, version + ad, nonce, key)
    return version + nonce + body


def decrypt(key: bytes, serialised: bytes, ad: bytes) -> bytes:
    """The plaintext, or :class:`DecryptionError` if anything (key, data, AD, version) is wrong."""
    _check_key(key)
    if not isinstance(serialised, bytes) or len(serialised) < OVERHEAD_BYTES:
        raise DecryptionError("ciphertext is too short to be one of ours")
    if serialised[0] != FORMAT_VERSION:
        raise DecryptionError(f"unknown ciphertext format version {serialised[0]}")
    nonce = serialised[1:HEADER_BYTES]
    try:
        return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            serialised[HEADER_BYTES:], serialised[:1] + ad, nonce, key
        )
    except nacl.exceptions.CryptoError:
        raise DecryptionError("ciphertext failed authentication") from None


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise ValueError(f"an XChaCha20-Poly1305 key is {KEY_BYTES} bytes")
