"""``candour charts render``: every chart the pages link to, drawn once for the current data.

Run by the daily job and after imports (docs/how-to/deploy.md), never inside a request: the SPC
chart of each open organisation's current measures, each measure's funnel, each open mortality
alert's chart and the Making Data Count icons of every series (predecessors' too), stored for the
current data version (candour.web.oversight.chart_store); then the charts of older versions are
deleted.
"""

from __future__ import annotations

import argparse

from candour.cli.django_setup import setup_django
from candour.exceptions import OptionError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "charts",
        help="charts drawn once per change of data",
        description="Commands for the charts the pages serve as stored.",
    )
    actions = parser.add_subparsers(dest="charts_command", metavar="ACTION", required=True)
    render = actions.add_parser(
        "render",
        help="draw and store every chart the pages link to, for the current data",
        description=(
            "Draw and store, for the current data version, the charts the pages link to: each "
            "open organisation's SPC charts of its current measures (a chart shown only as "
            "history is drawn on its first view) with the icons of all its series (its "
            "predecessors' too), each measure's funnel and each open mortality alert's chart. Charts already stored "
            "for the version are kept, so an interrupted run carries on. Then the charts of "
            "older data versions are deleted (with --organisation, only those organisations' "
            "charts). The charts' version is that of the last change a chart draws (an import, "
            "a measure sync, a target): the daily speak-up counts and a mortality alert's "
            "workflow change the assessment, not the charts. Run it after imports and in the "
            "daily job: a page never waits for a chart."
        ),
    )
    render.add_argument(
        "--organisation",
        metavar="ODS",
        action="append",
        default=None,
        help="only this open organisation's charts and icons (repeatable); no funnels or alerts",
    )
    render.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="draw in N processes side by side (default 1; at most the cores to spare)",
    )
    render.set_defaults(handler=run_render)


def run_render(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.oversight.prerender import render_all

    if args.jobs < 1:
        raise OptionError(f"--jobs must be at least 1, not {args.jobs}")
    try:
        done = render_all(organisations=args.organisation, jobs=args.jobs)
    except LookupError as exc:
        raise OptionError(str(exc)) from None
    drawn = sum(done.drawn.values())
    found = sum(done.found.values())
    print(
        f"Charts of data version {done.version}: {drawn} drawn, {found} already stored, "
        f"{done.purged} of older versions deleted ({done.seconds:.0f} s)."
    )
    for kind in sorted(set(done.drawn) | set(done.found)):
        print(f"  {kind}: {done.drawn.get(kind, 0)} drawn, {done.found.get(kind, 0)} stored")
    return 0
