"""Which data are current, and which period each measure is compared in (§7, issue 9 item 2).

- An organisation is *eligible* at the assessment date when it is open and has not merged into a
  successor by then; a closed or merged organisation is never assessed as current.
- A measure applies to the peer groups it declares (all of them when it declares none).
- Per measure and peer group the *window* is the latest period that most (more than half) of the
  group's current reporters have published, with at least ``min_peers`` of them: never one global
  month, so one organisation's extra month cannot move everyone's comparison.
- A measure whose latest data ended more than its freshness limit before the assessment date is
  *history*: shown with its dates, never a current flag.
- An eligible organisation that has reported the measure before but not the window period has
  *no recent data* on it: listed, never silently dropped, never silently reassured.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from candour.analytics.concern.options import AssessOptions

WINDOW_SCHEMA = {
    "measure_id": pl.String,
    "peer_group": pl.String,
    "state": pl.String,  # current, history or too few
    "period_type": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "n_reporting": pl.Int64,
    "n_reporters": pl.Int64,
    "latest_period_end": pl.Date,
}
CURRENT = "current"
HISTORY = "history"
TOO_FEW = "too few"


def eligible(organisations: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Open, unmerged organisations with a peer group on ``as_of``, with ``peer_group``."""
    closed = pl.col("close_date").is_not_null() & (pl.col("close_date") <= as_of)
    merged = pl.col("successor_code").is_not_null() & (
        pl.col("merged_on").is_null() | (pl.col("merged_on") <= as_of)
    )
    return organisations.filter(~closed & ~merged & pl.col("org_type").is_not_null()).with_columns(
        peer_group=pl.col("org_type")
    )


def applicable(
    observations: pl.DataFrame, measures: pl.DataFrame, orgs: pl.DataFrame
) -> pl.DataFrame:
    """Observations of eligible organisations on measures that apply to their peer group."""
    return (
        observations.join(orgs.select("ods_code", "peer_group"), on="ods_code", how="inner")
        .join(measures.select("measure_id", "peer_groups", "freshness_days"), on="measure_id")
        .filter(
            (pl.col("peer_groups").list.len() == 0)
            | pl.col("peer_groups").list.contains(pl.col("peer_group"))
        )
        .drop("peer_groups")
    )


def comparison_windows(
    observations: pl.DataFrame, as_of: date, options: AssessOptions
) -> pl.DataFrame:
    """One row per measure and peer group with data: its window (or why there is none)."""
    if observations.is_empty():
        return pl.DataFrame(schema=WINDOW_SCHEMA)
    fresh_from = pl.lit(as_of) - pl.duration(days=pl.col("freshness_days"))
    observations = observations.with_columns(fresh=pl.col("period_end") >= fresh_from)
    key = ["measure_id", "peer_group"]
    latest = observations.group_by(key).agg(latest_period_end=pl.col("period_end").max())
    reporters = (
        observations.filter("fresh")
        .group_by(key)
        .agg(n_reporters=pl.col("ods_code").n_unique().cast(pl.Int64))
    )
    periods = (
        observations.filter("fresh")
        .group_by(*key, "period_type", "period_start", "period_end")
        .agg(n_reporting=pl.col("ods_code").n_unique().cast(pl.Int64))
        .join(reporters, on=key)
        .filter(
            (pl.col("n_reporting") > options.majority * pl.col("n_reporters"))
            & (pl.col("n_reporting") >= options.min_peers)
        )
        .sort("period_end", "period_start", descending=True)
        .group_by(key, maintain_order=True)
        .first()
    )
    windows = (
        latest.join(reporters, on=key, how="left")
        .join(periods.drop("n_reporters"), on=key, how="left")
        .with_columns(
            n_reporters=pl.col("n_reporters").fill_null(0),
            state=pl.when(pl.col("n_reporters").fill_null(0) == 0)
            .then(pl.lit(HISTORY))
            .when(pl.col("period_start").is_null())
            .then(pl.lit(TOO_FEW))
            .otherwise(pl.lit(CURRENT)),
        )
    )
    return windows.select([pl.col(c).cast(t) for c, t in WINDOW_SCHEMA.items()]).sort(
        "measure_id", "peer_group"
    )


def in_window(observations: pl.DataFrame, windows: pl.DataFrame) -> pl.DataFrame:
    """Each eligible organisation's observation in its measure's current window."""
    current = windows.filter(pl.col("state") == CURRENT).select(
        "measure_id", "peer_group", "period_type", "period_start"
    )
    return observations.join(
        current, on=["measure_id", "peer_group", "period_type", "period_start"], how="inner"
    )


def missing_recent(observations: pl.DataFrame, windows: pl.DataFrame) -> pl.DataFrame:
    """Organisation x measure pairs with a current window the organisation has not reported,
    though it reported the measure before: ``ods_code, measure_id, peer_group, last_period_end``."""
    current = windows.filter(pl.col("state") == CURRENT).select(
        "measure_id", "peer_group", "period_type", "period_start"
    )
    key = ["ods_code", "measure_id", "peer_group"]
    reported = observations.group_by(key).agg(last_period_end=pl.col("period_end").max())
    compared = in_window(observations, windows).select(key).unique()
    return (
        reported.join(current.select("measure_id", "peer_group").unique(), on=key[1:])
        .join(compared, on=key, how="anti")
        .sort(key)
    )
