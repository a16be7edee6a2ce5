"""Counters and reporter sessions on the shared, memory-only cache production uses (memcached): a
guardian's password lockout and a source's pressure counted through one worker's connection hold
in every other, a reporter's session started in one worker opens in another and ends in every
worker on "Leave", and nothing reaches the database.

Needs memcached on 127.0.0.1:11211 (`make test` starts it; CANDOUR_TEST_MEMCACHED overrides).
Skipped when none is running, except in CI, where it fails."""

from __future__ import annotations

import os
import socket
import uuid

import pytest
from django.core import checks
from django.core.cache import caches

from candour.web.speakup import ratelimit

MEMCACHED = os.environ.get("CANDOUR_TEST_MEMCACHED", "127.0.0.1:11211")


def _reachable(address: str) -> bool:
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def shared(settings):
    if not _reachable(MEMCACHED):
        if os.environ.get("CI"):
            pytest.fail(f"memcached is not running on {MEMCACHED} (scripts/test.sh starts it)")
        pytest.skip(f"memcached is not running on {MEMCACHED}")
    prefix = f"candour-test-{uuid.uuid4().hex}"
    worker = {
        "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
        "LOCATION": MEMCACHED,
        "KEY_PREFIX": prefix,
    }
    settings.CACHES = {**settings.CACHES, "speakup": worker, "another-worker": dict(worker)}
    yield
    for alias in ("speakup", "another-worker"):
        caches[alias].close()


def test_a_lockout_counted_by_one_worker_holds_in_another(shared, settings):
    limit = settings.SPEAKUP_RATE_LIMITS["unlock_per_user"]
    subject = "user:1"
    for _ in range(limit[0]):
        ratelimit.hit("unlock_per_user", subject)
    assert ratelimit.is_locked("unlock_per_user", subject)
    # the other worker's own connection to the same memcached sees the lockout
    other = caches["another-worker"]
    assert other.get(f"speakup:lock:unlock_per_user:{subject}") == 1
    assert not ratelimit.is_locked("unlock_per_user", "user:2")


def test_pressure_counted_by_one_worker_is_seen_by_another(shared):
    for _ in range(7):
        ratelimit.note("concern", "a-hashed-source")
    key = ratelimit._pressure_key("concern", "a-hashed-source")
    assert caches["another-worker"].get(key) == 7
    assert ratelimit.pressure("concern", "someone-else") == 0


def test_a_reporter_session_opens_in_every_worker_and_leave_ends_it_in_all(shared):
    from candour.web.speakup import sessions

    token = sessions.new_token()
    started = sessions.ReporterSession.new(lookup=b"\x01" * 32, seed=b"\x02" * 32)
    sessions.save_reporter_session(token, started)
    stored = caches["another-worker"].get(sessions._cache_key(token))
    assert stored is not None
    assert b"\x01" * 32 not in stored  # encrypted under a key only the cookie gives
    assert sessions.load_reporter_session(token).lookup == b"\x01" * 32
    sessions.end_reporter_session(token)
    assert caches["another-worker"].get(sessions._cache_key(token)) is None


def test_memcached_passes_the_speakup_cache_checks(shared):
    from candour.web.speakup.checks import speakup_cache_not_on_disk, speakup_cache_shared

    assert speakup_cache_not_on_disk(None) == []
    assert speakup_cache_shared(None) == []


def test_a_database_cache_for_the_rate_limiter_is_an_error(settings):
    settings.CACHES = {
        **settings.CACHES,
        "speakup": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t"},
    }
    from candour.web.speakup.checks import speakup_cache_not_on_disk

    [error] = speakup_cache_not_on_disk(None)
    assert isinstance(error, checks.Error)
    assert error.id == "speakup.E002"
