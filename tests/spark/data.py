"""Test data for the Spark tests: a few hundred series, unsorted, with missing values, rebases
and tied dates; and the round trip through Parquet that Spark reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

N_TRUSTS = 100
GROUPS = ("hip", "stroke", "sepsis")  # 300 series
START = dt.date(2021, 1, 1)
MONTHS = pl.date_range(START, dt.date(2022, 12, 1), "1mo", eager=True)  # 24 points per series
REBASE = MONTHS[12]
EPOCH_DAYS = (START - dt.date(1970, 1, 1)).days


def trusts(n: int = N_TRUSTS) -> list[str]:
    return [f"R{i:03d}" for i in range(n)]


def monthly(seed: int = 11) -> pl.DataFrame:
    """One row per trust, group and month, shuffled: ``rate`` with about 5% missing, ``goal``
    a target column. Some series shift upwards half way (special causes to find)."""
    rng = np.random.default_rng(seed)
    keys = pl.DataFrame({"trust": trusts()}).join(pl.DataFrame({"group": GROUPS}), how="cross")
    frame = keys.join(pl.DataFrame({"month": MONTHS}), how="cross")
    n = frame.height
    shifted = (frame.get_column("trust").str.slice(1).cast(pl.Int64) % 7 == 0).to_numpy()
    late = (frame.get_column("month") >= REBASE).to_numpy()
    rate = rng.normal(50, 4, n) + np.where(shifted & late, 12.0, 0.0)
    missing = rng.uniform(size=n) < 0.05
    return frame.with_columns(
        rate=pl.Series(np.where(missing, np.nan, rate)).fill_nan(None),
        goal=pl.Series(rng.choice([45.0, 55.0], n)),
    ).sample(fraction=1.0, shuffle=True, seed=seed)


def patients(seed: int = 5, n: int = 30_000) -> pl.DataFrame:
    """Unsorted patients of 300 series with many tied dates (30 days), outcome 0/1 and risk;
    per-period observed and expected deaths in ``deaths`` and ``expected``."""
    rng = np.random.default_rng(seed)
    risk = 1 / (1 + np.exp(3.68 - 0.077 * np.minimum(rng.negative_binomial(1.1, 0.11, n), 71)))
    excess = np.where(rng.integers(0, N_TRUSTS, n) < 5, 2.0, 1.0)
    return pl.DataFrame(
        {
            "trust": pl.Series(trusts())[rng.integers(0, N_TRUSTS, n)],
            "group": np.array(GROUPS)[rng.integers(0, len(GROUPS), n)],
            "date": pl.Series(rng.integers(0, 30, n) + EPOCH_DAYS).cast(pl.Int32).cast(pl.Date),
            "outcome": (rng.uniform(size=n) < np.minimum(risk * excess, 0.99)).astype(np.int64),
            "risk": risk,
            "deaths": rng.poisson(3.0, n),
            "expected": rng.uniform(1.0, 5.0, n),
        }
    )


def parquet(frame: pl.DataFrame, directory: Path, name: str = "input.parquet") -> str:
    """``frame`` written as one Parquet file (Spark reads its rows in the file's order)."""
    path = directory / name
    frame.write_parquet(path)
    return str(path)


def read_spark_output(path: str | Path) -> pl.DataFrame:
    """A Parquet directory written by Spark, as one Polars frame."""
    return pl.read_parquet(Path(path) / "*.parquet")


def plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Enum columns as text, as Spark stores them."""
    return frame.with_columns(pl.col(pl.Enum, pl.Categorical).cast(pl.String))
