"""System check: bad mortality alert settings stop ``runserver``, ``migrate`` and the tests at
start-up with a message naming the key."""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from candour.web.mortality.conf import config


@checks.register()
def mortality_settings(app_configs, **kwargs):
    try:
        config()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="mortality.E001")]
    return []
