"""``candour import``: validate a dataset file and persist it in one transaction."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from candour.cli.django_setup import setup_django
from candour.cli.leadership import IMPORTS as OTHER_IMPORTS  # board_ledger: own schema and store
from candour.cli.mortality import DATASET as MORTALITY_DATASET
from candour.cli.mortality import run_import as run_mortality_import
from candour.exceptions import DataFileError, OptionError
from candour.importers.datasets import DATASETS, MAX_SHRINK_FRACTION

ALL = "all"
SHRINK_PERCENT = f"{MAX_SHRINK_FRACTION:.0%}"


def register(subparsers) -> None:
    names = ", ".join([*DATASETS, *OTHER_IMPORTS, MORTALITY_DATASET])
    parser = subparsers.add_parser(
        "import",
        help="import a dataset (the bundled file, or your own CSV, Excel or Parquet file in the same format)",
        description=(
            "Validate a dataset file against its declared schema and store it. All or nothing: "
            "a file with any problem (a short or long row, a value of the wrong type, infinite, "
            "out of range or inconsistent with its row, bytes that are not in the file's "
            "encoding, content that does not match the file's extension) is rejected with exit "
            "status 2, naming its rows and columns, and stored data stays as it was. "
            "Re-importing replaces exactly the organisations and periods the file has rows for. "
            "An import that would leave an organisation with no rows in the dataset, or remove "
            f"more than {SHRINK_PERCENT} of the dataset's stored rows, stops unless "
            f"--allow-shrink is given. Datasets: {names}; or '{ALL}' for every bundled file."
        ),
    )
    parser.add_argument(
        "dataset",
        metavar="DATASET",
        choices=[*DATASETS, *OTHER_IMPORTS, MORTALITY_DATASET, ALL],
        help=f"one of: {names}, {ALL}",
    )
    parser.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help="CSV, Excel (.xlsx) or Parquet file; default: the bundled file",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and report what would be created, replaced and removed; store nothing",
    )
    parser.add_argument(
        "--allow-shrink",
        action="store_true",
        help=(
            "import even if it leaves an organisation with no rows in the dataset or removes "
            f"more than {SHRINK_PERCENT.replace('%', '%%')} of its stored rows"
        ),
    )
    parser.add_argument(
        "--encoding",
        metavar="NAME",
        help="the CSV FILE's encoding if it is not UTF-8, e.g. cp1252 or latin-1",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.dataset in OTHER_IMPORTS:
        return OTHER_IMPORTS[args.dataset](args.file)
    if args.dataset == MORTALITY_DATASET:  # own schema and store; --dry-run, --allow-shrink
        return run_mortality_import(args)
    if args.dataset == ALL and args.file:
        raise OptionError("a FILE can be given only with a single DATASET, not with 'all'")
    if args.encoding and not args.file:
        raise OptionError("--encoding applies to your own FILE; the bundled files are UTF-8")
    names = list(DATASETS) if args.dataset == ALL else [args.dataset]
    console = Console(stderr=True)
    setup_django()
    from candour.web.oversight import assessment

    if args.dry_run:
        return _import(args, names, console)
    with assessment.deferred():  # the assessment is computed once, after the last dataset
        return _import(args, names, console)


def _import(args: argparse.Namespace, names: list[str], console: Console) -> int:
    from candour.web.oversight.imports import import_dataset, plan_import

    for name in names:
        dataset = DATASETS[name]
        try:
            imported = dataset.load(args.file, encoding=args.encoding)
        except DataFileError as error:
            raise error.with_consequence("nothing was imported") from error
        if args.dry_run:
            print(_describe(plan_import(imported=imported)))
            continue
        rows = imported.rows
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=rows == 0 or not console.is_terminal,
        ) as progress:
            task = progress.add_task(f"Storing {name}", total=rows)
            summary = import_dataset(
                imported=imported,
                by="system:candour-import",
                allow_shrink=args.allow_shrink,
                progress=lambda n, task=task: progress.advance(task, n),
            )
        print(_describe(summary))
    return 0


def _describe(summary) -> str:
    """One line: what the import did (or for a dry run, would do)."""
    from candour.web.oversight.imports import shrink_problems

    skipped = "".join(f"; skipped {count} {why}" for why, count in summary.skipped.items())
    line = (
        f"{summary.dataset}: {summary.organisations_created} organisations created, "
        f"{summary.organisations_updated} updated, {summary.ratings} ratings, "
        f"{summary.observations} observations ({summary.created} new, {summary.replaced} "
        f"replaced, {summary.removed} removed){skipped}"
    )
    if not summary.dry_run:
        return line
    problems = shrink_problems(summary)
    verdict = (
        "would stop without --allow-shrink: " + "; and ".join(problems)
        if problems
        else "would import"
    )
    return f"dry run, nothing stored: {line}; {verdict}"
