"""``candour backtest``: replay the assessment as of past dates and score it against outcomes."""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from candour.cli.assess import BUNDLED, _date, bundled_inputs
from candour.exceptions import OptionError

# The bundled 2019 CQC overall ratings are the first outcome file: "requires improvement" or
# "inadequate" against "good" or "outstanding" (the rating is never an input).
DEFAULT_OUTCOMES = "cqc_trust_overall_ratings_2019.csv"
DEFAULT_CODE_COLUMN = "org_code"
DEFAULT_OUTCOME_COLUMN = "overall"
DEFAULT_POSITIVE = "Requires improvement,Inadequate"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "backtest",
        help="replay the assessment as of past dates and score it against later outcomes",
        description=(
            "Replay the concern-first assessment as of each outcome's date (only data whose "
            "period ended by then) and report the headline's AUC with a 95%% interval, the "
            "sensitivity, specificity and flag rate of each status, and the same for the simple "
            "baselines it must beat: its best single measure and a plain mean of the z-scores. "
            "By default the outcomes are the bundled 2019 CQC overall ratings."
        ),
    )
    parser.add_argument(
        "--outcomes",
        metavar="FILE",
        help=f"CSV, Excel or Parquet with one row per organisation; default: the bundled {DEFAULT_OUTCOMES}",
    )
    parser.add_argument(
        "--code-column",
        default=DEFAULT_CODE_COLUMN,
        metavar="COL",
        help="ODS code column (default %(default)s)",
    )
    parser.add_argument(
        "--outcome-column",
        default=DEFAULT_OUTCOME_COLUMN,
        metavar="COL",
        help="outcome column (default %(default)s)",
    )
    parser.add_argument(
        "--positive",
        default=DEFAULT_POSITIVE,
        metavar="VALUES",
        help="comma-separated outcome values that count as a problem (default %(default)r)",
    )
    when = parser.add_mutually_exclusive_group()
    when.add_argument(
        "--as-of", type=_date, metavar="YYYY-MM-DD", help="replay every outcome as of this date"
    )
    when.add_argument(
        "--as-of-column",
        metavar="COL",
        help="replay each outcome as of its own date in this column (e.g. the rating's publication)",
    )
    parser.add_argument(
        "--observations",
        metavar="FILE",
        help=f"observations file, or '{BUNDLED}' for every bundled dataset; default: the database",
    )
    parser.add_argument(
        "--organisations", metavar="FILE", help="with --observations: the organisations"
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="also write the tables as JSON, or as CSV (scores; statuses and organisations beside it)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from candour.analytics.concern import assess
    from candour.analytics.concern.backtest import backtest, checked_outcomes
    from candour.importers.catalogue import DATA_DIR
    from candour.importers.files import read_table

    if args.organisations and not args.observations:
        raise OptionError("--organisations goes with --observations (the database has its own)")
    if args.output and Path(args.output).suffix.lower() not in (".csv", ".json"):
        raise OptionError(f"--output must end in .csv or .json; got {args.output}")
    path = args.outcomes or str(DATA_DIR / DEFAULT_OUTCOMES)
    outcomes = checked_outcomes(
        read_table(path),
        code=args.code_column,
        outcome=args.outcome_column,
        positive=tuple(v.strip() for v in args.positive.split(",") if v.strip()),
        as_of_column=args.as_of_column,
    )
    if args.observations is None:
        from candour.cli.django_setup import setup_django

        setup_django()
        from candour.web.oversight import assessment

        inputs = assessment.inputs(with_reported=False)
    else:
        inputs = bundled_inputs(args.observations, args.organisations)
    observations = inputs.pop("observations")
    result = backtest(
        outcomes, lambda day: assess(observations, as_of=day, **inputs), as_of=args.as_of
    )
    print_tables(result)
    if args.output:
        write_tables(result, Path(args.output))
    return 0


def print_tables(result) -> None:
    print("Score                                                     orgs  pos   AUC (95% CI)")
    for row in result.scores.iter_rows(named=True):
        auc = (
            "  n/a"
            if row["auc"] is None
            else f"{row['auc']:.3f} ({row['auc_low']:.3f} to {row['auc_high']:.3f})"
        )
        print(f"{row['score'][:56]:<56} {row['organisations']:>5} {row['positives']:>4}   {auc}")
    print("Flagged at        orgs  flagged  rate   sensitivity  specificity")
    for row in result.statuses.iter_rows(named=True):
        print(
            f"{row['flagged_at']:<16} {row['organisations']:>5} {row['flagged']:>8}  "
            f"{row['flag_rate']:.3f}  {row['sensitivity']:.3f}        {row['specificity']:.3f}"
        )


def write_tables(result, path: Path) -> None:
    if path.suffix.lower() == ".json":
        import json

        document = {
            "scores": result.scores.to_dicts(),
            "statuses": result.statuses.to_dicts(),
            "best_measure": result.best_measure,
            "organisations": result.organisations.with_columns(
                pl.col(pl.Date).cast(pl.String)
            ).to_dicts(),
        }
        path.write_text(json.dumps(document, indent=1), encoding="utf-8")
        print(f"wrote {path}")
        return
    for frame, name in (
        (result.scores, path),
        (result.statuses, path.with_name(f"{path.stem}-statuses{path.suffix}")),
        (result.organisations, path.with_name(f"{path.stem}-organisations{path.suffix}")),
    ):
        frame.write_csv(name)
        print(f"wrote {name}")
