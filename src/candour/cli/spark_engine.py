"""``candour spc|cusum --engine spark``: the same charts computed by Spark, for Parquet inputs too
large for one process. Spark reads the input and writes the output (a Parquet directory);
nothing large comes back to this process. Uses the active Spark session (spark-submit, a
cluster) or starts a local one on every core. Needs ``candour[spark]`` and Java 17.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from candour.exceptions import OptionError

ENGINES = ("polars", "spark")
PARQUET = ".parquet"


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    engine = parser.add_argument_group("engine")
    engine.add_argument(
        "--engine",
        choices=ENGINES,
        default="polars",
        help="polars: in this process (default); spark: on Spark (Parquet INPUT and --output, "
        "written by Spark as a directory of Parquet files; needs candour[spark] and Java 17)",
    )
    engine.add_argument(
        "--partitions",
        type=int,
        metavar="N",
        help="spark: partitions to spread the series over (default: spark.sql.shuffle.partitions)",
    )


def check_spark_arguments(args: argparse.Namespace, unsupported: dict[str, str]) -> None:
    """Parquet in and out, and none of the options Spark does not offer (``unsupported`` maps
    each attribute to its flag)."""
    if args.engine != "spark":
        if args.partitions is not None:
            raise OptionError("--partitions applies only with --engine spark")
        return
    if Path(args.input).suffix.lower() != PARQUET:
        raise OptionError(f"--engine spark reads Parquet; got {args.input!r}")
    if not args.output or Path(args.output).suffix.lower() != PARQUET:
        raise OptionError("--engine spark needs --output OUT.parquet (Spark writes it)")
    for attribute, flag in unsupported.items():
        if getattr(args, attribute, None):
            raise OptionError(f"{flag} is not available with --engine spark")


def session():
    from candour.spark import local_session

    return local_session(log_level="OFF")  # a worker's data error is reported once, below


def read(spark, path: str):
    """The Parquet input; a local path must exist (a URI such as s3:// or dbfs:/ is Spark's)."""
    if ":/" not in path and not Path(path).exists():
        raise OptionError(f"no such file or directory: {path!r}")
    return spark.read.parquet(path)


def write(result, path: str) -> None:
    from candour.spark import user_errors

    with user_errors():
        result.write.mode("overwrite").parquet(path)


def run_spc(args: argparse.Namespace, options: dict[str, Any]) -> int:
    """Write the points table of ``spc(**options)`` computed by Spark."""
    from candour.spark import spc

    spark = session()
    sdf = read(spark, args.input)
    write(spc(sdf, partitions=args.partitions, **options), args.output)
    print(f"wrote {args.output} (points table, written by Spark)")
    return 0


def run_cusum(
    args: argparse.Namespace,
    chart_options: Callable[[argparse.Namespace, pl.DataFrame], dict[str, Any]],
    synthetic_columns: tuple[str, ...],
) -> int:
    """Write the chart's statistic per row computed by Spark (``chart_options`` gives the
    chart's keyword arguments from the arguments and the input's columns); print how many
    series signalled."""
    from pyspark.sql import functions as F

    from candour.spark import cusum, user_errors
    from candour.spark.engine import TIME_ZONE
    from candour.spark.types import polars_schema

    spark = session()
    sdf = read(spark, args.input)
    columns = pl.DataFrame(schema=polars_schema(sdf.schema, spark.conf.get(TIME_ZONE)))
    options = chart_options(args, columns)
    if args.chart != "vlad" and args.h is None:
        raise OptionError(
            "--engine spark needs --h (thresholds designed per series need each series' data"
            " in this process: use the polars engine, or candour.analytics.cusum.series)"
        )
    if any_synthetic(sdf, synthetic_columns, F):
        print("SYNTHETIC DATA: no real patients.")
    result = cusum(sdf, chart=args.chart, partitions=args.partitions, **options)
    write(result, args.output)
    print(f"wrote {args.output} (statistic per row, written by Spark)")
    if args.chart == "vlad":
        return 0
    written = spark.read.parquet(args.output)
    group = options.get("group") or []
    with user_errors():
        n_series = written.select(*group).distinct().count() if group else 1
        signalled = written.where(F.col("signal")).select(*group).distinct().count()
    print(f"{signalled} of {n_series} series signalled (h {args.h:g}).")
    return 0


def any_synthetic(sdf, names: tuple[str, ...], F) -> bool:
    """Whether a synthetic-data flag column says any row is synthetic."""
    for name in names:
        if name in sdf.columns:
            flagged = F.col(name).cast("string").isin("true", "True", "1")
            if sdf.where(flagged).limit(1).count():
                return True
    return False
