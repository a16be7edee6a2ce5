"""``candour spc|cusum --engine spark`` on Parquet files, as a user would run them: Spark writes
the same rows the in-process engine writes, prints what signalled, and a bad file exits 2
naming the series and date of the bad value."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from tests.spark.data import monthly, plain, read_spark_output

from candour.analytics.cusum.synthetic import synthetic_nation
from candour.cli import main

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def nation():
    return synthetic_nation(trusts=6, planted=2, years=3, seed=11)


def test_spc_engine_spark_writes_the_points_the_polars_engine_writes(spark, tmp_path, capsys):
    source = tmp_path / "monthly.parquet"
    monthly().filter(pl.col("trust") < "R020").write_parquet(source)
    common = ["spc", source, "--value", "rate", "--date", "month", "--group", "trust", "group"]
    common += ["--rebase", "2022-01-01", "--tolerate-missing", "--target-col", "goal"]
    assert main([*map(str, common), "--output", str(tmp_path / "local.parquet")]) == 0
    spark_out = tmp_path / "spark.parquet"
    assert main([*map(str, common), "--engine", "spark", "--output", str(spark_out)]) == 0
    assert f"wrote {spark_out} (points table, written by Spark)" in capsys.readouterr().out
    keys = ["trust", "group", "date"]
    want = plain(pl.read_parquet(tmp_path / "local.parquet").drop("note")).sort(keys)
    assert_frame_equal(read_spark_output(spark_out).sort(keys), want, check_exact=True)


def test_cusum_engine_spark_writes_the_statistic_and_counts_the_signals(
    spark, nation, tmp_path, capsys
):
    source = tmp_path / "patients.parquet"
    nation.patients.with_row_index("row").cast({"row": pl.Int64}).write_parquet(source)  # ties
    local, remote = tmp_path / "local.parquet", tmp_path / "spark.parquet"
    common = ["cusum", str(source), "--chart", "bernoulli", "--h", "4.5"]
    assert main([*common, "--output", str(local)]) == 0
    capsys.readouterr()
    assert main([*common, "--engine", "spark", "--partitions", "3", "--output", str(remote)]) == 0
    printed = capsys.readouterr().out
    want = pl.read_parquet(local).drop("vlad")
    got = read_spark_output(remote)
    assert_frame_equal(got.sort("row").select(want.columns), want, check_exact=True)
    signalled = want.filter("signal").select("trust", "group").n_unique()
    n_series = want.select("trust", "group").n_unique()
    assert "SYNTHETIC DATA: no real patients." in printed
    assert f"{signalled} of {n_series} series signalled (h 4.5)." in printed


def test_a_bad_value_exits_2_naming_series_and_date(spark, nation, tmp_path, capsys):
    source = tmp_path / "patients.parquet"
    bad = nation.patients.with_columns(
        outcome=pl.when(pl.int_range(pl.len()) == 99).then(2).otherwise("outcome")
    )
    bad.write_parquet(source)
    row = bad.row(99, named=True)
    output = str(tmp_path / "out.parquet")
    code = main(["cusum", str(source), "--chart", "vlad", "--engine", "spark", "--output", output])
    assert code == 2
    error = capsys.readouterr().err
    assert (
        f"at trust {row['trust']!r}, group {row['group']!r}, date {row['date']}:"
        " an outcome must be 0 or 1; found 2"
    ) in error
    assert "Traceback" not in error.split("candour cusum: error:")[1]
