"""System checks: bad speak-up settings stop ``runserver``, ``migrate`` and the tests at start-up
with a message naming the setting (rather than failing on the first concern raised)."""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from candour.web.speakup.conf import config


@checks.register()
def speakup_settings(app_configs, **kwargs):
    try:
        config()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="speakup.E001")]
    return []


LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"
# Backends that would write the rate limiter's hashed source addresses to disk.
ON_DISK = (
    "django.core.cache.backends.db.DatabaseCache",
    "django.core.cache.backends.filebased.FileBasedCache",
)


@checks.register(checks.Tags.caches)
def speakup_cache_not_on_disk(app_configs, **kwargs):
    """The speak-up cache holds keyed hashes of source addresses and reporters' (encrypted)
    sessions: never on disk."""
    backend = _speakup_cache_backend()
    if backend in ON_DISK:
        return [
            checks.Error(
                f"SPEAKUP_CACHE uses {backend}, which writes to disk; reporters' (hashed) "
                "addresses and sessions must stay in memory. Use memcached "
                "(CANDOUR_SPEAKUP_CACHE).",
                id="speakup.E002",
            )
        ]
    return []


@checks.register(checks.Tags.caches, deploy=True)
def speakup_cache_shared(app_configs, **kwargs):
    """``check --deploy``: local memory is per process, so with several worker processes a
    reporter's session opens in one process only, each process prices floods on its own and a
    guardian's password lockout holds in one process only."""
    if _speakup_cache_backend() == LOCAL_MEMORY:
        return [
            checks.Warning(
                "SPEAKUP_CACHE is local memory: reporters' sessions, the prices of their forms "
                "and guardians' password lockouts are per process. With more than one worker "
                "process set CANDOUR_SPEAKUP_CACHE=memcached://host:port.",
                id="speakup.W001",
            )
        ]
    return []


def _speakup_cache_backend() -> str:
    from django.conf import settings

    return settings.CACHES.get(settings.SPEAKUP_CACHE, {}).get("BACKEND", "")
