"""Errors raised by :mod:`candour.crypto`.

A person's mistake (a mistyped receipt or recovery key, a wrong password, an image we cannot
clean) is a :class:`~candour.exceptions.UserError` with a message fit to show them. A ciphertext
that fails authentication is not the user's doing: it means the wrong key, a row moved between
cases or fields, or tampering, and it raises :class:`DecryptionError`, which the web layer should
log (without content) and answer with a generic error.
"""

from __future__ import annotations

from candour.exceptions import CandourError, UserError


class ReceiptError(UserError):
    """A receipt as typed is not 20 Crockford base32 symbols."""


class RecoveryKeyError(UserError):
    """A recovery key as typed is malformed or fails its check symbol."""


class WrongPasswordError(UserError):
    """The password (or recovery key) does not unlock this guardian's private key."""


class MetadataError(UserError):
    """A file looks like a format we clean (JPEG, PNG) but is damaged, so it cannot be cleaned."""


class DecryptionError(CandourError):
    """A ciphertext failed authentication: wrong key, moved to another case or field, tampered."""
