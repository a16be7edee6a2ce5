"""Shared fixtures. The test database is loaded once per run with the bundled real data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from candour.web.core.roles import Role

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After migrations, import every bundled dataset once (about two seconds)."""
    from candour.cli import main
    from candour.importers.datasets import DATASETS
    from candour.web.oversight import assessment
    from candour.web.oversight.imports import import_dataset

    with django_db_blocker.unblock(), assessment.deferred():
        for dataset in DATASETS.values():
            import_dataset(imported=dataset.load(), by="system:test-setup")
        assert main(["targets", "import"]) == 0


@pytest.fixture(scope="session", autouse=True)
def _speakup_keystore():
    """Remove this run's temporary speak-up key store (settings/test.py) when the run ends."""
    yield
    from django.conf import settings

    directory = Path(settings.SPEAKUP_KEYSTORE_DIR)
    if directory.name.startswith("candour-test-keys-"):
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def make_user(db):
    from candour.web.core.actions import create_user

    def make(role: str, username: str | None = None, organisation_code: str = ""):
        """A user holding ``role`` nationally, or for one organisation or region by its code."""
        return create_user(
            username=username or f"test-{role}",
            password=PASSWORD,
            roles=[role],
            organisation_code=organisation_code,
            by="system:test",
        )

    return make


@pytest.fixture
def client_for(client, make_user):
    """A test client signed in with one role (or anonymous when role is None), held nationally
    unless ``organisation_code`` names the organisation or region it is granted for."""

    def signed_in(role: str | None, organisation_code: str = ""):
        if role is not None:
            client.force_login(
                make_user(role, organisation_code=organisation_code),
                backend="django.contrib.auth.backends.ModelBackend",
            )
        return client

    return signed_in


ROLES = [r.value for r in Role]
