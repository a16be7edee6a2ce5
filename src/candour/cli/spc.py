"""``candour spc``: Making Data Count XmR charts for every series in a CSV, Excel or Parquet file.

The options mirror :func:`candour.analytics.spc.spc` (``--na`` is ``na=``) and
:func:`candour.importers.files.read_table` (``--sheet`` is ``sheet=``). Prints one row per series
(latest value, variation and assurance in words) and every missing value; ``--output`` writes the
points table with a ``note`` column naming each missing value, ``--chart`` the charts (one file
per series: with several series, ``--chart out.svg`` writes ``out-<series>.svg``).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from candour.analytics.spc import SPCResult, spc
from candour.analytics.spc.chart import CHART_FORMATS, save_chart
from candour.analytics.spc.constants import IMPROVEMENT_DIRECTIONS, SHIFT_LENGTHS, TREND_LENGTHS
from candour.analytics.spc.frames import BLANK
from candour.analytics.spc.words import assurance_words, variation_words
from candour.analytics.units import UNITS
from candour.cli.spark_engine import add_engine_options, check_spark_arguments
from candour.exceptions import DataFileError, OptionError
from candour.importers.files import read_table

OUTPUT_FORMATS = (".csv", ".parquet", ".json")
PIPED_WIDTH = 200
MAX_LISTED_MISSING = 20  # rows listed per column on stdout; every one is in --output's notes
RIGHT_ALIGNED = ("points", "missing", "latest value")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "spc",
        help="statistical process control (Making Data Count XmR charts) for each series in a file",
        description=(
            "Compute Making Data Count XmR charts (NHSRplotthedots 0.2.2 rules) for every series "
            "of a CSV, Excel (.xlsx) or Parquet file, print the latest variation and assurance "
            "of each, and optionally write the points table and charts. A bad file or option "
            "exits with status 2 and says which row and column was wrong."
        ),
    )
    parser.add_argument("input", metavar="INPUT", help="CSV, Excel (.xlsx) or Parquet file")
    parser.add_argument(
        "--sheet",
        metavar="NAME|N",
        help="the sheet of an Excel workbook, by name or number from 1 (needed when more than "
        "one sheet has data)",
    )
    parser.add_argument("--value", required=True, metavar="COL", help="column of values to chart")
    parser.add_argument("--date", required=True, metavar="COL", help="column of dates")
    parser.add_argument(
        "--group",
        nargs="+",
        action="extend",
        metavar="COL",
        help="column(s) identifying each series (repeat the option or list them)",
    )
    parser.add_argument(
        "--na",
        type=missing_markers,
        action="extend",
        metavar="TEXT[,TEXT...]",
        help="texts that mark a missing value, e.g. --na 'n/a,NA,-'; --na '' lets blank cells be "
        "missing. Without it any value that is not a number is an error",
    )
    parser.add_argument(
        "--improvement",
        choices=list(IMPROVEMENT_DIRECTIONS),
        default="increase",
        help="which direction is better (default: increase)",
    )
    targets = parser.add_mutually_exclusive_group()
    targets.add_argument("--target", type=float, metavar="X", help="one target for every series")
    targets.add_argument(
        "--target-col", metavar="COL", help="column of targets (the latest in each series is used)"
    )
    parser.add_argument(
        "--rebase",
        nargs="+",
        action="extend",
        metavar="DATE",
        help="dates at which to recalculate (repeat the option or list them)",
    )
    parser.add_argument(
        "--fix-after", type=int, metavar="N", help="fix mean and limits after N points (N >= 12)"
    )
    parser.add_argument(
        "--no-screen-outliers",
        action="store_true",
        help="keep large moving ranges when computing limits (as the MDC Excel tool)",
    )
    add_beyond_reference_options(parser)
    parser.add_argument(
        "--output", metavar="OUT", help=f"write the points table ({', '.join(OUTPUT_FORMATS)})"
    )
    parser.add_argument(
        "--chart",
        metavar="OUT",
        help=f"write a chart per series ({', '.join(CHART_FORMATS)}); "
        "with several series OUT-<series> files",
    )
    parser.add_argument(
        "--unit",
        choices=UNITS,
        help="the values' unit, for the charts' axis and labels (a proportion from 0 to 1 is "
        "drawn as a percentage)",
    )
    parser.add_argument(
        "--value-label",
        metavar="TEXT",
        help="what the values are, for the charts' y-axis (default: the --value column's name)",
    )
    add_engine_options(parser)
    parser.set_defaults(handler=run)


def missing_markers(text: str) -> list[str]:
    """``--na`` text: comma-separated markers, or "" alone for blank cells."""
    if text == "":
        return [BLANK]
    markers = [m.strip() for m in text.split(",")]
    if BLANK in markers:
        raise argparse.ArgumentTypeError(
            f"empty marker in {text!r}; to let blank cells be missing, give --na '' on its own"
        )
    return markers


def add_beyond_reference_options(parser: argparse.ArgumentParser) -> None:
    extra = parser.add_argument_group("beyond the reference (off by default)")
    extra.add_argument(
        "--shift-length", type=int, default=7, choices=SHIFT_LENGTHS, help="points in a shift"
    )
    extra.add_argument(
        "--trend-length", type=int, default=7, choices=TREND_LENGTHS, help="points in a trend"
    )
    extra.add_argument(
        "--two-in-three-counts-outside",
        action="store_true",
        help="MDC 2023 two-in-three rule (points beyond the limits count)",
    )
    extra.add_argument(
        "--assurance-inclusive",
        action="store_true",
        help="a target exactly on a limit is consistently met or missed",
    )
    extra.add_argument(
        "--icons-from", type=int, metavar="N", help="show icons only from N points (MDC tool: 13)"
    )
    extra.add_argument(
        "--warn-missing-periods", action="store_true", help="warn about skipped months/weeks/days"
    )
    extra.add_argument(
        "--tolerate-missing",
        action="store_true",
        help="a missing value inside a rising or falling run ends it instead of stopping",
    )


def run(args: argparse.Namespace) -> int:
    check_suffix("--output", args.output, OUTPUT_FORMATS)
    check_suffix("--chart", args.chart, CHART_FORMATS)
    check_spark_arguments(args, {"chart": "--chart", "sheet": "--sheet"})
    if args.engine == "spark":
        from candour.cli.spark_engine import run_spc

        return run_spc(args, spc_options(args))
    try:
        result = _compute(args)
    except DataFileError as error:
        if error.path != str(args.input):
            raise
        raise error.in_file() from error
    console = Console(file=sys.stdout)
    if not console.is_terminal:
        console = Console(file=sys.stdout, width=PIPED_WIDTH)  # one line per series in files
    console.print(summary_table(result))
    for line in missing_report(result):
        console.print(line, markup=False, highlight=False)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.output:
        print(f"wrote {write_points(result, Path(args.output))}")
    if args.chart:
        labels = {"unit": args.unit, "value_label": args.value_label}
        for path in write_charts(result, Path(args.chart), **labels):
            print(f"wrote {path}")
    return 0


def _compute(args: argparse.Namespace) -> SPCResult:
    """Run spc() on the input file; its errors count data rows from 1."""
    return spc(read_table(args.input, sheet=args.sheet), **spc_options(args))


def spc_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of spc() that the command's options give."""
    return {
        "value": args.value,
        "date": args.date,
        "group": args.group,
        "improvement": args.improvement,
        "target": args.target_col if args.target_col else args.target,
        "rebase": args.rebase or (),
        "fix_after_n_points": args.fix_after,
        "screen_outliers": not args.no_screen_outliers,
        "shift_length": args.shift_length,
        "trend_length": args.trend_length,
        "two_in_three_counts_outside": args.two_in_three_counts_outside,
        "assurance_inclusive": args.assurance_inclusive,
        "icons_from_n_points": args.icons_from,
        "warn_missing_periods": args.warn_missing_periods,
        "tolerate_missing": args.tolerate_missing,
        "na": args.na or (),
        "source": str(args.input),
    }


def check_suffix(option: str, path: str | None, allowed: tuple[str, ...]) -> None:
    if path and Path(path).suffix.lower() not in allowed:
        raise OptionError(f"{option} must end in {', '.join(allowed)}; got {path!r}")


def summary_table(result: SPCResult) -> Table:
    n_points, n_missing = result.points.height, missing_values(result).height
    table = Table(
        title=f"SPC: {result.value_name} ({result.n_series} series, {n_points} points,"
        f" {n_missing} missing)"
    )
    names = (*result.group, "points", "missing", "latest date", "latest value", "variation")
    for name in (*names, "assurance"):
        table.add_column(name, justify="right" if name in RIGHT_ALIGNED else "left")
    missing = missing_per_series(result)
    for row, gaps in zip(result.summary.iter_rows(named=True), missing, strict=True):
        table.add_row(
            *(str(row[g]) for g in result.group),
            str(row["n"]),
            str(gaps),
            str(row["latest_date"]),
            "missing" if row["latest_value"] is None else f"{row['latest_value']:.6g}",
            variation_words(row),
            assurance_words(row),
        )
    return table


def missing_values(result: SPCResult, column: str | None = None) -> pl.DataFrame:
    """The missing values of one column (the value column by default)."""
    wanted = column or result.value_name
    return result.missing.filter(pl.col("column") == wanted)


def missing_per_series(result: SPCResult) -> list[int]:
    """How many values of each series (in summary order) are missing."""
    counts = result.points.group_by(result.group or pl.lit(0), maintain_order=True).agg(
        pl.col("value").null_count()
    )
    return counts.get_column("value").to_list()


def missing_report(result: SPCResult, *, header_rows: int = 1) -> list[str]:
    """One line per column with missing values: how many, and where (spreadsheet rows)."""
    if not result.missing.height:
        return [f"missing values: none in {result.value_name!r}"]
    lines = []
    for (column,), found in result.missing.group_by("column", maintain_order=True):
        where = [
            f"row {row + header_rows}: {describe_found(text)}"
            for row, text in found.select("row", "found").head(MAX_LISTED_MISSING).iter_rows()
        ]
        if found.height > MAX_LISTED_MISSING:
            where.append(f"and {found.height - MAX_LISTED_MISSING} more")
        lines.append(f"missing values: {found.height} in {column!r} ({', '.join(where)})")
    return lines


def describe_found(text: str) -> str:
    return "blank" if text == BLANK else text if text in ("null", "NaN") else repr(text)


def found_words(found: pl.Expr) -> pl.Expr:
    """:func:`describe_found` as an expression."""
    quoted = pl.format("'{}'", found)
    return (
        pl.when(found == BLANK)
        .then(pl.lit("blank"))
        .when(found.is_in(["null", "NaN"]))
        .then(found)
        .otherwise(quoted)
    )


def with_notes(result: SPCResult, *, header_rows: int = 1) -> pl.DataFrame:
    """The points table with a ``note`` column naming each missing value and where it was."""
    keys = [*result.group, "date"]
    if not result.missing.height:
        return result.points.with_columns(note=pl.lit(None, dtype=pl.String))
    notes = (
        result.missing.with_columns(
            note=pl.format(
                "missing '{}' value (row {}: {})",
                pl.col("column"),
                pl.col("row") + header_rows,
                found_words(pl.col("found")),
            )
        )
        .group_by(keys, maintain_order=True)
        .agg(pl.col("note").str.join("; "))
    )
    return result.points.join(notes, on=keys, how="left", nulls_equal=True, maintain_order="left")


def write_points(result: SPCResult, path: Path) -> Path:
    return write_frame(with_notes(result), path)


def write_frame(frame: pl.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV, Parquet or JSON (dates as ISO text), by the suffix of ``path``."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame.write_parquet(path)
    elif suffix == ".json":
        frame.with_columns(pl.col(pl.Date, pl.Datetime).cast(pl.String)).write_json(path)
    else:
        frame.write_csv(path)
    return path


def write_charts(result: SPCResult, path: Path, **labels: object) -> list[Path]:
    """One chart per series: ``path`` itself for one series, else ``<stem>-<series><suffix>``.
    ``labels`` are :func:`~candour.analytics.spc.chart.spc_chart`'s unit and value_label."""
    if result.n_series == 1:
        return [save_chart(result, path, **labels)]
    return [
        save_chart(result, path.with_name(f"{path.stem}-{slug(key)}{path.suffix}"), key, **labels)
        for key in result.series_keys()
    ]


def slug(key: object) -> str:
    parts = key if isinstance(key, tuple) else (key,)
    text = "-".join(str(p) for p in parts)
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "series"
