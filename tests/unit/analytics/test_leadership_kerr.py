"""The Kerr analysis by CQC rating: figures from the trusts' own values, intervals as on the
staff-voice page, and suppression of every figure whose count is hidden."""

from __future__ import annotations

import polars as pl
import pytest

from candour.analytics.groups import compare_groups
from candour.analytics.leadership import kerr_by_rating
from candour.analytics.leadership.kerr import clip_interval
from candour.analytics.leadership.ledger import METRIC_SCHEMA
from candour.exceptions import DataFileError


def metrics(rows) -> pl.DataFrame:
    """rows: (ods_code, exec_posts, exec_vacant, exec_interim, tenure, appointed share)."""
    return pl.DataFrame(
        [(o, p, v, i, v / p, i / p, t, a) for o, p, v, i, t, a in rows],
        schema=METRIC_SCHEMA,
        orient="row",
    )


# 20 trusts rated Good with 10 executive posts each, 2 vacant and 1 interim in each (40 vacant
# posts, 20 interim); 2 trusts rated Inadequate with 3 vacant posts each (6: hidden).
GOOD = [(f"G{n:02d}", 10, 2, 1, 1000 + 100 * n, 0.25) for n in range(20)]
INADEQUATE = [("I1", 8, 3, 0, 200, 0.4), ("I2", 8, 3, 1, None, 0.8)]
RATINGS = pl.DataFrame(
    {
        "ods_code": [r[0] for r in GOOD + INADEQUATE],
        "rating": ["Good"] * 20 + ["Inadequate"] * 2,
    }
)


def table() -> dict[tuple[str, str], dict]:
    frame = kerr_by_rating(metrics(GOOD + INADEQUATE), RATINGS)
    return {(r["measure"], r["rating"]): r for r in frame.iter_rows(named=True)}


def test_rates_are_the_mean_of_the_trusts_own_rates_with_the_staff_voice_interval():
    row = table()[("exec_vacancy_rate", "Good")]
    assert (row["trusts"], row["count"], row["of"], row["suppressed"]) == (20, "40", "200", False)
    assert row["mean"] == pytest.approx(0.2)
    assert row["ci_low"] == row["ci_high"] == pytest.approx(0.2)  # every trust the same
    assert row["median"] == pytest.approx(0.2)


def test_tenure_matches_compare_groups_and_has_a_median():
    row = table()[("ceo_tenure_days", "Good")]
    tenures = pl.DataFrame({"rating": ["Good"] * 20, "t": [1000.0 + 100 * n for n in range(20)]})
    expected = compare_groups(tenures, value="t", group="rating").row(0, named=True)
    assert row["mean"] == pytest.approx(expected["mean"])
    assert row["ci_low"] == pytest.approx(expected["ci_low"])
    assert row["ci_high"] == pytest.approx(expected["ci_high"])
    assert row["median"] == pytest.approx(1950.0)
    assert row["count"] == "20"  # trusts with a substantive chief executive


def test_a_hidden_count_hides_every_figure_computed_from_it():
    rows = table()
    for measure in ("exec_vacancy_rate", "exec_interim_rate", "ceo_tenure_days"):
        row = rows[(measure, "Inadequate")]
        assert row["suppressed"], measure
        assert row["count"] == "*"
        assert (row["mean"], row["ci_low"], row["ci_high"], row["median"]) == (None,) * 4
    assert rows[("exec_vacancy_rate", "Inadequate")]["trusts"] == 2


def test_a_hidden_count_is_not_the_total_minus_the_shown_ones():
    """5 vacant (hidden), no interim and 20 substantive of 25 posts, with the total shown: the
    substantive count is hidden as well (secondary suppression), so 25 - 0 - 20 cannot give
    the vacant posts back."""
    only = [("I1", 10, 3, 0, 200, 0.4), ("I2", 15, 2, 0, None, 0.8)]
    ratings = RATINGS.filter(pl.col("ods_code").is_in(["I1", "I2"]))
    frame = kerr_by_rating(metrics(only), ratings)
    rows = {r["measure"]: r for r in frame.iter_rows(named=True)}
    assert (rows["exec_vacancy_rate"]["count"], rows["exec_vacancy_rate"]["of"]) == ("*", "25")
    assert rows["exec_interim_rate"]["count"] == "0"
    assert rows["exec_interim_rate"]["mean"] == 0.0


def test_the_appointed_share_counts_posts_filled_in_the_last_12_months():
    row = table()[("exec_appointed_last_12m_share", "Good")]
    assert row["count"] == "40"  # a quarter of 8 filled posts in each of 20 trusts
    assert row["mean"] == pytest.approx(0.25)


def test_ratings_are_checked():
    bad = pl.DataFrame({"ods_code": ["G00", "G01"], "rating": ["Good", "Excellent"]})
    with pytest.raises(DataFileError) as caught:
        kerr_by_rating(metrics(GOOD), bad)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "rating")]


def test_trusts_without_a_rating_or_executive_posts_are_left_out():
    frame = kerr_by_rating(metrics(GOOD), RATINGS.filter(pl.col("rating") == "Inadequate"))
    assert frame.is_empty()


@pytest.mark.parametrize(
    ("low", "high", "rate", "expected"),
    [
        (-0.1, 1.2, True, (0.0, 1.0)),
        (-5.0, 9000.0, False, (0.0, 9000.0)),
        (None, None, True, (None, None)),
    ],
)
def test_intervals_are_clipped_to_what_they_estimate(low, high, rate, expected):
    assert clip_interval(low, high, rate=rate) == expected
