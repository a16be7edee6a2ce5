"""``candour assess`` and ``candour backtest``: the concern-first assessment from the command line.

``candour assess`` mirrors :func:`candour.analytics.concern.assess`. Without ``--observations`` it
reads the database and shows exactly what the pages and the API show (the stored assessment of
the current data); with ``--observations FILE`` (or ``bundled``: every bundled dataset) it runs
without a database, the measures, targets, breaks and organisations coming from the bundled
files (or ``--organisations FILE``). ``--save-inputs`` writes what it used, so any assessment can
be reproduced and re-run on edited inputs.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import polars as pl

from candour.exceptions import OptionError

BUNDLED = "bundled"
OUTPUT_SUFFIXES = (".csv", ".parquet", ".json")
SHOWN = 20  # organisations printed, most concern first
OBSERVATION_OUTPUT_COLUMNS = (
    "ods_code",
    "measure_id",
    "period_start",
    "period_type",
    "period_end",
    "numerator",
    "denominator",
    "value",
)
ORGANISATION_OUTPUT_COLUMNS = (
    "ods_code",
    "name",
    "org_type",
    "region_code",
    "close_date",
    "successor_code",
    "merged_on",
)
FLAG_OUTPUT_COLUMNS = (
    "ods_code",
    "measure_id",
    "related_measure_id",
    "kind",
    "domain",
    "level",
    "period_type",
    "period_start",
    "base_start",
    "value",
    "peer_value",
    "z",
    "p",
    "threshold",
    "p_adjusted",
    "sentence",
    "details",
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "assess",
        help="the concern-first assessment of every organisation (as the pages show it)",
        description=(
            "Assess every open organisation from raw observations: compare each with its peer "
            "group in the latest period most of them reported, read its own recent data (SPC), "
            "test target/balance divergence, and flag with one calibrated error rate (at most 5%% "
            "of organisations with no real differences). Without --observations: the stored data, "
            "the same numbers as the pages and the API."
        ),
    )
    parser.add_argument(
        "--observations",
        metavar="FILE",
        help=(
            "observations as CSV, Parquet or JSON (columns: ods_code, measure_id, period_start, "
            "period_type, period_end, numerator, denominator, value; docs/reference/concern.md), "
            f"or '{BUNDLED}' for every bundled dataset; default: the database"
        ),
    )
    parser.add_argument(
        "--organisations",
        metavar="FILE",
        help=(
            "with --observations: the organisations (ods_code, name, org_type, region_code, "
            "close_date, successor_code, merged_on); default: the bundled ODS reference"
        ),
    )
    parser.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        type=_date,
        help="use only observations whose period ended by then (replay a past date)",
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help=(
            "write one row per organisation to FILE (.csv, .parquet or .json) and the findings to "
            "FILE with '-flags' before its suffix (.json: both in one file)"
        ),
    )
    parser.add_argument(
        "--save-inputs",
        metavar="FILE",
        help=(
            "write the observations used to FILE (.csv or .parquet) and the organisations to FILE "
            "with '-organisations' before its suffix, for --observations and --organisations"
        ),
    )
    parser.set_defaults(handler=run)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD; got {text!r}") from None


def run(args: argparse.Namespace) -> int:
    for option in ("output", "save_inputs"):
        path = getattr(args, option)
        if path and Path(path).suffix.lower() not in OUTPUT_SUFFIXES:
            raise OptionError(
                f"--{option.replace('_', '-')} must end in {', '.join(OUTPUT_SUFFIXES)}; got {path}"
            )
    if args.organisations and not args.observations:
        raise OptionError("--organisations goes with --observations (the database has its own)")
    result, inputs = assessed(args)
    if args.save_inputs:
        for written in save_inputs(inputs, Path(args.save_inputs), result.as_of):
            print(f"wrote {written}")
    if args.output:
        for written in write_result(result, Path(args.output)):
            print(f"wrote {written}")
    print_summary(result)
    return 0


def assessed(args: argparse.Namespace):
    """(the assessment, its inputs) from the database or the files given."""
    from candour.analytics.concern import assess

    if args.observations is None:
        from candour.cli.django_setup import setup_django

        setup_django()
        from candour.web.oversight import assessment

        inputs = assessment.inputs()
        if args.as_of is None:
            return assessment.current(), inputs
        observations = inputs.pop("observations")
        result = assess(observations, as_of=args.as_of, **inputs)
        inputs["observations"] = observations
        return result, inputs
    inputs = bundled_inputs(args.observations, args.organisations)
    observations = inputs.pop("observations")
    result = assess(observations, as_of=args.as_of, **inputs)
    inputs["observations"] = observations
    return result, inputs


def bundled_inputs(observations: str, organisations: str | None) -> dict:
    from candour.importers import assessment as bundled
    from candour.importers.files import read_table

    if observations == BUNDLED:
        frame = bundled.observations_frame().drop("dataset")
    else:
        frame = (
            read_table(observations)
            if not observations.endswith(".json")
            else pl.read_json(observations)
        )
    return {
        "observations": frame,
        "measures": bundled.measures_frame(),
        "organisations": read_table(organisations)
        if organisations
        else bundled.organisations_frame(),
        "targets": bundled.targets_frame(),
        "pairs": bundled.target_pairs(),
        "breaks": bundled.breaks_frame(),
    }


def save_inputs(inputs: dict, path: Path, as_of: date) -> list[Path]:
    """The observations the assessment used (periods ended by ``as_of``) and the organisations."""
    from candour.analytics.concern.inputs import checked_measures, checked_observations

    measures = checked_measures(inputs["measures"])
    observations = checked_observations(inputs["observations"], measures).filter(
        pl.col("period_end") <= as_of
    )
    organisations = inputs["organisations"].select(
        [c for c in ORGANISATION_OUTPUT_COLUMNS if c in inputs["organisations"].columns]
    )
    companion = path.with_name(f"{path.stem}-organisations{path.suffix}")
    return [
        _write(observations.select(OBSERVATION_OUTPUT_COLUMNS), path),
        _write(organisations, companion),
    ]


def write_result(result, path: Path) -> list[Path]:
    organisations = result.organisations.with_columns(pl.col("flags").list.join(" | "))
    flags = result.flags.with_columns(
        p=pl.Series(_one_sided_p(result.flags["z"].to_numpy()), dtype=pl.Float64)
    ).select(FLAG_OUTPUT_COLUMNS)
    if path.suffix.lower() == ".json":
        import json

        document = {
            "as_of": result.as_of.isoformat(),
            "organisations": _records(organisations),
            "flags": _records(flags),
        }
        path.write_text(json.dumps(document, indent=1, default=str), encoding="utf-8")
        return [path]
    companion = path.with_name(f"{path.stem}-flags{path.suffix}")
    return [_write(organisations, path), _write(flags, companion)]


def _one_sided_p(z):
    from scipy.special import ndtr

    return ndtr(-z.astype(float))


def _records(frame: pl.DataFrame) -> list[dict]:
    return frame.with_columns(pl.col(pl.Date).cast(pl.String)).to_dicts()


def _write(frame: pl.DataFrame, path: Path) -> Path:
    if path.suffix.lower() == ".parquet":
        frame.write_parquet(path)
    elif path.suffix.lower() == ".json":
        frame.with_columns(pl.col(pl.Date).cast(pl.String)).write_json(path)
    else:
        frame.write_csv(path)
    return path


def print_summary(result) -> None:
    from candour.analytics.concern.constants import LEVEL_RANK

    counts = result.organisations["status"].value_counts()
    ordered = sorted(counts.iter_rows(), key=lambda r: -LEVEL_RANK.get(r[0], 0))
    print(f"Assessed as of {result.as_of:%d %B %Y}: {result.organisations.height} organisations")
    for status, count in ordered:
        print(f"  {status}: {count}")
    ranked = (
        result.organisations.with_columns(
            rank=pl.col("status").replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int64)
        )
        .sort(["rank", "headline"], descending=True, nulls_last=True)
        .filter(pl.col("n_flags") > 0)
        .head(SHOWN)
    )
    for row in ranked.iter_rows(named=True):
        worst = row["flags"][0] if row["flags"] else ""
        print(f"{row['ods_code']}  {row['status']:<14} {worst}")
