"""Conformance of candour.analytics.cusum with R surveillance 1.20.3 / spc 0.6.7 and the literal
formula script (tests/conformance/cusum_cases.json; conventions and tolerances in
tests/conformance/cusum_README.md).

Every case runs through the public functions, within its own tolerance: per-point statistics to
1e-9 with identical signals, ARLs, thresholds and signal probabilities as the README says. Cases
whose reference rejects the input must raise a UserError naming the row. A second test stacks all
per-point cases into one call (one series each, rows shuffled) and expects the same answers.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from candour.analytics.cusum import bernoulli_cusum, poisson_cusum, standardised_cusum, vlad
from candour.analytics.cusum.classic import count_arl, count_threshold, normal_arl, normal_threshold
from candour.analytics.cusum.design import (
    bernoulli_arl,
    bernoulli_signal_probability,
    bernoulli_threshold,
    bernoulli_threshold_for_false_alarm,
    poisson_arl,
    poisson_signal_probability,
    poisson_threshold_for_false_alarm,
)
from candour.exceptions import UserError

CASES_FILE = Path(__file__).parents[1] / "conformance" / "cusum_cases.json"
CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]
BY_ID = {case["id"]: case for case in CASES}
# Cases whose reference value we do not reproduce, with the reason (none so far).
DEVIATIONS: dict[str, str] = {}


def ids(case: dict) -> str:
    return case["id"]


def of(*methods: str) -> list[dict]:
    return [case for case in CASES if case["method"] in methods]


def is_error(case: dict) -> bool:
    return bool(case["expected"].get("error"))


def patient_frame(case: dict) -> pl.DataFrame:
    return pl.DataFrame(
        {"y": case["input"]["y"], "p": case["input"]["p"]},
        schema={"y": pl.Float64, "p": pl.Float64},
    )


def period_frame(case: dict) -> pl.DataFrame:
    data = case["input"]
    return pl.DataFrame(
        {"period": data["period"], "observed": data["observed"], "expected": data["expected"]},
        schema={"period": pl.String, "observed": pl.Float64, "expected": pl.Float64},
    )


def assert_points(statistic: list, signal: list, expected_s: list, expected_signal: list, tol):
    assert len(statistic) == len(expected_s)
    wrong = [
        (i, a, e)
        for i, (a, e) in enumerate(zip(statistic, expected_s, strict=True))
        if not math.isclose(a, e, rel_tol=0, abs_tol=tol)
    ]
    assert not wrong, f"(index, got, expected): {wrong[:5]}"
    assert signal == expected_signal


def assert_signals_at(signal: list, positions: list) -> None:
    assert [i + 1 for i, s in enumerate(signal) if s] == positions


# --- Per-point charts ---------------------------------------------------------------------------


def run_bernoulli(frame: pl.DataFrame, odds_ratio: float, h: float, reset: str) -> pl.DataFrame:
    return bernoulli_cusum(
        frame, outcome="y", risk="p", odds_ratio=odds_ratio, h=h, reset=reset == "zero"
    )


def run_poisson(frame: pl.DataFrame, rate_ratio: float, h: float, reset: str) -> pl.DataFrame:
    return poisson_cusum(
        frame,
        observed="observed",
        expected="expected",
        rate_ratio=rate_ratio,
        h=h,
        order="period",
        reset=reset == "zero",
    )


RUN_ONE_SIDED = {"ra_cusum_bernoulli": run_bernoulli, "poisson_cusum_oe": run_poisson}
FRAME = {"ra_cusum_bernoulli": patient_frame, "poisson_cusum_oe": period_frame}


@pytest.mark.parametrize("case", [c for c in of(*RUN_ONE_SIDED) if not is_error(c)], ids=ids)
def test_one_sided_cusum(case):
    params, expected = case["params"], case["expected"]
    frame = FRAME[case["method"]](case)
    result = RUN_ONE_SIDED[case["method"]](frame, params["R"], params["h"], params["reset"])
    statistic, signal = result["cusum"].to_list(), result["signal"].to_list()
    assert_points(statistic, signal, expected["S"], expected["signal"], case["tolerance"]["abs"])
    assert_signals_at(signal, expected["signal_at_1based"])


@pytest.mark.parametrize(
    "case", of("ra_cusum_bernoulli_two_sided", "poisson_cusum_oe_two_sided"), ids=ids
)
def test_two_sided_cusum(case):
    params, expected = case["params"], case["expected"]
    method = case["method"].removesuffix("_two_sided")
    frame = FRAME[method](case)
    for side in ("upper", "lower"):
        result = RUN_ONE_SIDED[method](
            frame, params[f"R_{side}"], params[f"h_{side}"], params["reset"]
        )
        statistic, signal = result["cusum"].to_list(), result["signal"].to_list()
        assert_points(
            statistic,
            signal,
            expected[f"S_{side}"],
            expected[f"signal_{side}"],
            case["tolerance"]["abs"],
        )
        assert_signals_at(signal, expected[f"signal_{side}_at_1based"])


@pytest.mark.parametrize("case", of("poisson_cusum_standardized"), ids=ids)
def test_standardised_cusum(case):
    params, expected = case["params"], case["expected"]
    result = standardised_cusum(
        period_frame(case),
        observed="observed",
        expected="expected",
        k=params["k"],
        h=params["h"],
        transform=params["transform"],
        order="period",
    )
    statistic, signal = result["cusum"].to_list(), result["signal"].to_list()
    assert_points(statistic, signal, expected["S"], expected["signal"], case["tolerance"]["abs"])
    assert_signals_at(signal, expected["signal_at_1based"])


@pytest.mark.parametrize("case", [c for c in of("vlad") if not is_error(c)], ids=ids)
def test_vlad(case):
    if case["input"]["kind"] == "patient":
        result = vlad(patient_frame(case), outcome="y", risk="p")
    else:
        result = vlad(period_frame(case), observed="observed", expected="expected")
    values = result["vlad"].to_list()
    expected = case["expected"]["VLAD"]
    assert len(values) == len(expected)
    tolerance = case["tolerance"]["abs"]
    assert all(
        math.isclose(a, e, rel_tol=0, abs_tol=tolerance)
        for a, e in zip(values, expected, strict=True)
    )


def run_rejected(case: dict):
    if case["method"] == "vlad":
        return vlad(patient_frame(case), outcome="y", risk="p")
    params = case["params"]
    return RUN_ONE_SIDED[case["method"]](
        FRAME[case["method"]](case), params["R"], params["h"], params["reset"]
    )


REJECTED = [c for c in CASES if is_error(c)]


@pytest.mark.parametrize("case", REJECTED, ids=ids)
def test_impossible_input_is_rejected_naming_the_row(case):
    """The reference fails (or silently truncates); we refuse, naming the row and the column."""
    frame = FRAME.get(case["method"], patient_frame)(case)
    column = "y" if "y" in frame.columns else "observed"
    values = frame[column].to_list()
    bad = next(i for i, v in enumerate(values) if v is None or v != int(v)) + 1
    with pytest.raises(UserError) as raised:
        run_rejected(case)
    assert f"row {bad}, column '{column}'" in str(raised.value)


# --- Design -------------------------------------------------------------------------------------


def risk_mix(params: dict) -> dict:
    mix = params["risk_distribution"]
    return {"risks": mix["p"], "weights": mix["weight"]}


def close(got: float, expected: float, tolerance: dict) -> bool:
    if "rel" in tolerance:
        return math.isclose(got, expected, rel_tol=tolerance["rel"])
    return math.isclose(got, expected, rel_tol=0, abs_tol=tolerance["abs_h"])


DESIGN = {
    "normal_cusum_arl": lambda c, p: normal_arl(
        k=p["k"], h=p["h"], mu=p["mu"], headstart=p["headstart"], sided=p["sided"]
    ),
    "normal_cusum_crit": lambda c, p: normal_threshold(
        k=p["k"], arl0=p["target_arl0"], sided=p["sided"]
    ),
    "poisson_count_cusum_arl": lambda c, p: count_arl(
        mean=p["mu"], k=p["k"], h=p["h"], side=p.get("side", "upper")
    ),
    "poisson_cusum_oe_arl": lambda c, p: poisson_arl(
        expected=p["E"], rate_ratio=p["R"], h=p["h"], true_rate_ratio=p["true_rate_ratio"]
    ),
    "ra_cusum_arl": lambda c, p: bernoulli_arl(
        **risk_mix(p), odds_ratio=p["R"], h=p["h"], true_odds_ratio=p["true_odds_ratio"]
    ),
    "ra_cusum_crit": lambda c, p: bernoulli_threshold(
        **risk_mix(p), odds_ratio=p["R"], arl0=p["target_arl0"]
    ),
    "ra_cusum_signal_prob": lambda c, p: bernoulli_signal_probability(
        risks=c["input"]["p"][: p["horizon"]],
        odds_ratio=p["R"],
        h=p["h"],
        true_odds_ratio=p["true_odds_ratio"],
    ),
    "ra_cusum_crit_signal_prob": lambda c, p: bernoulli_threshold_for_false_alarm(
        risks=c["input"]["p"][: p["horizon"]], odds_ratio=p["R"], probability=p["target_prob"]
    ),
    "poisson_cusum_oe_signal_prob": lambda c, p: poisson_signal_probability(
        expected=c["input"]["expected"][: p["horizon"]],
        rate_ratio=p["R"],
        h=p["h"],
        true_rate_ratio=p["true_rate_ratio"],
    ),
    "poisson_cusum_oe_crit_signal_prob": lambda c, p: poisson_threshold_for_false_alarm(
        expected=c["input"]["expected"][: p["horizon"]],
        rate_ratio=p["R"],
        probability=p["target_prob"],
    ),
}


def answer_key(method: str) -> str:
    """Thresholds (``*_crit*``) answer h; the others an ARL or a probability."""
    if "_crit" in method:
        return "h"
    return "prob" if method.endswith("prob") else "arl"


@pytest.mark.parametrize("case", of(*DESIGN), ids=ids)
def test_design(case):
    got = DESIGN[case["method"]](case, case["params"])
    expected = case["expected"][answer_key(case["method"])]
    assert close(got, expected, case["tolerance"]), f"got {got}, expected {expected}"


@pytest.mark.parametrize("case", of("poisson_count_cusum_crit"), ids=ids)
def test_count_threshold(case):
    params, expected = case["params"], case["expected"]
    found = count_threshold(
        mean=params["mu0"], k=params["k"], arl0=params["target_arl0"], lattice=params["lattice"]
    )
    assert (found.h, found.steps) == (expected["h"], expected["hm"])
    rel = case["tolerance"]["rel_arl"]
    assert math.isclose(found.arl, expected["arl_at_h"], rel_tol=rel)
    assert math.isclose(found.arl_one_step_lower, expected["arl_at_h_minus_lattice"], rel_tol=rel)


def test_every_case_runs():
    """Each case is picked up by exactly one test above (the README's table counts 71)."""
    point_methods = {*RUN_ONE_SIDED, "vlad", "poisson_cusum_standardized"}
    two_sided = {"ra_cusum_bernoulli_two_sided", "poisson_cusum_oe_two_sided"}
    covered = point_methods | two_sided | set(DESIGN) | {"poisson_count_cusum_crit"}
    assert {case["method"] for case in CASES} <= covered
    assert len(CASES) == 71
    assert not set(DEVIATIONS) - set(BY_ID)


# --- All per-point cases in one call ------------------------------------------------------------


def stacked(cases: list[dict], make) -> pl.DataFrame:
    frames = [
        make(c).with_columns(pl.lit(c["id"]).alias("case"), pl.int_range(pl.len()).alias("t"))
        for c in cases
    ]
    together = pl.concat(frames, how="vertical_relaxed")
    return together.sample(fraction=1.0, shuffle=True, seed=7)


def test_bernoulli_cases_in_one_shuffled_call():
    cases = [
        c
        for c in of("ra_cusum_bernoulli")
        if not is_error(c) and c["params"]["reset"] == "zero" and c["input"]["y"]
    ]
    frame = stacked(cases, patient_frame)
    odds = {c["id"]: c["params"]["R"] for c in cases}
    # One odds ratio per call: run the upper and the lower cases separately.
    for ratio in sorted(set(odds.values())):
        chosen = [c for c in cases if c["params"]["R"] == ratio]
        part = frame.filter(pl.col("case").is_in([c["id"] for c in chosen]))
        result = bernoulli_cusum(
            part,
            outcome="y",
            risk="p",
            odds_ratio=ratio,
            h={c["id"]: c["params"]["h"] for c in chosen},
            group="case",
            order="t",
        )
        assert result.select("case", "t").equals(part.select("case", "t"))
        for case in chosen:
            rows = result.filter(pl.col("case") == case["id"]).sort("t")
            expected = case["expected"]
            assert_points(
                rows["cusum"].to_list(),
                rows["signal"].to_list(),
                expected["S"],
                expected["signal"],
                case["tolerance"]["abs"],
            )


def test_vlad_cases_in_one_shuffled_call():
    cases = [c for c in of("vlad") if not is_error(c) and c["input"]["kind"] == "patient"]
    frame = stacked([c for c in cases if c["input"]["y"]], patient_frame)
    result = vlad(frame, outcome="y", risk="p", group="case", order="t")
    for case in cases:
        rows = result.filter(pl.col("case") == case["id"]).sort("t")
        assert np.allclose(rows["vlad"].to_numpy(), case["expected"]["VLAD"], rtol=0, atol=1e-9)
