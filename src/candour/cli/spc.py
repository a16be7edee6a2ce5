"""``candour spc``: Making Data Count XmR charts for every series in a CSV, Excel or Parquet file.

The options mirror :func:`candour.analytics.spc.spc`. Prints one row per series (latest value,
variation and assurance in words); ``--output`` writes the points table, ``--chart`` the charts
(one file per series: with several series, ``--chart out.svg`` writes ``out-<series>.svg``).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

from candour.analytics.spc import SPCResult, spc
from candour.analytics.spc.chart import CHART_FORMATS, save_chart
from candour.analytics.spc.constants import (
    ASSURANCE_WORDS,
    IMPROVEMENT_DIRECTIONS,
    SHIFT_LENGTHS,
    TREND_LENGTHS,
    VARIATION_WORDS,
)
from candour.exceptions import DataFileError, OptionError
from candour.importers.files import read_table

OUTPUT_FORMATS = (".csv", ".parquet", ".json")
PIPED_WIDTH = 200


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
    parser.add_argument("--value", required=True, metavar="COL", help="column of values to chart")
    parser.add_argument("--date", required=True, metavar="COL", help="column of dates")
    parser.add_argument(
        "--group", nargs="+", default=None, metavar="COL", help="column(s) identifying each series"
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
        "--rebase", nargs="+", default=(), metavar="DATE", help="dates at which to recalculate"
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
    parser.set_defaults(handler=run)


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
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.output:
        print(f"wrote {write_points(result, Path(args.output))}")
    if args.chart:
        for path in write_charts(result, Path(args.chart)):
            print(f"wrote {path}")
    return 0


def _compute(args: argparse.Namespace) -> SPCResult:
    """Run spc() on the input file; its errors count data rows from 1."""
    return spc(
        read_table(args.input),
        value=args.value,
        date=args.date,
        group=args.group,
        improvement=args.improvement,
        target=args.target_col if args.target_col else args.target,
        rebase=args.rebase,
        fix_after_n_points=args.fix_after,
        screen_outliers=not args.no_screen_outliers,
        shift_length=args.shift_length,
        trend_length=args.trend_length,
        two_in_three_counts_outside=args.two_in_three_counts_outside,
        assurance_inclusive=args.assurance_inclusive,
        icons_from_n_points=args.icons_from,
        warn_missing_periods=args.warn_missing_periods,
        tolerate_missing=args.tolerate_missing,
        source=str(args.input),
    )


def check_suffix(option: str, path: str | None, allowed: tuple[str, ...]) -> None:
    if path and Path(path).suffix.lower() not in allowed:
        raise OptionError(f"{option} must end in {', '.join(allowed)}; got {path!r}")


def summary_table(result: SPCResult) -> Table:
    table = Table(title=f"SPC: {result.value_name} ({result.n_series} series)")
    for name in (*result.group, "points", "latest date", "latest value", "variation", "assurance"):
        table.add_column(name, justify="right" if name in ("points", "latest value") else "left")
    for row in result.summary.iter_rows(named=True):
        table.add_row(
            *(str(row[g]) for g in result.group),
            str(row["n"]),
            str(row["latest_date"]),
            "missing" if row["latest_value"] is None else f"{row['latest_value']:.6g}",
            VARIATION_WORDS.get(row["variation_icon"], "not shown"),
            ASSURANCE_WORDS.get(row["assurance_icon"], "no target"),
        )
    return table


def write_points(result: SPCResult, path: Path) -> Path:
    return write_frame(result.points, path)


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


def write_charts(result: SPCResult, path: Path) -> list[Path]:
    """One chart per series: ``path`` itself for one series, else ``<stem>-<series><suffix>``."""
    if result.n_series == 1:
        return [save_chart(result, path)]
    return [
        save_chart(result, path.with_name(f"{path.stem}-{slug(key)}{path.suffix}"), key)
        for key in result.series_keys()
    ]


def slug(key: object) -> str:
    parts = key if isinstance(key, tuple) else (key,)
    text = "-".join(str(p) for p in parts)
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "series"
