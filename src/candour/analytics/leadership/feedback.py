"""360-degree feedback: what the person appraised may see of their raters' answers.

One rule (issue 12, item 3), one function, :func:`release_360`:

* answers are grouped by competency and by the raters' relationship to the person (peers,
  people who report to them, ...);
* a group is *released* when at least ``min_raters`` raters gave it a rating; a released group
  shows only aggregates: how many rated, the mean rating and how many gave each rating;
* a smaller group shows **nothing**, not even that it exists or how many answered, and nothing
  in a released group depends on a smaller group's answers;
* nothing is released before the cycle closes (``closed=False`` releases nothing). The web app
  calls this once, in the action that closes the appraisal, and stores what it returns; answers
  are refused after that, so there is never a second release to compare with the first.

A rating is a whole number on the framework's scale; a missing rating (the rater had "no chance
to observe" it) is not an answer and counts towards nothing. Pure Python and Polars; never
imports Django.
"""

from __future__ import annotations

from typing import Any, Final

import polars as pl

from candour.analytics.funnel.frames import as_polars
from candour.analytics.leadership.frames import rows_where
from candour.exceptions import DataFileError, OptionError, Problem

# The fewest raters of one relationship whose answers may be shown to the person appraised
# (issue 12, item 3; the usual floor of 360 tools, so that no answer is attributable).
MIN_RATERS: Final = 3
# Below two, a released "group" would be one rater's answer.
SMALLEST_MIN_RATERS: Final = 2
RESPONSES_SOURCE: Final = "responses"
RESPONSE_COLUMNS: Final = ("rater", "relationship", "competency", "rating")

DISTRIBUTION_TYPE: Final = pl.List(pl.Struct({"rating": pl.Int64, "count": pl.Int64}))
RELEASE_SCHEMA: Final = {
    "competency": pl.String,
    "relationship": pl.String,
    "count": pl.Int64,
    "mean": pl.Float64,
    "distribution": DISTRIBUTION_TYPE,
}


def release_360(
    responses: Any, *, min_raters: int = MIN_RATERS, closed: bool = True
) -> pl.DataFrame:
    """What the person appraised may see: per competency and relationship group with at least
    ``min_raters`` raters, ``count`` (raters who rated it), ``mean`` and ``distribution`` (each
    rating given, with how many gave it, lowest first). Smaller groups are absent.

    ``responses`` (Polars or pandas) has one row per rater and competency: ``rater`` (an
    identifier), ``relationship``, ``competency`` and ``rating`` (a whole number, or null for
    "no chance to observe"). ``closed=False`` (the cycle is still open) releases nothing.
    """
    _check_min_raters(min_raters)
    if not isinstance(closed, bool):
        raise OptionError(f"closed must be True or False, not {closed!r}")
    frame = check_responses(responses)
    if not closed:
        return empty_release()
    rated = frame.filter(pl.col("rating").is_not_null())
    groups = (
        rated.group_by("competency", "relationship")
        .agg(pl.len().cast(pl.Int64).alias("count"), pl.col("rating").mean().alias("mean"))
        .filter(large_enough(min_raters))
    )
    if groups.is_empty():
        return empty_release()
    return (
        groups.join(distribution(rated), on=["competency", "relationship"], how="left")
        .select(list(RELEASE_SCHEMA))
        .sort("competency", "relationship")
        .cast(RELEASE_SCHEMA)
    )


def large_enough(min_raters: int) -> pl.Expr:
    """A group is released only with at least ``min_raters`` raters."""
    return pl.col("count") >= min_raters


def distribution(rated: pl.DataFrame) -> pl.DataFrame:
    """Per group, each rating given with how many gave it, lowest rating first."""
    return (
        rated.group_by("competency", "relationship", "rating")
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .sort("rating")
        .group_by("competency", "relationship", maintain_order=True)
        .agg(pl.struct("rating", "count").alias("distribution"))
    )


def empty_release() -> pl.DataFrame:
    return pl.DataFrame(schema=RELEASE_SCHEMA)


def check_responses(responses: Any) -> pl.DataFrame:
    """The responses with the four columns, typed; DataFileError naming row and column for a
    missing column, a wrong type, a missing identifier, or a rater answering a competency
    twice."""
    frame = as_polars(responses)
    missing = [c for c in RESPONSE_COLUMNS if c not in frame.columns]
    if missing:
        raise DataFileError(
            RESPONSES_SOURCE,
            [
                Problem(f"column is missing; expected {', '.join(RESPONSE_COLUMNS)}", column=c)
                for c in missing
            ],
        )
    rating_type = frame.schema["rating"]
    if not (rating_type.is_integer() or rating_type == pl.Null):
        raise DataFileError(
            RESPONSES_SOURCE,
            [Problem(f"expected whole numbers, found {rating_type}", column="rating")],
        )
    frame = frame.select(
        pl.col("rater").cast(pl.String),
        pl.col("relationship").cast(pl.String),
        pl.col("competency").cast(pl.String),
        pl.col("rating").cast(pl.Int64),
    )
    problems = [
        problem
        for column in ("rater", "relationship", "competency")
        for problem in rows_where(
            frame, pl.col(column).is_null(), column, "a value is required, found null"
        )
    ]
    problems += rows_where(
        frame,
        pl.struct("rater", "competency").is_duplicated(),
        "competency",
        "this rater answered this competency more than once",
    )
    if problems:
        raise DataFileError(RESPONSES_SOURCE, problems)
    return frame


def _check_min_raters(min_raters: int) -> None:
    if (
        isinstance(min_raters, bool)
        or not isinstance(min_raters, int)
        or min_raters < SMALLEST_MIN_RATERS
    ):
        raise OptionError(
            f"min_raters must be a whole number of at least {SMALLEST_MIN_RATERS} (a group of "
            f"one is one person's answer), not {min_raters!r}"
        )
