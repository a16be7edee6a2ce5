"""``--engine spark`` refuses what it cannot do before starting Spark (exit 2, a clear
message), and ``--partitions`` belongs to it."""

from __future__ import annotations

import pytest

from candour.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["spc", "in.csv", "--value", "v", "--date", "d", "--engine", "spark", "--output",
          "o.parquet"], "--engine spark reads Parquet; got 'in.csv'"),
        (["spc", "in.parquet", "--value", "v", "--date", "d", "--engine", "spark"],
         "--engine spark needs --output OUT.parquet"),
        (["spc", "in.parquet", "--value", "v", "--date", "d", "--engine", "spark", "--output",
          "o.csv"], "--engine spark needs --output OUT.parquet"),
        (["spc", "in.parquet", "--value", "v", "--date", "d", "--engine", "spark", "--output",
          "o.parquet", "--chart", "c.svg"], "--chart is not available with --engine spark"),
        (["cusum", "in.parquet", "--chart", "bernoulli", "--engine", "spark", "--output",
          "o.parquet", "--alerts", "a.csv"], "--alerts is not available with --engine spark"),
        (["cusum", "in.parquet", "--chart", "bernoulli", "--engine", "spark", "--output",
          "o.parquet", "--false-alarm-rate", "0.01"],
         "--false-alarm-rate is not available with --engine spark"),
        (["cusum", "in.csv", "--chart", "bernoulli", "--partitions", "4"],
         "--partitions applies only with --engine spark"),
    ],
)  # fmt: skip
def test_engine_spark_refuses_what_it_cannot_do(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
