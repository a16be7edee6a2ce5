"""``candour targets import``: register targets from a TOML file, published with their
balancing measures, resources and consequence policy, or rejected."""

from __future__ import annotations

import argparse

from candour.cli.django_setup import setup_django
from candour.exceptions import UserError
from candour.importers.targets import DEFAULT_TARGETS_FILE, load_targets


class TargetRejected(UserError):
    """A target in the file cannot be saved or published."""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "targets",
        help="register performance targets from a file",
        description="Commands for the targets registry.",
    )
    actions = parser.add_subparsers(dest="targets_command", metavar="ACTION", required=True)
    load = actions.add_parser(
        "import",
        help="register (and publish) the targets in a TOML file",
        description=(
            "Register every target in a TOML file (default: the bundled national standards) and "
            "publish it. A target is published only if it names a balancing measure from the "
            "patient-safety domain, the resources and support provided, and a consequence "
            "policy restricted to misconduct or serious incompetence; otherwise nothing in the "
            "file is saved and the command exits 2 naming what is missing. With --draft the "
            "targets are saved unpublished."
        ),
    )
    load.add_argument(
        "file", metavar="FILE", nargs="?", help=f"TOML file; default: {DEFAULT_TARGETS_FILE.name}"
    )
    load.add_argument("--draft", action="store_true", help="save as drafts without publishing")
    load.set_defaults(handler=run_import)


def run_import(args: argparse.Namespace) -> int:
    definitions = load_targets(args.file)
    setup_django()
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from candour.web.oversight.actions import save_target, sync_measures

    try:
        with transaction.atomic():
            sync_measures(by="system:candour-targets")
            for d in definitions:
                save_target(
                    target_id=d.id,
                    fields={
                        "name": d.name,
                        "measure_id": d.measure,
                        "comparison": d.comparison,
                        "threshold": d.threshold,
                        "set_by": d.set_by,
                        "effective_from": d.effective_from,
                        "effective_to": d.effective_to,
                        "organisation_types": list(d.organisation_types),
                        "resources_and_support": d.resources_and_support,
                        "consequence_policy": d.consequence_policy,
                        "consequence_notes": d.consequence_notes,
                        "rationale": d.rationale,
                    },
                    balancing_measure_ids=list(d.balancing_measures),
                    publish=not args.draft,
                    by="system:candour-targets",
                )
    except ValidationError as exc:
        raise TargetRejected(
            f"{args.file or DEFAULT_TARGETS_FILE}: " + " ".join(exc.messages)
        ) from exc
    state = "drafts" if args.draft else "published"
    print(f"{len(definitions)} targets saved ({state}): {', '.join(d.id for d in definitions)}")
    return 0
