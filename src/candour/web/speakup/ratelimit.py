"""Counting what sources do, keyed without storing anyone's address.

A source is identified by a keyed BLAKE2b of its address (the key derives from ``SECRET_KEY``
and changes every day), kept only in the cache named by ``SPEAKUP_CACHE``: never in the database,
never in a log.

Two kinds of counter live here:

* **pressure** (:func:`note`, :func:`pressure`): how many concerns, wrong receipts or replies a
  source has sent in the current window. It never refuses anything: it sets the price of the
  source's next action (:mod:`candour.web.speakup.costs`).
* **lockout** (:func:`hit`, :func:`locked_out`, :func:`count`), for guardians' passwords only
  (``unlock_per_user``, per user): events are counted in fixed windows; when a window's count
  reaches the limit, the user is locked out for the lockout period, and while locked out every
  attempt is refused the same way, right or wrong.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import caches

from candour.web.core.clientaddress import client_address
from candour.web.speakup.conf import RateLimit, config

GLOBAL = "global"
_PERSON = b"candour:ratelim"


def source_of(request) -> str:
    """A keyed hash of the request's source address (rotates daily; never stored)."""
    address = _network(client_address(request, header=config().client_address_header or ""))
    day = datetime.date.today().isoformat().encode()
    key = hashlib.blake2b(
        settings.SECRET_KEY.encode() + b"\x00" + day, digest_size=32, person=_PERSON
    ).digest()
    return hashlib.blake2b(address.encode(), key=key, digest_size=16).hexdigest()


# One IPv6 subscriber usually holds a whole /64, so per-source limits count the /64, not the
# address (RFC 6177; rotating addresses inside it would otherwise escape every limit).
IPV6_SOURCE_PREFIX = 64


def _network(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/{IPV6_SOURCE_PREFIX}", strict=False))


def _cache():
    return caches[config().cache_alias]


def is_locked(limit_name: str, subject: str) -> bool:
    return _cache().get(f"speakup:lock:{limit_name}:{subject}") is not None


def hit(limit_name: str, subject: str) -> bool:
    """Count one event for ``subject``; True if this event is over the limit (or the subject is
    locked out). Reaching the limit locks out the events that follow."""
    limit: RateLimit = config().rate_limits[limit_name]
    cache = _cache()
    lock_key = f"speakup:lock:{limit_name}:{subject}"
    if cache.get(lock_key) is not None:
        return True
    window = int(time.time()) // limit.window
    count_key = f"speakup:count:{limit_name}:{subject}:{window}"
    cache.add(count_key, 0, timeout=limit.window)
    try:
        count = cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.set(count_key, 1, timeout=limit.window)
        count = 1
    if count >= limit.events:  # the limit is reached: refuse what comes next
        cache.set(lock_key, 1, timeout=limit.lockout)
    return count > limit.events


def locked_out(request, *limit_names: str, subject: str | None = None) -> bool:
    """Whether any of these limits (per source, or global) currently locks this request out."""
    source = subject or source_of(request)
    return any(
        is_locked(name, GLOBAL if name.endswith("_global") else source) for name in limit_names
    )


def count(request, *limit_names: str, subject: str | None = None) -> bool:
    """Count one event against each limit; True if any is now locked out."""
    source = subject or source_of(request)
    locked = False
    for name in limit_names:
        locked |= hit(name, GLOBAL if name.endswith("_global") else source)
    return locked


# -------------------------------------------------------------------------------- pressure


def _pressure_key(kind: str, source: str) -> str:
    window = config().slow_down[kind].window
    return f"speakup:pressure:{kind}:{source}:{int(time.time()) // window}"


def note(kind: str, source: str) -> int:
    """Count one costly event (a stored concern, a wrong receipt, a stored reply) for a source
    in the current window; returns the count."""
    key = _pressure_key(kind, source)
    cache = _cache()
    cache.add(key, 0, timeout=config().slow_down[kind].window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=config().slow_down[kind].window)
        return 1


def pressure(kind: str, source: str) -> int:
    """The source's count of costly events of this kind in the current window."""
    return _cache().get(_pressure_key(kind, source)) or 0
