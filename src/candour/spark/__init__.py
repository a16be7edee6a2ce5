"""SPC and CUSUM charts on Spark DataFrames (the optional ``candour[spark]`` extra).

``candour.spark.spc(sdf, ...)`` and ``candour.spark.cusum(sdf, chart=..., ...)`` take a Spark
DataFrame and return one, computed on the workers by the same kernels as
:func:`candour.analytics.spc.spc` and :mod:`candour.analytics.cusum`, with the same results.
Works on Spark 3.3+ and Databricks. See docs/how-to/spark.md.
"""

from __future__ import annotations

try:
    import pyspark  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError(
        "candour.spark needs PySpark: pip install 'candour[spark]' (and Java 17)"
    ) from error

from candour.spark.engine import cusum, spc
from candour.spark.errors import WorkerError, user_errors
from candour.spark.session import local_session

__all__ = ["WorkerError", "cusum", "local_session", "spc", "user_errors"]
