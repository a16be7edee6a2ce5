"""Spark, Arrow and Polars types, and the schemas that pass between them.

PySpark's own converter (``pyspark.sql.pandas.types.to_arrow_schema``) changed its signature
between Spark 3 and 4 (Spark 4 requires the session time zone), so the few types a chart's input
and output use are mapped here, the same way on every Spark from 3.3. Timestamps carry the
session time zone, as Spark labels the batches it hands to Python.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa
from pyspark.sql import types as T

from candour.exceptions import OptionError

TIMESTAMP_NTZ = getattr(T, "TimestampNTZType", None)  # Spark 3.4+

SIMPLE_ARROW = (
    (T.StringType, pa.string()),
    (T.LongType, pa.int64()),
    (T.IntegerType, pa.int32()),
    (T.ShortType, pa.int16()),
    (T.ByteType, pa.int8()),
    (T.DoubleType, pa.float64()),
    (T.FloatType, pa.float32()),
    (T.BooleanType, pa.bool_()),
    (T.DateType, pa.date32()),
    (T.BinaryType, pa.binary()),
)
# Polars types of the kernels' outputs, and the Spark type each is written as. Enum and
# Categorical columns are written as text.
SIMPLE_SPARK: tuple[tuple[type[pl.DataType], T.DataType], ...] = (
    (pl.Float64, T.DoubleType()),
    (pl.Float32, T.FloatType()),
    (pl.Int64, T.LongType()),
    (pl.Int32, T.IntegerType()),
    (pl.Int16, T.ShortType()),
    (pl.Int8, T.ByteType()),
    (pl.UInt32, T.LongType()),
    (pl.UInt16, T.IntegerType()),
    (pl.UInt8, T.ShortType()),
    (pl.Boolean, T.BooleanType()),
    (pl.String, T.StringType()),
    (pl.Enum, T.StringType()),
    (pl.Categorical, T.StringType()),
    (pl.Date, T.DateType()),
    (pl.Binary, T.BinaryType()),
)
TEMPORAL_SPARK = tuple(t for t in (T.DateType, T.TimestampType, TIMESTAMP_NTZ) if t is not None)


def arrow_type(spark_type: T.DataType, time_zone: str, column: str) -> pa.DataType:
    """The Arrow type Spark uses for ``spark_type`` in the batches it exchanges with Python."""
    for spark_class, arrow in SIMPLE_ARROW:
        if isinstance(spark_type, spark_class):
            return arrow
    if isinstance(spark_type, T.TimestampType):
        return pa.timestamp("us", tz=time_zone)
    if TIMESTAMP_NTZ is not None and isinstance(spark_type, TIMESTAMP_NTZ):
        return pa.timestamp("us")
    if isinstance(spark_type, T.DecimalType):
        return pa.decimal128(spark_type.precision, spark_type.scale)
    if isinstance(spark_type, T.ArrayType):
        return pa.list_(arrow_type(spark_type.elementType, time_zone, column))
    raise OptionError(
        f"column {column!r} has the Spark type {spark_type.simpleString()}, which the charts"
        " cannot pass through; cast it or drop it first"
    )


def arrow_schema(schema: T.StructType, time_zone: str) -> pa.Schema:
    return pa.schema(
        [pa.field(f.name, arrow_type(f.dataType, time_zone, f.name)) for f in schema.fields]
    )


def polars_schema(schema: T.StructType, time_zone: str) -> pl.Schema:
    """The Polars types that Spark's batches of ``schema`` arrive as."""
    return pl.from_arrow(arrow_schema(schema, time_zone).empty_table()).schema


def spark_type(dtype: pl.DataType, column: str) -> T.DataType:
    """The Spark type a kernel's output column of Polars type ``dtype`` is written as."""
    for polars_class, spark in SIMPLE_SPARK:
        if isinstance(dtype, polars_class) or dtype == polars_class:
            return spark
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None and TIMESTAMP_NTZ is not None:
            return TIMESTAMP_NTZ()
        return T.TimestampType()
    if isinstance(dtype, pl.Decimal):
        return T.DecimalType(dtype.precision or 38, dtype.scale or 0)
    if isinstance(dtype, pl.List):
        return T.ArrayType(spark_type(dtype.inner, column))
    raise TypeError(f"no Spark type for the output column {column!r} of Polars type {dtype}")


def spark_schema(schema: pl.Schema) -> T.StructType:
    return T.StructType(
        [T.StructField(name, spark_type(dtype, name), True) for name, dtype in schema.items()]
    )
