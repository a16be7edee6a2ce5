"""A per-machine secret key for development and the demo, kept outside the repository."""

from __future__ import annotations

import secrets
from pathlib import Path


def local_secret_key(var_dir: Path) -> str:
    """Read ``var/secret_key``, creating it (mode 600) on first use."""
    path = Path(var_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def local_receipt_pepper(var_dir: Path) -> str:
    """Read ``var/receipt_pepper`` (64 hex characters: the speak-up receipt lookup pepper),
    creating it (mode 600) on first use. Losing it makes existing receipts unfindable."""
    return _local_hex_secret(Path(var_dir) / "receipt_pepper")


def local_audit_key(var_dir: Path) -> str:
    """Read ``var/audit_key`` (64 hex characters: the audit chain's HMAC key), creating it
    (mode 600) on first use. Losing it makes every event after it fail ``candour audit verify``."""
    return _local_hex_secret(Path(var_dir) / "audit_key")


def local_audit_signing_key(var_dir: Path) -> str:
    """Read ``var/audit_signing_key`` (64 hex characters: the seed of the Ed25519 key signing
    audit checkpoints), creating it (mode 600) on first use."""
    return _local_hex_secret(Path(var_dir) / "audit_signing_key")


def _local_hex_secret(path: Path, nbytes: int = 32) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(nbytes), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()
