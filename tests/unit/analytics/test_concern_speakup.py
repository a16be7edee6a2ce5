"""Speak-up themes as staff-voice flags: only published counts, detriment and "would not speak
up again" flag whatever else the data say, and the organisation's status rises with them."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
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


def measures() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "measure_id": ["m"],
            "domain": ["safe"],
            "improvement": ["decrease"],
            "role": ["other"],
            "relevant_change": [1.0],
        }
    )


def test_the_status_rises_with_a_speakup_flag_and_the_flag_is_listed():
    signals = pl.DataFrame(
        {"ods_code": ["RX1", "RX2"], "measure_id": ["m", "m"], "z": [-2.0, -2.0], "se": [0.1, 0.1]}
    )
    quiet = assess(measures(), signals)
    assert set(quiet.by_organisation["status"]) == {"no evidence of concern"}
    spoken = assess(measures(), signals, speakup=published(("RX1", "2026-27-q3", DETRIMENT, "*")))
    status = dict(spoken.by_organisation.select("ods_code", "status").rows())
    assert status == {"RX1": "risk", "RX2": "no evidence of concern"}
    [flag] = spoken.flags_for("RX1").to_dicts()
    assert flag["kind"] == "speak_up"
    assert flag["measure_id"] == DETRIMENT


@given(z=st.floats(min_value=-6, max_value=6, allow_nan=False))
def test_no_measure_result_offsets_a_speakup_flag(z):
    signals = pl.DataFrame({"ods_code": ["RX1"], "measure_id": ["m"], "z": [z], "se": [1.0]})
    result = assess(measures(), signals, speakup=published(("RX1", "2026-27-q3", WOULD_NOT, "*")))
    assert result.by_organisation["status"][0] in ("risk", "elevated risk")
    assert "speak_up" in result.flags_for("RX1")["kind"].to_list()
