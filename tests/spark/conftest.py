"""One local Spark session (2 cores) for every Spark test; starting one takes 10-25 seconds.

The tests need Java (scripts/test.sh installs Debian's openjdk-17-jre-headless when it is
missing) and PySpark (requirements.lock). They use no database: scripts/test.sh runs them in
the SQLite pass only.
"""

from __future__ import annotations

import pytest

SHUFFLE_PARTITIONS = 4  # more partitions than the 2 cores, so some partitions are empty


@pytest.fixture(scope="session")
def spark():
    from candour.spark import local_session

    session = local_session(
        2,
        config={
            "spark.sql.shuffle.partitions": str(SHUFFLE_PARTITIONS),
            "spark.default.parallelism": "2",
            "spark.driver.memory": "1g",
        },
        app="candour-tests",
    )
    yield session
    session.stop()
