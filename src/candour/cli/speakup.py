"""``candour speakup``: retention, guardian enrolment and coverage for the speak-up app.

Mirrors the actions in :mod:`candour.web.speakup.actions`: ``expire`` is
:func:`~candour.web.speakup.actions.expire_cases`, ``enrol-guardian`` is
:func:`~candour.web.speakup.actions.enrol_guardian`.
"""

from __future__ import annotations

import argparse
import datetime
import getpass
import sys

from candour.cli.django_setup import setup_django
from candour.exceptions import UserError

EXPIRE_ACTOR = "system:candour-speakup-expire"
ENROL_ACTOR = "system:candour-speakup-enrol-guardian"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "speakup",
        help="speak-up retention, guardian enrolment and coverage",
        description=(
            "Commands for the speak-up app: destroy expired cases (crypto-shredding), enrol a "
            "guardian's case keys, and list where guardians are missing."
        ),
    )
    actions = parser.add_subparsers(dest="speakup_command", metavar="ACTION", required=True)

    expire = actions.add_parser(
        "expire",
        help="crypto-shred closed cases whose retention has ended",
        description=(
            "For each closed case whose retention period (SPEAKUP_RETENTION_DAYS after closure) "
            "has ended, destroy its retention key in the key store outside the database (so "
            "backups taken earlier cannot be decrypted either), then delete its sealed keys, "
            "messages, notes, files and other ciphertexts; keep its metadata for past quarterly "
            "returns. Cases on legal hold are kept. Each case is audited. Then delete key-store "
            "keys of submissions that never reached the database. Run it daily (for example "
            "from cron)."
        ),
    )
    expire.add_argument(
        "--on",
        metavar="YYYY-MM-DD",
        type=_date,
        help="expire as if today were this date (default: today)",
    )
    expire.add_argument(
        "--dry-run", action="store_true", help="list the cases that would expire; change nothing"
    )
    expire.set_defaults(handler=run_expire)

    enrol = actions.add_parser(
        "enrol-guardian",
        help="create a guardian's case keys and assign them to an organisation",
        description=(
            "Create the guardian's key pair, locked with their sign-in password (asked for, "
            "never shown), assign them to the organisation (granting the guardian role for it) "
            "and print their recovery key once, for printing. Guardians can also do this "
            "themselves on the 'Your case keys' page."
        ),
    )
    enrol.add_argument("username", help="the guardian's username")
    enrol.add_argument(
        "--organisation", required=True, metavar="ODS", help="ODS code of the organisation"
    )
    enrol.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of prompting",
    )
    enrol.set_defaults(handler=run_enrol)

    coverage = actions.add_parser(
        "coverage",
        help="list organisations with guardians, and where staff found none",
        description=(
            "Print each organisation's number of guardians with case keys, and the "
            "organisations where someone tried to raise a concern in the last 90 days and "
            "found no guardian."
        ),
    )
    coverage.set_defaults(handler=run_coverage)


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, not {text!r}") from None


def run_expire(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.speakup import actions
    from candour.web.speakup.choices import Status
    from candour.web.speakup.models import Case

    day = args.on or actions.today()
    if args.dry_run:
        due = Case.objects.filter(
            status__in=[Status.CLOSED, Status.DETRIMENT_WATCH],
            expires_on__lte=day,
            legal_hold=False,
        ).order_by("expires_on", "id")
        for case in due:
            print(f"would shred case {case.pk} ({case.organisation_id}), expired {case.expires_on}")
        print(f"{due.count()} case(s) would be shredded.")
        return 0
    shredded = actions.expire_cases(on=day, by=EXPIRE_ACTOR)
    for item in shredded:
        print(
            f"shredded case {item.case_id} ({item.organisation}): {item.sealed_keys} sealed "
            f"key(s) and {item.ciphertexts} ciphertext(s) destroyed"
        )
    print(f"{len(shredded)} case(s) shredded.")
    orphans = actions.sweep_orphan_keys(by=EXPIRE_ACTOR)
    if orphans:
        print(f"{orphans} orphan retention key(s) deleted (submissions that rolled back).")
    return 0


def run_enrol(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from candour.web.core.models import User
    from candour.web.speakup import actions

    user = User.objects.filter(username=args.username).first()
    if user is None:
        raise UserError(f"no user is called {args.username!r}")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"{args.username}'s sign-in password: ")
    if not user.check_password(password):
        raise UserError(
            "that is not the guardian's sign-in password (case keys open with the same password)"
        )
    try:
        recovery_key = actions.enrol_guardian(
            user=user, password=password, organisation_code=args.organisation, by=ENROL_ACTOR
        )
    except ValidationError as exc:
        raise UserError(" ".join(exc.messages)) from None
    print(
        f"Case keys created; {args.username} now receives concerns for {args.organisation.upper()}."
    )
    print("Recovery key (shown once; print it and give it to the guardian):")
    print(f"  {recovery_key}")
    return 0


def run_coverage(args: argparse.Namespace) -> int:
    setup_django()
    from django.db.models import Count, Sum

    from candour.web.speakup import actions
    from candour.web.speakup.models import GuardianAssignment, TurnedAway

    staffed = (
        GuardianAssignment.objects.filter(guardian__is_active=True)
        .values("organisation_id")
        .annotate(n=Count("guardian", distinct=True))
        .order_by("organisation_id")
    )
    print("Guardians per organisation:")
    for row in staffed:
        warning = "  (only one: add a second for handover)" if row["n"] < 2 else ""
        print(f"  {row['organisation_id']:<6} {row['n']}{warning}")
    if not staffed:
        print("  none")
    since = actions.today() - datetime.timedelta(days=90)
    turned = (
        TurnedAway.objects.filter(seen_on__gte=since)
        .values("organisation_id")
        .annotate(attempts=Sum("attempts"))
        .order_by("-attempts")
    )
    print(f"Staff turned away for want of a guardian since {since}:")
    for row in turned:
        print(f"  {row['organisation_id']:<6} {row['attempts']} attempt(s)")
    if not turned:
        print("  none")
    return 0
