"""Settings shared by every environment. Values that differ come from the environment.

Environment variables (see ``.env.example``):

- ``CANDOUR_SECRET_KEY``: required in production; a random key is made per process elsewhere.
- ``CANDOUR_DATABASE_URL``: e.g. ``postgres://user:pass@127.0.0.1:5432/candour``; default SQLite
  at ``var/candour.sqlite3``.
- ``CANDOUR_ALLOWED_HOSTS``: comma-separated host names (production).
- ``CANDOUR_AUDIT_KEY`` and the other ``CANDOUR_AUDIT_*`` variables: the audit chain's keys and
  checkpoint file (the ``AUDIT_*`` block below; docs/reference/audit.md).
- ``CANDOUR_CLIENT_ADDRESS_HEADER``: behind a reverse proxy, the header it puts the client's
  address in (``HTTP_X_FORWARDED_FOR``).

Deploying: docs/how-to/deploy.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from candour.web.speakup.logfilter import no_referrer_for_static

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # src/candour/web
PROJECT_DIR = PACKAGE_DIR.parents[2]  # repository root (when run from a checkout)
VAR_DIR = Path(os.environ.get("CANDOUR_VAR_DIR", PROJECT_DIR / "var"))

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "candour.web.core.admin_apps.CandourAdminConfig",  # django.contrib.admin, audited writes
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
    "candour.web.mortality",
    "candour.web.datarequests",
]

MIDDLEWARE = [
    "candour.web.core.middleware.RejectNulMiddleware",  # before anything reads the request
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
# The client's address behind a trusted reverse proxy (candour.web.core.clientaddress): the
# request.META name of the header the proxy appends it to, e.g. "HTTP_X_FORWARDED_FOR"; None uses
# REMOTE_ADDR. For sign-in lockouts and speak-up rate limits only; never stored.
CLIENT_ADDRESS_HEADER = os.environ.get("CANDOUR_CLIENT_ADDRESS_HEADER") or None
AXES_CLIENT_IP_CALLABLE = "candour.web.core.clientaddress.client_address"

# The JSON API: session authentication (the same sign-in as the pages); access is decided by
# candour.web.core.access like every other view, so DRF's own permission check allows all.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    # Access is decided by candour.web.core.access (401 before any API view runs); this only
    # keeps the schema from offering anonymous access.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # limit 1..1000 (default 100) and offset checked; a bad value is a 400 (docs/reference/api.md)
    "DEFAULT_PAGINATION_CLASS": "candour.web.oversight.api_params.BoundedPagination",
    "EXCEPTION_HANDLER": "candour.web.oversight.api_problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Candour API",
    "DESCRIPTION": "Organisations, measures, observations, targets and concerns. Sign in first; "
    "the same roles apply as on the pages.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "candour.web.oversight.api_problems.add_problem_responses",
    ],
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Static files send no referrer either (the reporter's pages already do): nothing they load names
# the page they were loaded from.
WHITENOISE_ADD_HEADERS_FUNCTION = no_referrer_for_static

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

# Email (Django's email backend): the guardians' notifications ("there is something new at R0B",
# no content), sent by `candour speakup notify`. Development prints them on the console;
# production sends them by SMTP (settings/production.py); the tests keep them in memory.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("CANDOUR_EMAIL_FROM", "candour@localhost")
# The address people use to reach Candour, for links in emails (none when unset).
SITE_URL = os.environ.get("CANDOUR_SITE_URL", "")

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
# The audit chain (candour.web.core.audit): see docs/reference/audit.md. Keys from the environment
# in production, per-machine files in development (settings/dev.py), fixed in tests.
# =================================================================================================
# HMAC-SHA-256 key of the chain: 32-64 random bytes as hex, outside the database and its backups.
AUDIT_KEY = os.environ.get("CANDOUR_AUDIT_KEY", "")
# Ed25519 signing key (its 32-byte seed as hex) for checkpoints; only `candour audit checkpoint`
# needs it. Keep it off the database server.
AUDIT_SIGNING_KEY = os.environ.get("CANDOUR_AUDIT_SIGNING_KEY", "")
# The public key checking checkpoints (hex); empty derives it from AUDIT_SIGNING_KEY. Publish it.
AUDIT_VERIFY_KEY = os.environ.get("CANDOUR_AUDIT_VERIFY_KEY", "")
# Checkpoints, one signed line of JSON each, appended and never rewritten: a file outside the
# database and its backups (append-only storage, or copied somewhere the database's writers
# cannot reach). Empty: no checkpoints (check --deploy warns).
AUDIT_CHECKPOINTS = os.environ.get("CANDOUR_AUDIT_CHECKPOINTS", "")


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
# Target times from receipt, in "N working days" (England and Wales) or "N days". Acknowledge
# within 2 working days and triage within 7, so that a patient-safety concern cannot wait for the
# feedback date untriaged (issue 14); feedback within 3 months (EU Whistleblowing Directive
# 2019/1937, art. 9(1)(f)). A trust can change them.
SPEAKUP_TARGETS = {
    "acknowledge": "2 working days",
    "triage": "7 working days",
    "feedback": "90 days",
}
# Detriment check-ins after closure, in months (reference (e): 1, 3, 6 and 12 months).
SPEAKUP_CHECK_IN_MONTHS = (1, 3, 6, 12)
# Closed cases are crypto-shredded this many days after closure (must outlast the last
# check-in); cases on legal hold are kept.
SPEAKUP_RETENTION_DAYS = 730
# Per-case retention keys (candour.crypto.shredding): a directory OUTSIDE the database and its
# backups. Shredding a case deletes its key here, which blinds every earlier copy of the database.
# Back it up separately, with backups that expire sooner than SPEAKUP_RETENTION_DAYS.
SPEAKUP_KEYSTORE_DIR = os.environ.get("CANDOUR_SPEAKUP_KEYSTORE") or str(VAR_DIR / "speakup-keys")
# A reporter's session (server-side, in SPEAKUP_CACHE) ends this long after their last page, and
# at the latest this long after it began; "Leave" ends it at once.
SPEAKUP_REPORTER_SESSION_SECONDS = 30 * 60
SPEAKUP_REPORTER_SESSION_MAX_SECONDS = 2 * 60 * 60
SPEAKUP_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Lockout: (events, window in seconds, lockout in seconds), per user. Guardians' passwords only:
# nothing a person speaking up does is ever refused for being too frequent (see below).
SPEAKUP_RATE_LIMITS = {"unlock_per_user": (5, 15 * 60, 15 * 60)}
# Floods are absorbed by cost (candour.web.speakup.costs), never by refusing an address. Every
# concern, wrong receipt and reply costs a proof of work in the browser (SHA-256 hashcash,
# SPEAKUP_PROOF_OF_WORK_BITS zero bits: 2**18 hashes, a fraction of a second) or, without
# JavaScript, a short wait on the server (SPEAKUP_NO_SCRIPT_DELAY_SECONDS). Per source (a keyed
# hash of the address, held only in the cache), the first (free, window) events cost that; each
# doubling past them adds a step (one more bit, twice the wait), up to SPEAKUP_SLOW_DOWN_MAX_STEPS.
# A receipt that opens its case costs nothing, whatever the source has done.
SPEAKUP_SLOW_DOWN = {
    "concern": (5, 60 * 60),
    "receipt": (10, 15 * 60),
    "reply": (30, 60 * 60),
}
SPEAKUP_SLOW_DOWN_MAX_STEPS = 4
SPEAKUP_PROOF_OF_WORK_BITS = 18
SPEAKUP_PROOF_OF_WORK_VALID_SECONDS = 4 * 60 * 60  # a concern can take a while to write
SPEAKUP_NO_SCRIPT_DELAY_SECONDS = 1.0
# Bounded storage: at most this much is stored per organisation (or case) and day, whatever the
# sources; past it, the page says so and lists the other ways to speak up.
SPEAKUP_DAILY_LIMITS = {
    "concerns_per_organisation": 1000,
    "attachment_bytes_per_organisation": 250 * 1024 * 1024,
    "reporter_messages_per_case": 50,  # messages, answers and files a reporter adds in a day
    "files_per_case": 20,  # in all
}
# "Other ways to speak up", shown to people speaking up. National defaults; a deployment can list
# its own (for example its guardians' phone line) before them.
SPEAKUP_OTHER_WAYS = [
    {
        "name": "National Guardian's Office",
        "url": "https://nationalguardian.org.uk/information-on-speaking-up/",
        "description": "How speaking up works in the NHS, and where to find a Freedom to Speak Up "
        "guardian.",
    },
    {
        "name": "Care Quality Commission (CQC)",
        "url": "https://www.cqc.org.uk/content/report-concern-if-you-are-member-staff",
        "description": "Tell the regulator about poor or unsafe care where you work.",
    },
    {
        "name": "NHS England: speaking up",
        "url": "https://www.england.nhs.uk/ourwork/whistleblowing/raising-a-concern/",
        "description": "Speak up to NHS England about an NHS organisation.",
    },
]
# The request header holding the client's address when a trusted proxy sets it: the same as
# CLIENT_ADDRESS_HEADER above. Only ever hashed, never stored.
SPEAKUP_CLIENT_ADDRESS_HEADER = CLIENT_ADDRESS_HEADER
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


# =================================================================================================
# Mortality alerts (candour.web.mortality): see docs/reference/cusum.md, "Alerts that must be
# answered". Checked at start-up (candour.web.mortality.conf).
# =================================================================================================
MORTALITY_ALERTS = {
    # Each series' threshold h is set so that, in control, its chart would signal about this often
    # per series-year (Imperial College's alerts: about 0.1%, Bottle & Aylin 2011).
    "false_alarm_rate": 0.001,
    # The excess of deaths the O/E CUSUM is tuned to detect (observed 1.5 times expected).
    "rate_ratio": 1.5,
    # Days the trust has to respond to a new alert (and to one returned for more).
    "response_days": 30,
    # An alert opened on this many person-days (one person on one day counts once) with no
    # response is flagged: "seen 12 times in 40 days, no response".
    "seen_without_response": 10,
}
