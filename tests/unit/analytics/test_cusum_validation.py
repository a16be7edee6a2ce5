"""Options are checked on their own, then the data row by row: each error names the row, the
column and the value found, and nothing is skipped silently."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from candour.analytics.cusum import (
    ChartSpec,
    alerts,
    bernoulli_cusum,
    poisson_cusum,
    standardised_cusum,
    vlad,
)
from candour.analytics.cusum.frames import exact_series_codes
from candour.analytics.cusum.sorting import dense_codes
from candour.exceptions import DataFileError, OptionError

PATIENTS = pl.DataFrame(
    {
        "trust": ["RAA", "RAA", "RBB", "RAA", "RBB"],
        "date": ["2024-01-03", "2024-01-01", "2024-01-02", "2024-01-02", "2024-01-01"],
        "died": [1, 0, 1, 1, 1],
        "risk": [0.2, 0.1, 0.3, 0.05, 0.4],
    }
)
MONTHS = pl.DataFrame(
    {
        "trust": ["RAA"] * 3,
        "month": ["2024-01", "2024-02", "2024-03"],
        "observed": [12, 20, 31],
        "expected": [10.5, 11.0, 12.2],
    }
)


def bernoulli(frame=PATIENTS, **options):
    arguments = dict(outcome="died", risk="risk", odds_ratio=2, h=0.5, group="trust")
    return bernoulli_cusum(frame, **(arguments | {"order": "date"} | options))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"odds_ratio": 1}, "odds_ratio must differ from 1"),
        ({"odds_ratio": -2}, "odds_ratio must be a positive number"),
        ({"h": 0}, "h must be a positive finite number"),
        ({"h": float("inf")}, "h must be a positive finite number"),
        ({"reset": "yes"}, "reset must be True or False"),
        ({"group": "died"}, "outcome and group both name the column 'died'"),
        ({"order": "when"}, "no column named 'when'"),
        ({"h": {}}, "at least one series"),
        ({"h": {"RAA": 1.0}}, "h gives no threshold for the series 'RBB'"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(OptionError, match=message):
        bernoulli(**options)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("risk", 0.0, "a predicted risk must be strictly between 0 and 1; found 0.0"),
        ("risk", 1.0, "a predicted risk must be strictly between 0 and 1; found 1.0"),
        ("risk", None, "a predicted risk is missing"),
        ("died", 2, "an outcome must be 0 or 1; found 2"),
        ("died", None, "an outcome (0 or 1) is missing"),
        ("trust", None, "the series key is missing"),
        ("date", "32/13/2024", "expected a date such as 2021-04-01; found '32/13/2024'"),
    ],
)
def test_impossible_patient_data_names_row_column_and_value(column, value, message):
    frame = PATIENTS.with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit(value))
        .otherwise(pl.col(column))
        .alias(column)
    )
    with pytest.raises(DataFileError) as raised:
        bernoulli(frame)
    assert f"row 4, column {column!r}: {message}" in str(raised.value)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("observed", -1, "an observed count must be a non-negative whole number; found '-1'"),
        ("observed", 20.5, "an observed count must be a non-negative whole number; found '20.5'"),
        ("expected", 0.0, "an expected count must be a positive number; found '0.0'"),
        ("expected", "many", "expected an expected count; found 'many'"),
    ],
)
def test_impossible_counts_name_row_column_and_value(column, value, message):
    frame = MONTHS.with_columns(pl.col(column).cast(pl.String)).with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.lit(str(value)))
        .otherwise(pl.col(column))
        .alias(column)
    )
    with pytest.raises(DataFileError) as raised:
        poisson_cusum(
            frame, observed="observed", expected="expected", rate_ratio=1.2, h=3, order="month"
        )
    assert f"row 2, column {column!r}: {message}" in str(raised.value)


def test_text_numbers_and_months_are_read():
    as_text = MONTHS.with_columns(pl.col("observed", "expected").cast(pl.String))
    options = dict(observed="observed", expected="expected", rate_ratio=1.5, h=2.0, order="month")
    assert poisson_cusum(as_text, **options)["cusum"].equals(
        poisson_cusum(MONTHS, **options)["cusum"]
    )


def test_output_keeps_the_input_rows_and_adds_two_columns():
    result = bernoulli()
    assert result.select(PATIENTS.columns).equals(PATIENTS)
    assert result.columns == [*PATIENTS.columns, "cusum", "signal"]
    # RAA in date order: rows 2 (0.1, survived), 4 (0.05, died), 1 (0.2, died).
    raa = result.with_row_index().filter(pl.col("trust") == "RAA").sort("date")
    assert raa["index"].to_list() == [1, 3, 0]


def test_an_existing_result_column_is_not_overwritten():
    with pytest.raises(OptionError, match="already has a column named 'cusum'"):
        bernoulli(PATIENTS.with_columns(pl.lit(1.0).alias("cusum")))


def test_standardised_transform_must_be_known():
    with pytest.raises(OptionError, match="transform must be one of"):
        standardised_cusum(
            MONTHS, observed="observed", expected="expected", k=0.5, h=2, transform="log"
        )


def test_vlad_needs_one_pair_of_columns():
    with pytest.raises(OptionError, match="either outcome and risk"):
        vlad(PATIENTS, outcome="died", observed="died")
    with pytest.raises(OptionError, match="needs both outcome and risk"):
        vlad(PATIENTS, outcome="died")


def test_alerts_give_the_first_signal_of_each_series():
    charted = bernoulli(h={"RAA": 0.5, "RBB": 5.0})
    found = alerts(
        charted, h={"RAA": 0.5, "RBB": 5.0}, group="trust", order="date", false_alarm_rate=0.001
    )
    assert found.columns == [
        "trust",
        "first_signal",
        "first_signal_row",
        "statistic",
        "h",
        "false_alarm_rate",
        "signals",
    ]
    row = found.row(0, named=True)
    assert row["trust"] == "RAA"
    assert row["first_signal"] == "2024-01-02"  # the patient who died at risk 0.05
    assert row["first_signal_row"] == 4
    assert row["h"] == 0.5
    assert row["false_alarm_rate"] == 0.001
    assert found.height == 1  # RBB did not cross 5


def test_chart_spec_runs_the_named_chart():
    spec = ChartSpec("vlad", {"outcome": "died", "risk": "risk", "group": "trust", "order": "date"})
    assert spec.run(PATIENTS).equals(
        vlad(PATIENTS, outcome="died", risk="risk", group="trust", order="date")
    )
    with pytest.raises(OptionError, match="chart must be one of"):
        ChartSpec("ewma")


def test_a_hash_collision_is_detected_and_codes_stay_exact():
    """Two series with the same first hash but different second hashes are caught (the caller
    then falls back to codes from the values)."""
    codes, consistent = dense_codes(
        np.array([7, 7, 9], dtype=np.uint64), np.array([1, 2, 3], dtype=np.uint64)
    )
    assert not consistent
    codes, consistent = dense_codes(
        np.array([7, 9, 7], dtype=np.uint64), np.array([1, 3, 1], dtype=np.uint64)
    )
    assert consistent
    assert codes.tolist() == [0, 1, 0]
    frame = pl.DataFrame({"a": ["x", "y", "x"], "b": [1, 1, 1]})
    assert (
        exact_series_codes(frame, ("a", "b")).tolist()[0]
        == exact_series_codes(frame, ("a", "b")).tolist()[2]
    )
