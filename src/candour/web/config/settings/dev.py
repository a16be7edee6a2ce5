"""Local development and the demo: SQLite, DEBUG on, a per-machine secret key."""

import os

from candour.web.config.secrets import (
    local_audit_key,
    local_audit_signing_key,
    local_receipt_pepper,
    local_secret_key,
)
from candour.web.config.settings.base import *  # noqa: F403
from candour.web.config.settings.base import VAR_DIR

DEBUG = os.environ.get("CANDOUR_DEBUG", "1") == "1"
SECRET_KEY = local_secret_key(VAR_DIR)
SPEAKUP_RECEIPT_PEPPER = local_receipt_pepper(VAR_DIR)
AUDIT_KEY = local_audit_key(VAR_DIR)
AUDIT_SIGNING_KEY = local_audit_signing_key(VAR_DIR)
AUDIT_CHECKPOINTS = os.environ.get("CANDOUR_AUDIT_CHECKPOINTS") or str(
    VAR_DIR / "audit-checkpoints.jsonl"
)
