"""Attachments: secretstream round trips at chunk boundaries, and every way of damaging one."""

from __future__ import annotations

import io

import pytest

from candour.crypto import (
    CaseKey,
    DecryptionError,
    decrypt_attachment,
    encrypt_attachment,
    new_case_key,
)
from candour.crypto.attachments import PREAMBLE_BYTES
from candour.crypto.constants import STREAM_CHUNK_BYTES, STREAM_CHUNK_OVERHEAD

CASE = "case-0007"
CHUNK = STREAM_CHUNK_BYTES


def encrypt(case_key: CaseKey, data: bytes, attachment_id: str = "file-1") -> bytes:
    sink = io.BytesIO()
    written = encrypt_attachment(case_key, attachment_id, io.BytesIO(data), sink)
    assert written == len(sink.getvalue())
    return sink.getvalue()


def decrypt(case_key: CaseKey, blob: bytes, attachment_id: str = "file-1") -> bytes:
    sink = io.BytesIO()
    written = decrypt_attachment(case_key, attachment_id, io.BytesIO(blob), sink)
    assert written == len(sink.getvalue())
    return sink.getvalue()


class Trickle(io.RawIOBase):
    """A file object that returns at most 1000 bytes per read, like a slow upload."""

    def __init__(self, data: bytes):
        self._data, self._pos = data, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = 1000 if size < 0 else min(size, 1000)
        part = self._data[self._pos : self._pos + size]
        self._pos += len(part)
        return part


@pytest.fixture(scope="module")
def case_key() -> CaseKey:
    return new_case_key(CASE)


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17])
def test_round_trip_at_chunk_boundaries(case_key, size):
    data = bytes((i * 7 + size) % 256 for i in range(size))
    blob = encrypt(case_key, data)
    chunks = max(1, -(-size // CHUNK))
    assert len(blob) == PREAMBLE_BYTES + size + chunks * STREAM_CHUNK_OVERHEAD
    assert decrypt(case_key, blob) == data


def test_bytes_and_short_reads_are_accepted(case_key):
    data = b"scanned rota " * 20000
    sink = io.BytesIO()
    encrypt_attachment(case_key, "file-1", data, sink)
    out = io.BytesIO()
    decrypt_attachment(case_key, "file-1", Trickle(sink.getvalue()), out)
    assert out.getvalue() == data


def test_plaintext_does_not_appear_in_the_ciphertext(case_key):
    data = b"Patient NHS number 943 476 5919 " * 100
    assert b"943 476 5919" not in encrypt(case_key, data)


def test_wrong_case_key_or_attachment_id_fails(case_key):
    blob = encrypt(case_key, b"evidence")
    with pytest.raises(DecryptionError):
        decrypt(new_case_key(CASE), blob)
    with pytest.raises(DecryptionError):
        decrypt(case_key, blob, attachment_id="file-2")
    with pytest.raises(DecryptionError):
        decrypt(CaseKey(case_id="case-0008", secret=case_key.secret), blob)


@pytest.mark.parametrize("where", ["version", "wrapped key", "header", "first chunk", "last byte"])
def test_flipped_byte_anywhere_is_detected(case_key, where):
    blob = bytearray(encrypt(case_key, bytes(2 * CHUNK + 5)))
    index = {
        "version": 0,
        "wrapped key": 30,
        "header": PREAMBLE_BYTES - 1,
        "first chunk": PREAMBLE_BYTES + 100,
        "last byte": len(blob) - 1,
    }[where]
    blob[index] ^= 0x01
    with pytest.raises(DecryptionError):
        decrypt(case_key, bytes(blob))


def test_truncation_at_a_chunk_boundary_is_detected(case_key):
    blob = encrypt(case_key, bytes(2 * CHUNK + 5))
    first_chunk_end = PREAMBLE_BYTES + CHUNK + STREAM_CHUNK_OVERHEAD
    with pytest.raises(DecryptionError, match="truncated"):
        decrypt(case_key, blob[:first_chunk_end])


def test_truncation_inside_a_chunk_and_in_the_preamble_are_detected(case_key):
    blob = encrypt(case_key, bytes(2 * CHUNK + 5))
    for cut in (len(blob) - 1, PREAMBLE_BYTES + 5, PREAMBLE_BYTES, 50, 0):
        with pytest.raises(DecryptionError):
            decrypt(case_key, blob[:cut])


def test_appended_data_is_detected(case_key):
    short_last_chunk = encrypt(case_key, b"evidence")
    with pytest.raises(DecryptionError, match="failed authentication"):
        decrypt(case_key, short_last_chunk + b"\x00")
    full_last_chunk = encrypt(case_key, bytes(CHUNK))
    with pytest.raises(DecryptionError, match="after its final chunk"):
        decrypt(case_key, full_last_chunk + b"\x00")


def test_chunks_cannot_be_reordered_or_swapped_between_files(case_key):
    first = encrypt(case_key, b"A" * (2 * CHUNK))
    step = CHUNK + STREAM_CHUNK_OVERHEAD
    body = first[PREAMBLE_BYTES:]
    reordered = first[:PREAMBLE_BYTES] + body[step : 2 * step] + body[:step]
    with pytest.raises(DecryptionError):
        decrypt(case_key, reordered)
    second = encrypt(case_key, b"A" * (2 * CHUNK))
    spliced = first[:PREAMBLE_BYTES] + second[PREAMBLE_BYTES:]
    with pytest.raises(DecryptionError):
        decrypt(case_key, spliced)
