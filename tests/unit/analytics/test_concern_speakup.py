"""Speak-up themes as staff-voice flags: only published counts, detriment and "would not speak
up again" flag whatever else the data say, and the organisation's status rises with them."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from candour.analytics.concern import assess, speakup_flags
from candour.exceptions import DataFileError

DETRIMENT = "speakup_detriment_indicated"
WOULD_NOT = "speakup_would_not_speak_up_again"


def published(*rows: tuple) -> pl.DataFrame:
    """Published counts from (ods_code, quarter, measure_id, display) tuples."""
    return pl.DataFrame(
        rows,
        schema={
            "ods_code": pl.String,
            "quarter": pl.String,
            "measure_id": pl.String,
            "display": pl.String,
        },
        orient="row",
    )


def test_a_hidden_count_still_flags_and_says_what_star_means():
    flags = speakup_flags(published(("RX1", "2026-27-q3", DETRIMENT, "*")))
    [flag] = flags.to_dicts()
    assert flag["ods_code"] == "RX1"
    assert flag["domain"] == "staff_voice"
    assert flag["level"] == "risk"
    assert flag["explanation"] == (
        "Freedom to Speak Up: people speaking up indicated detriment for doing so "
        "(2026-27 Q3: *). * is 1 to 7, hidden by disclosure control."
    )


def test_one_flag_per_organisation_and_measure_listing_its_quarters():
    flags = speakup_flags(
        published(
            ("RX1", "2026-27-q3", DETRIMENT, "10"),
            ("RX1", "2026-27-q2", DETRIMENT, "*"),
            ("RX1", "2026-27-q3", WOULD_NOT, "0"),
            ("RX1", "2026-27-q3", "speakup_cases", "40"),
            ("RX2", "2026-27-q3", WOULD_NOT, "5"),
        )
    )
    assert flags.select("ods_code", "measure_id").rows() == [
        ("RX1", DETRIMENT),
        ("RX2", WOULD_NOT),
    ]
    assert "(2026-27 Q2: *; 2026-27 Q3: 10)" in flags["explanation"][0]
    assert flags["explanation"][1] == (
        "Freedom to Speak Up: people whose concern was closed said they would not speak up "
        "again (2026-27 Q3: 5)."
    )


def test_zeros_and_other_themes_raise_nothing():
    assert speakup_flags(
        published(
            ("RX1", "2026-27-q3", DETRIMENT, "0"), ("RX1", "2026-27-q3", "speakup_cases", "*")
        )
    ).is_empty()
    assert speakup_flags(published()).is_empty()


def test_bad_input_names_the_column_and_row():
    with pytest.raises(DataFileError) as error:
        speakup_flags(published(("RX1", "2026-27-q3", DETRIMENT, None)))
    [problem] = error.value.problems
    assert (problem.column, problem.row) == ("display", 1)
    with pytest.raises(DataFileError, match="quarter"):
        speakup_flags(pl.DataFrame({"ods_code": ["RX1"]}))


def quiet_picture():
    from tests.unit.analytics.concern_data import codes, measure, measures, monthly, organisations

    members = codes(20)
    return monthly(members, spread=0.0), measures(measure()), organisations({"Acute": members})


def test_the_status_rises_with_a_speakup_flag_and_the_flag_is_listed():
    observations, measure_rows, orgs = quiet_picture()
    spoken = assess(
        observations,
        measures=measure_rows,
        organisations=orgs,
        speakup=published(("R01", "2026-27-q3", DETRIMENT, "*")),
    )
    assert spoken.status("R01") == "risk"
    [flag] = spoken.flags_for("R01").filter(pl.col("kind") == "speak_up").to_dicts()
    assert flag["measure_id"] == DETRIMENT
    assert "reported event" in flag["details"]


@settings(max_examples=20, deadline=None)
@given(value=st.floats(min_value=0.05, max_value=0.95))
def test_no_measure_result_offsets_a_speakup_flag(value):
    observations, measure_rows, orgs = quiet_picture()
    good = observations.with_columns(
        value=pl.when(pl.col("ods_code") == "R01").then(value).otherwise(pl.col("value"))
    ).with_columns(numerator=pl.col("value") * pl.col("denominator"))
    result = assess(
        good,
        measures=measure_rows,
        organisations=orgs,
        speakup=published(("R01", "2026-27-q3", WOULD_NOT, "*")),
    )
    assert result.status("R01") in ("risk", "elevated risk")
    assert "speak_up" in result.flags_for("R01")["kind"].to_list()
