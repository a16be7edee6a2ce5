"""National standards missed by most of a peer group are system findings (issue 9 item 4).

"127 of 151 trusts below 92%" is a fact about the system, not evidence about any one trust: it is
reported on the national and regional pages. A trust is at risk on a target measure only when it is
credibly worse than its peers (the funnel) or shows special-cause concern in its own recent data.
"""

from __future__ import annotations

import polars as pl

from candour.analytics.concern import explain
from candour.analytics.concern.constants import SYSTEM_SHARE

SYSTEM_SCHEMA = {
    "measure_id": pl.String,
    "peer_group": pl.String,
    "target": pl.String,
    "period_type": pl.String,
    "period_start": pl.Date,
    "threshold": pl.Float64,
    "comparison": pl.String,
    "n_missing": pl.Int64,
    "n_total": pl.Int64,
    "system_wide": pl.Boolean,
    "sentence": pl.String,
}


def system_findings(
    current: pl.DataFrame, targets: pl.DataFrame, measures: dict[str, dict]
) -> pl.DataFrame:
    """Per target in force at each window's end and peer group it applies to: how many of the
    group missed it; ``system_wide`` when more than half did."""
    if current.is_empty() or targets.is_empty():
        return pl.DataFrame(schema=SYSTEM_SCHEMA)
    joined = current.join(targets.rename({"name": "target"}), on="measure_id").filter(
        (pl.col("effective_from") <= pl.col("period_end"))
        & (pl.col("effective_to").is_null() | (pl.col("period_end") <= pl.col("effective_to")))
        & (
            (pl.col("organisation_types").list.len() == 0)
            | pl.col("organisation_types").list.contains(pl.col("peer_group"))
        )
    )
    if joined.is_empty():
        return pl.DataFrame(schema=SYSTEM_SCHEMA)
    # where several targets are in force (a standard and an interim ambition), the latest started
    joined = joined.filter(
        pl.col("effective_from") == pl.col("effective_from").max().over("measure_id", "peer_group")
    )
    missed = (
        pl.when(pl.col("comparison") == "at_least")
        .then(pl.col("value") < pl.col("threshold"))
        .otherwise(pl.col("value") > pl.col("threshold"))
    )
    findings = joined.group_by(
        "measure_id",
        "peer_group",
        "target",
        "period_type",
        "period_start",
        "threshold",
        "comparison",
    ).agg(n_missing=missed.sum().cast(pl.Int64), n_total=pl.len().cast(pl.Int64))
    findings = findings.with_columns(
        system_wide=pl.col("n_missing") > SYSTEM_SHARE * pl.col("n_total")
    )
    sentences = [
        explain.system_sentence(row, measures[row["measure_id"]])
        for row in findings.iter_rows(named=True)
    ]
    return (
        findings.with_columns(sentence=pl.Series(sentences, dtype=pl.String))
        .select(list(SYSTEM_SCHEMA))
        .sort("measure_id", "peer_group")
    )
