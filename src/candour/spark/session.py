"""A local Spark session that needs nothing from the internet, for the command line, the tests
and the benchmark. On a cluster (Databricks, spark-submit) the platform's session is used.

Measured pitfalls this avoids: the workers must run this Python (the one with Candour and Polars
installed), so ``PYSPARK_PYTHON`` is set to it unless already set; the session time zone is UTC,
so timestamps mean the same on the driver, the workers and in Parquet; the web UI is off and the
driver listens on the loopback address only; no packages or jars are fetched (none are asked
for: Spark's own jars come with PySpark).
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOOPBACK = "127.0.0.1"
LOCAL_CONFIG = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    # Parquet's standard timestamps (UTC, microseconds) rather than Spark's legacy INT96, which
    # Polars and pyarrow read as zone-less nanoseconds.
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.driver.bindAddress": LOOPBACK,
    "spark.driver.host": LOOPBACK,
}


def local_session(
    cores: int | str = "*",
    *,
    config: dict[str, str] | None = None,
    app: str = "candour",
    log_level: str = "ERROR",
) -> SparkSession:
    """The active Spark session if there is one (a cluster's), else a local one on ``cores``
    cores (``"*"``: all) with :data:`LOCAL_CONFIG` and ``config``, logging at ``log_level``."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    os.environ.setdefault("SPARK_LOCAL_IP", LOOPBACK)  # local mode: nothing listens outside
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app).master(f"local[{cores}]")
    for key, value in {**LOCAL_CONFIG, **(config or {})}.items():
        builder = builder.config(key, value)
    with quiet_pandas_notice():
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel(log_level)
    return session


# PySpark warns (FutureWarning) on every Arrow call when pandas is 3.x; Candour's Spark path
# hands Arrow batches to Polars and never uses pandas, so the notice says nothing to our users.
PANDAS_NOTICE = "PySpark does not yet fully support pandas"


@contextmanager
def quiet_pandas_notice() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=PANDAS_NOTICE, category=FutureWarning)
        yield
