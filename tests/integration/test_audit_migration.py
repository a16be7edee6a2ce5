"""A database whose chain was written before the audit key: the migration numbers its events,
seals where the unkeyed part ends and appends an ``audit.keyed`` event; ``candour audit verify``
then checks the old part with SHA-256 and everything after with the key (docs/reference/audit.md).

Each test migrates its own SQLite file in another process, so the suite's database is untouched.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

LEGACY_EVENTS = 3
WRITE_LEGACY_CHAIN = """
import json, sys
from datetime import UTC, datetime
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from candour.web.core.audit import GENESIS_HASH, unkeyed_hash

call_command("migrate", "core", "0001", verbosity=0)
previous = GENESIS_HASH
with connection.cursor() as cursor:
    for i in range(1, int(sys.argv[1]) + 1):
        at = datetime(2024, 1, i, 10, 0, tzinfo=UTC)
        content = {"id": i, "at": at.isoformat(timespec="microseconds"), "actor": "legacy",
                   "action": "legacy.event", "target_type": "", "target_id": str(i),
                   "details": {"i": i}}
        hash_ = unkeyed_hash(previous, content)
        cursor.execute(
            "INSERT INTO core_auditevent (id, at, actor, action, target_type, target_id, details,"
            " previous_hash, hash) VALUES (%s, %s, 'legacy', 'legacy.event', '', %s, %s, %s, %s)",
            [i, connection.ops.adapt_datetimefield_value(at), str(i), json.dumps({"i": i}),
             previous, hash_],
        )
        previous = hash_
    cursor.execute("INSERT INTO core_audithead (id, last_hash, count) VALUES (1, %s, %s)",
                   [previous, int(sys.argv[2])])
call_command("migrate", verbosity=0)
"""


@pytest.fixture
def legacy_database(tmp_path):
    """Write a chain as the code before the key did, then run the migrations."""
    database = tmp_path / "legacy.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CANDOUR_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "candour.web.config.settings.test",
        "CANDOUR_DATABASE_URL": f"sqlite:///{database}",
        "CANDOUR_SPEAKUP_KEYSTORE": str(tmp_path / "keys"),
    }

    def make(head_count: int = LEGACY_EVENTS):
        run = [sys.executable, "-c", WRITE_LEGACY_CHAIN, str(LEGACY_EVENTS), str(head_count)]
        result = subprocess.run(run, env=env, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        return database

    def verify() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "candour.cli", "audit", "verify"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    make.verify = verify
    return make


def rows(database, sql, params=()):
    with sqlite3.connect(database) as db:
        return db.execute(sql, params).fetchall()


@pytest.mark.slow
def test_an_unkeyed_chain_is_kept_sealed_and_continued_with_the_key(legacy_database):
    database = legacy_database()
    events = rows(database, "SELECT seq, action, details FROM core_auditevent ORDER BY seq")
    assert [(seq, action) for seq, action, _ in events] == [
        (1, "legacy.event"),
        (2, "legacy.event"),
        (3, "legacy.event"),
        (4, "audit.keyed"),
    ]
    assert json.loads(events[3][2])["unkeyed_events"] == LEGACY_EVENTS
    assert rows(database, "SELECT count, unkeyed_until FROM core_audithead") == [(4, 3)]
    result = legacy_database.verify()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 event(s) verified with the audit key (the first 3 from before the key" in (
        result.stdout
    )

    rows(database, "UPDATE core_auditevent SET details = ? WHERE seq = 2", ['{"i": 99}'])
    result = legacy_database.verify()
    assert result.returncode == 1
    assert "[hash] event seq 2 (#2, from before the chain was keyed)" in result.stdout


@pytest.mark.slow
def test_rehashing_the_whole_chain_as_unkeyed_breaks_the_seal(legacy_database):
    """Claiming every event predates the key, to rehash them without it, is found."""
    database = legacy_database()
    rows(database, "UPDATE core_audithead SET unkeyed_until = 4")
    result = legacy_database.verify()
    assert result.returncode == 1
    assert "[hash] event seq 4" in result.stdout  # the keyed event fails the SHA-256 check
    rows(database, "UPDATE core_audithead SET unkeyed_until = 2")
    result = legacy_database.verify()
    assert result.returncode == 1
    assert "[hash] event seq 3" in result.stdout  # an unkeyed event fails the keyed check
    rows(database, "UPDATE core_audithead SET unkeyed_until = 3, unkeyed_seal = ?", ["0" * 64])
    result = legacy_database.verify()
    assert result.returncode == 1
    assert "[seal]" in result.stdout


@pytest.mark.slow
def test_newest_events_deleted_before_the_migration_still_show(legacy_database):
    """The head recorded 5 events but only 3 remain: the keyed event takes seq 6, leaving the
    gap."""
    legacy_database(head_count=5)
    result = legacy_database.verify()
    assert result.returncode == 1
    assert "[seq] event seq 4-5 missing before event seq 6" in result.stdout
