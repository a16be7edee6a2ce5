"""``candour leadership``: the demo's synthetic board ledger and talent pools; and the board
ledger import behind ``candour import board_ledger FILE``.

Mirrors :func:`candour.analytics.leadership.synthetic.synthetic_ledger` (``synthetic-ledger``),
:func:`~candour.analytics.leadership.synthetic_talent.synthetic_talent` with
:func:`candour.web.leadership.actions.load_talent` (``demo-talent``) and
:func:`candour.web.leadership.actions.import_board_ledger` (``candour import board_ledger``).
"""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from candour.analytics.leadership.synthetic import DEFAULT_SEED
from candour.cli import leadership_people
from candour.cli.django_setup import setup_django
from candour.exceptions import DataFileError, OptionError

IMPORT_ACTOR = "system:candour-import"
DEMO_ACTOR = "system:candour-leadership-demo"
WRITERS = (".csv", ".parquet")
NHS_TRUST_CODE = r"^[RT][A-Z0-9]{2}$"
# NHS England's seven regions (regional structure from April 2020): each has a talent board.
# Welsh trusts and the pre-2020 region are left out.
NHS_ENGLAND_REGIONS = ("Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "leadership",
        help="competency framework, fit-and-proper retention, officers, and demo data",
        description=(
            "Commands for the leadership app: load the competency framework, name an "
            "organisation's chair and fit-and-proper administrators, delete fit-and-proper "
            "records past their retention. A region loads its real board ledger with "
            "'candour import board_ledger FILE'; synthetic-ledger, demo-talent and demo-people "
            "make SYNTHETIC data for trying Candour out, labelled synthetic wherever it is "
            "shown."
        ),
    )
    actions = parser.add_subparsers(dest="leadership_command", metavar="ACTION", required=True)

    ledger = actions.add_parser(
        "synthetic-ledger",
        help="write a SYNTHETIC board ledger for the open NHS trusts in the database",
        description=(
            "Write a synthetic board posts ledger (CSV or Parquet, in the format 'candour import "
            "board_ledger' reads, every row marked synthetic=yes) for every open NHS trust in "
            "the database in NHS England's seven regions. Vacancy, interim cover and tenure "
            "depend on each trust's CQC overall rating as the Kerr review found (docs/reference/leadership.md). The same seed and "
            "date give the same file."
        ),
    )
    ledger.add_argument("file", metavar="FILE", help="where to write it (.csv or .parquet)")
    ledger.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    ledger.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        type=_date,
        help="the date the ledger describes (default: today)",
    )
    ledger.set_defaults(handler=run_synthetic_ledger)

    talent = actions.add_parser(
        "demo-talent",
        help="create SYNTHETIC talent boards, pools, succession plans and diversity targets",
        description=(
            "Create a talent board for every region with open NHS trusts, and fill its pools "
            "with synthetic people (readiness, mobility, target roles, nomination, sector, "
            "consented ethnicity), synthetic succession plans for the critical posts of the "
            "stored ledger, and synthetic diversity targets. Run it after the ledger is "
            "imported. Re-running updates the same synthetic people."
        ),
    )
    talent.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    talent.set_defaults(handler=run_demo_talent)
    leadership_people.register_actions(actions)


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, not {text!r}") from exc


def run_board_ledger_import(file: str | None) -> int:
    """``candour import board_ledger FILE``: validate the file, then replace the ledger of
    every organisation in it, all or nothing."""
    if not file:
        raise OptionError("board_ledger needs a FILE: there is no bundled board ledger")
    setup_django()
    from candour.importers.board_ledger import load_board_ledger
    from candour.web.leadership.actions import import_board_ledger

    try:
        summary = import_board_ledger(ledger=load_board_ledger(file), by=IMPORT_ACTOR)
    except DataFileError as error:
        raise DataFileError(
            error.path, error.problems, consequence="nothing was imported"
        ) from error
    synthetic = f" ({summary.synthetic_posts} synthetic)" if summary.synthetic_posts else ""
    print(
        f"board_ledger: {summary.organisations} organisations, {summary.posts} posts{synthetic}, "
        f"{summary.holdings} holdings, {summary.vacancies} vacancy episodes; "
        f"{summary.posts_removed} posts removed"
    )
    return 0


# Dataset names `candour import` accepts besides its own datasets: name -> handler(FILE).
IMPORTS = {"board_ledger": run_board_ledger_import}


def _open_trusts():
    """Open NHS trusts in England's regions, and their latest CQC overall rating (a frame)."""
    import polars as pl

    from candour.web.leadership.queries import latest_overall_ratings
    from candour.web.oversight.models import Organisation

    rows = Organisation.objects.filter(
        close_date__isnull=True,
        successor__isnull=True,
        ods_code__regex=NHS_TRUST_CODE,
        region_code__in=NHS_ENGLAND_REGIONS,
    ).values_list("ods_code", "region_code", "region_name")
    trusts = pl.DataFrame(
        list(rows),
        schema={"ods_code": pl.String, "region_code": pl.String, "region_name": pl.String},
        orient="row",
    )
    return trusts.join(latest_overall_ratings(), on="ods_code", how="left")


def run_synthetic_ledger(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if path.suffix.lower() not in WRITERS:
        raise OptionError(f"FILE must end in {' or '.join(WRITERS)}, not {path.suffix!r}")
    setup_django()
    from django.utils import timezone

    from candour.analytics.leadership.synthetic import synthetic_ledger

    trusts = _open_trusts()
    if trusts.is_empty():
        raise OptionError("no open NHS trusts in the database: run 'candour import all' first")
    ledger = synthetic_ledger(trusts, as_of=args.as_of or timezone.localdate(), seed=args.seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        ledger.write_csv(path)
    else:
        ledger.write_parquet(path)
    print(
        f"wrote a SYNTHETIC board ledger for {trusts.height} trusts ({ledger.height} rows, "
        f"seed {args.seed}) to {path}"
    )
    return 0


def run_demo_talent(args: argparse.Namespace) -> int:
    setup_django()
    import polars as pl
    from django.utils import timezone

    from candour.analytics.leadership.synthetic_talent import (
        synthetic_diversity_targets,
        synthetic_succession,
        synthetic_talent,
    )
    from candour.web.leadership import actions
    from candour.web.leadership.models import BoardPost

    trusts = _open_trusts()
    if trusts.is_empty():
        raise OptionError("no open NHS trusts in the database: run 'candour import all' first")
    for code, name in (
        trusts.select("region_code", "region_name").unique().sort("region_code").iter_rows()
    ):
        actions.ensure_talent_board(region_code=code, region_name=name, by=DEMO_ACTOR)
    talent = synthetic_talent(trusts, seed=args.seed)
    posts = pl.DataFrame(
        list(
            BoardPost.objects.filter(organisation_id__in=trusts["ods_code"].to_list()).values_list(
                "post_id", "organisation_id", "organisation__region_code", "role"
            )
        ),
        schema={
            "post_id": pl.String,
            "ods_code": pl.String,
            "region_code": pl.String,
            "role": pl.String,
        },
        orient="row",
    )
    succession = synthetic_succession(
        posts, talent["people"], talent["memberships"], seed=args.seed
    )
    summary = actions.load_talent(
        people=talent["people"],
        memberships=talent["memberships"],
        plans=succession["plans"],
        successors=succession["successors"],
        targets=synthetic_diversity_targets(trusts, seed=args.seed),
        year=timezone.localdate().year,
        synthetic=True,
        by=DEMO_ACTOR,
    )
    print(
        f"SYNTHETIC talent data: {summary.people} people, {summary.memberships} pool "
        f"memberships, {summary.plans} succession plans ({summary.successors} successors), "
        f"{summary.targets} diversity targets"
    )
    return 0
