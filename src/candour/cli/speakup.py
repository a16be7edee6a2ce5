"""``candour speakup``: retention, notifications, guardians' keys and assignments, coverage,
orphan keys.

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
ADMIN_ACTOR = "system:candour-speakup"
NOTIFY_ACTOR = "system:candour-speakup-notify"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "speakup",
        help="speak-up retention, guardians, coverage and key store",
        description=(
            "Commands for the speak-up app: destroy expired cases (crypto-shredding); tell "
            "guardians there is something new; enrol, "
            "assign and unassign guardians and replace lost keys; list where guardians are "
            "missing; find retention keys left by submissions that rolled back."
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
            "messages, notes, files and other ciphertexts, and clear the plaintext written for "
            "action owners (action descriptions and evidence, referral references, disclosure "
            "reasons); keep its metadata for past quarterly "
            "returns. Cases on legal hold are kept. Each case is audited. Then write to the "
            "audit log the counts, per organisation and day, of what people speaking up did on "
            "the days before (concerns, replies, answers, visits finding no guardian): they are "
            "never audited as they happen, so that no timestamp dates them. Run it daily (for "
            "example from cron) with the server's settings, followed by `candour audit "
            "checkpoint`."
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

    notify = actions.add_parser(
        "notify",
        help="email guardians that there is something new (no content)",
        description=(
            "Email every guardian of each organisation where people speaking up sent something "
            "(a concern, a reply, an answer, a file) on an earlier day and nobody has been told "
            "yet: one email each, saying only that there is something new at that "
            "organisation (no content, no case, no count). Sent through Django's email backend "
            "(SMTP in production: CANDOUR_EMAIL_HOST...). Run it daily, after midnight: an "
            "email sent when the person acted would date what they did to the second; sent the "
            "next morning about the day before, it dates nothing more than the day already "
            "recorded. Each organisation told is audited (speakup.notify)."
        ),
    )
    notify.add_argument(
        "--include-today",
        action="store_true",
        help="also tell them about today so far (quicker, but the email's time then narrows "
        "when someone acted to between two runs)",
    )
    notify.set_defaults(handler=run_notify)

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
    _guardian_arguments(enrol, organisation=True, password=True)
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

    assign = actions.add_parser(
        "assign-guardian",
        help="make an enrolled guardian receive an organisation's concerns too",
        description=(
            "Assign a guardian who already has case keys to another organisation (granting the "
            "guardian role for it). Concerns raised there from now on are sealed to them; earlier "
            "ones are shared by a guardian who can read them (the case page's 'Share')."
        ),
    )
    _guardian_arguments(assign, organisation=True)
    assign.set_defaults(handler=run_assign)

    unassign = actions.add_parser(
        "unassign-guardian",
        help="stop a guardian receiving an organisation's concerns and remove their access",
        description=(
            "Remove the guardian's assignment and guardian role for the organisation and delete "
            "their sealed keys to its cases. Refused while any case there can be read by this "
            "guardian alone: they must hand it over first, so no case is left unreadable."
        ),
    )
    _guardian_arguments(unassign, organisation=True)
    unassign.set_defaults(handler=run_unassign)

    replace = actions.add_parser(
        "replace-guardian-keys",
        help="new case keys for a guardian who lost both password and recovery key",
        description=(
            "Create a new key pair for the guardian, locked with their current sign-in password "
            "(asked for, never shown), and print the new recovery key once. Their sealed keys to "
            "cases cannot be opened by anyone any more and are deleted: another guardian of "
            "each case must share it with them again. There is no escrow."
        ),
    )
    _guardian_arguments(replace, password=True)
    replace.set_defaults(handler=run_replace_keys)

    orphans = actions.add_parser(
        "orphan-keys",
        help="list (or delete) retention keys of submissions that never reached the database",
        description=(
            "A submission writes its case's retention key before its database rows, so one that "
            "rolled back leaves a key without a case. This lists those keys (an hour old or "
            "more); --delete deletes them. Both first check that the key store belongs to this "
            "database and stop, deleting nothing, if it does not."
        ),
    )
    orphans.add_argument("--delete", action="store_true", help="delete the orphan keys listed")
    orphans.set_defaults(handler=run_orphan_keys)


def _guardian_arguments(parser, *, organisation: bool = False, password: bool = False) -> None:
    """The guardian's username, and optionally --organisation and --password-stdin."""
    parser.add_argument("username", help="the guardian's username")
    if organisation:
        parser.add_argument(
            "--organisation", required=True, metavar="ODS", help="ODS code of the organisation"
        )
    if password:
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input instead of prompting",
        )


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, not {text!r}") from None


def _republish_speakup_counts() -> None:
    """The concern-first assessment reads the published speak-up counts once a day, here."""
    from django.db import transaction

    from candour.web.oversight import assessment

    with transaction.atomic():
        assessment.bump("speak-up counts", charts=False)  # no chart draws them


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
            f"key(s) and {item.ciphertexts} ciphertext(s) destroyed, {item.shared_texts} shared "
            "text(s) cleared"
        )
    print(f"{len(shredded)} case(s) shredded.")
    events = actions.audit_reporter_activity(before=day, by=EXPIRE_ACTOR)
    _republish_speakup_counts()
    print(f"{events} audit event(s) written for what people speaking up did on earlier days.")
    return 0


def run_notify(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.speakup import actions

    notified = actions.notify_guardians(include_today=args.include_today, by=NOTIFY_ACTOR)
    for username in notified.without_email:
        print(f"warning: guardian {username} has no email address", file=sys.stderr)
    places = ", ".join(notified.organisations) or "none"
    print(
        f"{notified.emails} email(s) sent about {len(notified.organisations)} organisation(s): {places}."
    )
    return 0


def _user(username: str):
    from candour.web.core.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise UserError(f"no user is called {username!r}")
    return user


def _password(args: argparse.Namespace, user) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"{args.username}'s sign-in password: ")
    if not user.check_password(password):
        raise UserError(
            "that is not the guardian's sign-in password (case keys open with the same password)"
        )
    return password


def _as_user_error(action, **kwargs):
    from django.core.exceptions import ValidationError

    try:
        return action(**kwargs)
    except ValidationError as exc:
        raise UserError(" ".join(exc.messages)) from None


def run_assign(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.speakup import actions

    user = _user(args.username)
    _as_user_error(
        actions.assign_guardian, user=user, organisation_code=args.organisation, by=ADMIN_ACTOR
    )
    print(f"{args.username} now receives concerns for {args.organisation.upper()}.")
    return 0


def run_unassign(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.speakup import actions

    user = _user(args.username)
    removed = _as_user_error(
        actions.unassign_guardian, user=user, organisation_code=args.organisation, by=ADMIN_ACTOR
    )
    print(
        f"{args.username} no longer receives concerns for {args.organisation.upper()}; "
        f"{removed} sealed key(s) removed."
    )
    return 0


def run_replace_keys(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.speakup import actions

    user = _user(args.username)
    password = _password(args, user)
    recovery_key = _as_user_error(
        actions.replace_guardian_keys, user=user, password=password, by=ADMIN_ACTOR
    )
    print(f"New case keys for {args.username}. Recovery key (shown once; print it):")
    print(f"  {recovery_key}")
    return 0


def run_orphan_keys(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.speakup import actions

    if args.delete:
        orphans = _as_user_error(actions.delete_orphan_keys, by=ADMIN_ACTOR)
        verb = "deleted"
    else:
        _as_user_error(actions.check_keystore_matches_database)
        orphans = actions.orphan_keys()
        verb = "found (run with --delete to delete them)" if orphans else "found"
    for case_id in orphans:
        print(f"orphan retention key {case_id}")
    print(f"{len(orphans)} orphan key(s) {verb}.")
    return 0


def run_enrol(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.speakup import actions

    user = _user(args.username)
    password = _password(args, user)
    recovery_key = _as_user_error(
        actions.enrol_guardian,
        user=user,
        password=password,
        organisation_code=args.organisation,
        by=ENROL_ACTOR,
    )
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
