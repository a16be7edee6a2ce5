"""Compare a measure's values across groups of organisations (for example by CQC rating)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from scipy import stats

CONFIDENCE = 0.95  # two-sided interval for each group's mean


def compare_groups(
    frame: pl.DataFrame, *, value: str, group: str, order: Sequence[str] = ()
) -> pl.DataFrame:
    """Per group: number of organisations, mean, standard deviation and a t-based 95% confidence
    interval for the mean (Student's t with n-1 degrees of freedom). Null values are ignored.
    Groups are returned in ``order`` (then any others, alphabetically)."""
    summary = (
        frame.filter(pl.col(value).is_not_null() & pl.col(group).is_not_null())
        .group_by(group)
        .agg(
            pl.len().alias("n"),
            pl.col(value).mean().alias("mean"),
            pl.col(value).std(ddof=1).alias("sd"),
        )
    )
    half_widths = [
        float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * sd / n**0.5)
        if n > 1 and sd is not None
        else None
        for n, sd in zip(summary["n"], summary["sd"], strict=True)
    ]
    summary = summary.with_columns(
        pl.Series("half_width", half_widths, dtype=pl.Float64)
    ).with_columns(
        (pl.col("mean") - pl.col("half_width")).alias("ci_low"),
        (pl.col("mean") + pl.col("half_width")).alias("ci_high"),
    )
    rank = {name: i for i, name in enumerate(order)}
    return (
        summary.with_columns(
            pl.col(group)
            .replace_strict(rank, default=len(rank), return_dtype=pl.Int64)
            .alias("_rank")
        )
        .sort("_rank", group)
        .drop("_rank", "half_width")
    )
