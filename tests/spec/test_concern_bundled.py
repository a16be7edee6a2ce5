"""The assessment on the bundled real data: each finding of issue 9 about the first assessment,
replayed as a regression test (stale series, a closed trust, one extra month, an omitted month,
ambulance harassment, a good month, a national standard missed by most, mortality pairs)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from candour.analytics.concern import assess
from candour.analytics.concern.backtest import backtest, checked_outcomes
from candour.analytics.concern.constants import CONCERN_LEVELS, LEVEL_RANK, NO_RECENT_DATA
from candour.analytics.concern.inputs import checked_measures, checked_observations
from candour.importers import assessment as bundled
from candour.importers.catalogue import DATA_DIR

BEFORE_THE_2019_RATINGS = date(2019, 4, 1)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "reference" / "concern.md"


@pytest.fixture(scope="module")
def inputs():
    arguments = {
        "measures": bundled.measures_frame(),
        "organisations": bundled.organisations_frame(),
        "targets": bundled.targets_frame(),
        "pairs": bundled.target_pairs(),
        "breaks": bundled.breaks_frame(),
    }
    observations = checked_observations(
        bundled.observations_frame().drop("dataset"), checked_measures(arguments["measures"])
    )
    return observations, arguments


@pytest.fixture(scope="module")
def now(inputs):
    observations, arguments = inputs
    return assess(observations, **arguments)


@pytest.fixture(scope="module")
def in_2019(inputs):
    observations, arguments = inputs
    return assess(observations, as_of=BEFORE_THE_2019_RATINGS, **arguments)


def concerns(result) -> pl.DataFrame:
    return result.flags.filter(pl.col("level").is_in(list(CONCERN_LEVELS)))


def test_old_series_are_history_never_a_current_flag(now):
    assert now.as_of == date(2025, 7, 31)
    assert concerns(now)["period_start"].min() >= date(2024, 1, 1)
    shmi = now.windows.filter(pl.col("measure_id") == "shmi").row(0, named=True)
    assert shmi["state"] == "history"
    assert shmi["latest_period_end"] == date(2019, 12, 31)


def test_a_closed_or_merged_trust_is_not_assessed_as_current(now, in_2019):
    assert "RNL" not in now.organisations["ods_code"].to_list()  # merged into RNN in 2019
    assert "RNL" in in_2019.organisations["ods_code"].to_list()  # still open in April 2019


def test_one_trusts_extra_month_moves_no_one_elses_comparison(inputs, now):
    observations, arguments = inputs
    june = observations.filter(
        (pl.col("ods_code") == "RJN")
        & (pl.col("measure_id") == "ae_4hr_all")
        & (pl.col("period_start") == date(2025, 6, 1))
    )
    july = june.with_columns(
        period_start=pl.lit(date(2025, 7, 1)),
        period_end=pl.lit(date(2025, 7, 31)),
        value=pl.lit(0.95),
        numerator=pl.col("denominator") * 0.95,
    )
    after = assess(pl.concat([observations, july]), **arguments)
    compared_in = [
        "measure_id",
        "peer_group",
        "state",
        "period_type",
        "period_start",
        "n_reporting",
    ]
    assert after.windows.select(compared_in).equals(now.windows.select(compared_in))
    compared = after.compared.filter(pl.col("measure_id") == "ae_4hr_all")
    assert compared.height == now.compared.filter(pl.col("measure_id") == "ae_4hr_all").height
    assert compared.height > 100
    rjn = concerns(after).filter(
        (pl.col("ods_code") == "RJN") & (pl.col("measure_id") == "ae_4hr_all")
    )
    assert rjn.height == 1
    assert "June 2025" in rjn["sentence"][0]


def test_a_flagged_trust_that_omits_its_latest_month_shows_no_recent_data(inputs, now):
    observations, arguments = inputs
    assert (
        not concerns(now)
        .filter((pl.col("ods_code") == "RJN") & (pl.col("measure_id") == "ae_4hr_all"))
        .is_empty()
    )
    omitted = observations.filter(
        ~(
            (pl.col("ods_code") == "RJN")
            & (pl.col("measure_id") == "ae_4hr_all")
            & (pl.col("period_start") == date(2025, 6, 1))
        )
    )
    after = assess(omitted, **arguments)
    row = after.by_measure.filter(
        (pl.col("ods_code") == "RJN") & (pl.col("measure_id") == "ae_4hr_all")
    ).row(0, named=True)
    assert row["status"] == NO_RECENT_DATA
    [notice] = after.flags_for("RJN").filter(pl.col("measure_id") == "ae_4hr_all").to_dicts()
    assert notice["level"] == NO_RECENT_DATA
    assert "no data for June 2025" in notice["sentence"]


def test_ambulance_trusts_are_compared_with_ambulance_trusts(now):
    public = now.compared.filter(
        (pl.col("measure_id") == "ss_hba_public") & (pl.col("peer_group") == "Ambulance")
    )
    assert public.height >= 9
    assert public["n_peers"].max() == public.height - 1
    flagged = concerns(now).filter(pl.col("measure_id") == "ss_hba_public")
    ambulance = set(public["ods_code"])
    assert len(ambulance & set(flagged["ods_code"])) <= 2  # was all 10, against acute trusts
    assert not now.compared.filter(
        (pl.col("measure_id") == "ae_4hr_all")
        & ~pl.col("peer_group").is_in(["Acute", "Acute specialist"])
    ).height  # no community or minor-injury provider on an A&E comparison


def test_a_good_month_raises_no_concern(inputs, in_2019):
    observations, arguments = inputs
    month = (pl.col("measure_id") == "ae_4hr_all") & (pl.col("period_start") == date(2018, 1, 1))
    better = observations.with_columns(
        value=pl.when(month).then((pl.col("value") + 0.02).clip(0, 1)).otherwise(pl.col("value"))
    ).with_columns(
        numerator=pl.when(month)
        .then(pl.col("value") * pl.col("denominator"))
        .otherwise(pl.col("numerator"))
    )
    after = assess(better, as_of=BEFORE_THE_2019_RATINGS, **arguments)
    new_spc = (
        concerns(after)
        .filter(pl.col("kind") == "spc")
        .join(
            concerns(in_2019).filter(pl.col("kind") == "spc"),
            on=["ods_code", "measure_id"],
            how="anti",
        )
    )
    assert new_spc.is_empty()
    rank = {level: r for level, r in LEVEL_RANK.items()}
    joined = after.organisations.join(in_2019.organisations, on="ods_code", suffix="_before")
    rose = joined.filter(
        pl.col("status").replace_strict(rank) > pl.col("status_before").replace_strict(rank)
    )
    assert rose.is_empty()


def test_a_standard_most_trusts_miss_is_a_system_finding(now):
    rtt = now.system.filter(
        (pl.col("measure_id") == "rtt_18wk") & (pl.col("peer_group") == "Acute")
    )
    [finding] = rtt.to_dicts()
    assert finding["system_wide"]
    assert finding["n_missing"] > 0.9 * finding["n_total"]
    assert re.match(r"\d+ of \d+ acute trusts were below the 92\.0% standard", finding["sentence"])
    assert not concerns(now)["sentence"].str.contains("standard").any()


def test_divergence_compares_the_same_periods_and_skips_an_index_without_its_periods(now):
    assert set(now.divergence["balance_measure_id"]) <= {"ae_12hr_waits", "rtt_52wk"}  # no SHMI
    ae = now.divergence.filter(pl.col("target_measure_id") == "ae_4hr_all")
    assert ae["now_start"].unique().to_list() == [date(2025, 6, 1)]
    assert concerns(now).filter(pl.col("kind") == "divergence").height <= 3


def test_the_back_test_table_in_the_docs_is_what_the_method_gives(inputs):
    observations, arguments = inputs
    outcomes = checked_outcomes(
        pl.read_csv(DATA_DIR / "cqc_trust_overall_ratings_2019.csv"),
        code="org_code",
        outcome="overall",
        positive=("Requires improvement", "Inadequate"),
        as_of_column=None,
    )
    result = backtest(
        outcomes,
        lambda day: assess(observations, as_of=day, **arguments),
        as_of=BEFORE_THE_2019_RATINGS,
    )
    text = DOCS.read_text(encoding="utf-8")
    headline = result.scores.filter(pl.col("score") == "headline").row(0, named=True)
    assert f"| headline | {headline['organisations']} | {headline['auc']:.3f}" in text
    risk = result.statuses.filter(pl.col("flagged_at") == "risk or worse").row(0, named=True)
    assert (
        f"| risk or worse | {risk['flag_rate']:.1%} | {risk['sensitivity']:.3f} | {risk['specificity']:.3f} |"
        in text
    )
