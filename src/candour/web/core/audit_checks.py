"""System checks for the audit chain's keys and checkpoints (docs/reference/audit.md).

A malformed key stops ``runserver``, ``migrate`` and the tests at start-up; ``check --deploy``
warns when nothing anchors the chain outside the database.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from candour.web.core.audit_keys import chain_key, checkpoint_path, signing_key, verify_key


@checks.register()
def audit_key_valid(app_configs, **kwargs):
    try:
        chain_key()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="core.E001")]
    return []


@checks.register()
def audit_checkpoint_keys_agree(app_configs, **kwargs):
    """The verify key, when both are set, is the signing key's: otherwise every checkpoint written
    here would fail verification."""
    if not (settings.AUDIT_SIGNING_KEY or settings.AUDIT_VERIFY_KEY):
        return []
    try:
        public = verify_key()
        if settings.AUDIT_SIGNING_KEY and public != signing_key().verify_key:
            raise ImproperlyConfigured(
                "AUDIT_VERIFY_KEY is not the public key of AUDIT_SIGNING_KEY "
                "(`candour audit verify-key` prints the right one)"
            )
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="core.E002")]
    return []


@checks.register(deploy=True)
def audit_chain_anchored(app_configs, **kwargs):
    """``check --deploy``: without checkpoints, a database writer can delete the newest events
    together with the head, or restore an older copy, and nothing shows it."""
    warnings = []
    if checkpoint_path() is None:
        warnings.append(
            checks.Warning(
                "AUDIT_CHECKPOINTS is not set: the audit chain has no checkpoints outside the "
                "database, so deleting its newest events (with the head) or restoring an older "
                "copy of the database goes undetected. Set CANDOUR_AUDIT_CHECKPOINTS and run "
                "`candour audit checkpoint` daily.",
                id="core.W001",
            )
        )
    if not settings.AUDIT_SIGNING_KEY:
        warnings.append(
            checks.Warning(
                "AUDIT_SIGNING_KEY is not set: `candour audit checkpoint` cannot run here. Set "
                "CANDOUR_AUDIT_SIGNING_KEY where the daily job runs (and silence core.W002 "
                "elsewhere).",
                id="core.W002",
            )
        )
    return warnings
