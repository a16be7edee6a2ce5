"""The audit chain: appending an event, and the hashes that link the events.

Each event has a sequence number (1, 2, 3, ... with no gaps) and
``hash = HMAC-SHA-256(AUDIT_KEY, EVENT_LABEL + previous_hash + canonical JSON of its content)``,
where the content includes the sequence number and the id. The first event's previous hash is
GENESIS_HASH. Canonical JSON: sorted keys, no whitespace, ISO 8601 timestamps in UTC. The key is
held outside the database, so a database writer can neither recompute the chain after an edit nor
append an event that verifies.

Databases made before the key existed keep their first events as they were (``hash = SHA-256(
previous_hash + canonical JSON)``, content without the sequence number): the migration that added
the key records how many (``AuditHead.unkeyed_until``) with a keyed seal over that count and the
last unkeyed hash, and appends an ``audit.keyed`` event linked to it. ``candour audit verify``
(:mod:`candour.web.core.audit_verify`) checks both parts. docs/reference/audit.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Final

from django.db import transaction

from candour.web.core.audit_keys import chain_key
from candour.web.core.models import AuditEvent, AuditHead

GENESIS_HASH: Final = "0" * 64
# Domain separation: a keyed event hash can never equal the seal over the unkeyed part.
EVENT_LABEL: Final = b"candour:audit-event:v1\n"
UNKEYED_SEAL_LABEL: Final = b"candour:audit-unkeyed-until:v1\n"


class AuditChainError(RuntimeError):
    """The chain cannot take another event (its head is missing while events exist)."""


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)


def unkeyed_content_of(event: AuditEvent) -> dict:
    """What an event's hash covered before the chain was keyed."""
    return {
        "id": event.pk,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "details": event.details,
    }


def content_of(event: AuditEvent) -> dict:
    """What a keyed event's hash covers: everything stored but the hashes themselves."""
    return {**unkeyed_content_of(event), "seq": event.seq}


def keyed_hash(key: bytes, previous_hash: str, content: dict) -> str:
    message = EVENT_LABEL + (previous_hash + canonical_json(content)).encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def unkeyed_hash(previous_hash: str, content: dict) -> str:
    """SHA-256 without a key: how events were hashed before the chain was keyed."""
    return hashlib.sha256((previous_hash + canonical_json(content)).encode("ascii")).hexdigest()


def unkeyed_seal(key: bytes, unkeyed_until: int, last_unkeyed_hash: str) -> str:
    """The keyed seal over where the unkeyed part of the chain ends and its last hash."""
    message = UNKEYED_SEAL_LABEL + f"{unkeyed_until}:{last_unkeyed_hash}".encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


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
    head = _locked_head()
    # Round-trip details through JSON so the hash covers exactly what the database stores.
    details = json.loads(json.dumps(details or {}, default=str))
    return chain_event(
        AuditEvent,
        head,
        chain_key(),
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        details=details,
    )


def chain_event(event_model, head, key: bytes, **fields):
    """Insert an event after ``head`` (locked by the caller) and move the head to it. Takes the
    model so that migration 0002 can use its historical one."""
    event = event_model.objects.create(
        seq=head.count + 1,
        at=datetime.now(tz=UTC),
        previous_hash=head.last_hash,
        hash=None,
        **fields,
    )
    event.hash = keyed_hash(key, head.last_hash, content_of(event))
    event.save(update_fields=["hash"])
    head.last_hash = event.hash
    head.count = event.seq
    head.save(update_fields=["last_hash", "count"])
    return event


def _locked_head() -> AuditHead:
    """The head row, locked until the transaction ends: every audited write waits here, so
    events get their sequence numbers one at a time and the chain cannot fork."""
    head, created = AuditHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_hash": GENESIS_HASH, "count": 0}
    )
    if created and AuditEvent.objects.exists():
        raise AuditChainError(
            "the audit head is missing but audit events exist: the chain was tampered with; "
            "run `candour audit verify`"
        )
    return head
