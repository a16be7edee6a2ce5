"""candour.spark gives, bit for bit, what the in-process call gives: SPC (points, summary and
groups) and every CUSUM chart on a few hundred series read by Spark from Parquet, with missing
values, rebases, tied dates, resets, several partitions (some empty) and kernel calls cut
between series. Errors come back as the user errors they are."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from tests.spark.data import (
    GROUPS,
    MONTHS,
    REBASE,
    monthly,
    parquet,
    patients,
    plain,
    read_spark_output,
    trusts,
)

from candour.analytics.cusum import ChartSpec
from candour.analytics.spc import spc as spc_in_process
from candour.exceptions import OptionError
from candour.spark import WorkerError, cusum, spc, user_errors

pytestmark = pytest.mark.spark

MIN_ROWS = 1_000  # rows per kernel call: small, so each partition takes several calls
PARTITIONS = 3
SERIES = ("trust", "group")


def write(sdf, tmp_path, name="out.parquet") -> pl.DataFrame:
    with user_errors():
        sdf.write.parquet(str(tmp_path / name))
    return read_spark_output(tmp_path / name)


SPC_OPTIONS = {
    "value": "rate",
    "date": "month",
    "group": SERIES,
    "target": "goal",
    "rebase": {(trust, group): [REBASE] for trust in trusts()[::7] for group in GROUPS},
    "improvement": {
        (trust, group): "decrease" if i % 2 else "increase"
        for i, trust in enumerate(trusts())
        for group in GROUPS
    },
    "tolerate_missing": True,
}


@pytest.mark.parametrize("table", ["points", "summary", "groups"])
def test_spc_equals_in_process(spark, tmp_path, table):
    frame = monthly()
    sdf = spark.read.parquet(parquet(frame, tmp_path))
    got = write(spc(sdf, table=table, min_rows=MIN_ROWS, **SPC_OPTIONS), tmp_path)
    want = getattr(spc_in_process(frame, **SPC_OPTIONS), table)
    keys = [*SERIES, "date"] if table == "points" else [*SERIES]
    keys += ["rebase_group"] if table == "groups" else []
    assert got.height == want.height
    assert_frame_equal(got.sort(keys), plain(want).sort(keys), check_exact=True)
    if table == "points":
        assert want.get_column("value").null_count() > 0
        assert want.get_column("rebase_group").max() == 1
        assert want.get_column("special_cause_flag").any()


def test_spc_with_timestamps_and_one_rebase_for_all(spark, tmp_path):
    """Timestamps (the session's time zone is UTC) and a rebase date given once."""
    frame = monthly().filter(pl.col("trust") < "R010")
    frame = frame.with_columns(pl.col("month").cast(pl.Datetime("us", "UTC")))
    options = {"value": "rate", "date": "month", "group": SERIES, "rebase": [REBASE]}
    options["tolerate_missing"] = True
    sdf = spark.read.parquet(parquet(frame, tmp_path))
    got = write(spc(sdf, partitions=PARTITIONS, **options), tmp_path)
    want = spc_in_process(frame, **options).points
    assert got.schema["date"] == pl.Datetime("us", "UTC")
    keys = [*SERIES, "date"]
    assert_frame_equal(got.sort(keys), plain(want).sort(keys), check_exact=True)


CUSUM_CHARTS = {
    "bernoulli": {"outcome": "outcome", "risk": "risk", "odds_ratio": 2.0, "h": 2.5},
    "bernoulli lower, no reset": {
        "outcome": "outcome", "risk": "risk", "odds_ratio": 0.5, "h": 2.0, "reset": False,
    },
    "poisson": {"observed": "deaths", "expected": "expected", "rate_ratio": 1.3, "h": 4.0},
    "standardised": {"observed": "deaths", "expected": "expected", "k": 0.5, "h": 3.0},
    "vlad": {"outcome": "outcome", "risk": "risk"},
}  # fmt: skip


@pytest.mark.parametrize("name", CUSUM_CHARTS)
def test_cusum_equals_in_process(spark, tmp_path, name):
    chart = name.split()[0]
    frame = patients()
    options = {**CUSUM_CHARTS[name], "group": SERIES, "order": "date"}
    sdf = spark.read.parquet(parquet(frame.with_row_index("row"), tmp_path))
    result = cusum(sdf, chart=chart, partitions=PARTITIONS, min_rows=MIN_ROWS, **options)
    got = write(result, tmp_path).sort("row").drop("row")
    want = ChartSpec(chart, options).run(frame)
    assert_frame_equal(got, want, check_exact=True)
    if chart == "bernoulli":
        assert want.get_column("signal").sum() > 10  # resets happen


def test_cusum_with_thresholds_per_series(spark, tmp_path):
    frame = patients()
    h = {(trust, group): 1.5 + i % 4 for i, trust in enumerate(trusts()) for group in GROUPS}
    options = {"outcome": "outcome", "risk": "risk", "odds_ratio": 2.0, "h": h}
    options |= {"group": SERIES, "order": "date"}
    sdf = spark.read.parquet(parquet(frame.with_row_index("row"), tmp_path))
    got = write(cusum(sdf, chart="bernoulli", **options), tmp_path).sort("row").drop("row")
    assert_frame_equal(got, ChartSpec("bernoulli", options).run(frame), check_exact=True)


def test_a_bad_row_is_named_by_series_and_date(spark, tmp_path):
    frame = patients().with_columns(
        risk=pl.when(pl.int_range(pl.len()) == 1234).then(None).otherwise("risk")
    )
    bad = frame.row(1234, named=True)
    sdf = spark.read.parquet(parquet(frame, tmp_path))
    options = {"outcome": "outcome", "risk": "risk", "odds_ratio": 2.0, "h": 3.0}
    result = cusum(sdf, chart="bernoulli", group=SERIES, order="date", **options)
    with pytest.raises(WorkerError) as raised:
        write(result, tmp_path)
    assert raised.value.kind == "DataFileError"
    assert (
        f"at trust {bad['trust']!r}, group {bad['group']!r}, date {bad['date']}:"
        " a predicted risk is missing"
    ) in str(raised.value)


def test_options_are_checked_before_any_job(spark, tmp_path):
    sdf = spark.read.parquet(parquet(patients().head(10), tmp_path))
    with pytest.raises(OptionError, match="odds_ratio must differ from 1"):
        cusum(sdf, chart="bernoulli", outcome="outcome", risk="risk", odds_ratio=1, h=3.0)
    with pytest.raises(OptionError, match="no column named 'died'"):
        cusum(sdf, chart="bernoulli", outcome="died", risk="risk", odds_ratio=2, h=3.0)
    with pytest.raises(OptionError, match="must be a Spark date or timestamp"):
        spc(sdf.withColumn("date", sdf["date"].cast("string")), value="risk", date="date")
    with pytest.raises(OptionError, match="not in the data: 'R999'"):
        spc(sdf, value="risk", date="date", group="trust", target={"R999": 1.0})
    with pytest.raises(OptionError, match="partitions must be a whole number of at least 1"):
        spc(sdf, value="risk", date="date", partitions=0)
    with pytest.raises(OptionError, match="spc has no option 'colour'"):
        spc(sdf, value="risk", date="date", colour="red")


def test_no_rows_give_no_rows(spark, tmp_path):
    frame = monthly().clear()
    sdf = spark.read.parquet(parquet(frame, tmp_path))
    got = write(spc(sdf, value="rate", date="month", group=SERIES), tmp_path)
    assert got.height == 0
    assert got.columns[:4] == ["trust", "group", "date", "value"]


def test_one_series_without_group(spark, tmp_path):
    frame = monthly().filter((pl.col("trust") == "R001") & (pl.col("group") == "hip"))
    frame = frame.drop("trust", "group").fill_null(50.0)
    sdf = spark.read.parquet(parquet(frame, tmp_path))
    got = write(spc(sdf, table="summary", value="rate", date="month"), tmp_path)
    want = spc_in_process(frame, value="rate", date="month").summary
    assert_frame_equal(got, plain(want), check_exact=True)
    assert got.get_column("latest_date").to_list() == [MONTHS[-1]]
    assert isinstance(got.get_column("latest_date")[0], dt.date)
