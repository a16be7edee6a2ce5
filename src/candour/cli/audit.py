"""``candour audit``: verify the keyed audit chain, write signed checkpoints of it.

Mirrors :func:`candour.web.core.audit_verify.verify` and
:func:`candour.web.core.actions.checkpoint_audit_chain`.
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from pathlib import Path

from candour.cli.django_setup import setup_django
from candour.exceptions import ConfigurationError

EXIT_CHAIN_BROKEN = 1
CHECKPOINT_ACTOR = "system:candour-audit-checkpoint"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="check the audit log, write signed checkpoints of it",
        description=(
            "Commands for the audit log, whose events form a hash chain keyed with AUDIT_KEY "
            "(HMAC-SHA-256), anchored by Ed25519-signed checkpoints kept outside the database "
            "(docs/reference/audit.md)."
        ),
    )
    actions = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="verify the chain, its head and every checkpoint; exit status 1 if anything is wrong",
        description=(
            "Walk the events in sequence order: every sequence number present, every link to the "
            "event before, every hash the HMAC of the event's content under the audit key (SHA-256 "
            "for events from before the key). Then check the head, and compare every signed "
            "checkpoint with the event at its sequence number. Prints each problem, naming the "
            "check that found it (seq, link, hash, seal, head, checkpoint), and exits with status "
            "1; exits 0 when everything matches."
        ),
    )
    verify.add_argument(
        "--checkpoints",
        metavar="FILE",
        type=Path,
        help="compare with this checkpoint file (for example a published copy) instead of "
        "AUDIT_CHECKPOINTS",
    )
    verify.add_argument(
        "--verify-key",
        metavar="HEX",
        default="",
        help="the checkpoints' public key (default: AUDIT_VERIFY_KEY, or the signing key's)",
    )
    verify.set_defaults(handler=run_verify)
    checkpoint = actions.add_parser(
        "checkpoint",
        help="verify the chain, then append its signed head to the checkpoint file (daily job)",
        description=(
            "Verify the chain as `candour audit verify` does; if it is intact, sign its last "
            "sequence number and hash with AUDIT_SIGNING_KEY (Ed25519) and append them, with the "
            "time, as one line of JSON to AUDIT_CHECKPOINTS. A broken chain gets no checkpoint "
            "(exit status 1). Run it daily, after `candour speakup expire`, and keep the file "
            "where the database's writers cannot change it."
        ),
    )
    checkpoint.add_argument(
        "--print",
        action="store_true",
        dest="print_line",
        help="also print the checkpoint's line, for publishing",
    )
    checkpoint.add_argument(
        "--restored",
        metavar="REASON",
        default="",
        help="after restoring an older copy of the database on purpose: when the chain is intact "
        "but no longer reaches some checkpoints, record the loss (an audit.restore event naming "
        "them, and a checkpoint saying so) so that they are no longer compared",
    )
    checkpoint.set_defaults(handler=run_checkpoint)
    key = actions.add_parser(
        "verify-key",
        help="print the public key that checks checkpoints, for publishing",
        description="Print the Ed25519 public key of AUDIT_SIGNING_KEY as hex.",
    )
    key.set_defaults(handler=run_verify_key)


def run_verify(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.core.audit_keys import verify_key
    from candour.web.core.audit_verify import SETTINGS, verify

    with _configuration():
        key = verify_key(args.verify_key) if args.verify_key else None
        result = verify(checkpoints=args.checkpoints or SETTINGS, verify_key=key)
    _print_result(result)
    return 0 if result.ok else EXIT_CHAIN_BROKEN


def run_checkpoint(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.core.actions import checkpoint_audit_chain

    with _configuration():
        result, checkpoint = checkpoint_audit_chain(
            by=CHECKPOINT_ACTOR, restored_reason=args.restored
        )
    if checkpoint is None:
        _print_result(result)
        print("No checkpoint written.")
        return EXIT_CHAIN_BROKEN
    if checkpoint.lost_from is not None:
        print(f"Restore recorded: checkpoints from seq {checkpoint.lost_from} on were lost.")
    print(f"Checkpoint written: seq {checkpoint.seq}, hash {checkpoint.hash}.")
    if args.print_line:
        print(checkpoint.as_line())
    return 0


def run_verify_key(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.core.audit_keys import signing_key

    with _configuration():
        print(signing_key().verify_key.encode().hex())
    return 0


def _print_result(result) -> None:
    print(("OK: " + result.summary) if result.ok else f"BROKEN: {len(result.findings)} problem(s)")
    for finding in result.findings:
        print(f"  [{finding.check}] {finding.message}")
    for note in result.notes:
        print(f"  note: {note}")


@contextmanager
def _configuration():
    """A missing or malformed key or path is the user's to fix: a message, exit status 2."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        yield
    except ImproperlyConfigured as exc:
        raise ConfigurationError(str(exc)) from None
