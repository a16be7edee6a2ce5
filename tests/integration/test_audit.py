"""The audit chain holds against a hostile database writer (issue 10, finding 6).

Every tamper is done the way someone with write access to the database but no application access
would: raw SQL or querysets' ``update()``/``delete()``, never an action, and never with the audit
key (the hashing is public, so the tamperer recomputes SHA-256 hashes where that could help).
``candour audit verify`` must exit 1 naming the check that found each (docs/reference/audit.md).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from candour.cli import main
from candour.web.core import audit
from candour.web.core.audit import content_of, unkeyed_hash
from candour.web.core.audit_verify import Check, verify
from candour.web.core.models import AuditEvent, AuditHead

pytestmark = pytest.mark.django_db

EVENTS = 6  # appended by the fixture, after the events the session's data import wrote


@pytest.fixture
def checkpoints(settings, tmp_path):
    settings.AUDIT_CHECKPOINTS = str(tmp_path / "audit" / "checkpoints.jsonl")
    return tmp_path / "audit" / "checkpoints.jsonl"


def append_events(count: int, start: int = 0) -> None:
    with transaction.atomic():
        for i in range(start, start + count):
            audit.append(
                actor="system:test", action="test.event", target_id=str(i), details={"i": i}
            )


@pytest.fixture
def chain(checkpoints):
    append_events(EVENTS)
    return list(AuditEvent.objects.order_by("seq"))


@pytest.fixture
def checkpointed(chain, capsys):
    assert main(["audit", "checkpoint"]) == 0
    capsys.readouterr()
    return chain


def raw_sql(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def head() -> AuditHead:
    return AuditHead.objects.get(id=1)


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").first().seq


def point_head_at_last_event() -> None:
    last = AuditEvent.objects.order_by("-seq").first()
    AuditHead.objects.filter(id=1).update(count=last.seq, last_hash=last.hash)


def rehash_without_key(from_seq: int) -> None:
    """Recompute every hash from ``from_seq`` on with SHA-256 (the chain's algorithm without its
    key), relinking each event and the head: all a tamperer can do without the key."""
    previous = AuditEvent.objects.get(seq=from_seq - 1).hash if from_seq > 1 else audit.GENESIS_HASH
    for event in AuditEvent.objects.filter(seq__gte=from_seq).order_by("seq"):
        event.previous_hash = previous
        previous = unkeyed_hash(previous, content_of(event))
        AuditEvent.objects.filter(pk=event.pk).update(
            previous_hash=event.previous_hash, hash=previous
        )
    point_head_at_last_event()


def forge_event(seq: int, previous_hash: str, **fields) -> AuditEvent:
    """Insert an event with a correct unkeyed hash after ``previous_hash``."""
    event = AuditEvent.objects.create(
        seq=seq,
        at=datetime.now(tz=UTC),
        actor=fields.get("actor", "forger"),
        action=fields.get("action", "test.forged"),
        details=fields.get("details", {}),
        previous_hash=previous_hash,
        hash=f"{seq:064x}",
    )
    forged = unkeyed_hash(previous_hash, content_of(event))
    AuditEvent.objects.filter(pk=event.pk).update(hash=forged)
    return AuditEvent.objects.get(pk=event.pk)


# --- the tampers -------------------------------------------------------------------------------


def edit_details(chain):
    raw_sql(
        "UPDATE core_auditevent SET details = %s WHERE id = %s",
        [json.dumps({"i": 99}), chain[2].pk],
    )


def edit_actor_and_time(chain):
    AuditEvent.objects.filter(pk=chain[3].pk).update(
        actor="someone-else", at=chain[3].at - timedelta(days=3)
    )


def delete_first(chain):
    raw_sql("DELETE FROM core_auditevent WHERE seq = 1")


def delete_middle(chain):
    raw_sql("DELETE FROM core_auditevent WHERE id = %s", [chain[3].pk])


def delete_last(chain):
    raw_sql("DELETE FROM core_auditevent WHERE id = %s", [chain[-1].pk])


def reorder_by_swapping_sequence_numbers(chain):
    a, b = chain[2], chain[3]
    AuditEvent.objects.filter(pk=a.pk).update(seq=10**12)
    AuditEvent.objects.filter(pk=b.pk).update(seq=a.seq)
    AuditEvent.objects.filter(pk=a.pk).update(seq=b.seq)


def reorder_by_swapping_contents(chain):
    a, b = chain[2], chain[3]
    names = ("at", "actor", "action", "target_type", "target_id", "details")
    AuditEvent.objects.filter(pk=a.pk).update(**{n: getattr(b, n) for n in names})
    AuditEvent.objects.filter(pk=b.pk).update(**{n: getattr(a, n) for n in names})


def delete_tail_and_update_head(chain):
    AuditEvent.objects.filter(seq__gt=chain[2].seq).delete()
    point_head_at_last_event()


def delete_everything(chain):
    raw_sql("DELETE FROM core_auditevent")
    raw_sql("DELETE FROM core_audithead")


def delete_every_event_but_keep_head(chain):
    raw_sql("DELETE FROM core_auditevent")


def edit_and_recompute_later_hashes(chain):
    AuditEvent.objects.filter(pk=chain[1].pk).update(details={"i": "rewritten"})
    rehash_without_key(chain[1].seq)


def append_forged_event(chain):
    forge_event(chain[-1].seq + 1, chain[-1].hash)


def append_forged_event_and_update_head(chain):
    forge_event(chain[-1].seq + 1, chain[-1].hash)
    point_head_at_last_event()


def replace_head_hash(chain):
    AuditHead.objects.filter(id=1).update(last_hash=chain[-2].hash)


def truncate_and_reappend_forged(chain):
    AuditEvent.objects.filter(seq__gt=chain[2].seq).delete()
    previous = chain[2].hash
    for event in chain[3:]:
        previous = forge_event(event.seq, previous, actor=event.actor, action=event.action).hash
    point_head_at_last_event()


def claim_every_event_predates_the_key(chain):
    """Mark the whole chain as written before the key (SHA-256 only) and rehash it so."""
    for event in AuditEvent.objects.order_by("seq"):
        AuditEvent.objects.filter(pk=event.pk).update(
            hash=unkeyed_hash(event.previous_hash, audit.unkeyed_content_of(event))
        )
    rehash_unkeyed_links()
    AuditHead.objects.filter(id=1).update(unkeyed_until=last_seq(), unkeyed_seal="0" * 64)


def rehash_unkeyed_links():
    previous = audit.GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq"):
        event.previous_hash = previous
        previous = unkeyed_hash(previous, audit.unkeyed_content_of(event))
        AuditEvent.objects.filter(pk=event.pk).update(
            previous_hash=event.previous_hash, hash=previous
        )
    point_head_at_last_event()


# (tamper, the check that finds it, words of its message, needs a checkpoint to be found)
TAMPERS = [
    (edit_details, Check.HASH, "does not match its keyed hash", False),
    (edit_actor_and_time, Check.HASH, "does not match its keyed hash", False),
    (delete_first, Check.SEQ, "event seq 1 missing before event seq 2", False),
    (delete_middle, Check.SEQ, "missing before event seq", False),
    (delete_last, Check.HEAD, "the newest 1 were deleted", False),
    (reorder_by_swapping_sequence_numbers, Check.LINK, "reordered", False),
    (reorder_by_swapping_contents, Check.HASH, "does not match its keyed hash", False),
    (delete_tail_and_update_head, Check.CHECKPOINT, "were deleted, or an older copy", True),
    (delete_everything, Check.CHECKPOINT, "but the chain has 0", True),
    (delete_every_event_but_keep_head, Check.HEAD, "the chain ends at seq 0", False),
    (edit_and_recompute_later_hashes, Check.HASH, "does not match its keyed hash", False),
    (append_forged_event, Check.HASH, "written without the audit key (forged)", False),
    (append_forged_event_and_update_head, Check.HASH, "(forged)", False),
    (replace_head_hash, Check.HEAD, "the head was altered", False),
    (truncate_and_reappend_forged, Check.HASH, "(forged)", False),
    (claim_every_event_predates_the_key, Check.SEAL, "does not match its keyed seal", False),
]


@pytest.mark.parametrize(
    ("tamper", "check", "words", "needs_checkpoint"),
    TAMPERS,
    ids=[t[0].__name__ for t in TAMPERS],
)
def test_every_tamper_is_detected(checkpointed, capsys, tamper, check, words, needs_checkpoint):
    assert verify().ok
    tamper(checkpointed)
    result = verify()
    assert not result.ok
    assert check in result.checks, result.message
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("BROKEN:")
    assert f"[{check}]" in out
    assert words in out


@pytest.mark.parametrize(
    "tamper", [t[0] for t in TAMPERS if t[3]], ids=[t[0].__name__ for t in TAMPERS if t[3]]
)
def test_without_a_checkpoint_only_the_checkpoint_finds_these(chain, tamper):
    """docs/reference/audit.md says which tampers only a checkpoint finds: these pass the chain's
    own checks."""
    tamper(chain)
    assert verify().ok


def test_intact_chain_verifies(chain, capsys):
    result = verify()
    assert result.ok
    assert result.last_seq == last_seq() == head().count
    assert main(["audit", "verify"]) == 0
    assert "the chain is intact" in capsys.readouterr().out


def test_events_are_numbered_without_gaps_and_keyed(chain):
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    last = chain[-1]
    assert last.hash == audit.keyed_hash(audit.chain_key(), last.previous_hash, content_of(last))
    assert last.hash != unkeyed_hash(last.previous_hash, content_of(last))


def test_edited_row_is_reported_by_id(chain):
    edit_details(chain)
    result = verify()
    assert result.first_bad_id == chain[2].pk
    assert f"event seq {chain[2].seq} (#{chain[2].pk})" in result.message


def test_the_key_decides(chain, settings):
    """The same chain under another key fails at its first keyed event."""
    settings.AUDIT_KEY = "11" * 32
    result = verify()
    assert Check.HASH in result.checks
    assert result.first_bad_id == AuditEvent.objects.get(seq=1).pk


# --- checkpoints -------------------------------------------------------------------------------


def test_checkpoint_is_a_signed_line_of_json(chain, checkpoints, capsys):
    assert main(["audit", "checkpoint", "--print"]) == 0
    out = capsys.readouterr().out
    line = json.loads(checkpoints.read_text().splitlines()[-1])
    assert line.keys() == {"seq", "hash", "at", "key", "signature"}
    assert line["seq"] == chain[-1].seq
    assert line["hash"] == chain[-1].hash
    assert f"Checkpoint written: seq {line['seq']}" in out
    assert json.dumps(line, sort_keys=True, separators=(",", ":")) in out
    assert main(["audit", "verify-key"]) == 0
    assert capsys.readouterr().out.strip() == line["key"]
    append_events(2, start=EVENTS)
    assert main(["audit", "checkpoint"]) == 0
    assert len(checkpoints.read_text().splitlines()) == 2
    result = verify()
    assert result.ok
    assert "2 checkpoint(s) match" in result.summary


def test_a_broken_chain_gets_no_checkpoint(checkpointed, checkpoints, capsys):
    before = checkpoints.read_text()
    edit_details(checkpointed)
    assert main(["audit", "checkpoint"]) == 1
    assert "No checkpoint written." in capsys.readouterr().out
    assert checkpoints.read_text() == before


def test_an_altered_or_forged_checkpoint_line_is_reported(checkpointed, checkpoints, capsys):
    line = json.loads(checkpoints.read_text().splitlines()[0])
    altered = {**line, "seq": line["seq"] - 1}
    with checkpoints.open("a") as file:
        file.write(json.dumps(altered) + "\nnot json\n")
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "line 2: its signature does not verify" in out
    assert "line 3 is not JSON" in out


def test_a_published_copy_and_its_key_can_be_given(checkpointed, checkpoints, tmp_path, capsys):
    published = tmp_path / "published.jsonl"
    published.write_text(checkpoints.read_text())
    key = json.loads(published.read_text())["key"]
    assert main(["audit", "verify", "--checkpoints", str(published), "--verify-key", key]) == 0
    assert (
        main(["audit", "verify", "--checkpoints", str(published), "--verify-key", "ab" * 32]) == 1
    )
    assert "signature does not verify" in capsys.readouterr().out


def snapshot() -> tuple[list[dict], list[dict]]:
    return list(AuditEvent.objects.values()), list(AuditHead.objects.values())


def restore(copy: tuple[list[dict], list[dict]]) -> None:
    """Put back an older copy of the two tables, as restoring an old backup would."""
    events, heads = copy
    raw_sql("DELETE FROM core_auditevent")
    raw_sql("DELETE FROM core_audithead")
    AuditEvent.objects.bulk_create(AuditEvent(**row) for row in events)
    AuditHead.objects.bulk_create(AuditHead(**row) for row in heads)


def test_restoring_an_older_copy_of_the_database_is_detected_then_can_be_recorded(
    checkpointed, checkpoints, capsys
):
    old_backup = snapshot()
    append_events(3, start=EVENTS)
    assert main(["audit", "checkpoint"]) == 0
    lost = json.loads(checkpoints.read_text().splitlines()[1])
    restore(old_backup)
    assert verify().checks == {Check.CHECKPOINT}
    assert main(["audit", "verify"]) == 1
    assert "an older copy of the database was restored" in capsys.readouterr().out
    append_events(3, start=100)  # the service carried on after the restore
    result = verify()
    assert result.checks == {Check.CHECKPOINT}
    assert f"event seq {lost['seq']}" in result.message
    assert "does not match the checkpoint" in result.message

    reason = "restored the 02:00 backup after a disk failure"
    assert main(["audit", "checkpoint", "--restored", reason]) == 0
    assert "Restore recorded" in capsys.readouterr().out
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "audit.restore"
    assert event.details["lost_from"] == event.details["lost_up_to"] == lost["seq"]
    assert event.details["lost_checkpoints"] == [lost["at"]]
    assert event.details["reason"] == reason
    result = verify()
    assert result.ok, result.message
    assert "records a restore" in result.notes[0]
    # the checkpoint from before the restore is still compared: rewriting under it still shows
    edit_details(checkpointed)
    assert Check.HASH in verify().checks


def test_a_restore_cannot_be_recorded_over_a_broken_chain(checkpointed, capsys):
    delete_tail_and_update_head(checkpointed)
    edit_details(checkpointed)
    assert main(["audit", "checkpoint", "--restored", "cover-up"]) == 1
    assert not AuditEvent.objects.filter(action="audit.restore").exists()


def test_missing_keys_and_paths_are_named(chain, settings, capsys):
    settings.AUDIT_SIGNING_KEY = ""
    assert main(["audit", "checkpoint"]) == 2
    assert "AUDIT_SIGNING_KEY is not set" in capsys.readouterr().err
    settings.AUDIT_CHECKPOINTS = ""
    assert main(["audit", "checkpoint"]) == 2
    assert "CANDOUR_AUDIT_CHECKPOINTS" in capsys.readouterr().err


def test_verify_says_when_there_is_no_checkpoint_file(chain, settings, capsys):
    settings.AUDIT_CHECKPOINTS = ""
    assert main(["audit", "verify"]) == 0
    assert "no checkpoint file" in capsys.readouterr().out


def test_append_refuses_a_chain_whose_head_was_deleted(chain):
    raw_sql("DELETE FROM core_audithead")
    with pytest.raises(audit.AuditChainError, match="head is missing"):
        append_events(1)
