"""release_360 (issue 12, item 3): the rule as input -> output tables."""

from __future__ import annotations

import polars as pl
import pytest

from candour.analytics.leadership import release_360
from candour.exceptions import DataFileError, OptionError

SCHEMA = {
    "rater": pl.String,
    "relationship": pl.String,
    "competency": pl.String,
    "rating": pl.Int64,
}


def responses(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=SCHEMA, orient="row")


def released(frame, **options) -> list[dict]:
    return release_360(frame, **options).to_dicts()


def test_a_group_of_three_shows_count_mean_and_distribution():
    frame = responses(("a", "peer", "1.1", 4), ("b", "peer", "1.1", 3), ("c", "peer", "1.1", 4))
    assert released(frame) == [
        {
            "competency": "1.1",
            "relationship": "peer",
            "count": 3,
            "mean": pytest.approx(11 / 3),
            "distribution": [{"rating": 3, "count": 1}, {"rating": 4, "count": 2}],
        }
    ]


def test_a_group_of_two_shows_nothing_not_even_that_it_exists():
    frame = responses(
        ("a", "peer", "1.1", 4),
        ("b", "peer", "1.1", 3),
        ("c", "peer", "1.1", 4),
        ("d", "direct_report", "1.1", 1),
        ("e", "direct_report", "1.1", 2),
    )
    assert [(r["relationship"], r["count"]) for r in released(frame)] == [("peer", 3)]


def test_groups_are_per_competency_and_relationship():
    frame = responses(
        *[(r, "peer", "1.1", 3) for r in "abc"],
        *[(r, "peer", "1.2", 2) for r in "ab"],
        ("c", "peer", "1.2", None),  # no chance to observe: not a rating
    )
    assert [(r["competency"], r["count"]) for r in released(frame)] == [("1.1", 3)]


def test_no_chance_to_observe_counts_towards_nothing():
    frame = responses(
        ("a", "peer", "1.1", 4), ("b", "peer", "1.1", 4), ("c", "peer", "1.1", None),
        ("d", "peer", "1.1", 2),
    )  # fmt: skip
    assert released(frame)[0]["count"] == 3
    assert released(frame)[0]["mean"] == pytest.approx(10 / 3)


def test_nothing_is_released_while_the_cycle_is_open():
    frame = responses(*[(r, "peer", "1.1", 4) for r in "abcdef"])
    assert release_360(frame, closed=False).is_empty()
    assert release_360(frame, closed=False).schema == release_360(frame).schema


def test_the_minimum_is_an_option_but_never_below_two():
    frame = responses(*[(r, "peer", "1.1", 4) for r in "abcd"])
    assert released(frame, min_raters=4)[0]["count"] == 4
    assert released(frame, min_raters=5) == []
    for bad in (1, 0, True, 2.5, "3"):
        with pytest.raises(OptionError, match="min_raters"):
            release_360(frame, min_raters=bad)


def test_no_responses_release_an_empty_frame():
    assert release_360(responses()).is_empty()


def test_bad_input_names_row_and_column():
    with pytest.raises(DataFileError, match="column 'relationship'"):
        release_360(pl.DataFrame({"rater": ["a"], "competency": ["1"], "rating": [1]}))
    with pytest.raises(DataFileError, match="row 2, column 'competency': this rater answered"):
        release_360(responses(("a", "peer", "1.1", 4), ("a", "peer", "1.1", 3)))
    with pytest.raises(DataFileError, match="column 'rating': expected whole numbers"):
        release_360(
            pl.DataFrame(
                {"rater": ["a"], "relationship": ["p"], "competency": ["1"], "rating": [1.5]}
            )
        )
    with pytest.raises(DataFileError, match="row 1, column 'relationship'"):
        release_360(responses(("a", None, "1.1", 4)))


def test_pandas_frames_are_accepted():
    frame = responses(*[(r, "peer", "1.1", 4) for r in "abc"]).to_pandas()
    assert released(frame)[0]["count"] == 3
