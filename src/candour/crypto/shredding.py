"""Crypto-shredding that also blinds database backups: per-case retention keys kept outside it.

Every sealed copy of a case's keys (to each guardian, to the reporter's receipt key) is stored in
the database wrapped once more, under a **retention key** that belongs to the case and lives in
a :class:`KeyStore`: a directory outside the database and its backups. Opening a case needs both
the reader's private key and the retention key. Shredding destroys the retention key first, so a
database copy taken *before* the shredding (a backup, a dump, a replica) holds sealed keys that
nobody can unwrap any more.

The key store is what must not be copied along with the database: back it up on its own, with
backups that expire sooner than the retention period (``docs/reference/speakup-security.md``).

A retention key file is written before the database row that needs it, with ``fsync`` on the file
and the directory, so a committed case never lacks its key. A submission that rolls back leaves
an orphan key file; :meth:`KeyStore.settled` lists the keys old enough for the expiry job to
delete those whose case is not in the database.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import nacl.utils

from candour.crypto import aead
from candour.crypto.constants import KEY_BYTES
from candour.crypto.errors import DecryptionError
from candour.crypto.keymaterial import check_label

# The key files' mode: readable and writable by the server's user only.
KEY_FILE_MODE = 0o600
KEY_FILE_SUFFIX = ".key"
# A key file younger than this may belong to a submission still in its transaction, so it is
# never treated as an orphan (a submission takes milliseconds; an hour is a wide margin).
ORPHAN_MIN_AGE_SECONDS = 60 * 60


class KeyShreddedError(DecryptionError):
    """The case's retention key is not in the key store: the case was shredded (or the key
    store is not the one this database was written with)."""


class KeyStore:
    """Retention keys, one file per case (``<dir>/<first two hex digits>/<case id>.key``)."""

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"KeyStore({str(self.directory)!r})"

    def create(self, case_id: str | uuid.UUID) -> bytes:
        """A new random retention key for the case, durably written before it is returned."""
        path = self._path(case_id)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        key = nacl.utils.random(KEY_BYTES)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
        try:
            os.write(descriptor, key)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.link(temporary, path)  # fails if the case already has a key: never overwrite one
        os.unlink(temporary)
        _fsync_directory(path.parent)
        return key

    def get(self, case_id: str | uuid.UUID) -> bytes:
        """The case's retention key, or :class:`KeyShreddedError`."""
        try:
            key = self._path(case_id).read_bytes()
        except FileNotFoundError:
            raise KeyShreddedError(
                f"case {case_id} has no retention key: it has been shredded"
            ) from None
        if len(key) != KEY_BYTES:
            raise DecryptionError(f"the retention key of case {case_id} is damaged")
        return key

    def has(self, case_id: str | uuid.UUID) -> bool:
        """Whether the case's retention key is in the store."""
        return self._path(case_id).is_file()

    def destroy(self, case_id: str | uuid.UUID) -> bool:
        """Delete the case's retention key; False if it was already gone."""
        path = self._path(case_id)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        _fsync_directory(path.parent)
        return True

    def case_ids(self) -> Iterator[tuple[str, float]]:
        """(case id, modification time) of every key in the store."""
        if not self.directory.is_dir():
            return
        for path in self.directory.glob(f"??/*{KEY_FILE_SUFFIX}"):
            yield path.name.removesuffix(KEY_FILE_SUFFIX), path.stat().st_mtime

    def settled(self, *, now: float | None = None) -> list[str]:
        """Case ids whose key is at least :data:`ORPHAN_MIN_AGE_SECONDS` old: if such a case is
        not in the database, its submission rolled back and the key is an orphan."""
        cutoff = (time.time() if now is None else now) - ORPHAN_MIN_AGE_SECONDS
        return sorted(case_id for case_id, modified in self.case_ids() if modified <= cutoff)

    def _path(self, case_id: str | uuid.UUID) -> Path:
        name = str(uuid.UUID(check_label("case_id", case_id)))
        return self.directory / name[:2] / f"{name}{KEY_FILE_SUFFIX}"


def wrap_sealed(
    retention_key: bytes, sealed: bytes, *, case_id: str | uuid.UUID, purpose: str
) -> bytes:
    """A sealed key as stored in the database: encrypted under the case's retention key, with
    associated data naming the case and what the sealed key is for."""
    return aead.encrypt(retention_key, sealed, _ad(case_id, purpose))


def unwrap_sealed(
    retention_key: bytes, wrapped: bytes, *, case_id: str | uuid.UUID, purpose: str
) -> bytes:
    """The sealed key inside :func:`wrap_sealed`'s output, or :class:`DecryptionError`."""
    return aead.decrypt(retention_key, wrapped, _ad(case_id, purpose))


def _ad(case_id: str | uuid.UUID, purpose: str) -> bytes:
    return aead.associated_data(
        "retention", check_label("case_id", case_id), check_label("purpose", purpose)
    )


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
