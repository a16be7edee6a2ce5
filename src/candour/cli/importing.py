"""``candour import``: validate a dataset file and persist it in one transaction."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from candour.cli.django_setup import setup_django
from candour.cli.leadership import IMPORTS as OTHER_IMPORTS  # board_ledger: own schema and store
from candour.exceptions import DataFileError, OptionError
from candour.importers.datasets import DATASETS

ALL = "all"


def register(subparsers) -> None:
    names = ", ".join([*DATASETS, *OTHER_IMPORTS])
    parser = subparsers.add_parser(
        "import",
        help="import a dataset (the bundled file, or your own CSV, Excel or Parquet file in the same format)",
        description=(
            "Validate a dataset file against its declared schema and store it. All or nothing: "
            "a file with any problem is rejected (exit status 2) with its rows and columns named, "
            "and earlier data stays as it was. Re-importing replaces that dataset's rows for the "
            f"periods in the file. Datasets: {names}; or '{ALL}' for every bundled file."
        ),
    )
    parser.add_argument(
        "dataset",
        metavar="DATASET",
        choices=[*DATASETS, *OTHER_IMPORTS, ALL],
        help=f"one of: {names}, {ALL}",
    )
    parser.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help="CSV, Excel (.xlsx) or Parquet file; default: the bundled file",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.dataset in OTHER_IMPORTS:
        return OTHER_IMPORTS[args.dataset](args.file)
    if args.dataset == ALL and args.file:
        raise OptionError("a FILE can be given only with a single DATASET, not with 'all'")
    names = list(DATASETS) if args.dataset == ALL else [args.dataset]
    console = Console(stderr=True)
    setup_django()
    from candour.web.oversight.actions import import_dataset

    for name in names:
        dataset = DATASETS[name]
        try:
            imported = dataset.load(args.file)
        except DataFileError as error:
            raise DataFileError(
                error.path, error.problems, consequence="nothing was imported"
            ) from error
        rows = len(imported.observations) if imported.observations is not None else 0
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
                progress=lambda n, task=task: progress.advance(task, n),
            )
        skipped = "".join(f"; skipped {count} {why}" for why, count in summary.skipped.items())
        print(
            f"{name}: {summary.organisations_created} organisations created, "
            f"{summary.organisations_updated} updated, {summary.ratings} ratings, "
            f"{summary.observations} observations ({summary.replaced} replaced){skipped}"
        )
    return 0
