"""``candour leadership`` actions about people: the competency framework, naming fit-and-proper
officers, the retention job and the demo's synthetic appraisals.

Mirrors :func:`candour.web.leadership.actions_framework.load_framework` (``framework``),
:func:`~candour.web.leadership.actions_fitness.name_board_officer` (``officer``),
:func:`~candour.web.leadership.actions_fitness.expire_fitness_records` (``expire``) and
:func:`candour.web.leadership.demo_people.seed` (``demo-people``).
"""

from __future__ import annotations

import argparse
import datetime

from candour.cli.django_setup import setup_django
from candour.exceptions import OptionError

FRAMEWORK_ACTOR = "system:candour-leadership-framework"
OFFICER_ACTOR = "system:candour-leadership-officer"
EXPIRE_ACTOR = "system:candour-leadership-expire"
DEMO_ACTOR = "system:candour-leadership-demo"
OFFICER_KINDS = {"chair": "chair", "fppt-admin": "fppt_administrator"}


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, not {text!r}") from exc


def register_actions(actions) -> None:
    """Add these actions to the ``candour leadership`` parser's sub-commands."""
    framework = actions.add_parser(
        "framework",
        help="load a leadership competency framework (default: the bundled 2024 framework)",
        description=(
            "Store a leadership competency framework from its reviewed TOML file (domains, "
            "competencies, rating scale); without FILE, the bundled NHS leadership competency "
            "framework for board members (2024). Loading the same file again changes nothing. "
            "A changed framework whose key appraisals already use is refused: give a new "
            "version (the 2026/27 standards) its own key; new appraisals use the latest version "
            "in force."
        ),
    )
    framework.add_argument("file", metavar="FILE", nargs="?", help="the framework's TOML file")
    framework.set_defaults(handler=run_framework)

    officer = actions.add_parser(
        "officer",
        help="name (or remove) an organisation's chair or fit-and-proper administrator",
        description=(
            "Name USERNAME as ODS_CODE's chair (who signs fit-and-proper records off and reads "
            "conduct concerns) or as one of its fit-and-proper administrators (who keep the "
            "records). The chair must hold the board role for the organisation; an "
            "administrator the board or administrator role. Only they read fit-and-proper "
            "records."
        ),
    )
    officer.add_argument("kind", choices=sorted(OFFICER_KINDS), help="chair or fppt-admin")
    officer.add_argument("username", metavar="USERNAME")
    officer.add_argument("ods_code", metavar="ODS_CODE")
    officer.add_argument("--remove", action="store_true", help="remove the naming instead")
    officer.set_defaults(handler=run_officer)

    expire = actions.add_parser(
        "expire",
        help="delete fit-and-proper records past the director's 75th birthday",
        description=(
            "Delete exactly the records kept until a director's 75th birthday that has come: "
            "fit-and-proper records (with their checks), board references and conduct concerns "
            "about the director. Each deletion is audited with the kind of record, its id, "
            "organisation and year, never whom it was about or what it said. Records of people "
            "without a date of birth are kept. Run it daily (for example from cron), followed "
            "by 'candour audit checkpoint'."
        ),
    )
    expire.add_argument("--on", metavar="YYYY-MM-DD", type=_date, help="as if today were this date")
    expire.add_argument(
        "--dry-run", action="store_true", help="count what would be deleted; change nothing"
    )
    expire.set_defaults(handler=run_expire)

    demo = actions.add_parser(
        "demo-people",
        help="SYNTHETIC appraisals, 360s, fit-and-proper records and a new deal for the demo",
        description=(
            "After 'candour demo-users': load the bundled competency framework and make "
            "SYNTHETIC leadership records for the demo accounts at R0B, each labelled "
            "synthetic: demo-board's appraisals (last year's closed with its 360 released, a "
            "group of three raters shown and a group of two not; this year's open with "
            "requests waiting, one for demo-staff), fit-and-proper records kept by demo-admin "
            "and signed off by demo-board as chair, a conduct concern, and a new-deal package "
            "with an overdue commitment from the centre. Re-running adds nothing twice."
        ),
    )
    demo.set_defaults(handler=run_demo_people)


def run_framework(args: argparse.Namespace) -> int:
    setup_django()
    from candour.importers.framework import load_framework
    from candour.web.leadership.actions_framework import load_framework as store

    definition = load_framework(args.file)
    framework, changed = store(definition=definition, by=FRAMEWORK_ACTOR)
    state = "loaded" if changed else "already loaded, unchanged"
    print(
        f"framework {framework.key} ({framework.name}, {framework.version}): {state}; "
        f"{len(definition.domains)} domains, {len(definition.competencies)} competencies, "
        f"in force from {framework.in_force_from}"
    )
    return 0


def run_officer(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from candour.web.core.models import User
    from candour.web.leadership import actions_fitness
    from candour.web.oversight.models import Organisation

    user = User.objects.filter(username=args.username).first()
    if user is None:
        raise OptionError(f"no user {args.username!r}")
    organisation = Organisation.objects.filter(pk=args.ods_code.upper()).first()
    if organisation is None:
        raise OptionError(f"no organisation with ODS code {args.ods_code!r}")
    kind = OFFICER_KINDS[args.kind]
    if args.remove:
        removed = actions_fitness.remove_board_officer(
            organisation=organisation, user=user, kind=kind, by=OFFICER_ACTOR
        )
        print(f"{args.username}: {'removed' if removed else 'was not named'} as {args.kind}")
        return 0
    try:
        actions_fitness.name_board_officer(
            organisation=organisation, user=user, kind=kind, by=OFFICER_ACTOR
        )
    except ValidationError as exc:
        raise OptionError(" ".join(exc.messages)) from exc
    print(f"{args.username}: named {args.kind} of {organisation.pk}")
    return 0


def run_expire(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from candour.web.leadership.actions_fitness import expire_fitness_records

    on = args.on or timezone.localdate()
    found = expire_fitness_records(as_of=on, by=EXPIRE_ACTOR, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    print(
        f"{verb} {found.records} fit-and-proper record(s), {found.references} board "
        f"reference(s) and {found.conduct_concerns} conduct concern(s) past the director's "
        f"75th birthday (as of {on})"
    )
    return 0


def run_demo_people(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.leadership.demo_people import seed

    seeded = seed(by=DEMO_ACTOR)
    print(
        f"SYNTHETIC leadership records: {seeded.appraisals} appraisals, "
        f"{seeded.feedback_answers} 360 answers, {seeded.fppt_records} fit-and-proper records, "
        f"{seeded.conduct_concerns} conduct concern(s), {seeded.packages} new-deal package(s)"
    )
    return 0
