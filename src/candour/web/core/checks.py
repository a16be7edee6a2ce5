"""Deployment checks (``manage.py check --deploy``): settings that work on a laptop but fail, or
quietly weaken a protection, in production. See docs/how-to/deploy.md."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.files.storage import storages

DEPLOY_GUIDE = "docs/how-to/deploy.md"


@checks.register(checks.Tags.staticfiles, deploy=True)
def static_manifest_collected(app_configs, **kwargs):
    """With a manifest storage (production), a page linking a static file that is not in the
    manifest fails (500): before ``collectstatic`` has run, that is every page."""
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return []
    if storage.manifest_storage.exists(storage.manifest_name):
        return []
    manifest = Path(settings.STATIC_ROOT) / storage.manifest_name
    return [
        checks.Warning(
            f"No static files manifest at {manifest}: every page will fail (500) until the "
            "static files are collected with these settings.",
            hint=f"Run: manage.py collectstatic --no-input (see {DEPLOY_GUIDE}).",
            id="core.W003",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def client_address_header_behind_a_proxy(app_configs, **kwargs):
    """Behind a proxy, ``REMOTE_ADDR`` is the proxy: without the header naming the client's
    address, every per-address limit counts everyone together."""
    if not settings.SECURE_PROXY_SSL_HEADER or settings.CLIENT_ADDRESS_HEADER:
        return []
    return [
        checks.Warning(
            "SECURE_PROXY_SSL_HEADER trusts a reverse proxy, but CLIENT_ADDRESS_HEADER is not "
            "set: every request seems to come from the proxy's address, so five wrong "
            "passwords from anyone lock an account for everyone, and speak-up rate limits "
            "lock out all reporters together.",
            hint=(
                "Set CANDOUR_CLIENT_ADDRESS_HEADER to the header your proxy appends the client's "
                f"address to, e.g. HTTP_X_FORWARDED_FOR (see {DEPLOY_GUIDE})."
            ),
            id="core.W004",
        )
    ]
