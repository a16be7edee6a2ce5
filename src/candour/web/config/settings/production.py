"""Production: every secret from the environment; HTTPS-only cookies; HSTS."""

import os

from django.core.exceptions import ImproperlyConfigured

from candour.web.config.settings.base import *  # noqa: F403


def _required(name: str, hint: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"{name} is not set. {hint}")
    return value


SECRET_KEY = _required(
    "CANDOUR_SECRET_KEY",
    "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'",
)
_required(
    "CANDOUR_DATABASE_URL", "Production runs on PostgreSQL: postgres://user:pass@host:5432/candour"
)
SPEAKUP_RECEIPT_PEPPER = _required(
    "CANDOUR_RECEIPT_PEPPER",
    "Speak-up receipts are looked up with it; keep it outside the database and its backups. "
    "Generate one with: python -c 'import secrets; print(secrets.token_hex(32))'",
)
AUDIT_KEY = _required(
    "CANDOUR_AUDIT_KEY",
    "The audit chain is keyed with it (HMAC-SHA-256); keep it outside the database and its "
    "backups. Generate one with: python -c 'import secrets; print(secrets.token_hex(32))'",
)
SPEAKUP_KEYSTORE_DIR = _required(
    "CANDOUR_SPEAKUP_KEYSTORE",
    "A directory for speak-up retention keys, outside the database and its backups (for "
    "example /var/lib/candour/speakup-keys, mode 700, owned by the server's user).",
)


def _speakup_cache(url: str) -> dict:
    """``memcached://host:port[,host:port...]`` as the speak-up cache (memory only, shared by
    every worker process); empty keeps local memory, right for one process only."""
    if not url:
        return CACHES["speakup"]
    scheme, _, locations = url.partition("://")
    if scheme != "memcached" or not locations:
        raise ImproperlyConfigured(
            f"CANDOUR_SPEAKUP_CACHE must be memcached://host:port (comma-separated for several), "
            f"not {url!r}: rate-limit counters must be shared by every worker and never on disk"
        )
    return {
        "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
        "LOCATION": locations.split(","),
        "KEY_PREFIX": "candour-speakup",
    }


CACHES = {**CACHES, "speakup": _speakup_cache(os.environ.get("CANDOUR_SPEAKUP_CACHE", ""))}  # noqa: F405
ALLOWED_HOSTS = _required(
    "CANDOUR_ALLOWED_HOSTS", "Comma-separated host names, e.g. candour.example.nhs.uk"
).split(",")

# Email by SMTP (the guardians' notifications): see .env.example.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("CANDOUR_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CANDOUR_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("CANDOUR_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CANDOUR_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("CANDOUR_EMAIL_TLS", "1") == "1"
EMAIL_TIMEOUT = 30

DEBUG = False
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
# Preloading commits the whole domain and its subdomains to HTTPS in browsers for good: the
# organisation that owns the domain decides it, not Candour. Without this, `check --deploy
# --fail-level WARNING` (docs/how-to/deploy.md) would always stop on it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
