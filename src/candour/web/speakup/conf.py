"""The speak-up settings, read and validated in one place (``docs/reference/speakup.md``).

Every value comes from ``settings.SPEAKUP_*`` (see the marked block at the end of
``candour.web.config.settings.base``). :func:`config` validates them once per settings object and
raises ``ImproperlyConfigured`` naming the setting and what was expected; the system checks in
:mod:`candour.web.speakup.checks` call it at start-up so a bad value stops the server early.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from candour.crypto.constants import PEPPER_MAX_BYTES, PEPPER_MIN_BYTES

DAYS_PER_MONTH_AT_MOST = 31
RATE_LIMIT_NAMES = (
    "receipt_per_source",
    "receipt_global",
    "submit_per_source",
    "submit_global",
    "reply_per_source",
    "unlock_per_user",
)


@dataclass(frozen=True)
class RateLimit:
    """At most ``events`` in ``window`` seconds, then locked for ``lockout`` seconds."""

    name: str
    events: int
    window: int
    lockout: int


@dataclass(frozen=True)
class SpeakupConfig:
    receipt_pepper: bytes
    receipt_context: str
    acknowledge_days: int
    feedback_days: int
    check_in_months: tuple[int, ...]
    retention_days: int
    reporter_session_seconds: int
    max_attachment_bytes: int
    rate_limits: dict[str, RateLimit]
    client_address_header: str | None
    cache_alias: str
    cookie_secure: bool
    keystore_dir: str

    def __repr__(self) -> str:
        return "SpeakupConfig(<secrets hidden>)"


def config() -> SpeakupConfig:
    """The validated settings (cached by their values, so tests that override settings see
    their own)."""
    return _config_for(_settings_fingerprint())


def _settings_fingerprint() -> tuple:
    names = [
        "SPEAKUP_RECEIPT_PEPPER",
        "SPEAKUP_RECEIPT_CONTEXT",
        "SPEAKUP_TARGET_DAYS",
        "SPEAKUP_CHECK_IN_MONTHS",
        "SPEAKUP_RETENTION_DAYS",
        "SPEAKUP_REPORTER_SESSION_SECONDS",
        "SPEAKUP_MAX_ATTACHMENT_BYTES",
        "SPEAKUP_RATE_LIMITS",
        "SPEAKUP_CLIENT_ADDRESS_HEADER",
        "SPEAKUP_CACHE",
        "SESSION_COOKIE_SECURE",
        "SPEAKUP_KEYSTORE_DIR",
    ]
    return tuple(repr(getattr(settings, name, None)) for name in names)


@lru_cache(maxsize=8)
def _config_for(_fingerprint: tuple) -> SpeakupConfig:
    targets = _setting("SPEAKUP_TARGET_DAYS", dict)
    months = tuple(_setting("SPEAKUP_CHECK_IN_MONTHS", tuple | list))
    retention = _positive_int("SPEAKUP_RETENTION_DAYS", settings.SPEAKUP_RETENTION_DAYS)
    if any(not isinstance(m, int) or m < 1 for m in months) or list(months) != sorted(set(months)):
        raise ImproperlyConfigured(
            f"SPEAKUP_CHECK_IN_MONTHS must be whole months in increasing order, not {months!r}"
        )
    if months and retention <= months[-1] * DAYS_PER_MONTH_AT_MOST:
        raise ImproperlyConfigured(
            f"SPEAKUP_RETENTION_DAYS ({retention}) must be longer than the last detriment "
            f"check-in ({months[-1]} months), or cases would be destroyed before it"
        )
    cache_alias = settings.SPEAKUP_CACHE
    if cache_alias not in settings.CACHES:
        raise ImproperlyConfigured(f"SPEAKUP_CACHE names {cache_alias!r}, which is not in CACHES")
    return SpeakupConfig(
        receipt_pepper=_pepper(settings.SPEAKUP_RECEIPT_PEPPER),
        receipt_context=_context(settings.SPEAKUP_RECEIPT_CONTEXT),
        acknowledge_days=_positive_int("SPEAKUP_TARGET_DAYS['acknowledge']", targets.get("acknowledge")),
        feedback_days=_positive_int("SPEAKUP_TARGET_DAYS['feedback']", targets.get("feedback")),
        check_in_months=months,
        retention_days=retention,
        reporter_session_seconds=_positive_int(
            "SPEAKUP_REPORTER_SESSION_SECONDS", settings.SPEAKUP_REPORTER_SESSION_SECONDS
        ),
        max_attachment_bytes=_positive_int(
            "SPEAKUP_MAX_ATTACHMENT_BYTES", settings.SPEAKUP_MAX_ATTACHMENT_BYTES
        ),
        rate_limits=_rate_limits(_setting("SPEAKUP_RATE_LIMITS", dict)),
        client_address_header=settings.SPEAKUP_CLIENT_ADDRESS_HEADER or None,
        cache_alias=cache_alias,
        cookie_secure=bool(settings.SESSION_COOKIE_SECURE),
        keystore_dir=_keystore_dir(settings.SPEAKUP_KEYSTORE_DIR),
    )  # fmt: skip


def _setting(name: str, kind):
    value = getattr(settings, name, None)
    if not isinstance(value, kind):
        raise ImproperlyConfigured(f"{name} is missing or of the wrong type: {value!r}")
    return value


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 1, not {value!r}")
    return value


def _pepper(value) -> bytes:
    hint = (
        "Set CANDOUR_RECEIPT_PEPPER to 64 hex characters: "
        "python -c 'import secrets; print(secrets.token_hex(32))'"
    )
    if isinstance(value, bytes):
        raw = value
    else:
        try:
            raw = bytes.fromhex(value or "")
        except (TypeError, ValueError):
            raise ImproperlyConfigured(
                f"SPEAKUP_RECEIPT_PEPPER is not hexadecimal. {hint}"
            ) from None
    if not PEPPER_MIN_BYTES <= len(raw) <= PEPPER_MAX_BYTES:
        raise ImproperlyConfigured(
            f"SPEAKUP_RECEIPT_PEPPER must be {PEPPER_MIN_BYTES}-{PEPPER_MAX_BYTES} random bytes "
            f"({2 * PEPPER_MIN_BYTES}-{2 * PEPPER_MAX_BYTES} hex characters). {hint}"
        )
    return raw


def _keystore_dir(value) -> str:
    if not isinstance(value, str | os.PathLike) or not str(value).strip():
        raise ImproperlyConfigured(
            "SPEAKUP_KEYSTORE_DIR must name a directory for speak-up retention keys, outside "
            "the database (set CANDOUR_SPEAKUP_KEYSTORE)"
        )
    return str(value)


def _context(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ImproperlyConfigured(
            "SPEAKUP_RECEIPT_CONTEXT must be non-empty text naming the installation"
        )
    return value


def _rate_limits(values: dict) -> dict[str, RateLimit]:
    limits = {}
    for name in RATE_LIMIT_NAMES:
        triple = values.get(name)
        if not (isinstance(triple, tuple | list) and len(triple) == 3):
            raise ImproperlyConfigured(
                f"SPEAKUP_RATE_LIMITS[{name!r}] must be (events, window seconds, lockout seconds)"
            )
        events, window, lockout = (
            _positive_int(f"SPEAKUP_RATE_LIMITS[{name!r}]", part) for part in triple
        )
        limits[name] = RateLimit(name, events, window, lockout)
    return limits
