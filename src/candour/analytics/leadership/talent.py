"""Regional talent boards: which posts need people (demand), which ready people could fill them
(supply), and how diverse the pipeline is against each organisation's target.

The matching rule (issue 12, item 2), one small function per condition:

* a post is in *demand* when it is vacant, held on an interim basis (flagged when for over
  6 months), or its substantive holder leaves within 12 months with no successor appointed;
* a person *matches* a post when they are ready now, the post's role is one of their target
  roles, their mobility reaches the post's organisation (their own organisation, their
  integrated care system, their region, or anywhere), and they do not hold the post already;
* matches are ordered per post: named successors in the post's succession plan first (by rank),
  then people from the same organisation, the same system, the same region, then the rest.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from candour.analytics.disclosure import disclose
from candour.analytics.leadership.constants import (
    DEMAND_INTERIM,
    DEMAND_LEAVING,
    DEMAND_LONG_INTERIM,
    DEMAND_REASONS,
    DEMAND_VACANT,
    ETHNICITY_GROUPS,
    INTERIM_STATUS,
    LEAVING_WITHIN_DAYS,
    LONG_INTERIM_DAYS,
    MOBILITY,
    PIPELINE_MIN_GROUP,
    READINESS,
    READY_NOW,
    SUBSTANTIVE_STATUS,
    VACANT,
)
from candour.analytics.leadership.frames import as_polars, rows_where
from candour.analytics.leadership.ledger import check_as_of
from candour.exceptions import DataFileError, Problem

CANDIDATES_SOURCE = "candidates"
DEMAND_SOURCE = "demand"
PIPELINE_SOURCE = "pipeline"
TARGETS_SOURCE = "targets"


# ------------------------------------------------------------------------------------- demand


def leaving_soon(as_of: dt.date) -> pl.Expr:
    """A substantive post whose holders all leave within 12 months, no successor appointed."""
    return (
        (pl.col("status") == SUBSTANTIVE_STATUS)
        & pl.col("leaving_on").is_not_null()
        & (pl.col("leaving_on") <= as_of + dt.timedelta(days=LEAVING_WITHIN_DAYS))
        & pl.col("successor_start").is_null()
    )


def long_interim(as_of: dt.date) -> pl.Expr:
    """An interim post that has had no substantive holder for over 6 months."""
    return (pl.col("status") == INTERIM_STATUS) & (
        pl.col("without_substantive_since") < as_of - dt.timedelta(days=LONG_INTERIM_DAYS)
    )


def demand_reason(as_of: dt.date) -> pl.Expr:
    return (
        pl.when(pl.col("status") == VACANT)
        .then(pl.lit(DEMAND_VACANT))
        .when(long_interim(as_of))
        .then(pl.lit(DEMAND_LONG_INTERIM))
        .when(pl.col("status") == INTERIM_STATUS)
        .then(pl.lit(DEMAND_INTERIM))
        .when(leaving_soon(as_of))
        .then(pl.lit(DEMAND_LEAVING))
        .otherwise(None)
    )


def posts_in_demand(status: pl.DataFrame, *, as_of: dt.date) -> pl.DataFrame:
    """The rows of :func:`~candour.analytics.leadership.ledger.post_status`'s frame that are in
    demand, with ``reason`` (one of DEMAND_REASONS), most urgent first, then by organisation."""
    as_of = check_as_of(as_of)
    urgency = {reason: i for i, reason in enumerate(DEMAND_REASONS)}
    return (
        status.with_columns(demand_reason(as_of).alias("reason"))
        .filter(pl.col("reason").is_not_null())
        .with_columns(pl.col("reason").replace_strict(urgency, return_dtype=pl.Int64).alias("_u"))
        .sort("_u", "ods_code", "post_id")
        .drop("_u")
    )


# ----------------------------------------------------------------------------------- matching

DEMAND_COLUMNS = ("post_id", "ods_code", "icb_code", "region_code", "role", "holder_person_id")
CANDIDATE_COLUMNS = (
    "person_id",
    "ods_code",
    "icb_code",
    "region_code",
    "readiness",
    "mobility",
    "target_roles",
)
SUCCESSOR_COLUMNS = ("post_id", "person_id", "rank")
PROXIMITY = ("successor", "organisation", "system", "region", "national")


def is_ready() -> pl.Expr:
    return pl.col("readiness") == READY_NOW


def wants_role() -> pl.Expr:
    return pl.col("target_roles").list.contains(pl.col("role"))


def same(column: str) -> pl.Expr:
    """Both sides name the same, known organisation, system or region."""
    return pl.col(f"{column}_person").is_not_null() & (pl.col(f"{column}_person") == pl.col(column))


def can_move() -> pl.Expr:
    """The person's mobility reaches the post's organisation."""
    mobility = pl.col("mobility")
    return (
        (mobility == "national")
        | ((mobility == "region") & same("region_code"))
        | ((mobility == "system") & same("icb_code"))
        | ((mobility == "organisation") & same("ods_code"))
    )


def not_holding() -> pl.Expr:
    return pl.col("holder_person_id").is_null() | (
        pl.col("holder_person_id") != pl.col("person_id")
    )


def proximity() -> pl.Expr:
    """How near the person is to the post: a named successor first, then organisation, system,
    region, elsewhere."""
    return (
        pl.when(pl.col("successor_rank").is_not_null())
        .then(pl.lit("successor"))
        .when(same("ods_code"))
        .then(pl.lit("organisation"))
        .when(same("icb_code"))
        .then(pl.lit("system"))
        .when(same("region_code"))
        .then(pl.lit("region"))
        .otherwise(pl.lit("national"))
    )


def match_candidates(demand: Any, candidates: Any, successors: Any = None) -> pl.DataFrame:
    """Every (post, person) pair where the person matches the post (module docstring).

    ``demand``: ``post_id, ods_code, icb_code, region_code, role, holder_person_id`` (one row
    per post). ``candidates``: ``person_id, ods_code, icb_code, region_code`` (where the person
    works now), ``readiness``, ``mobility``, ``target_roles`` (a list of roles); a person may
    appear once per pool. ``successors`` (optional): ``post_id, person_id, rank`` from the posts'
    succession plans. Returns ``post_id, person_id, successor_rank, proximity`` and the
    candidate's columns (suffixed ``_person`` where they clash), one row per pair, in order.
    """
    demand = _checked(as_polars(demand), DEMAND_COLUMNS, DEMAND_SOURCE)
    candidates = _checked_candidates(as_polars(candidates))
    successors = (
        pl.DataFrame(schema={"post_id": pl.String, "person_id": pl.String, "rank": pl.Int64})
        if successors is None
        else _checked(as_polars(successors), SUCCESSOR_COLUMNS, "successors")
    )
    order = {name: i for i, name in enumerate(PROXIMITY)}
    pairs = (
        demand.select(DEMAND_COLUMNS)
        .join(candidates.select(CANDIDATE_COLUMNS), how="cross", suffix="_person")
        .filter(is_ready() & wants_role() & can_move() & not_holding())
        .join(
            successors.select(
                pl.col("post_id").cast(pl.String),
                pl.col("person_id").cast(pl.String),
                pl.col("rank").cast(pl.Int64).alias("successor_rank"),
            ),
            on=["post_id", "person_id"],
            how="left",
        )
        .with_columns(proximity().alias("proximity"))
        .with_columns(pl.col("proximity").replace_strict(order, return_dtype=pl.Int64).alias("_p"))
        .sort("post_id", "_p", "successor_rank", "person_id", nulls_last=True)
        .unique(["post_id", "person_id"], keep="first", maintain_order=True)
        .drop("_p")
    )
    first = ["post_id", "person_id", "successor_rank", "proximity"]
    return pairs.select(first + [c for c in pairs.columns if c not in first])


def _checked(frame: pl.DataFrame, columns: tuple[str, ...], source: str) -> pl.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFileError(
            source,
            [
                Problem(f"column is missing; expected {', '.join(columns)}", column=c)
                for c in missing
            ],
        )
    return frame


def _checked_candidates(frame: pl.DataFrame) -> pl.DataFrame:
    frame = _checked(frame, CANDIDATE_COLUMNS, CANDIDATES_SOURCE)
    if not isinstance(frame.schema["target_roles"], pl.List):
        raise DataFileError(
            CANDIDATES_SOURCE,
            [
                Problem(
                    f"expected a list of roles, found a column of {frame.schema['target_roles']}",
                    column="target_roles",
                )
            ],
        )
    problems = rows_where(
        frame,
        ~pl.col("readiness").is_in(READINESS),
        "readiness",
        f"expected one of {', '.join(READINESS)}",
    )
    problems += rows_where(
        frame,
        ~pl.col("mobility").is_in(MOBILITY),
        "mobility",
        f"expected one of {', '.join(MOBILITY)}",
    )
    problems += rows_where(
        frame, pl.col("person_id").is_null(), "person_id", "a value is required, found null"
    )
    if problems:
        raise DataFileError(CANDIDATES_SOURCE, problems)
    return frame


# -------------------------------------------------------------------------- pipeline diversity

GROUP = "ethnicity"
ORGANISATION = "ods_code"
TOTAL = "Total"


def pipeline_diversity(pipeline: Any, targets: Any) -> pl.DataFrame:
    """Each organisation's talent pipeline by ethnicity against its target, disclosure-controlled.

    ``pipeline``: one row per person in the pipeline with a consented ethnicity:
    ``ods_code`` (where they work) and ``ethnicity`` (``bme`` or ``white``). ``targets``:
    ``ods_code, target`` (the share of people from Black, Asian and minority ethnic backgrounds the
    organisation aims for, 0 to 1; organisations without one may be left out).

    The table of counts (organisation x ethnicity, with totals) passes through
    :func:`candour.analytics.disclosure.disclose`: counts of 1-7 hidden, others rounded to 5,
    secondary suppression, and every cell of an organisation with fewer than
    ``PIPELINE_MIN_GROUP`` people hidden. Returns one row per organisation and a ``Total`` row:
    ``ods_code, people, bme, bme_share, bme_share_display, target, below_target`` where ``people``
    and ``bme`` are display strings, ``bme_share`` is computed from the rounded figures and is
    null (``*``) whenever either count is hidden, and ``below_target`` is null unless both the
    share and a target are known.
    """
    pipeline = _checked_pipeline(as_polars(pipeline))
    targets = _checked_targets(as_polars(targets))
    counts = pipeline.group_by(ORGANISATION, GROUP).agg(pl.len().cast(pl.Int64).alias("count"))
    if counts.is_empty():
        return _empty_diversity()
    organisations = counts[ORGANISATION].unique().sort()
    full = (
        pl.DataFrame({ORGANISATION: organisations})
        .join(pl.DataFrame({GROUP: list(ETHNICITY_GROUPS)}), how="cross")
        .join(counts, on=[ORGANISATION, GROUP], how="left")
        .with_columns(pl.col("count").fill_null(0))
    )
    table = disclose(
        full,
        count="count",
        dimensions=[ORGANISATION, GROUP],
        share_of=GROUP,
        decimals=0,
        min_group_size=PIPELINE_MIN_GROUP,
        group_by=[ORGANISATION],
    )
    bme = table.filter(pl.col(GROUP) == "bme").select(
        ORGANISATION,
        pl.col("display").alias("bme"),
        pl.col("value").alias("_bme"),
        pl.col("percent_display").alias("bme_share_display"),
    )
    people = table.filter(pl.col(GROUP) == TOTAL).select(
        ORGANISATION, pl.col("display").alias("people"), pl.col("value").alias("_people")
    )
    return (
        people.join(bme, on=ORGANISATION, how="left", maintain_order="left")
        .join(targets.select(ORGANISATION, "target"), on=ORGANISATION, how="left")
        .with_columns(  # from the rounded figures, as the HES rule asks
            pl.when(pl.col("_people") > 0)
            .then(pl.col("_bme") / pl.col("_people"))
            .alias("bme_share")
        )
        .with_columns(
            pl.when(pl.col("bme_share").is_not_null() & pl.col("target").is_not_null())
            .then(pl.col("bme_share") < pl.col("target"))
            .alias("below_target")
        )
        .select(
            ORGANISATION,
            "people",
            "bme",
            "bme_share",
            "bme_share_display",
            "target",
            "below_target",
        )
    )


def _empty_diversity() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            ORGANISATION: pl.String,
            "people": pl.String,
            "bme": pl.String,
            "bme_share": pl.Float64,
            "bme_share_display": pl.String,
            "target": pl.Float64,
            "below_target": pl.Boolean,
        }
    )


def _checked_pipeline(frame: pl.DataFrame) -> pl.DataFrame:
    frame = _checked(frame, (ORGANISATION, GROUP), PIPELINE_SOURCE)
    problems = rows_where(
        frame,
        pl.col(GROUP).is_null() | ~pl.col(GROUP).is_in(ETHNICITY_GROUPS),
        GROUP,
        f"expected one of {', '.join(ETHNICITY_GROUPS)}",
    )
    problems += rows_where(
        frame, pl.col(ORGANISATION).is_null(), ORGANISATION, "a value is required, found null"
    )
    problems += rows_where(
        frame, pl.col(ORGANISATION) == TOTAL, ORGANISATION, f"{TOTAL!r} is reserved for totals"
    )
    if problems:
        raise DataFileError(PIPELINE_SOURCE, problems)
    return frame.select(pl.col(ORGANISATION).cast(pl.String), pl.col(GROUP).cast(pl.String))


def _checked_targets(frame: pl.DataFrame) -> pl.DataFrame:
    frame = _checked(frame, (ORGANISATION, "target"), TARGETS_SOURCE)
    if not frame.schema["target"].is_numeric() and frame.schema["target"] != pl.Null:
        raise DataFileError(
            TARGETS_SOURCE,
            [
                Problem(
                    f"expected numbers, found a column of {frame.schema['target']}", column="target"
                )
            ],
        )
    frame = frame.with_columns(pl.col("target").cast(pl.Float64))
    problems = rows_where(
        frame,
        (pl.col("target") < 0) | (pl.col("target") > 1),
        "target",
        "expected a share between 0 and 1",
    )
    problems += rows_where(
        frame, pl.col(ORGANISATION).is_duplicated(), ORGANISATION, "one target per organisation"
    )
    if problems:
        raise DataFileError(TARGETS_SOURCE, problems)
    return frame
