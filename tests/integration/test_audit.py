"""The audit log's hash chain detects edited and deleted rows."""

import pytest
from django.db import connection, transaction

from candour.cli import main
from candour.web.core import audit
from candour.web.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    with transaction.atomic():
        for i in range(5):
            audit.append(
                actor="system:test", action="test.event", target_id=str(i), details={"i": i}
            )
    return list(AuditEvent.objects.order_by("id"))


def raw_sql(sql, params):
    """Tamper the way someone with database access would: bypassing the ORM and its actions."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_intact_chain_verifies(chain, capsys):
    assert audit.verify().ok
    assert main(["audit", "verify"]) == 0
    assert "chain is intact" in capsys.readouterr().out


def test_edited_row_is_reported_by_id(chain, capsys):
    target = chain[2]
    raw_sql("UPDATE core_auditevent SET details = %s WHERE id = %s", ['{"i": 99}', target.pk])
    result = audit.verify()
    assert not result.ok
    assert result.first_bad_id == target.pk
    assert main(["audit", "verify"]) == 1
    assert f"event #{target.pk}: content does not match its hash" in capsys.readouterr().out


def test_deleted_row_breaks_the_next_link(chain):
    raw_sql("DELETE FROM core_auditevent WHERE id = %s", [chain[1].pk])
    result = audit.verify()
    assert not result.ok
    assert result.first_bad_id == chain[2].pk


def test_deleting_the_newest_rows_is_detected(chain):
    raw_sql("DELETE FROM core_auditevent WHERE id >= %s", [chain[3].pk])
    result = audit.verify()
    assert not result.ok
    assert "newest events were deleted" in result.message
