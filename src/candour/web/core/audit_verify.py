"""``candour audit verify``: check the chain against the key, its head and every checkpoint.

The checks, each named in what it reports (docs/reference/audit.md has which tamper each finds):

- ``seq``: sequence numbers run 1, 2, 3, ... with no gap (a deleted event leaves one);
- ``link``: each event's previous_hash is the hash of the event before it;
- ``hash``: each event's hash is the HMAC of its content under the audit key (SHA-256 for the
  events written before the chain was keyed), so an edit, a recomputed chain or a forged event
  shows without the key;
- ``seal``: the record of how many events precede the key matches its keyed seal;
- ``head``: the head row records the last event's sequence number and hash;
- ``checkpoint``: every signed checkpoint outside the database matches the event at its sequence
  number, and none is beyond the end of the chain (newest events deleted with the head updated,
  everything deleted, or an older copy of the database restored).

The walk stops at the first broken event: what follows it cannot be trusted either way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from nacl.signing import VerifyKey

from candour.web.core.audit import (
    GENESIS_HASH,
    content_of,
    keyed_hash,
    unkeyed_content_of,
    unkeyed_hash,
    unkeyed_seal,
)
from candour.web.core.audit_checkpoints import Checkpoint, read_checkpoints
from candour.web.core.audit_keys import chain_key, checkpoint_path
from candour.web.core.audit_keys import verify_key as settings_verify_key
from candour.web.core.models import AuditEvent, AuditHead

CHUNK = 2000


class Check(StrEnum):
    SEQ = "seq"
    LINK = "link"
    HASH = "hash"
    SEAL = "seal"
    HEAD = "head"
    CHECKPOINT = "checkpoint"


@dataclass(frozen=True)
class Finding:
    check: Check
    message: str
    event_id: int | None = None
    checkpoint: Checkpoint | None = None  # the checkpoint the chain no longer matches


@dataclass(frozen=True)
class VerifyResult:
    findings: tuple[Finding, ...]
    checked: int
    last_seq: int
    last_hash: str
    summary: str
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first_bad_id(self) -> int | None:
        return next((f.event_id for f in self.findings if f.event_id is not None), None)

    @property
    def checks(self) -> set[Check]:
        return {f.check for f in self.findings}

    @property
    def message(self) -> str:
        if self.ok:
            return self.summary
        return "; ".join(f"[{f.check}] {f.message}" for f in self.findings)


@dataclass
class _Walk:
    """The chain walked so far, in sequence order."""

    key: bytes
    unkeyed_until: int
    expected: dict[int, list[Checkpoint]]
    seq: int = 0
    hash: str = GENESIS_HASH
    unkeyed_end_hash: str | None = None
    broken: Finding | None = None
    findings: list[Finding] = field(default_factory=list)

    def take(self, events) -> None:
        for event in events:
            self.broken = (
                _sequence_problem(event, self.seq + 1)
                or _link_problem(event, self.hash)
                or self._hash_problem(event)
            )
            if self.broken:
                self.findings.append(self.broken)
                return
            self.seq, self.hash = event.seq, event.hash
            if event.seq == self.unkeyed_until:
                self.unkeyed_end_hash = event.hash
            self.findings += _checkpoint_mismatches(event, self.expected.get(event.seq, []))

    def _hash_problem(self, event: AuditEvent) -> Finding | None:
        if event.seq <= self.unkeyed_until:
            if event.hash == unkeyed_hash(event.previous_hash, unkeyed_content_of(event)):
                return None
            return Finding(
                Check.HASH,
                f"event seq {event.seq} (#{event.pk}, from before the chain was keyed): its "
                "content does not match its SHA-256 hash: altered",
                event.pk,
            )
        if event.hash == keyed_hash(self.key, event.previous_hash, content_of(event)):
            return None
        return Finding(
            Check.HASH,
            f"event seq {event.seq} (#{event.pk}): its content does not match its keyed hash: "
            "altered, reordered, or written without the audit key (forged)",
            event.pk,
        )


def _sequence_problem(event: AuditEvent, expected: int) -> Finding | None:
    if event.seq == expected:
        return None
    if event.seq > expected:
        missing = (
            f"seq {expected}" if event.seq == expected + 1 else f"seq {expected}-{event.seq - 1}"
        )
        return Finding(
            Check.SEQ,
            f"event {missing} missing before event seq {event.seq} (#{event.pk}): deleted",
            event.pk,
        )
    return Finding(
        Check.SEQ,
        f"event #{event.pk} has seq {event.seq} where seq {expected} was expected: renumbered",
        event.pk,
    )


def _link_problem(event: AuditEvent, previous_hash: str) -> Finding | None:
    if event.previous_hash == previous_hash:
        return None
    return Finding(
        Check.LINK,
        f"event seq {event.seq} (#{event.pk}): its previous_hash is not the hash of the event "
        "before it: an earlier event was replaced, or the events were reordered",
        event.pk,
    )


def _checkpoint_mismatches(event: AuditEvent, checkpoints: list[Checkpoint]) -> list[Finding]:
    return [
        Finding(
            Check.CHECKPOINT,
            f"event seq {event.seq} (#{event.pk}) does not match {c.describe()}: the chain up to "
            "it was rewritten, or an older copy of the database was restored",
            event.pk,
            checkpoint=c,
        )
        for c in checkpoints
        if c.hash != event.hash
    ]


SETTINGS = Path("<AUDIT_CHECKPOINTS>")  # verify(): the checkpoint file the settings name


def verify(
    *, checkpoints: Path | None = SETTINGS, verify_key: VerifyKey | None = None
) -> VerifyResult:
    """Walk the chain in sequence order, then check its head, its seal and the checkpoint file
    (``AUDIT_CHECKPOINTS`` unless given; None checks none) with ``verify_key`` (default: the
    settings' key)."""
    if checkpoints is SETTINGS:
        checkpoints = checkpoint_path()
    active, problems, notes = _active_checkpoints(checkpoints, verify_key)
    findings = [Finding(Check.CHECKPOINT, p) for p in problems]
    findings += [_not_genesis(c) for c in active if c.seq == 0 and c.hash != GENESIS_HASH]
    expected = defaultdict(list)
    for checkpoint in active:
        expected[checkpoint.seq].append(checkpoint)
    head = AuditHead.objects.filter(id=1).first()
    walk = _Walk(chain_key(), head.unkeyed_until if head else 0, expected)
    head = _walk_to_head(walk)
    findings += walk.findings
    if walk.broken is None:
        findings += _head_problems(head, walk) + _seal_problems(head, walk)
        findings += [_beyond_end(c, walk.seq) for c in active if c.seq > walk.seq]
    return VerifyResult(
        findings=tuple(findings),
        checked=walk.seq,
        last_seq=walk.seq,
        last_hash=walk.hash,
        summary=_summary(walk, head, active, checkpoints),
        notes=tuple(notes),
    )


def _walk_to_head(walk: _Walk) -> AuditHead | None:
    """Walk every event; while the head shows events appended meanwhile, walk those too (the
    head and its events are committed together, so no lock is needed)."""
    events = AuditEvent.objects.order_by("seq")
    walk.take(events.iterator(chunk_size=CHUNK))
    while True:
        head = AuditHead.objects.filter(id=1).first()
        if walk.broken or head is None or head.count <= walk.seq:
            return head
        reached = walk.seq
        walk.take(events.filter(seq__gt=walk.seq).iterator(chunk_size=CHUNK))
        if walk.seq == reached:
            return head


def _not_genesis(checkpoint: Checkpoint) -> Finding:
    return Finding(
        Check.CHECKPOINT, f"{checkpoint.describe()} is of an empty chain but not with its hash"
    )


def _head_problems(head: AuditHead | None, walk: _Walk) -> list[Finding]:
    if head is None:
        if walk.seq == 0:
            return []
        return [
            Finding(Check.HEAD, f"the head (core_audithead) is missing but {walk.seq} events exist")
        ]
    if head.count > walk.seq:
        return [
            Finding(
                Check.HEAD,
                f"the chain ends at seq {walk.seq} but the head records {head.count} events: the "
                f"newest {head.count - walk.seq} were deleted",
            )
        ]
    if head.count < walk.seq:
        return [
            Finding(
                Check.HEAD,
                f"the chain has {walk.seq} events but the head records {head.count}: events "
                f"after seq {head.count} were added without it",
            )
        ]
    if head.last_hash != walk.hash:
        return [
            Finding(
                Check.HEAD,
                f"the head's hash is not the hash of the last event (seq {walk.seq}): the head "
                "was altered",
            )
        ]
    return []


def _seal_problems(head: AuditHead | None, walk: _Walk) -> list[Finding]:
    if head is None or head.unkeyed_until == 0:
        return []
    if head.unkeyed_until > walk.seq or head.unkeyed_seal != unkeyed_seal(
        walk.key, head.unkeyed_until, walk.unkeyed_end_hash or ""
    ):
        return [
            Finding(
                Check.SEAL,
                f"the head says events 1-{head.unkeyed_until} were written before the chain was "
                "keyed, but that record does not match its keyed seal: it was altered (events "
                "may have been rehashed without the key)",
            )
        ]
    return []


def _beyond_end(checkpoint: Checkpoint, last_seq: int) -> Finding:
    return Finding(
        Check.CHECKPOINT,
        f"{checkpoint.describe()} recorded {checkpoint.seq} events but the chain has {last_seq}: "
        f"events {last_seq + 1}-{checkpoint.seq} were deleted, or an older copy of the database "
        "was restored",
        checkpoint=checkpoint,
    )


def _active_checkpoints(
    path: Path | None, verify_key: VerifyKey | None
) -> tuple[list[Checkpoint], list[str], list[str]]:
    """The file's checkpoints, minus those a later restore superseded; a problem for each line
    that is not a checkpoint; and a note for each restore."""
    if path is None or not path.exists():
        return [], [], []
    checkpoints, problems = read_checkpoints(path, verify_key or settings_verify_key())
    active, notes = [], []
    for checkpoint in checkpoints:
        if checkpoint.lost_from is not None:
            lost = [c for c in active if c.seq >= checkpoint.lost_from]
            active = [c for c in active if c.seq < checkpoint.lost_from]
            notes.append(
                f"{checkpoint.describe()} records a restore of an older copy of the database "
                f"({checkpoint.reason}): {len(lost)} earlier checkpoint(s) from seq "
                f"{checkpoint.lost_from} on were lost and are no longer compared"
            )
        active.append(checkpoint)
    return active, problems, notes


def _summary(walk: _Walk, head, active: list[Checkpoint], path: Path | None) -> str:
    unkeyed = head.unkeyed_until if head else 0
    parts = [f"{walk.seq} event(s) verified with the audit key"]
    if unkeyed:
        parts[0] += f" (the first {unkeyed} from before the key, with SHA-256)"
    parts.append("the head matches")
    if path is None:
        parts.append(
            "no checkpoint file, so deleting the newest events with the head is not detectable"
        )
    elif not active:
        parts.append(f"no checkpoints yet in {path}")
    else:
        newest = max(active, key=lambda c: c.seq)
        parts.append(
            f"{len(active)} checkpoint(s) match, the newest at seq {newest.seq} ({newest.at}); "
            f"{walk.seq - newest.seq} event(s) since are protected by the key alone"
        )
    return "; ".join(parts) + "; the chain is intact"
