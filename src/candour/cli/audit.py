"""``candour audit verify``: check the audit log's hash chain."""

from __future__ import annotations

import argparse

from candour.cli.django_setup import setup_django

EXIT_CHAIN_BROKEN = 1


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="check the audit log",
        description="Commands for the audit log, whose events form a SHA-256 hash chain.",
    )
    actions = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="verify the hash chain; exit status 1 at the first broken link",
        description=(
            "Recompute every event's hash in order and compare it with the stored one and with the "
            "next event's link. Reports the first altered or deleted event and exits with status 1; "
            "exits 0 when the chain is intact."
        ),
    )
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.core.audit import verify

    result = verify()
    print(("OK: " if result.ok else "BROKEN: ") + result.message)
    return 0 if result.ok else EXIT_CHAIN_BROKEN
