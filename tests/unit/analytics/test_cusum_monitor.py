"""Monitoring monthly observed/expected deaths: thresholds per series-year, signals with the
months that led to them, the alert's sentence; and the synthetic data the demo loads."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from candour.analytics.cusum.design import poisson_signal_probability
from candour.analytics.cusum.monitor import (
    alert_sentence,
    expected_false_alarms_sentence,
    group_phrase,
    monitor,
    month_span,
    one_in,
    per_series_probability,
)
from candour.analytics.cusum.synthetic import (
    months_before,
    synthetic_nation,
    synthetic_trust_months,
)
from candour.exceptions import OptionError

D = dt.date


START = D(2024, 1, 1)


def frame(series: dict[tuple[str, str], list[tuple[int, float]]], start=START):
    rows = [
        (code, group, months_before(start, -i), observed, expected)
        for (code, group), values in series.items()
        for i, (observed, expected) in enumerate(values)
    ]
    return pl.DataFrame(
        rows,
        schema={
            "ods_code": pl.String,
            "group": pl.String,
            "month": pl.Date,
            "observed": pl.Int64,
            "expected": pl.Float64,
        },
        orient="row",
    )


def test_a_rate_per_series_year_compounds_over_the_months_of_a_series():
    assert per_series_probability(0.001, 12) == pytest.approx(0.001)
    assert per_series_probability(0.001, 36) == pytest.approx(1 - 0.999**3)
    assert per_series_probability(0.001, 6) == pytest.approx(1 - math.sqrt(0.999))


def test_each_threshold_gives_its_series_the_rate_per_series_year():
    expected = [4.0] * 24 + [9.0] * 12
    data = frame({("R0B", "Stroke"): [(4, 4.0)] * 24 + [(9, 9.0)] * 12})
    result = monitor(data, rate_ratio=1.5, false_alarm_rate=0.001, states=400)
    h = result.h[("R0B", "Stroke")]
    probability = poisson_signal_probability(expected=expected, rate_ratio=1.5, h=h, states=400)
    assert probability == pytest.approx(1 - 0.999**3, rel=0.01)
    assert result.series == 1
    assert result.expected_false_alarms_per_year == pytest.approx(0.001)


def test_a_signal_reports_the_months_that_led_to_it():
    # In control (observed = expected) for 6 months, then twice the deaths.
    values = [(10, 10.0)] * 6 + [(20, 10.0)] * 6
    result = monitor(frame({("R0B", "Pneumonia"): values}), h={("R0B", "Pneumonia"): 5.0})
    first = result.signals.row(0, named=True)
    # W = 20 ln 1.5 - 0.5 x 10 = 3.11 a month: S = 3.11, 6.22 > 5 in the 8th month.
    assert first["month"] == D(2024, 8, 1)
    assert first["statistic"] == pytest.approx(2 * (20 * math.log(1.5) - 5))
    assert first["episode_start"] == D(2024, 7, 1)
    assert (first["episode_observed"], first["episode_expected"]) == (40, 20.0)
    # After the reset the next episode starts the month after the signal.
    second = result.signals.row(1, named=True)
    assert (second["month"], second["episode_start"]) == (D(2024, 10, 1), D(2024, 9, 1))


def test_series_in_control_raise_nothing_and_rows_from_other_series_do_not_mix():
    data = frame(
        {
            ("R0B", "Pneumonia"): [(10, 10.0)] * 12,
            ("R0B", "Stroke"): [(10, 10.0)] * 6 + [(25, 10.0)] * 6,
        }
    )
    result = monitor(data.sample(fraction=1.0, shuffle=True, seed=1), rate_ratio=1.5)
    assert set(result.signals["group"]) == {"Stroke"}
    assert result.signals["episode_start"].min() == D(2024, 7, 1)
    assert result.charted.filter(pl.col("group") == "Pneumonia")["cusum"].max() == 0


def test_only_an_excess_is_watched_for():
    with pytest.raises(OptionError, match="above 1"):
        monitor(frame({("R0B", "Stroke"): [(1, 1.0)]}), rate_ratio=0.8)


def test_the_planted_synthetic_series_are_found_with_few_false_alarms():
    nation = synthetic_nation(trusts=20, planted=4, seed=7)
    monthly = nation.patients.group_by(
        pl.col("trust").alias("ods_code"),
        "group",
        pl.col("date").dt.truncate("1mo").alias("month"),
    ).agg(
        pl.col("outcome").cast(pl.Int64).sum().alias("observed"),
        pl.col("risk").sum().alias("expected"),
    )
    result = monitor(monthly, states=400)
    found = set(result.signals.select("ods_code", "group").unique().rows())
    planted = {(p.trust, p.group) for p in nation.planted}
    assert planted <= found
    assert len(found - planted) <= 1  # about 0.08 series x years expected by chance


def test_the_sentence_reads_as_the_issue_asks():
    sentence = alert_sentence(
        group="Pneumonia",
        observed=34,
        expected=22.1,
        start=D(2025, 1, 1),
        end=D(2025, 6, 1),
        false_alarm_rate=0.001,
    )
    assert sentence == (
        "Deaths after pneumonia admissions: 34 observed against 22.1 expected from January to "
        "June 2025, a CUSUM signal (threshold set for 1 false alarm in 1,000 series-years)"
    )


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (D(2025, 6, 1), D(2025, 6, 1), "June 2025"),
        (D(2024, 12, 1), D(2025, 3, 1), "December 2024 to March 2025"),
    ],
)
def test_month_spans(start, end, words):
    assert month_span(start, end) == words


def test_words_for_groups_rates_and_expected_false_alarms():
    assert group_phrase("Hip fracture") == "hip fracture"
    assert group_phrase("COPD") == "COPD"
    assert one_in(0.0005) == "1 false alarm in 2,000 series-years"
    assert expected_false_alarms_sentence(1220, 0.001).endswith(
        "about 1.2 false alarms a year would be expected across them by chance"
    )


def test_synthetic_data_for_real_trusts_plants_the_series_asked_for():
    monthly, nation = synthetic_trust_months(
        {"R0B": "South Tyneside", "RTD": "Newcastle"},
        plant=[("R0B", "Pneumonia")],
        last_month=D(2025, 3, 1),
        years=3,
    )
    assert [(p.trust, p.group, p.change) for p in nation.planted] == [
        ("R0B", "Pneumonia", D(2023, 10, 1))
    ]
    assert (monthly["MONTH"].min(), monthly["MONTH"].max()) == ("2022-04", "2025-03")
    assert monthly["SYNTHETIC"].all()
    assert set(monthly["PROVIDER_NAME"]) == {
        "South Tyneside (SYNTHETIC DATA)",
        "Newcastle (SYNTHETIC DATA)",
    }


def test_naming_trusts_keeps_the_same_patients_as_the_default():
    default = synthetic_nation(trusts=3, planted=0, seed=5)
    named = synthetic_nation(trusts=3, planted=0, seed=5, codes=["A", "B", "C"])
    assert np.array_equal(default.patients["risk"].to_numpy(), named.patients["risk"].to_numpy())
    with pytest.raises(OptionError, match="not one of the trusts"):
        synthetic_nation(trusts=3, codes=["A", "B", "C"], plant=[("Z", "Stroke")])
    with pytest.raises(OptionError, match="groups are"):
        synthetic_nation(trusts=3, codes=["A", "B", "C"], plant=[("A", "Gout")])
