"""The board posts ledger: each post's status at a date, and the board metrics per organisation.

The rules (issue 12, item 1), each in one small function below:

* a holding *covers* ``as_of`` when ``start <= as_of`` and (``end`` is null or ``end >= as_of``);
* a post is *vacant* when no holding covers it, *interim* when every covering holding is interim
  or acting, otherwise *substantive*;
* a post's *current holder* is its covering holding with the latest start (ties: the smallest
  ``person_id``);
* counts and rates are over executive posts;
* ``exec_appointed_last_12m_share``: among non-vacant executive posts, the share whose current
  holder started in ``(as_of - 365 days, as_of]``; null when there are none;
* ``ceo_tenure_days``: when the ``chief_executive`` post is substantive, ``as_of`` minus the
  start of the current holder's unbroken run (that person's substantive or joint holdings of the
  post, chained while each starts no more than one day after the previous one ends); null
  otherwise.

Nothing is stored twice: the metrics are computed from posts and holdings whenever asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import polars as pl

from candour.analytics.leadership.constants import (
    APPOINTED_WINDOW_DAYS,
    CHIEF_EXECUTIVE,
    INTERIM_STATUS,
    PERMANENT_BASES,
    RUN_CHAIN_GAP_DAYS,
    SUBSTANTIVE_STATUS,
    VACANT,
)
from candour.analytics.leadership.frames import check_ledger
from candour.exceptions import OptionError

METRIC_SCHEMA = {
    "ods_code": pl.String,
    "exec_posts": pl.Int64,
    "exec_vacant": pl.Int64,
    "exec_interim": pl.Int64,
    "exec_vacancy_rate": pl.Float64,
    "exec_interim_rate": pl.Float64,
    "ceo_tenure_days": pl.Int64,
    "exec_appointed_last_12m_share": pl.Float64,
}


def check_as_of(as_of: Any) -> dt.date:
    if isinstance(as_of, dt.datetime) or not isinstance(as_of, dt.date):
        raise OptionError(f"as_of must be a date, not {as_of!r}")
    return as_of


def covers(as_of: dt.date) -> pl.Expr:
    """The holding is in force on ``as_of`` (both ends inclusive; a null end is still in post)."""
    return (pl.col("start") <= as_of) & (pl.col("end").is_null() | (pl.col("end") >= as_of))


def status_of(covering: pl.Expr, permanent: pl.Expr) -> pl.Expr:
    """vacant (no covering holding), substantive (a covering substantive or joint holding), else
    interim (every covering holding interim or acting). ``covering`` counts the post's covering
    holdings; ``permanent`` says whether any of them is substantive or joint."""
    return (
        pl.when(covering == 0)
        .then(pl.lit(VACANT))
        .when(permanent)
        .then(pl.lit(SUBSTANTIVE_STATUS))
        .otherwise(pl.lit(INTERIM_STATUS))
    )


def current_holders(covering: pl.DataFrame) -> pl.DataFrame:
    """Per post, the covering holding with the latest start (ties: the smallest person_id)."""
    return (
        covering.sort(["post_id", "start", "person_id"], descending=[False, True, False])
        .group_by("post_id", maintain_order=True)
        .first()
        .select(
            "post_id",
            pl.col("person_id").alias("holder_person_id"),
            pl.col("basis").alias("holder_basis"),
            pl.col("start").alias("holder_start"),
            pl.col("end").alias("holder_end"),
        )
    )


def unbroken_run_start(
    holdings: Iterable[tuple[dt.date, dt.date | None]], as_of: dt.date
) -> dt.date | None:
    """The start of the run of ``holdings`` (one person's permanent holdings of one post) that
    covers ``as_of``: holdings chain while each starts no more than one day after the run so far
    ends. None when no run covers ``as_of``."""
    gap = dt.timedelta(days=RUN_CHAIN_GAP_DAYS)
    run_start: dt.date | None = None
    run_end: dt.date | None = None
    open_ended = False
    for start, end in sorted((h for h in holdings if h[0] <= as_of), key=lambda h: h[0]):
        chained = run_start is not None and (open_ended or start <= run_end + gap)
        if not chained:
            run_start, run_end, open_ended = start, end, end is None
        elif end is None:
            open_ended = True
        elif not open_ended:
            run_end = max(run_end, end)
    # Every start is on or before as_of, so only the last run can cover it.
    if run_start is not None and (open_ended or run_end >= as_of):
        return run_start
    return None


def post_status(posts: Any, holdings: Any, *, as_of: dt.date) -> pl.DataFrame:
    """One row per post: its columns from ``posts``, ``status`` (vacant / interim / substantive)
    at ``as_of``, the current holder (``holder_person_id``, ``holder_basis``, ``holder_start``,
    ``holder_end``; null when vacant), ``without_substantive_since`` (for vacant and interim
    posts: the day after the last substantive or joint holding ended, or the first holding's
    start if there was none; null for posts never held), ``leaving_on`` (for substantive posts
    whose every covering substantive or joint holding has an end date: the last of them),
    ``successor_start`` (the earliest substantive or joint holding starting after ``as_of``) and
    ``ceo_run_start`` (chief executive posts that are substantive: the start of the current
    holder's unbroken run)."""
    as_of = check_as_of(as_of)
    posts, holdings = check_ledger(posts, holdings)
    return _post_status(posts, holdings, as_of)


def _post_status(posts: pl.DataFrame, holdings: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    covering = holdings.filter(covers(as_of))
    permanent = pl.col("basis").is_in(list(PERMANENT_BASES))
    bases = covering.group_by("post_id").agg(
        pl.len().alias("_covering"), permanent.any().alias("_permanent")
    )
    history = holdings.group_by("post_id").agg(
        (
            pl.col("end").filter(permanent & (pl.col("end") < as_of)).max() + dt.timedelta(days=1)
        ).alias("_after_permanent"),
        pl.col("start").filter(pl.col("start") <= as_of).min().alias("_first_start"),
        pl.col("start")
        .filter(permanent & (pl.col("start") > as_of))
        .min()
        .alias("successor_start"),
    )
    leaving = (
        covering.filter(permanent)
        .group_by("post_id")
        .agg(
            pl.when(pl.col("end").is_null().any())
            .then(None)
            .otherwise(pl.col("end").max())
            .alias("leaving_on")
        )
    )
    frame = (
        posts.join(bases, on="post_id", how="left")
        .join(current_holders(covering), on="post_id", how="left")
        .join(history, on="post_id", how="left")
        .join(leaving, on="post_id", how="left")
        .with_columns(
            status_of(
                pl.col("_covering").fill_null(0), pl.col("_permanent").fill_null(False)
            ).alias("status")
        )
        .with_columns(
            pl.when(pl.col("status") == SUBSTANTIVE_STATUS)
            .then(None)
            .otherwise(pl.coalesce("_after_permanent", "_first_start"))
            .alias("without_substantive_since"),
            pl.when(pl.col("status") == SUBSTANTIVE_STATUS)
            .then(pl.col("leaving_on"))
            .otherwise(None)
            .alias("leaving_on"),
        )
        .drop("_covering", "_permanent", "_after_permanent", "_first_start")
    )
    return frame.with_columns(_ceo_run_starts(frame, holdings, as_of)).sort("ods_code", "post_id")


def _ceo_run_starts(frame: pl.DataFrame, holdings: pl.DataFrame, as_of: dt.date) -> pl.Series:
    """The current holder's unbroken run start, for substantive chief executive posts."""
    permanent = holdings.filter(pl.col("basis").is_in(list(PERMANENT_BASES)))
    starts = []
    for post_id, role, status, person_id in frame.select(
        "post_id", "role", "status", "holder_person_id"
    ).iter_rows():
        if role != CHIEF_EXECUTIVE or status != SUBSTANTIVE_STATUS:
            starts.append(None)
            continue
        own = permanent.filter((pl.col("post_id") == post_id) & (pl.col("person_id") == person_id))
        starts.append(unbroken_run_start(own.select("start", "end").iter_rows(), as_of))
    return pl.Series("ceo_run_start", starts, dtype=pl.Date)


def appointed_within_window(as_of: dt.date) -> pl.Expr:
    """The current holder started in (as_of - 365 days, as_of]."""
    return pl.col("holder_start") > as_of - dt.timedelta(days=APPOINTED_WINDOW_DAYS)


def board_metrics(posts: Any, holdings: Any, *, as_of: dt.date) -> pl.DataFrame:
    """Per organisation in ``posts``: ``ods_code, exec_posts, exec_vacant, exec_interim,
    exec_vacancy_rate, exec_interim_rate, ceo_tenure_days, exec_appointed_last_12m_share``
    at ``as_of`` (see the module docstring for each rule). Rates are null for an organisation
    with no executive posts."""
    return metrics_from_status(post_status(posts, holdings, as_of=as_of), as_of=as_of)


def metrics_from_status(status: pl.DataFrame, *, as_of: dt.date) -> pl.DataFrame:
    """:func:`board_metrics` from :func:`post_status`'s frame (for callers that need both)."""
    executive = pl.col("executive")
    filled = executive & (pl.col("status") != VACANT)
    is_ceo = pl.col("role") == CHIEF_EXECUTIVE
    frame = status.group_by("ods_code").agg(
        executive.sum().cast(pl.Int64).alias("exec_posts"),
        (executive & (pl.col("status") == VACANT)).sum().cast(pl.Int64).alias("exec_vacant"),
        (executive & (pl.col("status") == INTERIM_STATUS))
        .sum()
        .cast(pl.Int64)
        .alias("exec_interim"),
        filled.sum().alias("_filled"),
        (filled & appointed_within_window(as_of)).sum().alias("_appointed"),
        pl.col("ceo_run_start").filter(is_ceo).first().alias("_ceo_run_start"),
    )
    rate = pl.when(pl.col("exec_posts") > 0)
    return (
        frame.with_columns(
            rate.then(pl.col("exec_vacant") / pl.col("exec_posts")).alias("exec_vacancy_rate"),
            rate.then(pl.col("exec_interim") / pl.col("exec_posts")).alias("exec_interim_rate"),
            (pl.lit(as_of) - pl.col("_ceo_run_start")).dt.total_days().alias("ceo_tenure_days"),
            pl.when(pl.col("_filled") > 0)
            .then(pl.col("_appointed") / pl.col("_filled"))
            .alias("exec_appointed_last_12m_share"),
        )
        .select([pl.col(name).cast(dtype) for name, dtype in METRIC_SCHEMA.items()])
        .sort("ods_code")
    )
