"""Signals from the funnel engine, and relevant changes on its scales."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from candour.analytics.concern import assess, funnel_scale_change, signals_from_funnel
from candour.analytics.funnel import funnel
from candour.analytics.funnel.constants import Z_998
from candour.exceptions import OptionError

# Twenty trusts' observed and expected deaths (the conformance file's sr_shmi_20 input).
OBSERVED = [582, 581, 1289, 596, 422, 705, 334, 699, 337, 735]
OBSERVED += [94, 131, 937, 674, 742, 152, 710, 730, 464, 172]
EXPECTED = [572.71, 591.87, 888.79, 497.09, 392.4, 596, 325.39, 699.51, 303.2, 660.05]
EXPECTED += [151.88, 139.56, 841.67, 605.23, 816.94, 152.38, 810.51, 583.62, 430.33, 188.57]
TRUSTS = [f"T{i:02d}" for i in range(1, 21)]


def shmi(**options):
    frame = pl.DataFrame({"trust": TRUSTS, "observed": OBSERVED, "expected": EXPECTED})
    return funnel(frame, numerator="observed", denominator="expected", group="trust", **options)


def test_signals_carry_the_overdispersion_adjusted_z():
    result = shmi(shmi_rounding=False)
    assert result.draw_adjusted_effective
    assert result.tau2 > 0
    signals = signals_from_funnel(result, measure_id="shmi")
    assert signals.columns == ["ods_code", "measure_id", "value", "z", "se"]
    row = signals.row(2, named=True)  # T03: 1289 observed against 888.79 expected
    se = math.sqrt(1 / 888.79 + result.tau2)
    assert row == pytest.approx(
        {
            "ods_code": "T03",
            "measure_id": "shmi",
            "value": 1289 / 888.79,
            "z": math.log(1289 / 888.79) / se,
            "se": se,
        }
    )


def test_high_funnel_outliers_are_exactly_the_z_scores_beyond_the_998_limit():
    result = shmi(shmi_rounding=False)
    signals = signals_from_funnel(result, measure_id="shmi")
    high = result.outliers.filter(pl.col("rr") > 1)["group"].to_list()
    assert high  # the data has some
    assert signals.filter(pl.col("z") > Z_998)["ods_code"].to_list() == high


def test_without_overdispersion_the_z_is_the_funnels_unadjusted_z():
    result = shmi(draw_adjusted=False, shmi_rounding=False)
    signals = signals_from_funnel(result, measure_id="shmi")
    np.testing.assert_allclose(signals["z"], result.by_group["Uzscore"], rtol=1e-12)


def test_funnel_signals_feed_an_assessment():
    result = shmi(shmi_rounding=False)
    delta = funnel_scale_change("SR", baseline=1.0, changed=1.1)
    measures = pl.DataFrame(
        {
            "measure_id": ["shmi"],
            "name": ["SHMI"],
            "domain": ["safe"],
            "improvement": ["decrease"],
            "role": ["other"],
            "relevant_change": [delta],
        }
    )
    assessment = assess(measures, signals_from_funnel(result, measure_id="shmi"))
    t03 = assessment.by_measure.filter(pl.col("ods_code") == "T03").row(0, named=True)
    assert t03["level"] == "elevated risk"
    assert t03["explanation"].startswith("SHMI 1.45: ")


@pytest.mark.parametrize(
    ("data_type", "sr_method", "baseline", "changed", "expected"),
    [
        ("SR", "SHMI", 1.0, 1.1, math.log(1.1)),
        ("SR", "SHMI", 1.1, 1.0, math.log(1.1)),
        ("SR", "CQC", 1.0, 1.21, 0.1),
        ("PR", "SHMI", 0.10, 0.12, math.asin(math.sqrt(0.12)) - math.asin(math.sqrt(0.10))),
        ("RC", "SHMI", 2.0, 3.0, math.log(1.5)),
    ],
)
def test_relevant_changes_on_the_funnel_scale(data_type, sr_method, baseline, changed, expected):
    change = funnel_scale_change(data_type, baseline=baseline, changed=changed, sr_method=sr_method)
    assert change == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"data_type": "SR", "baseline": 1.0, "changed": 1.0}, "must differ"),
        ({"data_type": "SR", "baseline": 0.0, "changed": 1.0}, "ratios the log (SHMI) scale"),
        ({"data_type": "PR", "baseline": 0.1, "changed": 1.5}, "arcsine square root"),
    ],
)
def test_relevant_change_errors(kwargs, message):
    with pytest.raises(OptionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        funnel_scale_change(**kwargs)


def test_measure_id_is_required():
    with pytest.raises(OptionError, match="measure_id must be a non-empty string"):
        signals_from_funnel(shmi(), measure_id="")
