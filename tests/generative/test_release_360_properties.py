"""release_360 over generated 360 answers (Hypothesis), issue 12 item 3:

* no group with fewer raters than the minimum ever shows anything: it is absent, and nothing
  released changes when its answers are changed, removed or added to (while it stays small);
* nothing at all is shown before the cycle closes;
* what is shown is exactly the aggregates of the groups large enough, in any row order.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from candour.analytics.leadership import release_360

SETTINGS = settings(max_examples=100, deadline=None)
SCHEMA = {
    "rater": pl.String,
    "relationship": pl.String,
    "competency": pl.String,
    "rating": pl.Int64,
}
RELATIONSHIPS = ("line_manager", "board_colleague", "peer", "direct_report")
COMPETENCIES = ("1.1", "1.2", "4.2")
RATINGS = st.one_of(st.none(), st.integers(1, 4))  # None: no chance to observe


@st.composite
def answers(draw: st.DrawFn) -> list[tuple]:
    """Raters, each in one relationship, answering some competencies once."""
    rows = []
    for rater in range(draw(st.integers(0, 14))):
        relationship = draw(st.sampled_from(RELATIONSHIPS))
        for competency in draw(st.sets(st.sampled_from(COMPETENCIES), min_size=1)):
            rows.append((f"r{rater}", relationship, competency, draw(RATINGS)))
    return rows


def frame(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def scored_counts(rows) -> Counter:
    return Counter((c, r) for _, r, c, rating in rows if rating is not None)


def small_groups(rows, min_raters: int) -> set:
    """Every (competency, relationship) answered with fewer than ``min_raters`` ratings."""
    counts = scored_counts(rows)
    return {(c, r) for _, r, c, _ in rows if counts[(c, r)] < min_raters}


MIN_RATERS = st.integers(2, 5)


@SETTINGS
@given(rows=answers(), min_raters=MIN_RATERS)
def test_no_group_below_the_minimum_shows_anything(rows, min_raters):
    released = release_360(frame(rows), min_raters=min_raters)
    shown = set(zip(released["competency"], released["relationship"], strict=True))
    assert all(count >= min_raters for count in released["count"])
    assert not shown & small_groups(rows, min_raters)
    expected = {g for g, n in scored_counts(rows).items() if n >= min_raters}
    assert shown == expected


@SETTINGS
@given(rows=answers(), min_raters=MIN_RATERS, data=st.data())
def test_changing_a_small_groups_answers_changes_nothing_released(rows, min_raters, data):
    before = release_360(frame(rows), min_raters=min_raters)
    small = small_groups(rows, min_raters)
    # Remove every answer of the small groups...
    kept = [row for row in rows if (row[2], row[1]) not in small]
    assert release_360(frame(kept), min_raters=min_raters).equals(before)
    # ...or give them other ratings (each group keeps its number of ratings, so stays small).
    changed = [
        (rater, rel, comp, data.draw(st.integers(1, 4)))
        if (comp, rel) in small and rating is not None
        else (rater, rel, comp, rating)
        for rater, rel, comp, rating in rows
    ]
    assert release_360(frame(changed), min_raters=min_raters).equals(before)


@SETTINGS
@given(rows=answers(), min_raters=MIN_RATERS)
def test_one_more_rater_in_a_group_still_too_small_changes_nothing(rows, min_raters):
    counts = scored_counts(rows)
    before = release_360(frame(rows), min_raters=min_raters)
    for (competency, relationship), n in counts.items():
        if n + 1 < min_raters:
            extra = [*rows, ("newcomer", relationship, competency, 1)]
            assert release_360(frame(extra), min_raters=min_raters).equals(before)


@SETTINGS
@given(rows=answers(), min_raters=MIN_RATERS)
def test_nothing_is_shown_before_the_cycle_closes(rows, min_raters):
    assert release_360(frame(rows), min_raters=min_raters, closed=False).is_empty()


@SETTINGS
@given(rows=answers(), min_raters=MIN_RATERS, seed=st.randoms())
def test_released_aggregates_are_exact_and_independent_of_row_order(rows, min_raters, seed):
    released = release_360(frame(rows), min_raters=min_raters)
    shuffled = list(rows)
    seed.shuffle(shuffled)
    assert release_360(frame(shuffled), min_raters=min_raters).equals(released)
    by_group = defaultdict(list)
    for _, relationship, competency, rating in rows:
        if rating is not None:
            by_group[(competency, relationship)].append(rating)
    for row in released.iter_rows(named=True):
        ratings = by_group[(row["competency"], row["relationship"])]
        assert row["count"] == len(ratings)
        assert abs(row["mean"] - sum(ratings) / len(ratings)) < 1e-9
        assert {d["rating"]: d["count"] for d in row["distribution"]} == Counter(ratings)
        assert [d["rating"] for d in row["distribution"]] == sorted(set(ratings))
