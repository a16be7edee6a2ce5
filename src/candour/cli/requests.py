"""``candour requests``: load the data-request registry from a reviewed file, put a person on a
requesting body's staff, and measure the fuzzy matcher on labelled item pairs.

Mirrors :func:`candour.importers.datarequests.load_registry` with
:func:`candour.web.datarequests.actions.load_registry` (``load``),
:func:`candour.web.datarequests.actions.add_requester_staff` (``add-staff``) and
:func:`candour.analytics.datarequests.evaluate` (``evaluate``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from candour.cli.django_setup import setup_django
from candour.exceptions import OptionError
from candour.importers.datarequests import (
    CALIBRATION_PAIRS_FILE,
    DEFAULT_REGISTRY_FILE,
    DEMO_REGISTRY_FILE,
    DEVELOPMENT_PAIRS_FILE,
    TEST_PAIRS_FILE,
    load_labelled_pairs,
    load_registry,
)

ACTOR = "system:candour-requests"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "requests",
        help="the data-request registry: load requests, add requesters' staff, check the matcher",
        description=(
            "Commands for the data-request registry (docs/reference/requests.md): one register "
            "of who asks organisations for what, which items repeat another request, and which "
            "Candour can answer from data it already holds."
        ),
    )
    actions = parser.add_subparsers(dest="requests_command", metavar="ACTION", required=True)

    load = actions.add_parser(
        "load",
        help="load requests from a reviewed TOML file (default: the national collections)",
        description=(
            "Check a registry file and store its requesting bodies and requests, all or nothing "
            f"(default: the bundled national collections, {DEFAULT_REGISTRY_FILE.name}). A "
            "request is matched by its key, so loading a file again updates its requests and "
            "replaces their items. Each request's organisations are resolved against the "
            "database, so import the datasets first (candour import all). --demo loads the "
            "demo's SYNTHETIC requests, labelled synthetic wherever they are shown."
        ),
    )
    load.add_argument("file", metavar="FILE", nargs="?", help="registry TOML file")
    load.add_argument(
        "--demo",
        action="store_true",
        help=f"load the SYNTHETIC demo requests ({DEMO_REGISTRY_FILE.name}) instead of FILE",
    )
    load.set_defaults(handler=run_load)

    staff = actions.add_parser(
        "add-staff",
        help="let a person register requests for a requesting body",
        description=(
            "Put USERNAME on the staff of the requesting body REQUESTER (its id, e.g. "
            "nhs_england). With the data-requester or regional-oversight role they may then "
            "register its requests, asking the organisations their role is granted for."
        ),
    )
    staff.add_argument("username", metavar="USERNAME")
    staff.add_argument("requester", metavar="REQUESTER", help="the requesting body's id")
    staff.set_defaults(handler=run_add_staff)

    evaluate = actions.add_parser(
        "evaluate",
        help="precision and recall of the fuzzy item matcher on labelled pairs",
        description=(
            "Run the fuzzy matcher on files of item pairs labelled duplicate or not (default: "
            "the bundled calibration, development and test pairs) and print, for each, the "
            "pairs, precision, recall and the pairs it got wrong."
        ),
    )
    evaluate.add_argument("files", metavar="FILE", nargs="*", help="labelled pairs (CSV)")
    evaluate.set_defaults(handler=run_evaluate)


def run_load(args: argparse.Namespace) -> int:
    if args.demo and args.file:
        raise OptionError("give a FILE or --demo, not both")
    registry = load_registry(DEMO_REGISTRY_FILE if args.demo else args.file)
    setup_django()
    from candour.web.datarequests.actions import load_registry as store

    summary = store(registry=registry, by=ACTOR)
    print(
        f"{Path(registry.path).name}: {summary.requests} requests ({summary.created} new) with "
        f"{summary.items} items from {summary.requesters} requesting bodies"
    )
    return 0


def run_add_staff(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.core.models import User
    from candour.web.datarequests.actions import add_requester_staff
    from candour.web.datarequests.models import Requester

    user = User.objects.filter(username=args.username).first()
    if user is None:
        raise OptionError(f"no user {args.username!r}")
    requester = Requester.objects.filter(pk=args.requester).first()
    if requester is None:
        known = ", ".join(Requester.objects.order_by("pk").values_list("pk", flat=True)) or "none"
        raise OptionError(f"no requesting body {args.requester!r}; known: {known}")
    add_requester_staff(requester=requester, user=user, by=ACTOR)
    print(f"{user.get_username()} registers requests for {requester.name}")
    return 0


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def run_evaluate(args: argparse.Namespace) -> int:
    from candour.analytics.datarequests import FUZZY_THRESHOLD, evaluate

    files = args.files or [CALIBRATION_PAIRS_FILE, DEVELOPMENT_PAIRS_FILE, TEST_PAIRS_FILE]
    print(f"fuzzy threshold {FUZZY_THRESHOLD:g}")
    for path in files:
        scores = evaluate(load_labelled_pairs(path))
        wrong = ", ".join(scores.wrong) or "none"
        print(
            f"{Path(path).name}: {scores.pairs} pairs, precision {_percent(scores.precision)} "
            f"({scores.true_positives}/{scores.true_positives + scores.false_positives}), "
            f"recall {_percent(scores.recall)} "
            f"({scores.true_positives}/{scores.true_positives + scores.false_negatives}); "
            f"wrong: {wrong}"
        )
    return 0
