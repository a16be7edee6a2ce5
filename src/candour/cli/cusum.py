"""``candour cusum``: mortality monitoring charts for every series in a file.

The options mirror :mod:`candour.analytics.cusum`. A file in the patient-level layout or NHS
Digital's SHMI layout (see :mod:`candour.importers.mortality`) is checked by its importer first;
the column options default to those layouts' names. Prints the alerts (one row per series that
signalled); ``--output`` writes the statistic per row, ``--alerts`` the alerts table and
``--plot`` a chart per series (CUSUM with h above the VLAD). The analytics modules are imported
only when the command runs, so that other commands start quickly.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from candour.cli.spark_engine import add_engine_options, check_spark_arguments
from candour.cli.spc import OUTPUT_FORMATS, PIPED_WIDTH, check_suffix, slug, write_frame
from candour.exceptions import DataFileError, OptionError

CHARTS = ("bernoulli", "poisson", "standardised", "vlad")
PLOT_FORMATS = (".html", ".svg", ".png")
PATIENT_COLUMNS = {
    "outcome": "outcome",
    "risk": "risk",
    "group": ["trust", "group"],
    "order": ["date"],
}
SHMI_COLUMNS = {
    "observed": "OBSERVED",
    "expected": "EXPECTED",
    "group": ["PROVIDER_CODE", "DIAGNOSIS_GROUP"],
    "order": ["MONTH"],
}
DEFAULT_ODDS_RATIO = 2.0  # Imperial College's alerts (oversight-methods.md §3)
DEFAULT_RATE_RATIO = 1.2  # a 20% excess of deaths (the conformance O/E examples)
DEFAULT_K = 1.04  # surveillance::algo.cusum default
DEFAULT_FALSE_ALARM_RATE = 0.001  # Imperial College's alerts: about 0.1% (Bottle & Aylin 2011)
# States of the Markov chain when the CLI designs thresholds series by series (fewer than the
# library's default, for speed; h moves by about 0.01).
CLI_STATES = 400
SYNTHETIC_COLUMNS = ("synthetic", "SYNTHETIC")
# Options the Spark engine does not offer (the alerts table and charts need every series' rows
# in this process).
SPARK_UNSUPPORTED = {
    "alerts": "--alerts",
    "plot": "--plot",
    "plot_all": "--plot-all",
    "false_alarm_rate": "--false-alarm-rate",
    "arl0": "--arl0",
}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "cusum",
        help="risk-adjusted CUSUM, O/E CUSUM and VLAD mortality charts for each series in a file",
        description=(
            "Compute mortality monitoring charts for every series (trust and group) of a CSV, "
            "Excel or Parquet file: the risk-adjusted Bernoulli CUSUM per patient, the O/E "
            "Poisson CUSUM or standardised CUSUM per month, or the VLAD. Prints one row per "
            "series that signalled; writes the statistic per row, the alerts and charts. A "
            "patient-level file (trust, group, date, outcome, risk) or an NHS Digital SHMI-layout "
            "file (PROVIDER_CODE, DIAGNOSIS_GROUP, MONTH, SPELLS, OBSERVED, EXPECTED) is checked "
            "by its importer. A bad file or option exits with status 2 and names the row and "
            "column."
        ),
    )
    parser.add_argument("input", metavar="INPUT", help="CSV, Excel (.xlsx) or Parquet file")
    parser.add_argument("--chart", required=True, choices=CHARTS, help="which chart")
    columns = parser.add_argument_group("columns (default: the patient or SHMI layout's names)")
    columns.add_argument("--outcome", metavar="COL", help="0/1 outcome (default: outcome)")
    columns.add_argument("--risk", metavar="COL", help="predicted risk (default: risk)")
    columns.add_argument("--observed", metavar="COL", help="observed deaths (default: OBSERVED)")
    columns.add_argument("--expected", metavar="COL", help="expected deaths (default: EXPECTED)")
    columns.add_argument("--group", nargs="+", metavar="COL", help="column(s) naming each series")
    columns.add_argument("--order", nargs="+", metavar="COL", help="column(s) giving time order")
    chart = parser.add_argument_group("chart")
    chart.add_argument(
        "--odds-ratio",
        type=float,
        default=DEFAULT_ODDS_RATIO,
        metavar="R",
        help="bernoulli: odds ratio to detect; below 1 for the lower chart (default: 2)",
    )
    chart.add_argument(
        "--rate-ratio",
        type=float,
        default=DEFAULT_RATE_RATIO,
        metavar="R",
        help="poisson: rate ratio to detect; below 1 for the lower chart (default: 1.2)",
    )
    chart.add_argument(
        "--k", type=float, default=DEFAULT_K, help="standardised: reference value (default: 1.04)"
    )
    chart.add_argument(
        "--transform",
        choices=("standard", "rossi", "none"),
        default="standard",
        help="standardised: score of each count (default: standard)",
    )
    chart.add_argument("--no-reset", action="store_true", help="keep accumulating after a signal")
    threshold = parser.add_argument_group("threshold h (one of; default --false-alarm-rate 0.001)")
    choice = threshold.add_mutually_exclusive_group()
    choice.add_argument("--h", type=float, metavar="H", help="one threshold for every series")
    choice.add_argument(
        "--false-alarm-rate",
        type=float,
        metavar="A",
        help="per series, the h at which an in-control chart signals with probability A over "
        "the series' own data (Imperial College: 0.001)",
    )
    choice.add_argument(
        "--arl0", type=float, metavar="N", help="the h giving an in-control ARL of N"
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "--output", metavar="OUT", help=f"write each row's statistic ({', '.join(OUTPUT_FORMATS)})"
    )
    out.add_argument(
        "--alerts", metavar="OUT", help=f"write the alerts table ({', '.join(OUTPUT_FORMATS)})"
    )
    out.add_argument(
        "--plot",
        metavar="OUT",
        help=f"write a chart per series that signalled ({', '.join(PLOT_FORMATS)}), as "
        "OUT-<series> when there are group columns (VLAD: every series)",
    )
    out.add_argument("--plot-all", action="store_true", help="chart every series, not only alerts")
    add_engine_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    check_suffix("--output", args.output, OUTPUT_FORMATS)
    check_suffix("--alerts", args.alerts, OUTPUT_FORMATS)
    check_suffix("--plot", args.plot, PLOT_FORMATS)
    check_spark_arguments(args, SPARK_UNSUPPORTED)
    if args.engine == "spark":
        from candour.cli.spark_engine import run_cusum

        return run_cusum(args, chart_options, SYNTHETIC_COLUMNS)
    frame = read_input(args.input)  # the importers count rows as the file does
    try:
        outcome = compute(args, frame)
    except DataFileError as error:  # the charts count data rows from 1
        if error.path != str(args.input):
            raise
        raise error.in_file() from error
    report(outcome, args)
    return 0


def layout_defaults(chart: str, frame: pl.DataFrame) -> dict[str, Any]:
    """The column names of the layout the chart reads (VLAD: whichever layout the file has)."""
    from candour.importers.mortality import OBSERVED_EXPECTED_SCHEMA, has_columns

    if chart in ("poisson", "standardised"):
        return SHMI_COLUMNS
    if chart == "vlad" and has_columns(frame, OBSERVED_EXPECTED_SCHEMA):
        return SHMI_COLUMNS
    return PATIENT_COLUMNS


def read_input(path: str) -> pl.DataFrame:
    """The file, checked by its importer when it is in one of the two layouts (those errors
    already count rows as the file does)."""
    from candour.importers.files import read_table
    from candour.importers.mortality import (
        OBSERVED_EXPECTED_SCHEMA,
        PATIENT_SCHEMA,
        check_observed_expected,
        check_patient_level,
        has_columns,
    )

    frame = read_table(path)
    if has_columns(frame, PATIENT_SCHEMA):
        return check_patient_level(frame, path)
    if has_columns(frame, OBSERVED_EXPECTED_SCHEMA):
        return check_observed_expected(frame, path)
    return frame


class Outcome:
    """What the command computed, for printing and writing."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


def compute(args: argparse.Namespace, frame: pl.DataFrame) -> Outcome:
    from candour.analytics.cusum import alerts, bernoulli_cusum, poisson_cusum, standardised_cusum
    from candour.analytics.cusum.core import vlad

    data_columns, group, order = column_options(args, frame)
    common = {"group": group, "order": order, "source": str(args.input)}
    synthetic = any(
        c in frame.columns
        and bool(frame.get_column(c).cast(pl.String).is_in(["true", "True", "1"]).any())
        for c in SYNTHETIC_COLUMNS
    )
    curve = vlad(frame, **data_columns, **common)
    if args.chart == "vlad":
        return Outcome(
            charted=curve,
            alerts=None,
            h=None,
            rate=None,
            group=group,
            order=order,
            synthetic=synthetic,
            args=args,
            designed=None,
        )
    h, rate, designed = thresholds(args, frame, data_columns, group, order)
    if args.chart == "bernoulli":
        charted = bernoulli_cusum(
            frame,
            **data_columns,
            odds_ratio=args.odds_ratio,
            h=h,
            reset=not args.no_reset,
            **common,
        )
    elif args.chart == "poisson":
        charted = poisson_cusum(
            frame,
            **data_columns,
            rate_ratio=args.rate_ratio,
            h=h,
            reset=not args.no_reset,
            **common,
        )
    else:
        charted = standardised_cusum(
            frame, **data_columns, k=args.k, h=h, transform=args.transform, **common
        )
    found = alerts(charted, h=h, group=group, order=order, false_alarm_rate=None)
    found = with_false_alarm_rates(found, args, frame, data_columns, group, order, h, rate)
    charted = charted.with_columns(curve.get_column("vlad"))
    return Outcome(
        charted=charted,
        alerts=found,
        h=h,
        rate=rate,
        group=group,
        order=order,
        synthetic=synthetic,
        args=args,
        designed=designed,
    )


def column_options(
    args: argparse.Namespace, frame: pl.DataFrame
) -> tuple[dict[str, str], list[str] | None, list[str] | None]:
    """The chart's data columns, group and order: as given, else the layout's names."""
    defaults = layout_defaults(args.chart, frame)
    if args.chart == "vlad" and (args.observed or args.expected):
        defaults = SHMI_COLUMNS
    group = args.group or [c for c in defaults["group"] if c in frame.columns] or None
    order = args.order or [c for c in defaults["order"] if c in frame.columns] or None
    if "outcome" in defaults:
        data = {
            "outcome": args.outcome or defaults["outcome"],
            "risk": args.risk or defaults["risk"],
        }
    else:
        data = {
            "observed": args.observed or defaults["observed"],
            "expected": args.expected or defaults["expected"],
        }
    return data, group, order


def chart_options(args: argparse.Namespace, frame: pl.DataFrame) -> dict[str, Any]:
    """The keyword arguments of the chart's function for a given h (the Spark engine's call)."""
    data_columns, group, order = column_options(args, frame)
    options: dict[str, Any] = {
        **data_columns,
        "group": group,
        "order": order,
        "source": str(args.input),
    }
    if args.chart == "bernoulli":
        options |= {"odds_ratio": args.odds_ratio, "h": args.h, "reset": not args.no_reset}
    elif args.chart == "poisson":
        options |= {"rate_ratio": args.rate_ratio, "h": args.h, "reset": not args.no_reset}
    elif args.chart == "standardised":
        options |= {"k": args.k, "h": args.h, "transform": args.transform}
    return options


def series_options(args, data_columns, group, order) -> dict[str, Any]:
    """The keyword arguments the per-series design functions share."""
    return {
        "chart": args.chart,
        "column": data_columns.get("risk") or data_columns["expected"],
        "ratio": args.odds_ratio if args.chart == "bernoulli" else args.rate_ratio,
        "group": group,
        "order": order,
        "states": CLI_STATES,
        "source": str(args.input),
    }


def thresholds(args, frame, data_columns, group, order):
    """h as given, or designed per series; the false-alarm rate it was set for (if any)."""
    from candour.analytics.cusum.series import design_thresholds

    if args.h is not None:
        return args.h, None, "given"
    options = series_options(args, data_columns, group, order)
    if args.arl0 is not None:
        h = design_thresholds(frame, k=args.k, arl0=args.arl0, **options)
        return h, None, f"in-control ARL {args.arl0:g}"
    if args.chart == "standardised":
        raise OptionError(
            "the standardised chart needs --h or --arl0 (its scores are treated as normal)"
        )
    rate = args.false_alarm_rate if args.false_alarm_rate is not None else DEFAULT_FALSE_ALARM_RATE
    h = design_thresholds(frame, false_alarm_rate=rate, **options)
    return h, rate, f"false-alarm probability {rate:g} per series"


def with_false_alarm_rates(found, args, frame, data_columns, group, order, h, rate):
    """The alerts' false-alarm rate: the one h was designed for, or, for an h given or set by
    ARL, the probability that the series' chart would signal in control over its data."""
    from candour.analytics.cusum.series import false_alarm_probabilities

    if rate is not None:
        return found.with_columns(pl.lit(rate, dtype=pl.Float64).alias("false_alarm_rate"))
    if args.chart == "standardised" or found.is_empty():
        return found
    keys = (
        [row[0] if len(row) == 1 else row for row in found.select(group).rows()] if group else None
    )
    options = series_options(args, data_columns, group, order)
    found_rates = false_alarm_probabilities(frame, h=h, keys=keys, **options)
    values = [found_rates.get(key) for key in (keys or [None])]
    return found.with_columns(pl.Series("false_alarm_rate", values, dtype=pl.Float64))


def report(outcome: Outcome, args: argparse.Namespace) -> None:
    console = Console(file=sys.stdout)
    if not console.is_terminal:
        console = Console(file=sys.stdout, width=PIPED_WIDTH)
    if outcome.synthetic:
        print("SYNTHETIC DATA: no real patients.")
    if outcome.alerts is not None:
        console.print(alerts_table(outcome))
        n_series = series_count(outcome)
        if outcome.rate is not None:
            print(
                f"{outcome.alerts.height} of {n_series} series signalled; with every series in "
                f"control about {n_series * outcome.rate:.2g} would signal by chance "
                f"(h set for a false-alarm probability of {outcome.rate:g} per series)."
            )
        else:
            print(f"{outcome.alerts.height} of {n_series} series signalled (h {outcome.designed}).")
    if args.output:
        print(f"wrote {write_frame(outcome.charted, Path(args.output))}")
    if args.alerts and outcome.alerts is not None:
        print(f"wrote {write_frame(outcome.alerts, Path(args.alerts))}")
    if args.plot:
        for path in write_plots(outcome, Path(args.plot)):
            print(f"wrote {path}")


def series_count(outcome: Outcome) -> int:
    if not outcome.group:
        return 1
    return outcome.charted.select(outcome.group).unique().height


def alerts_table(outcome: Outcome) -> Table:
    group = outcome.group or []
    table = Table(title=f"CUSUM alerts ({outcome.args.chart})")
    for name in (*group, "first signal", "statistic", "h", "false-alarm rate", "signals"):
        table.add_column(name)
    for row in outcome.alerts.iter_rows(named=True):
        rate = row["false_alarm_rate"]
        table.add_row(
            *(str(row[g]) for g in group),
            str(
                row["first_signal"] if row["first_signal"] is not None else row["first_signal_row"]
            ),
            f"{row['statistic']:.3f}",
            f"{row['h']:.3f}",
            "" if rate is None else f"{rate:.3g}",
            str(row["signals"]),
        )
    return table


def write_plots(outcome: Outcome, path: Path) -> list[Path]:
    """One chart per series (those that signalled, unless --plot-all or a VLAD chart)."""
    from candour.analytics.cusum.chart import cusum_chart, save, vlad_chart

    args = outcome.args
    group = outcome.group or []
    order = outcome.order[0] if outcome.order else None
    charted = outcome.charted.with_row_index("__row")
    keys = charted.select(group).unique(maintain_order=True).sort(group).rows() if group else [()]
    if outcome.alerts is not None and not args.plot_all:
        alerting = set(outcome.alerts.select(group).rows()) if group else {()}
        keys = [key for key in keys if key in alerting]
    written = []
    for key in keys:
        match = pl.lit(True)
        for name, value in zip(group, key, strict=True):
            match = match & (pl.col(name) == value)
        rows = charted.filter(match).sort([*(outcome.order or []), "__row"])
        name = " · ".join(str(k) for k in key) or args.chart
        target = path.with_name(f"{path.stem}-{slug(key)}{path.suffix}") if group else path
        written.append(
            save(series_chart(outcome, rows, name, key, order, cusum_chart, vlad_chart), target)
        )
    return written


def chart_name(args: argparse.Namespace) -> str:
    """The chart in words, with the change it looks for."""
    if args.chart == "bernoulli":
        return f"risk-adjusted CUSUM (odds ratio {args.odds_ratio:g})"
    if args.chart == "poisson":
        return f"O/E CUSUM (rate ratio {args.rate_ratio:g})"
    return f"standardised CUSUM (k = {args.k:g}, {args.transform})"


def series_chart(outcome, rows, name, key, order, cusum_chart, vlad_chart):
    import altair as alt

    synthetic = outcome.synthetic
    curve = vlad_chart(rows, order=order, title=f"{name}: VLAD", synthetic=synthetic)
    if outcome.alerts is None:
        return curve
    h = (
        outcome.h.get(key[0] if len(key) == 1 else key)
        if isinstance(outcome.h, dict)
        else outcome.h
    )
    subtitle = f"h = {h:.3f} ({outcome.designed})"
    cusum = cusum_chart(
        rows,
        order=order,
        h=h,
        title=f"{name}: {chart_name(outcome.args)}",
        subtitle=subtitle,
        synthetic=synthetic,
    )
    return alt.vconcat(cusum, curve)
