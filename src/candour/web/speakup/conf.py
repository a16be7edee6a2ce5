"""The speak-up settings, read and validated in one place (``docs/reference/speakup.md``).

Every value comes from ``settings.SPEAKUP_*`` (see the marked block at the end of
``candour.web.config.settings.base``). :func:`config` validates them once per settings object and
raises ``ImproperlyConfigured`` naming the setting and what was expected; the system checks in
:mod:`candour.web.speakup.checks` call it at start-up so a bad value stops the server early.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from candour.crypto.constants import PEPPER_MAX_BYTES, PEPPER_MIN_BYTES
from candour.web.speakup.workdays import add_working_days

DAYS_PER_MONTH_AT_MOST = 31
# Lockouts are for guardians' passwords only; what people speaking up do is slowed, never refused.
RATE_LIMIT_NAMES = ("unlock_per_user",)
# What a reporter does that costs (candour.web.speakup.costs): raise a concern, try a receipt that
# opens nothing, and reply (a message, an answer or a file) on their concern.
COST_KINDS = ("concern", "receipt", "reply")
DAILY_LIMIT_NAMES = (
    "concerns_per_organisation",
    "attachment_bytes_per_organisation",
    "reporter_messages_per_case",
    "files_per_case",
)
# SHA-256 leaves 256 bits, but the script checks the first 32 (candour/proof-of-work.js), and
# more than 28 would take a browser hours.
MAX_PROOF_OF_WORK_BITS = 28


@dataclass(frozen=True)
class RateLimit:
    """At most ``events`` in ``window`` seconds, then locked for ``lockout`` seconds."""

    name: str
    events: int
    window: int
    lockout: int


TARGET_NAMES = ("acknowledge", "triage", "feedback")
_TARGET = re.compile(r"^\s*(\d+)\s+(working\s+)?days?\s*$")


@dataclass(frozen=True)
class Target:
    """A target time from the day a concern is received: ``days`` calendar days, or working
    days (England and Wales) when ``working``."""

    name: str
    days: int
    working: bool

    def due(self, received_on: datetime.date) -> datetime.date:
        if self.working:
            return add_working_days(received_on, self.days)
        return received_on + datetime.timedelta(days=self.days)

    def __str__(self) -> str:
        return f"{self.days} {'working ' if self.working else ''}day{'s' if self.days > 1 else ''}"


@dataclass(frozen=True)
class SlowDown:
    """Per source: ``free`` events in ``window`` seconds at the base cost; past them, each
    doubling of the count costs one more step (:func:`candour.web.speakup.costs.steps_over`)."""

    kind: str
    free: int
    window: int


@dataclass(frozen=True)
class OtherWay:
    """Another way to speak up, shown to people speaking up (a link)."""

    name: str
    url: str
    description: str


@dataclass(frozen=True)
class SpeakupConfig:
    receipt_pepper: bytes
    receipt_context: str
    targets: dict[str, Target]
    check_in_months: tuple[int, ...]
    retention_days: int
    reporter_session_seconds: int
    reporter_session_max_seconds: int
    max_attachment_bytes: int
    rate_limits: dict[str, RateLimit]
    slow_down: dict[str, SlowDown]
    slow_down_max_steps: int
    proof_of_work_bits: int
    proof_of_work_valid_seconds: int
    no_script_delay_seconds: float
    daily_limits: dict[str, int]
    other_ways: tuple[OtherWay, ...]
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
        "SPEAKUP_TARGETS",
        "SPEAKUP_CHECK_IN_MONTHS",
        "SPEAKUP_RETENTION_DAYS",
        "SPEAKUP_REPORTER_SESSION_SECONDS",
        "SPEAKUP_REPORTER_SESSION_MAX_SECONDS",
        "SPEAKUP_MAX_ATTACHMENT_BYTES",
        "SPEAKUP_RATE_LIMITS",
        "SPEAKUP_SLOW_DOWN",
        "SPEAKUP_SLOW_DOWN_MAX_STEPS",
        "SPEAKUP_PROOF_OF_WORK_BITS",
        "SPEAKUP_PROOF_OF_WORK_VALID_SECONDS",
        "SPEAKUP_NO_SCRIPT_DELAY_SECONDS",
        "SPEAKUP_DAILY_LIMITS",
        "SPEAKUP_OTHER_WAYS",
        "SPEAKUP_CLIENT_ADDRESS_HEADER",
        "SPEAKUP_CACHE",
        "SESSION_COOKIE_SECURE",
        "SPEAKUP_KEYSTORE_DIR",
    ]
    return tuple(repr(getattr(settings, name, None)) for name in names)


@lru_cache(maxsize=8)
def _config_for(_fingerprint: tuple) -> SpeakupConfig:
    targets = _targets(_setting("SPEAKUP_TARGETS", dict))
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
    idle = _positive_int(
        "SPEAKUP_REPORTER_SESSION_SECONDS", settings.SPEAKUP_REPORTER_SESSION_SECONDS
    )
    lifetime = _positive_int(
        "SPEAKUP_REPORTER_SESSION_MAX_SECONDS", settings.SPEAKUP_REPORTER_SESSION_MAX_SECONDS
    )
    if lifetime < idle:
        raise ImproperlyConfigured(
            f"SPEAKUP_REPORTER_SESSION_MAX_SECONDS ({lifetime}) must be at least "
            f"SPEAKUP_REPORTER_SESSION_SECONDS ({idle})"
        )
    bits = _positive_int("SPEAKUP_PROOF_OF_WORK_BITS", settings.SPEAKUP_PROOF_OF_WORK_BITS)
    max_steps = _whole("SPEAKUP_SLOW_DOWN_MAX_STEPS", settings.SPEAKUP_SLOW_DOWN_MAX_STEPS)
    if bits + max_steps > MAX_PROOF_OF_WORK_BITS:
        raise ImproperlyConfigured(
            f"SPEAKUP_PROOF_OF_WORK_BITS + SPEAKUP_SLOW_DOWN_MAX_STEPS ({bits} + {max_steps}) "
            f"must be at most {MAX_PROOF_OF_WORK_BITS}: more would take a browser hours"
        )
    cache_alias = settings.SPEAKUP_CACHE
    if cache_alias not in settings.CACHES:
        raise ImproperlyConfigured(f"SPEAKUP_CACHE names {cache_alias!r}, which is not in CACHES")
    return SpeakupConfig(
        receipt_pepper=_pepper(settings.SPEAKUP_RECEIPT_PEPPER),
        receipt_context=_context(settings.SPEAKUP_RECEIPT_CONTEXT),
        targets=targets,
        check_in_months=months,
        retention_days=retention,
        reporter_session_seconds=idle,
        reporter_session_max_seconds=lifetime,
        max_attachment_bytes=_positive_int(
            "SPEAKUP_MAX_ATTACHMENT_BYTES", settings.SPEAKUP_MAX_ATTACHMENT_BYTES
        ),
        rate_limits=_rate_limits(_setting("SPEAKUP_RATE_LIMITS", dict)),
        slow_down=_slow_down(_setting("SPEAKUP_SLOW_DOWN", dict)),
        slow_down_max_steps=max_steps,
        proof_of_work_bits=bits,
        proof_of_work_valid_seconds=_positive_int(
            "SPEAKUP_PROOF_OF_WORK_VALID_SECONDS", settings.SPEAKUP_PROOF_OF_WORK_VALID_SECONDS
        ),
        no_script_delay_seconds=_seconds(
            "SPEAKUP_NO_SCRIPT_DELAY_SECONDS", settings.SPEAKUP_NO_SCRIPT_DELAY_SECONDS
        ),
        daily_limits=_daily_limits(_setting("SPEAKUP_DAILY_LIMITS", dict)),
        other_ways=_other_ways(_setting("SPEAKUP_OTHER_WAYS", tuple | list)),
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


def _whole(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 0, not {value!r}")
    return value


def _seconds(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 60:
        raise ImproperlyConfigured(
            f"{name} must be a number of seconds from 0 to 60, not {value!r}"
        )
    return float(value)


def _slow_down(values: dict) -> dict[str, SlowDown]:
    limits = {}
    for kind in COST_KINDS:
        pair = values.get(kind)
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise ImproperlyConfigured(
                f"SPEAKUP_SLOW_DOWN[{kind!r}] must be (free events, window seconds)"
            )
        free, window = (_positive_int(f"SPEAKUP_SLOW_DOWN[{kind!r}]", part) for part in pair)
        limits[kind] = SlowDown(kind, free, window)
    return limits


def _daily_limits(values: dict) -> dict[str, int]:
    return {
        name: _positive_int(f"SPEAKUP_DAILY_LIMITS[{name!r}]", values.get(name))
        for name in DAILY_LIMIT_NAMES
    }


def _other_ways(values) -> tuple[OtherWay, ...]:
    ways = []
    for index, value in enumerate(values):
        if not (
            isinstance(value, dict)
            and all(
                isinstance(value.get(key), str) and value[key].strip() for key in ("name", "url")
            )
            and value["url"].startswith("https://")
        ):
            raise ImproperlyConfigured(
                f"SPEAKUP_OTHER_WAYS[{index}] must be a dict with a name, an https:// url and "
                f"an optional description, not {value!r}"
            )
        ways.append(OtherWay(value["name"], value["url"], value.get("description", "")))
    return tuple(ways)


def _targets(values: dict) -> dict[str, Target]:
    targets = {}
    for name in TARGET_NAMES:
        match = _TARGET.match(str(values.get(name, "")))
        if not match or int(match.group(1)) < 1:
            raise ImproperlyConfigured(
                f"SPEAKUP_TARGETS[{name!r}] must be like '2 working days' or '90 days' (at least "
                f"1), not {values.get(name)!r}"
            )
        targets[name] = Target(name, int(match.group(1)), bool(match.group(2)))
    if targets["acknowledge"].due(datetime.date(2025, 1, 6)) > targets["triage"].due(
        datetime.date(2025, 1, 6)
    ):
        raise ImproperlyConfigured("SPEAKUP_TARGETS: triage cannot be due before acknowledgement")
    return targets
