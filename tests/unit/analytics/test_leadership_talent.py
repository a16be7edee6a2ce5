"""Supply and demand: which posts are in demand, the matching rule (one test per condition),
the order of matches, and pipeline diversity's disclosure."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from candour.analytics.leadership import (
    match_candidates,
    pipeline_diversity,
    post_status,
    posts_in_demand,
)
from candour.exceptions import DataFileError

AS_OF = dt.date(2025, 3, 31)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


POSTS = pl.DataFrame(
    {
        "ods_code": ["AAA"] * 6,
        "post_id": ["vacant", "short", "long", "leaving", "replaced", "settled"],
        "role": ["finance", "nursing", "medical", "operations", "people", "chief_executive"],
        "executive": [True] * 6,
        "voting": [True] * 6,
    }
)
HOLDINGS = pl.DataFrame(
    [
        ("vacant", "p1", d("2019-01-01"), d("2025-01-31"), "substantive"),
        ("short", "p2", d("2025-01-01"), None, "interim"),  # interim for 3 months
        ("long", "p3", d("2015-01-01"), d("2024-06-30"), "substantive"),
        ("long", "p4", d("2024-07-01"), None, "acting"),  # no substantive holder for 9 months
        ("leaving", "p5", d("2019-01-01"), d("2025-12-31"), "substantive"),
        ("replaced", "p6", d("2019-01-01"), d("2025-06-30"), "substantive"),
        ("replaced", "p7", d("2025-07-01"), None, "substantive"),  # successor appointed
        ("settled", "p8", d("2019-01-01"), None, "substantive"),
    ],
    schema=["post_id", "person_id", "start", "end", "basis"],
    orient="row",
)


def demand() -> pl.DataFrame:
    return posts_in_demand(post_status(POSTS, HOLDINGS, as_of=AS_OF), as_of=AS_OF)


def test_posts_in_demand_with_their_reason_most_urgent_first():
    assert demand().select("post_id", "reason").rows() == [
        ("vacant", "vacant"),
        ("long", "interim_over_6_months"),
        ("short", "interim"),
        ("leaving", "holder_leaving_within_12_months"),
    ]


def test_a_holder_leaving_after_12_months_is_not_demand():
    later = HOLDINGS.with_columns(
        pl.when(pl.col("post_id") == "leaving")
        .then(pl.lit(d("2026-04-01")))
        .otherwise(pl.col("end"))
        .alias("end")
    )
    status = post_status(POSTS, later, as_of=AS_OF)
    assert "leaving" not in posts_in_demand(status, as_of=AS_OF)["post_id"].to_list()


# ------------------------------------------------------------------------------- matching

ORGS = {"AAA": ("Q01", "Y63"), "BBB": ("Q01", "Y63"), "CCC": ("Q02", "Y63"), "DDD": ("Q09", "Y56")}


def one_post(role="finance", ods_code="AAA", holder=None) -> pl.DataFrame:
    icb, region = ORGS[ods_code]
    return pl.DataFrame(
        {
            "post_id": ["post"],
            "ods_code": [ods_code],
            "icb_code": [icb],
            "region_code": [region],
            "role": [role],
            "holder_person_id": pl.Series([holder], dtype=pl.String),
        }
    )


def person(person_id, ods_code="AAA", readiness="ready_now", mobility="region", roles=("finance",)):
    icb, region = ORGS[ods_code]
    return {
        "person_id": person_id,
        "ods_code": ods_code,
        "icb_code": icb,
        "region_code": region,
        "readiness": readiness,
        "mobility": mobility,
        "target_roles": list(roles),
    }


def matched(post, *people, successors=None) -> list[str]:
    candidates = pl.DataFrame(list(people), schema_overrides={"target_roles": pl.List(pl.String)})
    return match_candidates(post, candidates, successors)["person_id"].to_list()


@pytest.mark.parametrize(
    ("readiness", "matches"),
    [("ready_now", True), ("one_to_two_years", False), ("three_plus_years", False)],
)
def test_only_people_ready_now_match(readiness, matches):
    assert matched(one_post(), person("x", readiness=readiness)) == (["x"] if matches else [])


def test_a_person_matches_only_posts_in_their_target_roles():
    assert matched(one_post("finance"), person("x", roles=["nursing", "finance"])) == ["x"]
    assert matched(one_post("medical"), person("x", roles=["nursing", "finance"])) == []


@pytest.mark.parametrize(
    ("mobility", "home", "matches"),
    [
        ("organisation", "AAA", True),
        ("organisation", "BBB", False),
        ("system", "BBB", True),  # same ICB
        ("system", "CCC", False),
        ("region", "CCC", True),
        ("region", "DDD", False),
        ("national", "DDD", True),
    ],
)
def test_mobility_must_reach_the_posts_organisation(mobility, home, matches):
    assert matched(one_post(), person("x", home, mobility=mobility)) == (["x"] if matches else [])


def test_an_unknown_system_never_counts_as_the_same_system():
    post = one_post().with_columns(pl.lit(None, dtype=pl.String).alias("icb_code"))
    somebody = person("x", "BBB", mobility="system") | {"icb_code": None}
    assert matched(post, somebody) == []


def test_the_current_holder_does_not_match_their_own_post():
    assert matched(one_post(holder="x"), person("x"), person("y")) == ["y"]


def test_matches_are_ordered_successors_then_nearest():
    people = [
        person("far", "DDD", mobility="national"),
        person("region", "CCC"),
        person("system", "BBB"),
        person("own", "AAA"),
        person("second", "CCC"),
        person("first", "DDD", mobility="national"),
    ]
    successors = pl.DataFrame(
        {"post_id": ["post", "post"], "person_id": ["second", "first"], "rank": [2, 1]}
    )
    assert matched(one_post(), *people, successors=successors) == [
        "first",
        "second",
        "own",
        "system",
        "region",
        "far",
    ]


def test_a_person_in_two_pools_is_matched_once():
    assert matched(one_post(), person("x"), person("x", mobility="national")) == ["x"]


def test_candidate_errors_name_row_and_column():
    with pytest.raises(DataFileError) as caught:
        matched(one_post(), person("x"), person("y", readiness="soon"))
    assert caught.value.path == "candidates"
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "readiness")]


# ---------------------------------------------------------------------- pipeline diversity


def pipeline(counts: dict[str, tuple[int, int]]) -> pl.DataFrame:
    rows = []
    for ods_code, (bme, white) in counts.items():
        rows += [(ods_code, "bme")] * bme + [(ods_code, "white")] * white
    return pl.DataFrame(rows, schema=["ods_code", "ethnicity"], orient="row")


TARGETS = pl.DataFrame({"ods_code": ["AAA", "BBB", "CCC"], "target": [0.3, 0.3, 0.5]})


def by_org(frame: pl.DataFrame) -> dict[str, dict]:
    return {row["ods_code"]: row for row in frame.iter_rows(named=True)}


def test_large_pipelines_are_shown_against_target_from_rounded_counts():
    rows = by_org(pipeline_diversity(pipeline({"AAA": (12, 28), "BBB": (30, 20)}), TARGETS))
    assert (rows["AAA"]["people"], rows["AAA"]["bme"], rows["AAA"]["bme_share_display"]) == (
        "40",
        "10",
        "25%",
    )
    assert rows["AAA"]["below_target"] is True
    assert rows["BBB"]["below_target"] is False
    assert rows["Total"]["people"] == "90"


def test_a_pipeline_smaller_than_the_minimum_group_shows_nothing():
    rows = by_org(pipeline_diversity(pipeline({"AAA": (4, 6), "BBB": (30, 20)}), TARGETS))
    assert (rows["AAA"]["people"], rows["AAA"]["bme"]) == ("*", "*")
    assert rows["AAA"]["bme_share"] is None
    assert rows["AAA"]["below_target"] is None


def test_a_small_count_hides_the_share_and_the_comparison():
    rows = by_org(pipeline_diversity(pipeline({"AAA": (3, 40), "BBB": (30, 20)}), TARGETS))
    assert rows["AAA"]["bme"] == "*"
    assert rows["AAA"]["bme_share_display"] == "*"
    assert rows["AAA"]["below_target"] is None


def test_an_empty_pipeline_gives_an_empty_table():
    assert pipeline_diversity(pipeline({}), TARGETS).is_empty()


def test_pipeline_errors_name_row_and_column():
    bad = pl.DataFrame({"ods_code": ["AAA", "AAA"], "ethnicity": ["bme", "asian"]})
    with pytest.raises(DataFileError) as caught:
        pipeline_diversity(bad, TARGETS)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "ethnicity")]
    with pytest.raises(DataFileError, match="between 0 and 1"):
        pipeline_diversity(
            pipeline({"AAA": (10, 10)}), TARGETS.with_columns(pl.lit(30.0).alias("target"))
        )
