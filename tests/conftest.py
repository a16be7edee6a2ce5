"""Shared fixtures. The test database is loaded once per run with the bundled real data.

``make test`` runs the suite twice, on SQLite and on PostgreSQL, side by side. A test that never
reaches a database gives the same answer on both, so the PostgreSQL pass runs only the tests
that do: those using pytest-django's database (the ``django_db`` mark or a database fixture) and
those marked ``database`` (they reach it by their own connection: a subprocess, ``pg_dump``) —
and the few slow tests marked ``second_pass``, which the SQLite pass then leaves to it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from candour.web.core.roles import Role

PASSWORD = "correct-horse-battery-staple"
# pytest-django's fixtures that open the test database (the django_db mark requests one of
# them when the test runs, so it is checked too)
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


def on_postgresql() -> bool:
    return os.environ.get("CANDOUR_DATABASE_URL", "").startswith("postgres")


def reaches_a_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return (
        item.get_closest_marker("django_db") is not None
        or item.get_closest_marker("database") is not None
        or bool(fixtures & DATABASE_FIXTURES)
    )


def runs_in_this_pass(item: pytest.Item) -> bool:
    """Which tests this pass runs. On PostgreSQL: those that reach a database, and the slow
    ones marked ``second_pass``. On SQLite: everything, but ``second_pass`` tests only when
    run alone (``scripts/test.sh`` sets CANDOUR_SECOND_PASS=postgresql: the PostgreSQL pass,
    running side by side, has them, so that the two passes take about the same time)."""
    second = item.get_closest_marker("second_pass") is not None
    if on_postgresql():
        return second or reaches_a_database(item)
    return not (second and os.environ.get("CANDOUR_SECOND_PASS") == "postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept = [item for item in items if runs_in_this_pass(item)]
    if len(kept) < len(items):
        kept_ids = {id(item) for item in kept}
        config.hook.pytest_deselected(items=[item for item in items if id(item) not in kept_ids])
        items[:] = kept


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
