"""Who is reading, between requests: the returning reporter's cookie and the guardian's unlocked
key pair.

**Reporter.** Nothing is stored on the server. After a submission or a correct receipt, the
browser gets one HttpOnly, SameSite=Strict cookie: the receipt's lookup hash and key seed (and,
until the reporter confirms they saved it, the receipt itself to show them), with an expiry time,
encrypted and authenticated (libsodium SecretBox) under a key derived from ``SECRET_KEY``. It
ends when the browser closes, when they leave, or after ``SPEAKUP_REPORTER_SESSION_SECONDS``
without a page.

**Guardian.** After the guardian unlocks their keys with their password,
:func:`candour.crypto.lock_for_session` splits the key pair: the encrypted private key goes into
the server-side session, the key that decrypts it into an HttpOnly cookie (Secure in
production). Signing out flushes the session; either half alone is useless.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
import time
from dataclasses import dataclass

import nacl.exceptions
import nacl.secret
from django.conf import settings

from candour import crypto
from candour.crypto import KeyPair
from candour.crypto.constants import RECEIPT_SYMBOLS
from candour.web.speakup.conf import config

COOKIE_PATH = "/speak-up/"
REPORTER_COOKIE = "candour_reporter"
GUARDIAN_COOKIE = "candour_guardian_key"
GUARDIAN_SESSION_KEY = "speakup_guardian_key"
_PERSON_REPORTER_COOKIE = b"candour:rptr-ck"
_VERSION = 1
_HEADER = struct.Struct(">BQ")  # version, expiry (Unix seconds)
_HASH_BYTES = 32


@dataclass(frozen=True, repr=False)
class ReporterSession:
    """What the reporter's cookie holds. ``receipt`` is set only until they confirm saving it."""

    lookup: bytes
    seed: bytes
    receipt: str | None = None

    def keypair(self) -> KeyPair:
        return KeyPair.from_seed(self.seed)

    def __repr__(self) -> str:
        return "ReporterSession(<hidden>)"


def _reporter_box() -> nacl.secret.SecretBox:
    key = hashlib.blake2b(
        settings.SECRET_KEY.encode(), digest_size=32, person=_PERSON_REPORTER_COOKIE
    ).digest()
    return nacl.secret.SecretBox(key)


def start_reporter_session(response, session: ReporterSession) -> None:
    expires = int(time.time()) + config().reporter_session_seconds
    receipt = (session.receipt or "").encode("ascii")
    plaintext = _HEADER.pack(_VERSION, expires) + session.lookup + session.seed + receipt
    token = base64.urlsafe_b64encode(bytes(_reporter_box().encrypt(plaintext))).decode("ascii")
    response.set_cookie(
        REPORTER_COOKIE,
        token,
        path=COOKIE_PATH,
        secure=config().cookie_secure,
        httponly=True,
        samesite="Strict",
    )


def reporter_session(request) -> ReporterSession | None:
    """The reporter's session, or None when there is none (or it expired or was tampered with)."""
    token = request.COOKIES.get(REPORTER_COOKIE)
    if not token:
        return None
    try:
        plaintext = _reporter_box().decrypt(base64.urlsafe_b64decode(token.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeEncodeError, nacl.exceptions.CryptoError):
        return None
    if len(plaintext) < _HEADER.size + 2 * _HASH_BYTES:
        return None
    version, expires = _HEADER.unpack_from(plaintext)
    if version != _VERSION or expires < time.time():
        return None
    body = plaintext[_HEADER.size :]
    receipt = body[2 * _HASH_BYTES :].decode("ascii") or None
    if receipt is not None and len(receipt) != RECEIPT_SYMBOLS:
        return None
    return ReporterSession(body[:_HASH_BYTES], body[_HASH_BYTES : 2 * _HASH_BYTES], receipt)


def end_reporter_session(response) -> None:
    response.delete_cookie(REPORTER_COOKIE, path=COOKIE_PATH, samesite="Strict")


# ------------------------------------------------------------------------------------ guardian


def unlock_guardian(request, response, keypair: KeyPair) -> None:
    lock = crypto.lock_for_session(keypair)
    request.session[GUARDIAN_SESSION_KEY] = base64.b64encode(lock.stored).decode("ascii")
    response.set_cookie(
        GUARDIAN_COOKIE,
        base64.urlsafe_b64encode(lock.cookie_key).decode("ascii"),
        path=COOKIE_PATH,
        secure=config().cookie_secure,
        httponly=True,
        samesite="Strict",
    )


def guardian_keypair(request) -> KeyPair | None:
    """The signed-in guardian's unlocked key pair, or None if locked (or the halves do not
    belong together, or to this guardian's current keys)."""
    stored = request.session.get(GUARDIAN_SESSION_KEY)
    cookie = request.COOKIES.get(GUARDIAN_COOKIE)
    keys = getattr(request.user, "guardian_keys", None) if request.user.is_authenticated else None
    if not (stored and cookie and keys):
        return None
    try:
        keypair = crypto.unlock_session(
            base64.b64decode(stored), base64.urlsafe_b64decode(cookie.encode("ascii"))
        )
    except (binascii.Error, ValueError, UnicodeEncodeError, crypto.DecryptionError):
        return None
    return keypair if keypair.public_key == bytes(keys.public_key) else None


def lock_guardian(request, response) -> None:
    request.session.pop(GUARDIAN_SESSION_KEY, None)
    response.delete_cookie(GUARDIAN_COOKIE, path=COOKIE_PATH, samesite="Strict")
