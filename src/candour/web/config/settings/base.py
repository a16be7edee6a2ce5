"""Settings shared by every environment. Values that differ come from the environment.

Environment variables (see ``.env.example``):

- ``CANDOUR_SECRET_KEY``: required in production; a random key is made per process elsewhere.
- ``CANDOUR_DATABASE_URL``: e.g. ``postgres://user:pass@127.0.0.1:5432/candour``; default SQLite
  at ``var/candour.sqlite3``.
- ``CANDOUR_ALLOWED_HOSTS``: comma-separated host names (production).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # src/candour/web
PROJECT_DIR = PACKAGE_DIR.parents[2]  # repository root (when run from a checkout)
VAR_DIR = Path(os.environ.get("CANDOUR_VAR_DIR", PROJECT_DIR / "var"))

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "candour.web.core",
    "candour.web.oversight",
    "candour.web.speakup",
    "candour.web.leadership",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "candour.web.core.access.AccessMiddleware",
]

ROOT_URLCONF = "candour.web.config.urls"
WSGI_APPLICATION = "candour.web.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "candour.web.core.context.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("CANDOUR_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'candour.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# Argon2id first (OWASP password storage cheat sheet); older hashes upgrade on next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "oversight:organisations"
LOGOUT_REDIRECT_URL = "core:login"

# django-axes: lock an account-and-address pair after 5 failures for 1 hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_ENABLE_ADMIN = False  # unlocking is an administrator action, not an admin-site edit

# The JSON API: session authentication (the same sign-in as the pages); access is decided by
# candour.web.core.access like every other view, so DRF's own permission check allows all.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Candour API",
    "DESCRIPTION": "Organisations, measures, observations, targets and concerns. Sign in first; "
    "the same roles apply as on the pages.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp 4): nothing from other origins, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Request log records of the pages people speak up on are dropped (candour.web.speakup.logfilter).
REQUEST_LOG_FILTERS = {
    "no_reporter_requests": {"()": "candour.web.speakup.logfilter.DropReporterRequests"}
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "filters": REQUEST_LOG_FILTERS,
    "handlers": {
        # the filter here too: CSRF failures (django.security.csrf) also name the page
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_reporter_requests"],
        },
        "server": {"class": "logging.StreamHandler", "formatter": "server"},  # runserver's log
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Request bodies are never logged; axes logs usernames on failure only.
        "django.request": {"level": "WARNING", "filters": ["no_reporter_requests"]},
        "django.server": {
            "handlers": ["server"],
            "filters": ["no_reporter_requests"],
            "propagate": False,
        },
        "axes": {"level": "WARNING"},
    },
}


# =================================================================================================
# Speak up (candour.web.speakup): see docs/reference/speakup.md. Secrets come from the environment
# in production (settings/production.py), from per-machine files in development (settings/dev.py)
# and are fixed in tests (settings/test.py).
# =================================================================================================
# Keyed BLAKE2b pepper for receipt lookups: 32-64 random bytes as hex, outside the database.
SPEAKUP_RECEIPT_PEPPER = os.environ.get("CANDOUR_RECEIPT_PEPPER", "")
# Fixed label of this installation, bound into every reporter key. Never change it once a concern
# has been raised: receipts issued before the change would stop opening their cases.
SPEAKUP_RECEIPT_CONTEXT = os.environ.get("CANDOUR_RECEIPT_CONTEXT", "candour")
# Target times in calendar days from receipt (EU Whistleblowing Directive 2019/1937, art. 9(1)(b)
# and (f): acknowledge within 7 days, feedback within 3 months). A trust can shorten them.
SPEAKUP_TARGET_DAYS = {"acknowledge": 7, "feedback": 90}
# Detriment check-ins after closure, in months (reference (e): 1, 3, 6 and 12 months).
SPEAKUP_CHECK_IN_MONTHS = (1, 3, 6, 12)
# Closed cases are crypto-shredded this many days after closure (must outlast the last
# check-in); cases on legal hold are kept.
SPEAKUP_RETENTION_DAYS = 730
# Per-case retention keys (candour.crypto.shredding): a directory OUTSIDE the database and its
# backups. Shredding a case deletes its key here, which blinds every earlier copy of the database.
# Back it up separately, with backups that expire sooner than SPEAKUP_RETENTION_DAYS.
SPEAKUP_KEYSTORE_DIR = os.environ.get("CANDOUR_SPEAKUP_KEYSTORE") or str(VAR_DIR / "speakup-keys")
# A returning reporter stays signed in to their case for this long after their last page.
SPEAKUP_REPORTER_SESSION_SECONDS = 30 * 60
SPEAKUP_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Rate limits: (events, window in seconds, lockout in seconds). Per source address (a keyed hash
# of it, held only in the cache) and for everyone together.
SPEAKUP_RATE_LIMITS = {
    "receipt_per_source": (10, 15 * 60, 60 * 60),
    "receipt_global": (500, 5 * 60, 15 * 60),
    "submit_per_source": (30, 60 * 60, 60 * 60),
    "submit_global": (30000, 60, 5 * 60),
    "reply_per_source": (60, 60 * 60, 60 * 60),
    "unlock_per_user": (5, 15 * 60, 15 * 60),
}
# The request header holding the client's address when a trusted proxy sets it (for example
# "HTTP_X_FORWARDED_FOR"); None uses REMOTE_ADDR. Only ever hashed, never stored.
SPEAKUP_CLIENT_ADDRESS_HEADER = os.environ.get("CANDOUR_CLIENT_ADDRESS_HEADER") or None
# The rate limiter's counters live in this cache. Local memory is per process: production with
# several worker processes needs a shared, memory-only cache (Memcached or Redis without
# persistence), never the database cache (it would write hashed addresses to disk).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "speakup": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "speakup"},
}
SPEAKUP_CACHE = "speakup"
# Uploads stay in memory (an attachment is encrypted before anything is written): no plaintext
# temporary files on disk, and an upload over the limit is refused while it is being read.
FILE_UPLOAD_HANDLERS = ["candour.web.speakup.uploads.BoundedMemoryUploadHandler"]
DATA_UPLOAD_MAX_NUMBER_FILES = 1  # a concern carries one attachment
