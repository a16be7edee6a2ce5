"""Spec tests of candour.analytics.concern.assess on small inputs: one rule each (issue 9)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from tests.unit.analytics.concern_data import (
    FAST,
    by_measure,
    codes,
    measure,
    measures,
    monthly,
    organisations,
    run,
)

from candour.analytics.concern import AssessOptions, assess
from candour.analytics.concern.constants import NO_RECENT_DATA
from candour.exceptions import DataFileError, OptionError

ACUTE = codes(30)


@pytest.fixture(scope="module")
def base():
    obs = monthly(ACUTE, overrides={("R00", 23): 0.55})  # one trust far below its peers
    return obs, measures(measure()), organisations({"Acute": ACUTE})


def test_an_organisation_far_below_its_peers_is_flagged_in_plain_words(base):
    result = run(*base)
    assert result.status("R00") == "elevated risk"
    [flag] = result.flags_for("R00").filter(pl.col("kind") == "funnel").to_dicts()
    assert flag["period_start"] == date(2024, 12, 1)
    assert flag["sentence"].startswith("Measure m: 55.0% in December 2024, against ")
    assert (
        "for 29 other acute trusts in the same period; worse than 100% of them." in flag["sentence"]
    )
    assert "z = " not in flag["sentence"]
    assert "z = " in flag["details"]


def test_observations_after_as_of_are_not_used(base):
    obs, m, orgs = base
    result = run(obs, m, orgs, as_of=date(2024, 6, 30))
    assert result.as_of == date(2024, 6, 30)
    assert result.windows["period_start"].to_list() == [date(2024, 6, 1)]
    assert result.status("R00") not in ("risk", "elevated risk")


def test_the_window_is_the_latest_period_most_have_reported_not_one_global_month(base):
    obs, m, orgs = base
    extra = obs.filter(
        (pl.col("ods_code") == "R05") & (pl.col("period_start") == date(2024, 12, 1))
    )
    extra = extra.with_columns(period_start=pl.lit(date(2025, 1, 1)), value=pl.lit(0.95))
    result = run(pl.concat([obs, extra]), m, orgs)
    assert result.windows["period_start"].to_list() == [date(2024, 12, 1)]
    assert result.status("R00") == "elevated risk"  # everyone is still compared


def test_an_organisation_without_the_window_has_no_recent_data_never_silence(base):
    obs, m, orgs = base
    dropped = obs.filter(
        ~((pl.col("ods_code") == "R00") & (pl.col("period_start") == date(2024, 12, 1)))
    )
    result = run(dropped, m, orgs)
    assert by_measure(result, "R00")["status"] == NO_RECENT_DATA
    notices = result.flags_for("R00").filter(pl.col("kind") == "no_recent_data")
    assert notices["sentence"][0].startswith("Measure m: no data for December 2024")
    assert result.status("R00") == NO_RECENT_DATA


def test_a_stale_measure_is_history_and_never_a_current_flag(base):
    obs, _m, orgs = base
    later = monthly(ACUTE, "n", start=date(2025, 6, 1), months=3)
    result = run(pl.concat([obs, later]), measures(measure(), measure("n")), orgs)
    window = result.windows.filter(pl.col("measure_id") == "m").row(0, named=True)
    assert window["state"] == "history"
    assert result.flags_for("R00").filter(pl.col("measure_id") == "m").is_empty()
    assert by_measure(result, "R00")["status"] == "history"


def test_closed_and_merged_organisations_are_not_assessed(base):
    obs, m, _ = base
    orgs = organisations(
        {"Acute": ACUTE},
        close_date={"R00": date(2024, 3, 31)},
        successor_code={"R01": "R02"},
        merged_on={"R01": date(2024, 4, 1)},
    )
    result = run(obs, m, orgs)
    assert not {"R00", "R01"} & set(result.organisations["ods_code"])


def test_a_measure_applies_only_to_its_peer_groups_and_compares_within_them():
    ambulance = codes(12, "A")
    obs = pl.concat([monthly(ACUTE, value=0.8), monthly(ambulance, value=0.4, seed=3)])
    orgs = organisations({"Acute": ACUTE, "Ambulance": ambulance})
    within = run(obs, measures(measure()), orgs)
    # ambulance trusts at 40% are compared with each other, not with acute trusts at 80%
    assert not within.flags.filter(pl.col("ods_code").str.starts_with("A")).height
    acute_only = run(obs, measures(measure(peer_groups="Acute")), orgs)
    assert set(acute_only.windows["peer_group"]) == {"Acute"}
    assert acute_only.status("A00") == "not compared"


def test_a_standard_most_miss_is_a_system_finding_not_a_trust_risk(base):
    obs, m, orgs = base
    targets = pl.DataFrame(
        {
            "measure_id": ["m"],
            "threshold": [0.92],
            "comparison": ["at_least"],
            "effective_from": [date(2010, 1, 1)],
            "name": ["92% standard"],
        }
    )
    result = run(obs, m, orgs, targets=targets)
    [finding] = result.system.to_dicts()
    assert finding["system_wide"]
    assert finding["n_missing"] == 30
    assert finding["n_total"] == 30
    assert finding["sentence"].startswith("30 of 30 acute trusts were below the 92.0% standard")
    flagged = result.organisations.filter(pl.col("status").is_in(["risk", "elevated risk"]))
    assert "R00" in flagged["ods_code"].to_list()
    assert flagged.height <= 4  # missing the standard flags no one: 26 of 30 are not flagged


def test_an_organisations_own_reference_does_not_depend_on_its_own_value(base):
    obs, m, orgs = base
    before = run(obs, m, orgs).compared.filter(pl.col("ods_code") == "R00").row(0, named=True)
    changed = obs.with_columns(
        value=pl.when((pl.col("ods_code") == "R00") & (pl.col("period_start") == date(2024, 12, 1)))
        .then(0.75)
        .otherwise(pl.col("value")),
        numerator=pl.when(
            (pl.col("ods_code") == "R00") & (pl.col("period_start") == date(2024, 12, 1))
        )
        .then(1500.0)
        .otherwise(pl.col("numerator")),
    )
    after = run(changed, m, orgs).compared.filter(pl.col("ods_code") == "R00").row(0, named=True)
    assert after["peer_value"] == pytest.approx(before["peer_value"], rel=1e-12)
    assert after["tau2"] == pytest.approx(before["tau2"], rel=1e-12)
    assert after["z"] < before["z"]


def test_a_recent_fall_against_its_own_history_is_special_cause():
    members = codes(30)
    drop = {("R03", i): 0.62 for i in (22, 23)}
    obs = monthly(members, months=24, spread=0.01, overrides=drop, seed=5)
    result = run(obs, measures(measure(relevant_change=None)), organisations({"Acute": members}))
    spc = result.recent.filter(pl.col("ods_code") == "R03").row(0, named=True)
    assert spc["baseline_end"] == date(2024, 3, 1)  # 15 points, fixed
    assert spc["s_max"] > 3
    kinds = set(result.flags_for("R03")["kind"])
    assert "spc" in kinds or "funnel" in kinds


def test_neutral_measures_are_context_never_concern(base):
    obs, _, orgs = base
    result = run(obs, measures(measure(improvement="neutral")), orgs)
    assert result.flags.is_empty()
    assert result.recent.is_empty()


def test_a_registered_break_starts_a_new_segment(base):
    obs, m, orgs = base
    breaks = pl.DataFrame(
        {
            "date": [date(2024, 6, 1)],
            "measure_id": ["m"],
            "ods_code": [None],
            "reason": ["a change"],
        },
        schema={
            "date": pl.Date,
            "measure_id": pl.String,
            "ods_code": pl.String,
            "reason": pl.String,
        },
    )
    result = run(obs, m, orgs, breaks=breaks)
    # seven points since the break: too few for a 15-point baseline
    assert result.recent.is_empty()


def test_the_target_improving_while_its_balance_worsens_is_divergence():
    members = codes(30)
    target = monthly(members, "t", months=14, value=0.7, spread=0.02, seed=2)
    balance = monthly(members, "b", months=14, value=0.1, spread=0.01, seed=3)
    gamed_target = {("R07", i): 0.85 for i in (12, 13)}
    gamed_balance = {("R07", i): 0.25 for i in (12, 13)}
    target = monthly(
        members, "t", months=14, value=0.7, spread=0.02, seed=2, overrides=gamed_target
    )
    balance = monthly(
        members, "b", months=14, value=0.1, spread=0.01, seed=3, overrides=gamed_balance
    )
    m = measures(measure("t"), measure("b", improvement="decrease"))
    result = run(
        pl.concat([target, balance]), m, organisations({"Acute": members}), pairs=[("t", "b")]
    )
    row = result.divergence.filter(pl.col("ods_code") == "R07").row(0, named=True)
    assert (row["base_start"], row["now_start"]) == (date(2023, 2, 1), date(2024, 2, 1))
    assert row["dz_target"] > 2
    assert row["dz_balance"] > 2
    assert "divergence" in set(result.flags_for("R07")["kind"])


def test_thresholds_rise_with_the_number_of_tests():
    members = codes(30)
    obs = pl.concat([monthly(members, f"m{i}", seed=i) for i in range(6)])
    m = measures(*(measure(f"m{i}") for i in range(6)))
    one = run(
        monthly(members, "m0", seed=0), measures(measure("m0")), organisations({"Acute": members})
    )
    six = run(obs, m, organisations({"Acute": members}))
    assert one.calibration["threshold"].max() < six.calibration["threshold"].min()


def test_speakup_flags_raise_the_status_whatever_the_measures_say(base):
    obs, m, orgs = base
    published = pl.DataFrame(
        {
            "ods_code": ["R10"],
            "quarter": ["2024-25-q3"],
            "measure_id": ["speakup_detriment_indicated"],
            "display": ["*"],
        }
    )
    result = run(obs, m, orgs, speakup=published)
    assert result.status("R10") == "risk"
    assert "speak_up" in set(result.flags_for("R10")["kind"])


def test_bad_inputs_name_the_input_row_and_column(base):
    obs, m, orgs = base
    bad = obs.with_columns(
        value=pl.when(pl.col("ods_code") == "R01").then(1.5).otherwise(pl.col("value"))
    )
    with pytest.raises(DataFileError) as raised:
        run(bad, m, orgs)
    problem = raised.value.problems[0]
    assert raised.value.path == "observations"
    assert problem.column == "value"
    assert "a proportion must be from 0 to 1" in problem.message
    with pytest.raises(DataFileError, match="not a measure_id of the measures"):
        run(obs.with_columns(measure_id=pl.lit("x")), m, orgs)
    with pytest.raises(DataFileError, match="expected a date as YYYY-MM-DD; found '2024-13-01'"):
        run(obs.with_columns(period_start=pl.lit("2024-13-01")), m, orgs)
    with pytest.raises(DataFileError, match="appear"):
        run(pl.concat([obs, obs.head(1)]), m, orgs)
    with pytest.raises(DataFileError, match="org_type"):
        run(obs, m, orgs.with_columns(org_type=pl.lit("Hospital")))


def test_options_are_checked_before_the_data():
    with pytest.raises(OptionError, match="elevated_alpha"):
        AssessOptions(family_alpha=0.01, elevated_alpha=0.05)
    with pytest.raises(OptionError, match="calibration_draws"):
        AssessOptions(calibration_draws=10)
    with pytest.raises(OptionError, match="as_of"):
        assess(
            pl.DataFrame(),
            measures=measures(measure()),
            organisations=organisations({}),
            as_of="2024",
        )
    assert FAST.calibration_draws == 2000


def test_a_database_with_nothing_imported_yet_gives_an_empty_assessment():
    """A fresh installation has no organisations or measures: its pages show empty tables, so
    the assessment of empty (typed) inputs is empty, not an error."""
    from candour.importers.assessment import CATALOGUE_SCHEMA

    organisations = pl.DataFrame(
        schema={"ods_code": pl.String, "name": pl.String, "org_type": pl.String}
    )
    observations = pl.DataFrame(
        schema={
            "ods_code": pl.String,
            "measure_id": pl.String,
            "period_type": pl.String,
            "period_start": pl.Date,
            "value": pl.Float64,
        }
    )
    result = assess(
        observations, measures=pl.DataFrame(schema=CATALOGUE_SCHEMA), organisations=organisations
    )
    assert result.organisations.is_empty()
    assert result.flags.is_empty()
