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
