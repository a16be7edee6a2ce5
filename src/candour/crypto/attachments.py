"""Attachments: libsodium secretstream (XChaCha20-Poly1305) in 64 KiB chunks, streamed.

Each file gets its own random key. That key is wrapped under the case key with associated data
``attachment | case_id | attachment_id`` (so the file cannot be moved to another case or
attachment row) and stored at the front of the encrypted file:

    version (1) | wrapped file key (73) | secretstream header (24) | chunk | chunk | ... | final

Every chunk is authenticated; reordering, dropping or changing a chunk fails, and the last chunk
carries libsodium's FINAL tag so a truncated file fails too. Decryption writes each chunk only
after it has been authenticated, but a failure part-way leaves the earlier chunks in ``sink``:
the caller must discard ``sink`` when :class:`~candour.crypto.errors.DecryptionError` is raised.

Strip metadata first with :func:`candour.crypto.metadata.strip_metadata`.
"""

from __future__ import annotations

import io
import uuid
from typing import BinaryIO

import nacl.bindings as sodium
import nacl.exceptions
import nacl.utils

from candour.crypto import aead
from candour.crypto.constants import (
    FORMAT_VERSION,
    KEY_BYTES,
    STREAM_CHUNK_BYTES,
    STREAM_CHUNK_OVERHEAD,
    STREAM_HEADER_BYTES,
    STREAM_TAG_FINAL,
    STREAM_TAG_MESSAGE,
)
from candour.crypto.errors import DecryptionError
from candour.crypto.keymaterial import CaseKey, check_label

ATTACHMENT_LABEL = "attachment"
WRAPPED_KEY_BYTES = aead.OVERHEAD_BYTES + KEY_BYTES  # 73
PREAMBLE_BYTES = 1 + WRAPPED_KEY_BYTES + STREAM_HEADER_BYTES  # 98


def encrypt_attachment(
    case_key: CaseKey, attachment_id: str | uuid.UUID, source: BinaryIO | bytes, sink: BinaryIO
) -> int:
    """Encrypt ``source`` (a binary file object or bytes) into ``sink``; returns bytes written."""
    _check_case_key(case_key)
    reader = io.BytesIO(source) if isinstance(source, bytes) else source
    file_key = nacl.utils.random(KEY_BYTES)
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    header = sodium.crypto_secretstream_xchacha20poly1305_init_push(state, file_key)
    wrapped = aead.encrypt(case_key.secret, file_key, _ad(case_key, attachment_id))
    written = sink.write(bytes([FORMAT_VERSION]) + wrapped + header)
    chunk = _read_up_to(reader, STREAM_CHUNK_BYTES)
    while True:
        following = _read_up_to(reader, STREAM_CHUNK_BYTES)
        tag = STREAM_TAG_MESSAGE if following else STREAM_TAG_FINAL
        written += sink.write(
            sodium.crypto_secretstream_xchacha20poly1305_push(state, chunk, tag=tag)
        )
        if not following:
            return written
        chunk = following


def decrypt_attachment(
    case_key: CaseKey, attachment_id: str | uuid.UUID, source: BinaryIO | bytes, sink: BinaryIO
) -> int:
    """Decrypt what :func:`encrypt_attachment` wrote; returns plaintext bytes written to ``sink``.

    :class:`DecryptionError` for the wrong case key or attachment id, or any change to the file
    (including truncation or bytes appended).
    """
    _check_case_key(case_key)
    reader = io.BytesIO(source) if isinstance(source, bytes) else source
    preamble = _read_up_to(reader, PREAMBLE_BYTES)
    if len(preamble) != PREAMBLE_BYTES or preamble[0] != FORMAT_VERSION:
        raise DecryptionError("not an encrypted attachment in a known format")
    wrapped, header = preamble[1 : 1 + WRAPPED_KEY_BYTES], preamble[1 + WRAPPED_KEY_BYTES :]
    file_key = aead.decrypt(case_key.secret, wrapped, _ad(case_key, attachment_id))
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, header, file_key)
    written = 0
    while True:
        chunk = _read_up_to(reader, STREAM_CHUNK_BYTES + STREAM_CHUNK_OVERHEAD)
        if len(chunk) < STREAM_CHUNK_OVERHEAD:
            raise DecryptionError("encrypted attachment is truncated")
        plaintext, tag = _pull(state, chunk)
        written += sink.write(plaintext)
        if tag == STREAM_TAG_FINAL:
            if reader.read(1):
                raise DecryptionError("encrypted attachment has data after its final chunk")
            return written


def _pull(state, chunk: bytes) -> tuple[bytes, int]:
    try:
        return sodium.crypto_secretstream_xchacha20poly1305_pull(state, chunk)
    except (nacl.exceptions.RuntimeError, nacl.exceptions.CryptoError):
        raise DecryptionError("encrypted attachment chunk failed authentication") from None


def _read_up_to(reader: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes, fewer only at end of file (file objects may return short reads)."""
    parts, remaining = [], size
    while remaining:
        part = reader.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _ad(case_key: CaseKey, attachment_id: str | uuid.UUID) -> bytes:
    return aead.associated_data(
        ATTACHMENT_LABEL, case_key.case_id, check_label("attachment_id", attachment_id)
    )


def _check_case_key(case_key: CaseKey) -> None:
    if not isinstance(case_key, CaseKey):
        raise TypeError(f"expected a CaseKey, got {type(case_key).__name__}")
