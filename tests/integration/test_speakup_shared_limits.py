"""Rate limits on the shared, memory-only cache production uses (memcached): a lockout counted
through one worker's connection holds in every other, and nothing reaches the database.

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
    limit = settings.SPEAKUP_RATE_LIMITS["receipt_per_source"]
    source = "a-hashed-source"
    for _ in range(limit[0]):
        ratelimit.hit("receipt_per_source", source)
    assert ratelimit.is_locked("receipt_per_source", source)
    # the other worker's own connection to the same memcached sees the lockout
    other = caches["another-worker"]
    assert other.get(f"speakup:lock:receipt_per_source:{source}") == 1
    assert not ratelimit.is_locked("receipt_per_source", "someone-else")


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
