"""``spc()`` and ``cusum()`` on a Spark DataFrame: the same kernels as in-process, run on the
workers through the engine-neutral Arrow core (:mod:`candour.analytics.batches`).

The plan: number the rows in the order Spark reads them (``monotonically_increasing_id``, for
CUSUM only), ``repartition`` by the series key so that each series is in one partition, sort
each partition by series (then by that number, or by date), and ``mapInArrow`` a function that
gathers whole series into pieces and runs the kernel on each. Nothing is collected to the
driver; the result is a lazy Spark DataFrame (write it with ``.write.parquet``).

Options are checked on the driver before any job runs: the kernel runs once on an empty frame
(CUSUM) or one made-up row (SPC) of the input's types, which both checks the options against the
columns and gives the output schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa
from pyspark.sql import functions as F

from candour.analytics.batches import MIN_ROWS, Kernel, map_series
from candour.analytics.cusum import ChartSpec
from candour.analytics.cusum.options import column_tuple
from candour.analytics.spc.options import check_whole_number
from candour.analytics.spc.spec import PER_SERIES_OPTIONS, SpcSpec
from candour.exceptions import OptionError
from candour.spark.session import quiet_pandas_notice
from candour.spark.types import TEMPORAL_SPARK, arrow_schema, polars_schema, spark_schema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

ROW_ID = "__candour_row_id"
TIME_ZONE = "spark.sql.session.timeZone"


def spc(
    sdf: DataFrame,
    *,
    table: str = "points",
    partitions: int | None = None,
    min_rows: int = MIN_ROWS,
    **options: Any,
) -> DataFrame:
    """XmR charts for every series of a Spark DataFrame: ``spc(frame, **options)`` of
    :func:`candour.analytics.spc.spc`, run on the workers, returning one of its tables as a
    Spark DataFrame: ``points`` (one row per input row), ``summary`` (one per series) or
    ``groups`` (one per segment), with the same values as in-process (rows in no particular
    order). The ``date`` column must be a Spark date or timestamp.

    ``partitions``: how many partitions to spread the series over (default: Spark's
    ``spark.sql.shuffle.partitions``); ``min_rows``: rows each kernel call gathers."""
    check_engine_options(partitions, min_rows)
    spec = SpcSpec(options, table)
    check_columns(sdf, spec.columns)
    date = options["date"]
    if not isinstance(sdf.schema[date].dataType, TEMPORAL_SPARK):
        raise OptionError(
            f"date column {date!r} must be a Spark date or timestamp; it is"
            f" {sdf.schema[date].dataType.simpleString()} (convert it with F.to_date first)"
        )
    if any(isinstance(options.get(name), dict) for name in PER_SERIES_OPTIONS):
        spec.check_keys(series_keys(sdf, spec.group))
    time_zone = sdf.sparkSession.conf.get(TIME_ZONE)
    output = spec.output_schema(polars_schema(sdf.select(spec.columns).schema, time_zone))
    return run(
        sdf.select(spec.columns),
        spec,
        group=spec.group,
        sort=[date],
        locate=[date],
        output=output,
        partitions=partitions,
        min_rows=min_rows,
    )


def cusum(
    sdf: DataFrame,
    *,
    chart: str,
    partitions: int | None = None,
    min_rows: int = MIN_ROWS,
    **options: Any,
) -> DataFrame:
    """A CUSUM or VLAD chart for every series of a Spark DataFrame: ``chart`` is
    ``"bernoulli"``, ``"poisson"``, ``"standardised"`` or ``"vlad"``, and ``options`` the keyword
    arguments of that function in :mod:`candour.analytics.cusum`. Returns the DataFrame with the
    chart's columns (``cusum`` and ``signal``, or ``vlad``), with the same values as in-process.
    Rows with the same series and time order are taken in the order Spark reads them (for one
    Parquet file, the file's order), as in-process takes them in the frame's order."""
    check_engine_options(partitions, min_rows)
    spec = ChartSpec(chart, options)
    group = column_tuple("group", options.get("group"))
    order = column_tuple("order", options.get("order"))
    time_zone = sdf.sparkSession.conf.get(TIME_ZONE)
    empty = pl.DataFrame(schema=polars_schema(sdf.schema, time_zone))
    output = spec.run(empty).schema  # checks every option against the columns
    numbered = sdf.withColumn(ROW_ID, F.monotonically_increasing_id())
    return run(
        numbered,
        spec,
        group=group,
        sort=[ROW_ID],
        locate=order,
        output=output,
        partitions=partitions,
        min_rows=min_rows,
        columns=sdf.columns,
    )


def run(
    sdf: DataFrame,
    kernel: Kernel,
    *,
    group: Sequence[str],
    sort: Sequence[str],
    locate: Sequence[str],
    output: pl.Schema,
    partitions: int | None,
    min_rows: int,
    columns: Sequence[str] | None = None,
) -> DataFrame:
    """Repartition by series, sort each partition by series then ``sort``, keep ``columns``
    and map the kernel over the partitions."""
    if not group:
        spread = sdf.repartition(1)
    elif partitions is None:
        spread = sdf.repartition(*group)
    else:
        spread = sdf.repartition(int(partitions), *group)
    ordered = spread.sortWithinPartitions(*group, *sort)
    if columns is not None:
        ordered = ordered.select(*columns)
    schema = spark_schema(output)
    time_zone = sdf.sparkSession.conf.get(TIME_ZONE)
    function = partial(
        map_partition,
        kernel=kernel,
        group=tuple(group),
        locate=tuple(locate),
        schema=arrow_schema(schema, time_zone),
        min_rows=min_rows,
    )
    with quiet_pandas_notice():
        return ordered.mapInArrow(function, schema)


def map_partition(
    batches: Iterable[pa.RecordBatch],
    *,
    kernel: Kernel,
    group: tuple[str, ...],
    locate: tuple[str, ...],
    schema: pa.Schema,
    min_rows: int,
) -> Iterator[pa.RecordBatch]:
    """The function each worker runs on its partition (module-level, so it pickles by name)."""
    yield from map_series(
        batches, kernel, group=group, locate=locate, schema=schema, min_rows=min_rows
    )


def check_engine_options(partitions: object, min_rows: object) -> None:
    if partitions is not None:
        check_whole_number("partitions", partitions, minimum=1)
    check_whole_number("min_rows", min_rows, minimum=1)


def check_columns(sdf: DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in dict.fromkeys(columns) if c not in sdf.columns]
    if missing:
        shown = ", ".join(repr(c) for c in sdf.columns) or "no columns"
        raise OptionError(
            f"no column named {', '.join(repr(c) for c in missing)}; the data has {shown}"
        )


def series_keys(sdf: DataFrame, group: Sequence[str]) -> pl.DataFrame:
    """Every series key of ``sdf`` (one row each: small, a few thousand rows nationally)."""
    if not group:
        return pl.DataFrame()
    time_zone = sdf.sparkSession.conf.get(TIME_ZONE)
    keys = sdf.select(*group).distinct()
    schema = polars_schema(keys.schema, time_zone)
    rows = [tuple(row) for row in keys.collect()]
    return pl.DataFrame(rows, schema=schema, orient="row")
