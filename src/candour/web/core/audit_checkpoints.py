"""Checkpoints: the chain's head, signed and written outside the database.

One line of JSON per checkpoint, appended to the ``AUDIT_CHECKPOINTS`` file and never rewritten::

    {"at": "...", "hash": "<head hash>", "key": "<verify key>", "seq": 42, "signature": "..."}

The signature is Ed25519 (PyNaCl) over ``CHECKPOINT_LABEL`` and the canonical JSON of every other
field, so no field can be changed or added. A checkpoint written after restoring an older copy of
the database also carries ``lost_from`` (the lowest sequence number of the checkpoints the restored
chain no longer matches) and ``reason``; checkpoints before it from that number on are superseded,
not compared. The daily job
runs ``candour audit checkpoint`` (``candour.web.core.actions.checkpoint_audit_chain``);
``candour audit verify`` compares the chain with every checkpoint. docs/reference/audit.md.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from candour.web.core.audit import canonical_json

CHECKPOINT_LABEL: Final = b"candour:audit-checkpoint:v1\n"
FIELDS: Final = frozenset({"seq", "hash", "at", "key"})
RESTORE_FIELDS: Final = frozenset({"lost_from", "reason"})
HEX_HASH: Final = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    key: str
    signature: str
    lost_from: int | None = None
    reason: str = ""
    line: int = 0  # where it is in its file (1 = first line); not signed

    def signed_fields(self) -> dict:
        fields = {"seq": self.seq, "hash": self.hash, "at": self.at, "key": self.key}
        if self.lost_from is not None:
            fields |= {"lost_from": self.lost_from, "reason": self.reason}
        return fields

    def as_line(self) -> str:
        return canonical_json({**self.signed_fields(), "signature": self.signature})

    def describe(self) -> str:
        return f"the checkpoint of {self.at} (line {self.line})"


class CheckpointFileError(ValueError):
    """A line of the checkpoint file that is not a checkpoint signed by the verify key."""


def signed_message(fields: dict) -> bytes:
    return CHECKPOINT_LABEL + canonical_json(fields).encode("ascii")


def sign(
    signing_key: SigningKey, *, seq: int, hash: str, lost_from: int | None = None, reason=""
) -> Checkpoint:
    unsigned = Checkpoint(
        seq=seq,
        hash=hash,
        at=datetime.now(tz=UTC).isoformat(timespec="seconds"),
        key=signing_key.verify_key.encode().hex(),
        signature="",
        lost_from=lost_from,
        reason=reason,
    )
    signature = signing_key.sign(signed_message(unsigned.signed_fields())).signature.hex()
    return Checkpoint(**{**unsigned.__dict__, "signature": signature})


def parse_line(text: str, line: int, verify_key: VerifyKey) -> Checkpoint:
    """One line of the file, checked against the verify key; raises CheckpointFileError."""
    try:
        fields = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CheckpointFileError(f"line {line} is not JSON ({exc.msg})") from None
    if not isinstance(fields, dict) or not isinstance(fields.get("signature"), str):
        raise CheckpointFileError(f"line {line} is not a signed checkpoint")
    signature = fields.pop("signature")
    try:
        verify_key.verify(signed_message(fields), bytes.fromhex(signature))
    except (BadSignatureError, ValueError):
        raise CheckpointFileError(
            f"line {line}: its signature does not verify: the checkpoint was altered or forged, "
            "or signed by another key"
        ) from None
    known = FIELDS | RESTORE_FIELDS if "lost_from" in fields else FIELDS
    if fields.keys() != known or not _well_formed(fields):
        raise CheckpointFileError(f"line {line}: signed, but not a checkpoint this version reads")
    return Checkpoint(
        seq=fields["seq"],
        hash=fields["hash"],
        at=fields["at"],
        key=fields["key"],
        signature=signature,
        lost_from=fields.get("lost_from"),
        reason=fields.get("reason", ""),
        line=line,
    )


def _well_formed(fields: dict) -> bool:
    counts = [fields["seq"], fields.get("lost_from", 0)]
    return (
        all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in counts)
        and isinstance(fields["hash"], str)
        and bool(HEX_HASH.fullmatch(fields["hash"]))
        and isinstance(fields["at"], str)
        and isinstance(fields.get("reason", ""), str)
    )


def read_checkpoints(path: Path, verify_key: VerifyKey) -> tuple[list[Checkpoint], list[str]]:
    """Every checkpoint in the file, and a problem for every line that is not one."""
    checkpoints, problems = [], []
    if not path.exists():
        return checkpoints, problems
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                checkpoints.append(parse_line(text, number, verify_key))
            except CheckpointFileError as exc:
                problems.append(f"{path}, {exc}")
    return checkpoints, problems


def append_line(path: Path, checkpoint: Checkpoint) -> None:
    """Append (never rewrite) one line and flush it to the disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(checkpoint.as_line() + "\n")
        file.flush()
        os.fsync(file.fileno())
