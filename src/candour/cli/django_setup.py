"""Start Django for the commands that persist data (the analytics commands never need it)."""

from __future__ import annotations

import os


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candour.web.config.settings.dev")
    import django

    django.setup()
