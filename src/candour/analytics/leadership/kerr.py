"""The Kerr review's "inverse leadership law", computed from a board ledger: executive vacancy,
interim cover, recent appointments and chief-executive tenure by CQC overall rating.

Each figure is the mean across trusts of the trust's own value (its vacancy rate, interim rate,
share appointed in the last 12 months, chief executive's tenure in days) with a t-based 95%
confidence interval, as :func:`candour.analytics.groups.compare_groups` computes them for the
staff-voice-by-rating page, plus the median. Counts pass through
:mod:`candour.analytics.disclosure`: each rating's vacant, interim and substantive executive posts,
with their total (published as "of N executive posts"), are one table disclosed together
(secondary suppression included); the posts appointed in the last 12 months and the trusts with a substantive chief
executive are single counts. Where a figure's count is hidden, so are its mean, interval and
median: a rate times a shown total would give the hidden count back.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from candour.analytics.disclosure import DisclosedCount, disclose, disclose_count
from candour.analytics.groups import compare_groups
from candour.analytics.leadership.constants import CQC_RATINGS
from candour.analytics.leadership.frames import as_polars
from candour.analytics.leadership.ledger import METRIC_SCHEMA
from candour.exceptions import DataFileError, Problem

VACANCY = "exec_vacancy_rate"
INTERIM = "exec_interim_rate"
APPOINTED = "exec_appointed_last_12m_share"
TENURE = "ceo_tenure_days"
MEASURES = (VACANCY, INTERIM, APPOINTED, TENURE)
RATES = frozenset({VACANCY, INTERIM, APPOINTED})
STATUS_COUNTS = {"vacant": "exec_vacant", "interim": "exec_interim", "substantive": "_substantive"}
RESULT_SCHEMA = {
    "measure": pl.String,
    "rating": pl.String,
    "trusts": pl.Int64,
    "count": pl.String,
    "of": pl.String,
    "suppressed": pl.Boolean,
    "mean": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "median": pl.Float64,
}
RATINGS_SOURCE = "ratings"


def kerr_by_rating(metrics: Any, ratings: Any) -> pl.DataFrame:
    """One row per measure and CQC rating (in MEASURES and CQC order) for the organisations in
    both ``metrics`` (:func:`~candour.analytics.leadership.board_metrics`'s frame) and
    ``ratings`` (``ods_code, rating``: each trust's overall rating). Columns: ``measure,
    rating, trusts`` (the rated trusts with executive posts: public, so not rounded; the same
    for every measure so that it never equals a hidden count), ``count`` (the disclosed count behind the figure:
    vacant posts, interim posts, posts whose holder was appointed in the last 12 months, trusts
    with a substantive chief executive), ``of`` (the disclosed executive posts, for the two
    rates whose counts form a table; otherwise null), ``suppressed``, ``mean``, ``ci_low``,
    ``ci_high`` and ``median`` (rates as proportions, tenure in days; null when suppressed)."""
    joined = _joined(as_polars(metrics), _checked_ratings(as_polars(ratings)))
    if joined.is_empty():
        return pl.DataFrame(schema=RESULT_SCHEMA)
    posts_table = _disclosed_status_table(joined)
    trusts = dict(joined.group_by("rating").len().iter_rows())
    rows = []
    for measure in MEASURES:
        stats = _stats(joined, measure)
        for rating in [r for r in CQC_RATINGS if r in set(joined["rating"])]:
            count, of = _disclosed(joined, posts_table, measure, rating)
            row = stats.get(rating, {})
            hidden = count.suppressed
            rows.append(
                {
                    "measure": measure,
                    "rating": rating,
                    "trusts": trusts[rating],
                    "count": count.display,
                    "of": of,
                    "suppressed": hidden,
                    **{
                        k: None if hidden else row.get(k)
                        for k in ("mean", "ci_low", "ci_high", "median")
                    },
                }
            )
    return pl.DataFrame(rows, schema=RESULT_SCHEMA)


def clip_interval(low: float | None, high: float | None, *, rate: bool) -> tuple:
    """A t-interval can cross the bounds of what it estimates: rates lie in [0, 1] and tenures
    are at least 0 days."""
    low = None if low is None else max(low, 0.0)
    high = None if high is None else (min(high, 1.0) if rate else high)
    return low, high


def _checked_ratings(ratings: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in ("ods_code", "rating") if c not in ratings.columns]
    if missing:
        raise DataFileError(
            RATINGS_SOURCE,
            [Problem("column is missing; expected ods_code, rating", column=c) for c in missing],
        )
    numbered = ratings.with_row_index("__row", offset=1)
    bad = numbered.filter(~pl.col("rating").is_in(CQC_RATINGS) | pl.col("rating").is_null())
    duplicated = numbered.filter(pl.col("ods_code").is_duplicated())
    problems = [
        Problem(
            f"expected one of {', '.join(CQC_RATINGS)}; found {value!r}", row=row, column="rating"
        )
        for row, value in zip(bad["__row"], bad["rating"], strict=True)
    ] + [
        Problem("one rating per organisation", row=row, column="ods_code")
        for row in duplicated["__row"]
    ]
    if problems:
        raise DataFileError(RATINGS_SOURCE, problems[:20])
    return ratings.select("ods_code", "rating")


def _joined(metrics: pl.DataFrame, ratings: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in METRIC_SCHEMA if c not in metrics.columns]
    if missing:
        raise DataFileError(
            "metrics",
            [
                Problem("column is missing; expected board_metrics' columns", column=c)
                for c in missing
            ],
        )
    filled = pl.col("exec_posts") - pl.col("exec_vacant")
    return (
        metrics.join(ratings, on="ods_code", how="inner")
        .filter(pl.col("exec_posts") > 0)
        .with_columns(
            (filled - pl.col("exec_interim")).alias("_substantive"),
            (pl.col(APPOINTED) * filled).round(0).cast(pl.Int64).fill_null(0).alias("_appointed"),
        )
    )


def _disclosed_status_table(joined: pl.DataFrame) -> pl.DataFrame:
    """Each rating's executive posts by status (vacant, interim, substantive) with their total,
    disclosed as one small table per rating: the total is published beside the counts, so a
    hidden count must not be the total minus the others. No totals across ratings are
    published, so none constrain the cells."""
    counts = joined.group_by("rating").agg(
        [pl.col(column).sum().alias(status) for status, column in STATUS_COUNTS.items()]
    )
    long = counts.unpivot(index="rating", variable_name="status", value_name="count").with_columns(
        pl.col("count").cast(pl.Int64)
    )
    return pl.concat(
        [
            disclose(part.drop("rating"), count="count", dimensions=["status"]).with_columns(
                pl.lit(rating).alias("rating")
            )
            for (rating,), part in long.group_by("rating", maintain_order=True)
        ]
    )


def _disclosed(joined: pl.DataFrame, table: pl.DataFrame, measure: str, rating: str):
    """The count behind ``measure`` for ``rating``, disclosed, and its total (or None)."""
    group = joined.filter(pl.col("rating") == rating)
    if measure in (VACANCY, INTERIM):
        status = "vacant" if measure == VACANCY else "interim"
        cell = table.filter((pl.col("rating") == rating) & (pl.col("status") == status)).row(
            0, named=True
        )
        total = table.filter((pl.col("rating") == rating) & (pl.col("status") == "Total")).row(
            0, named=True
        )
        count = DisclosedCount(cell["value"], cell["display"], cell["suppressed"])
        return count, total["display"]
    if measure == APPOINTED:
        return disclose_count(int(group["_appointed"].sum())), None
    return disclose_count(int(group[TENURE].is_not_null().sum())), None


def _stats(joined: pl.DataFrame, measure: str) -> dict[str, dict]:
    table = compare_groups(
        joined.select("rating", pl.col(measure).cast(pl.Float64)),
        value=measure,
        group="rating",
        order=CQC_RATINGS,
    )
    medians = dict(
        joined.filter(pl.col(measure).is_not_null())
        .group_by("rating")
        .agg(pl.col(measure).cast(pl.Float64).median())
        .iter_rows()
    )
    result = {}
    for row in table.iter_rows(named=True):
        low, high = clip_interval(row["ci_low"], row["ci_high"], rate=measure in RATES)
        result[row["rating"]] = {
            "n": row["n"],
            "mean": row["mean"],
            "ci_low": low,
            "ci_high": high,
            "median": medians.get(row["rating"]),
        }
    return result
