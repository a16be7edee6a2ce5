"""The audit hash chain: appending an event and verifying the chain.

hash = SHA-256(previous_hash + canonical JSON of the event's content). The first event's previous
hash is GENESIS_HASH. Canonical JSON: sorted keys, no whitespace, ISO 8601 timestamps in UTC.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction

from candour.web.core.models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64


def content_of(event: AuditEvent) -> dict:
    return {
        "id": event.pk,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "details": event.details,
    }


def hash_event(previous_hash: str, content: dict) -> str:
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str
    )
    return hashlib.sha256((previous_hash + canonical).encode("ascii")).hexdigest()


def append(
    *,
    actor: str,
    action: str,
    target_type: str = "",
    target_id: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit events are written inside the action's transaction")
    head, _ = AuditHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_hash": GENESIS_HASH, "count": 0}
    )
    # Round-trip details through JSON so the hash covers exactly what the database stores.
    details = json.loads(json.dumps(details or {}, default=str))
    event = AuditEvent.objects.create(
        at=datetime.now(tz=UTC),
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        details=details,
        previous_hash=head.last_hash,
        hash=None,
    )
    event.hash = hash_event(head.last_hash, content_of(event))
    event.save(update_fields=["hash"])
    head.last_hash = event.hash
    head.count += 1
    head.save(update_fields=["last_hash", "count"])
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    message: str
    first_bad_id: int | None = None


def verify() -> VerifyResult:
    """Walk the chain in order; report the first broken link."""
    previous_hash = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.previous_hash != previous_hash:
            return VerifyResult(
                False,
                checked,
                f"event #{event.pk}: its previous_hash does not match the event before it "
                "(an earlier event was deleted or altered)",
                event.pk,
            )
        expected = hash_event(previous_hash, content_of(event))
        if event.hash != expected:
            return VerifyResult(
                False,
                checked,
                f"event #{event.pk}: content does not match its hash (altered)",
                event.pk,
            )
        previous_hash = event.hash
        checked += 1
    head = AuditHead.objects.filter(id=1).first()
    head_hash, head_count = (head.last_hash, head.count) if head else (GENESIS_HASH, 0)
    if head_hash != previous_hash or head_count != checked:
        return VerifyResult(
            False,
            checked,
            f"the chain ends after {checked} event(s) but {head_count} were written "
            "(the newest events were deleted, or the head was altered)",
        )
    return VerifyResult(True, checked, f"{checked} event(s) verified; the chain is intact")
