"""The demo's synthetic ledger and pools: deterministic, marked synthetic, readable by the
ledger importer, and following the documented model (Kerr's rates by CQC rating)."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from candour.analytics.leadership import board_metrics
from candour.analytics.leadership.synthetic import (
    APPOINTED_LAST_YEAR,
    CEO_MEDIAN_TENURE_YEARS,
    VACANCY_RATE,
    exponential_mean_for_median,
    exponential_mean_for_share,
    synthetic_ledger,
)
from candour.analytics.leadership.synthetic_talent import (
    synthetic_diversity_targets,
    synthetic_succession,
    synthetic_talent,
)
from candour.importers.board_ledger import load_board_ledger

AS_OF = dt.date(2025, 3, 31)


def organisations(n: int, rating: str | None) -> pl.DataFrame:
    return pl.DataFrame(
        {"ods_code": [f"R{i:02d}" for i in range(n)], "rating": [rating] * n},
        schema={"ods_code": pl.String, "rating": pl.String},
    )


def frames(ledger: pl.DataFrame):
    posts = ledger.unique("post_id", keep="first", maintain_order=True).select(
        "ods_code", "post_id", "role", pl.col("executive") == "yes", pl.col("voting") == "yes"
    )
    holdings = ledger.filter(pl.col("entry") == "holding").select(
        "post_id", "person_id", "start", "end", "basis"
    )
    return posts, holdings


def test_the_same_inputs_give_the_same_ledger_and_another_seed_another():
    orgs = organisations(5, "Good")
    first = synthetic_ledger(orgs, as_of=AS_OF, seed=7)
    assert first.equals(synthetic_ledger(orgs, as_of=AS_OF, seed=7))
    assert not first.equals(synthetic_ledger(orgs, as_of=AS_OF, seed=8))


def test_every_row_is_marked_synthetic_and_the_importer_reads_it(tmp_path):
    ledger = synthetic_ledger(organisations(20, "Inadequate"), as_of=AS_OF)
    assert set(ledger["synthetic"]) == {"yes"}
    path = tmp_path / "synthetic_board_ledger.csv"
    ledger.write_csv(path)
    loaded = load_board_ledger(path)
    assert loaded.posts["synthetic"].all()
    assert loaded.posts.height == ledger["post_id"].n_unique()


@pytest.mark.parametrize("rating", ["Outstanding", "Inadequate"])
def test_vacancy_and_recent_appointments_follow_kerr_by_rating(rating):
    """400 synthetic trusts (about 3,000 executive posts): the pooled vacancy rate lies within
    3 standard errors of the model's, and so does the share appointed in the last year."""
    posts, holdings = frames(synthetic_ledger(organisations(400, rating), as_of=AS_OF))
    metrics = board_metrics(posts, holdings, as_of=AS_OF)
    n = metrics["exec_posts"].sum()
    rate = metrics["exec_vacant"].sum() / n
    expected = VACANCY_RATE[rating]
    assert abs(rate - expected) < 3 * (expected * (1 - expected) / n) ** 0.5
    assert metrics["exec_appointed_last_12m_share"].mean() == pytest.approx(
        APPOINTED_LAST_YEAR[rating], abs=0.08
    )


def test_chief_executives_of_inadequate_trusts_last_months_and_of_outstanding_ones_years():
    medians = {}
    for rating in ("Outstanding", "Inadequate"):
        posts, holdings = frames(synthetic_ledger(organisations(300, rating), as_of=AS_OF))
        medians[rating] = board_metrics(posts, holdings, as_of=AS_OF)["ceo_tenure_days"].median()
    assert medians["Inadequate"] < 2 * 365 < 5 * 365 < medians["Outstanding"]
    assert medians["Outstanding"] > medians["Inadequate"] * 4


def test_exponential_parameters():
    assert exponential_mean_for_share(APPOINTED_LAST_YEAR["Inadequate"]) == pytest.approx(
        -365.25 / math.log(0.28)
    )
    median_days = CEO_MEDIAN_TENURE_YEARS["Inadequate"] * 365.25
    assert exponential_mean_for_median(CEO_MEDIAN_TENURE_YEARS["Inadequate"]) * 0.6931 == (
        pytest.approx(median_days, rel=1e-3)
    )


def test_talent_pools_succession_and_targets_are_deterministic_and_consistent():
    orgs = pl.DataFrame({"ods_code": ["AAA", "BBB", "CCC"], "region_code": ["Y63", "Y63", "Y56"]})
    talent = synthetic_talent(orgs, seed=3)
    assert talent["people"].equals(synthetic_talent(orgs, seed=3)["people"])
    assert set(talent["memberships"]["person_id"]) == set(talent["people"]["person_id"])
    posts = pl.DataFrame(
        {
            "post_id": ["AAA-CEO", "AAA-FD", "AAA-NED1"],
            "ods_code": ["AAA"] * 3,
            "region_code": ["Y63"] * 3,
            "role": ["chief_executive", "finance", "non_executive"],
        }
    )
    plans = synthetic_succession(posts, talent["people"], talent["memberships"], seed=3)
    assert plans["plans"]["post_id"].to_list() == ["AAA-CEO", "AAA-FD"]  # critical posts only
    regions = dict(talent["memberships"].select("person_id", "region_code").iter_rows())
    assert all(regions[p] == "Y63" for p in plans["successors"]["person_id"])
    targets = synthetic_diversity_targets(orgs, seed=3)
    assert targets["target"].is_between(0, 1).all()
