"""Who is reading, between requests: the returning reporter's session and the guardian's
unlocked key pair.

**Reporter.** A server-side session, revocable. The browser holds one cookie (HttpOnly,
SameSite=Strict, path ``/speak-up/``, Secure in production, no expiry date, so it ends with the
browser): a random 256-bit token. The server keeps, in the speak-up cache only (memory: never
the database, a file or a log), under a hash of the token, the session encrypted (libsodium
SecretBox) under a key derived from the token: the receipt's lookup hash and key seed once a
concern is open, the receipt itself until the reporter confirms they saved it, the form token
that protects every reporter form (CSRF), a one-time notice for the next page, and when it
began. So neither a dump of the cache nor the cookie alone reads anything without the other.
The session ends ``SPEAKUP_REPORTER_SESSION_SECONDS`` after the last page, at the latest
``SPEAKUP_REPORTER_SESSION_MAX_SECONDS`` after it began, and at once on "Leave": the cache entry
is deleted, so a copied cookie opens nothing afterwards.

Before a reporter has a session (the forms to raise a concern and to enter a receipt), the cookie
holds a token with nothing stored for it, and the form token is derived from it (a keyed BLAKE2b):
nothing is written on the server for a visit that sends nothing. Reporter pages set no Django CSRF
cookie (Django's lasts a year); see :func:`candour.web.speakup.views.reporter.reporter_page`.

**Guardian.** After the guardian unlocks their keys with their password,
:func:`candour.crypto.lock_for_session` splits the key pair: the encrypted private key goes into
the server-side session, the key that decrypts it into an HttpOnly cookie (Secure in
production). Signing out flushes the session; either half alone is useless.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, replace

import nacl.exceptions
import nacl.secret
import nacl.utils
from django.conf import settings
from django.core.cache import caches

from candour import crypto
from candour.crypto import KeyPair
from candour.web.speakup.conf import config

COOKIE_PATH = "/speak-up/"
REPORTER_COOKIE = "candour_reporter"
GUARDIAN_COOKIE = "candour_guardian_key"
GUARDIAN_SESSION_KEY = "speakup_guardian_key"
TOKEN_BYTES = 32
_PERSON_ID = b"candour:rptr-id"
_PERSON_KEY = b"candour:rptr-key"
_PERSON_FORM = b"candour:rptr-frm"


@dataclass(frozen=True, repr=False)
class ReporterSession:
    """What the server keeps for a reporter's session. ``lookup`` and ``seed`` open their
    concern; ``receipt`` is set only until they confirm saving it; ``notice`` is shown once."""

    started: int
    form_token: str
    lookup: bytes | None = None
    seed: bytes | None = None
    receipt: str | None = None
    notice: str = ""

    @classmethod
    def new(cls, **values) -> ReporterSession:
        return cls(started=int(time.time()), form_token=secrets.token_urlsafe(32), **values)

    def keypair(self) -> KeyPair:
        return KeyPair.from_seed(self.seed)

    @property
    def has_case(self) -> bool:
        return self.lookup is not None and self.receipt is None

    def __repr__(self) -> str:
        return "ReporterSession(<hidden>)"


def _token_hash(token: str, person: bytes) -> bytes:
    return hashlib.blake2b(token.encode("ascii"), digest_size=32, person=person).digest()


def _cache_key(token: str) -> str:
    return "speakup:reporter:" + _token_hash(token, _PERSON_ID).hex()


def _encode(session: ReporterSession) -> dict:
    values = {
        "started": session.started,
        "form_token": session.form_token,
        "notice": session.notice,
        "receipt": session.receipt,
    }
    for name in ("lookup", "seed"):
        value = getattr(session, name)
        values[name] = base64.b64encode(value).decode("ascii") if value is not None else None
    return values


def _decode(values: dict) -> ReporterSession:
    for name in ("lookup", "seed"):
        if values.get(name) is not None:
            values[name] = base64.b64decode(values[name])
    return ReporterSession(**values)


def new_token() -> str:
    return base64.urlsafe_b64encode(nacl.utils.random(TOKEN_BYTES)).decode("ascii").rstrip("=")


def valid_token(token: str | None) -> bool:
    return bool(token) and len(token) == 43 and token.replace("-", "").replace("_", "").isalnum()


def save_reporter_session(token: str, session: ReporterSession) -> None:
    """Store (or refresh) the session under this token, until its idle or absolute end."""
    settings_ = config()
    remaining = session.started + settings_.reporter_session_max_seconds - int(time.time())
    timeout = min(settings_.reporter_session_seconds, remaining)
    if timeout <= 0:
        end_reporter_session(token)
        return
    box = nacl.secret.SecretBox(_token_hash(token, _PERSON_KEY))
    sealed = box.encrypt(json.dumps(_encode(session)).encode())
    caches[settings_.cache_alias].set(_cache_key(token), bytes(sealed), timeout=timeout)


def load_reporter_session(token: str | None) -> ReporterSession | None:
    """The session stored for this token, or None (none, ended, expired or tampered with)."""
    if not valid_token(token):
        return None
    sealed = caches[config().cache_alias].get(_cache_key(token))
    if sealed is None:
        return None
    try:
        box = nacl.secret.SecretBox(_token_hash(token, _PERSON_KEY))
        session = _decode(json.loads(box.decrypt(sealed)))
    except (nacl.exceptions.CryptoError, ValueError, TypeError, binascii.Error):
        return None
    if session.started + config().reporter_session_max_seconds < time.time():
        end_reporter_session(token)
        return None
    return session


def end_reporter_session(token: str | None) -> None:
    """Delete the session: the token (and any copy of the cookie) opens nothing from now on."""
    if valid_token(token):
        caches[config().cache_alias].delete(_cache_key(token))


def derived_form_token(token: str) -> str:
    """The form token of a visit without a session yet: a keyed hash of the cookie's token."""
    key = hashlib.blake2b(settings.SECRET_KEY.encode(), digest_size=32, person=_PERSON_FORM)
    digest = hashlib.blake2b(token.encode("ascii"), key=key.digest(), digest_size=32).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def form_token_matches(expected: str, sent: str) -> bool:
    return bool(sent) and hmac.compare_digest(expected.encode(), sent.encode())


def set_reporter_cookie(response, token: str) -> None:
    response.set_cookie(
        REPORTER_COOKIE,
        token,
        path=COOKIE_PATH,
        secure=config().cookie_secure,
        httponly=True,
        samesite="Strict",
    )


def delete_reporter_cookie(response) -> None:
    response.delete_cookie(REPORTER_COOKIE, path=COOKIE_PATH, samesite="Strict")


def with_notice(session: ReporterSession, notice: str) -> ReporterSession:
    return replace(session, notice=notice)


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
