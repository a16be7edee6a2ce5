"""The test suite: the database comes from CANDOUR_DATABASE_URL (SQLite when unset)."""

import os
import tempfile

from candour.web.config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key-not-secret"  # noqa: S105
# Fast hashing in tests; the argon2 hasher itself is tested in tests/integration/test_auth.py.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # mail.outbox
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": REQUEST_LOG_FILTERS,  # noqa: F405
    "loggers": {
        name: {"filters": ["no_reporter_requests"]}
        for name in ("django.request", "django.server", "django.security.csrf")
    },
}
SPEAKUP_RECEIPT_PEPPER = "7e57" * 16  # test-only pepper (32 bytes), not secret
# Speak-up retention keys: a directory per test process (tests/conftest.py removes it at exit).
SPEAKUP_KEYSTORE_DIR = os.environ.get("CANDOUR_SPEAKUP_KEYSTORE") or tempfile.mkdtemp(
    prefix="candour-test-keys-"
)
# The audit chain's keys: test-only, not secret. No checkpoint file unless a test sets one.
AUDIT_KEY = "a0d17e57" * 8
AUDIT_SIGNING_KEY = "5167e57" + "0" * 57
AUDIT_CHECKPOINTS = ""
# Speak-up costs kept small so that the tests do not wait: a 4-bit proof of work and no delay for
# forms sent without one (tests of the costs set their own values).
SPEAKUP_PROOF_OF_WORK_BITS = 4
SPEAKUP_NO_SCRIPT_DELAY_SECONDS = 0
