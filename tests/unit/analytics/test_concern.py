"""Unit tests of candour.analytics.concern: spec tables, validation, BH, power, P6, SPC, headline."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats

from candour.analytics.concern import (
    ConcernOptions,
    assess,
    benjamini_hochberg,
    null_distribution,
    power,
)
from candour.exceptions import EXIT_USER_ERROR, DataFileError, OptionError, UserError

Z_975 = 1.959963984540054  # exact Phi^-1(0.975), the "1.96" of P2


def catalogue(*rows: tuple) -> pl.DataFrame:
    """Measures from (measure_id, domain, improvement, role, weight, relevant_change) tuples."""
    return pl.DataFrame(
        rows,
        schema={
            "measure_id": pl.String,
            "domain": pl.String,
            "improvement": pl.String,
            "role": pl.String,
            "weight": pl.Float64,
            "relevant_change": pl.Float64,
        },
        orient="row",
    )


def signal_rows(*rows: tuple) -> pl.DataFrame:
    """Signals from (ods_code, measure_id, z, se) tuples."""
    return pl.DataFrame(
        rows,
        schema={"ods_code": pl.String, "measure_id": pl.String, "z": pl.Float64, "se": pl.Float64},
        orient="row",
    )


def one_measure(improvement: str = "decrease", *, weight: float = 1.0, delta: float | None = 3.0):
    return catalogue(("m", "safe", improvement, "other", weight, delta))


def measure_row(result, ods_code: str = "A", measure_id: str = "m") -> dict:
    rows = result.by_measure.filter(
        (pl.col("ods_code") == ods_code) & (pl.col("measure_id") == measure_id)
    )
    assert rows.height == 1
    return rows.row(0, named=True)


def only_problem(error: pytest.ExceptionInfo) -> object:
    assert len(error.value.problems) == 1, error.value.problems
    return error.value.problems[0]


# --- P1: orientation, contribution, p-value -----------------------------------------------------

# improvement, z as given, weight -> oriented z, contribution, p-value
ORIENTATION_TABLE = [
    ("decrease", 2.0, 1.0, 2.0, 4.0, stats.norm.sf(2.0)),
    ("decrease", -2.0, 1.0, -2.0, 0.0, stats.norm.sf(-2.0)),
    ("increase", 2.0, 1.0, -2.0, 0.0, stats.norm.sf(-2.0)),
    ("increase", -3.0, 2.0, 3.0, 18.0, stats.norm.sf(3.0)),
    ("increase", 0.0, 1.0, 0.0, 0.0, 0.5),
    ("neutral", -2.0, 1.0, 2.0, 4.0, 2 * stats.norm.sf(2.0)),
    ("neutral", 2.0, 0.5, 2.0, 2.0, 2 * stats.norm.sf(2.0)),
    ("neutral", 0.0, 1.0, 0.0, 0.0, 1.0),
]


@pytest.mark.parametrize(
    ("improvement", "z", "weight", "z_concern", "contribution", "p"), ORIENTATION_TABLE
)
def test_orientation_contribution_and_p_value(improvement, z, weight, z_concern, contribution, p):
    result = assess(one_measure(improvement, weight=weight), signal_rows(("A", "m", z, 1.0)))
    row = measure_row(result)
    assert row["z_concern"] == z_concern
    assert row["contribution"] == pytest.approx(contribution, rel=1e-15)
    assert row["p"] == pytest.approx(p, rel=1e-12)
    assert row["q"] == pytest.approx(p, rel=1e-12)  # one test: q = p


@pytest.mark.parametrize("z", [0.0, -0.0, -1e-300, -0.5, -3.0, -40.0])
def test_favourable_results_contribute_exactly_zero(z):
    result = assess(one_measure("decrease"), signal_rows(("A", "m", z, 1.0)))
    row = measure_row(result)
    assert row["contribution"] == 0.0
    assert math.copysign(1.0, row["contribution"]) == 1.0  # +0.0, not -0.0
    domain = result.by_domain.row(0, named=True)
    assert domain["concern"] == 0.0
    assert result.by_organisation["headline"][0] == 0.0
    assert result.by_organisation["headline_domain"][0] is None


# --- P2 and P7: levels --------------------------------------------------------------------------

# z (lower is better), se, relevant change -> level. One test, so q = p.
LEVEL_TABLE = [
    (3.0, 1.0, 5.0, "elevated risk"),  # p = 0.00135
    (2.33, 1.0, 5.0, "elevated risk"),  # p = 0.0099
    (2.32, 1.0, 5.0, "risk"),  # p = 0.0102
    (2.0, 1.0, None, "risk"),  # a concern needs no power to be flagged
    (1.0, 1.0, 3.0, "no evidence of concern"),  # power Phi(1.04) = 0.85
    (1.0, 1.0, 2.0, "uninformative"),  # power Phi(0.04) = 0.52
    (-2.0, 1.0, 3.0, "no evidence of concern"),
    (-2.0, 1.0, 2.8, "uninformative"),  # Phi(2.8 - 1.96) = 0.7995 < 0.8
    (-2.0, 1.0, 2.81, "no evidence of concern"),  # Phi(0.85) = 0.802
    (-2.0, 0.1, 0.3, "no evidence of concern"),  # delta / SE = 3
    (-2.0, 1.0, None, "uninformative"),  # no relevant change: power unknown
    (-2.0, None, 3.0, "uninformative"),  # no standard error: power unknown
    (None, 1.0, 3.0, "uninformative"),  # not tested at all
]


@pytest.mark.parametrize(("z", "se", "delta", "level"), LEVEL_TABLE)
def test_level(z, se, delta, level):
    result = assess(one_measure("decrease", delta=delta), signal_rows(("A", "m", z, se)))
    assert measure_row(result)["level"] == level


def test_thresholds_are_inclusive():
    p = float(stats.norm.sf(2.1))
    options = ConcernOptions(risk_q=p, elevated_q=p / 2)
    result = assess(one_measure(), signal_rows(("A", "m", 2.1, 1.0)), options=options)
    assert measure_row(result)["level"] == "risk"


def test_uninformative_silence_is_never_counted_as_assurance():
    measures = catalogue(
        ("strong", "safe", "decrease", "other", 1.0, 5.0),
        ("weak", "safe", "decrease", "other", 1.0, 0.5),
    )
    signals = signal_rows(("A", "strong", -1.0, 1.0), ("A", "weak", -1.0, 1.0))
    result = assess(measures, signals)
    organisation = result.by_organisation.row(0, named=True)
    assert (organisation["n_informative"], organisation["n_uninformative"]) == (1, 1)
    weak = measure_row(result, measure_id="weak")
    assert weak["level"] == "uninformative"
    assert "silence here is not reassurance" in weak["explanation"]
    # Coverage is the mean power over the catalogue; the domain is reassuring only if covered.
    expected = (stats.norm.cdf(5 - Z_975) + stats.norm.cdf(0.5 - Z_975)) / 2
    assert organisation["coverage"] == pytest.approx(expected, rel=1e-12)
    assert result.by_domain["status"][0] == "uninformative"
    assert organisation["status"] == "uninformative"


def test_a_measure_with_no_signal_counts_against_coverage():
    measures = catalogue(
        ("a", "safe", "decrease", "other", 1.0, 5.0),
        ("b", "safe", "decrease", "other", 1.0, 5.0),
    )
    result = assess(measures, signal_rows(("A", "a", -1.0, 1.0)))
    assert result.by_organisation["coverage"][0] == pytest.approx(
        stats.norm.cdf(5 - Z_975) / 2, rel=1e-12
    )
    assert result.by_domain["status"][0] == "uninformative"


def test_every_domain_of_the_catalogue_is_reported_even_without_signals():
    measures = catalogue(
        ("a", "safe", "decrease", "other", 1.0, 5.0),
        ("b", "caring", "increase", "other", 1.0, 5.0),
    )
    result = assess(measures, signal_rows(("A", "a", -1.0, 1.0)))
    caring = result.by_domain.filter(pl.col("domain") == "caring").row(0, named=True)
    assert (caring["n_tested"], caring["concern"], caring["p"], caring["status"]) == (
        0,
        0.0,
        None,
        "uninformative",
    )
    # A domain with no data makes the whole organisation uninformative, not reassured.
    assert result.by_organisation["status"][0] == "uninformative"


# --- P2: power -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "se", "expected"),
    [
        (1.96, 1.0, stats.norm.cdf(1.96 - Z_975)),
        (2.8, 1.0, 0.7995559),  # "80% power at 2.8 SE" is just short of 0.8
        (0.3, 0.1, stats.norm.cdf(3 - Z_975)),
        (0.0, 1.0, stats.norm.cdf(-Z_975)),  # = 0.025, the test's own size
    ],
)
def test_power_formula(delta, se, expected):
    assert power(np.array([delta]), np.array([se]), Z_975)[0] == pytest.approx(expected, abs=1e-7)


def test_power_uses_the_options_alpha():
    assert ConcernOptions().power_z == pytest.approx(Z_975, rel=1e-15)
    assert ConcernOptions(power_alpha=0.01).power_z == pytest.approx(2.5758293035489, rel=1e-12)


# --- P7: Benjamini-Hochberg -----------------------------------------------------------------------


def test_benjamini_hochberg_against_a_hand_computation():
    # Sorted: 0.005, 0.01, 0.03, 0.04, 0.2; m p / j = 0.025, 0.025, 0.05, 0.05, 0.2; the running
    # minimum from the top leaves them as they are.
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.2])
    assert benjamini_hochberg(p) == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.2], rel=1e-14)


def test_benjamini_hochberg_steps_up_and_caps_at_one():
    # m p / j = 0.06, 0.03 -> the first takes the smaller one above it; 0.9 * 3 / 3 = 0.9.
    assert benjamini_hochberg(np.array([0.02, 0.02, 0.9])) == pytest.approx([0.03, 0.03, 0.9])
    assert benjamini_hochberg(np.array([0.6, 0.9])) == pytest.approx([0.9, 0.9])
    assert benjamini_hochberg(np.array([1.0, 1.0])).tolist() == [1.0, 1.0]
    assert benjamini_hochberg(np.array([])).size == 0


def test_benjamini_hochberg_agrees_with_scipy():
    rng = np.random.default_rng(1995)
    p = np.concatenate([rng.uniform(size=500), rng.uniform(0, 0.001, size=50), [0.01] * 5])
    np.testing.assert_allclose(
        benjamini_hochberg(p), stats.false_discovery_control(p, method="bh"), rtol=1e-13
    )


def test_q_values_are_taken_across_all_organisations_and_measures():
    measures = catalogue(
        ("a", "safe", "decrease", "other", 1.0, 1.0),
        ("b", "caring", "increase", "other", 1.0, 1.0),
    )
    signals = signal_rows(
        ("A", "a", 2.5, 0.1),
        ("A", "b", -2.0, 0.1),
        ("B", "a", 0.3, 0.1),
        ("B", "b", 1.0, 0.1),
        ("C", "a", 2.2, 0.1),
        ("C", "b", -3.1, 0.1),
    )
    by_measure = assess(measures, signals).by_measure
    expected = stats.false_discovery_control(by_measure["p"].to_numpy(), method="bh")
    np.testing.assert_allclose(by_measure["q"].to_numpy(), expected, rtol=1e-13)
    # Per organisation alone, A's q-values would be smaller: the family is every test.
    assert by_measure["q"][0] > benjamini_hochberg(by_measure["p"].to_numpy()[:2])[0]


def test_chance_alone_raises_no_flags_where_per_test_95_percent_would_raise_many():
    """CQC IM's failure: ~150 tests at 95% per trust give several chance "risks" each (§2)."""
    rng = np.random.default_rng(2014)
    size, organisations = 30, 100
    measures = catalogue(
        *(
            (f"m{k:02d}", ["safe", "effective", "caring"][k % 3], "decrease", "other", 1.0, 1.0)
            for k in range(size)
        )
    )
    signals = pl.DataFrame(
        {
            "ods_code": np.repeat([f"R{i:03d}" for i in range(organisations)], size),
            "measure_id": np.tile(measures["measure_id"].to_numpy(), organisations),
            "z": rng.standard_normal(size * organisations),
            "se": 0.2,
        }
    )
    result = assess(measures, signals)
    assert (result.by_measure["p"] <= 0.05).sum() > 50  # what per-test 5% would flag
    assert result.flags.height == 0
    assert set(result.by_organisation["status"]) == {"no evidence of concern"}


# --- P1: domains and the headline -----------------------------------------------------------------


def test_domain_concern_sums_weighted_squares_and_scales_by_the_null_99th_percentile():
    measures = catalogue(
        ("a", "safe", "decrease", "other", 2.0, 1.0),
        ("b", "safe", "increase", "other", 1.0, 1.0),
        ("c", "safe", "increase", "other", 1.0, 1.0),
    )
    signals = signal_rows(("A", "a", 1.5, 0.2), ("A", "b", -2.0, 0.2), ("A", "c", 0.7, 0.2))
    result = assess(measures, signals)
    domain = result.by_domain.row(0, named=True)
    assert domain["concern"] == pytest.approx(2 * 1.5**2 + 2.0**2, rel=1e-15)
    null = null_distribution([2.0, 1.0, 1.0], [False] * 3)
    assert domain["crit"] == null.quantile(0.99)
    assert result.domain_nulls.row(0, named=True) == {
        "domain": "safe",
        "n_measures": 3,
        "crit": null.quantile(0.99),
    }
    assert domain["scaled"] == pytest.approx(domain["concern"] / domain["crit"], rel=1e-15)
    assert domain["p"] == null.p_values(np.array([domain["concern"]]))[0]
    assert domain["worst_measure"] == "a"


def test_headline_is_the_worst_domain_never_an_average():
    domains = ["safe", "effective", "caring", "responsive", "well_led", "staff_voice"]
    measures = catalogue(*((d, d, "decrease", "other", 1.0, 1.0) for d in domains))
    # W is dreadful on safety and excellent elsewhere; M is a little worse than expected on all.
    signals = signal_rows(
        *(("W", d, 4.0 if d == "safe" else -3.0, 0.1) for d in domains),
        *(("M", d, 1.5, 0.1) for d in domains),
    )
    result = assess(measures, signals)
    crit = null_distribution([1.0], [False]).quantile(0.99)
    organisations = {row["ods_code"]: row for row in result.by_organisation.iter_rows(named=True)}
    assert organisations["W"]["headline"] == pytest.approx(16 / crit, rel=1e-15)
    assert organisations["W"]["headline_domain"] == "safe"
    assert organisations["M"]["headline"] == pytest.approx(2.25 / crit, rel=1e-15)
    # An average over domains would rank W (mean 16/6) below M's 2.25 x 6 / 6; the worst domain
    # does not.
    assert organisations["W"]["headline"] > organisations["M"]["headline"]
    for code, row in organisations.items():
        scaled = result.by_domain.filter(pl.col("ods_code") == code)["scaled"]
        assert row["headline"] == scaled.max()
    assert organisations["W"]["status"] == "elevated risk"
    assert organisations["W"]["flags"][0].startswith("safe: 4.0 SE above expected")


def test_domain_quantile_sets_crit():
    measures = catalogue(("a", "safe", "decrease", "other", 1.0, 1.0))
    options = ConcernOptions(domain_quantile=0.995)
    result = assess(measures, signal_rows(("A", "a", 3.0, 0.1)), options=options)
    domain = result.by_domain.row(0, named=True)
    assert domain["crit"] == null_distribution([1.0], [False]).quantile(0.995)
    assert domain["crit"] == pytest.approx(stats.norm.isf(0.005) ** 2, abs=1e-3)
    assert "× the null 99.5% point" in domain["explanation"]


def test_headline_ties_go_to_the_first_domain_in_order():
    measures = catalogue(
        ("x", "caring", "decrease", "other", 1.0, 1.0),
        ("y", "safe", "decrease", "other", 1.0, 1.0),
    )
    result = assess(measures, signal_rows(("A", "x", 2.0, 0.1), ("A", "y", 2.0, 0.1)))
    assert result.by_organisation["headline_domain"][0] == "safe"


def test_status_is_the_worst_of_domains_measures_spc_and_divergence():
    measures = catalogue(
        ("a", "safe", "decrease", "other", 1.0, 1.0),
        ("b", "caring", "increase", "other", 1.0, 1.0),
    )
    signals = signal_rows(("A", "a", -1.0, 0.1), ("A", "b", 0.5, 0.1)).with_columns(
        spc_variation=pl.Series([None, "concern_low"], dtype=pl.String)
    )
    result = assess(measures, signals)
    statuses = dict(result.by_domain.select("domain", "status").iter_rows())
    assert statuses == {"safe": "no evidence of concern", "caring": "risk"}
    assert result.by_organisation["status"][0] == "risk"
    flag = result.flags.row(0, named=True)
    assert (flag["kind"], flag["measure_id"], flag["level"]) == ("spc", "b", "risk")


# --- P6: staff voice ------------------------------------------------------------------------------


def test_staff_voice_weighs_at_least_as_much_as_the_heaviest_target():
    measures = catalogue(
        ("t1", "performance", "increase", "target", 3.0, 1.0),
        ("t2", "performance", "increase", "target", 1.5, 1.0),
        ("sv_light", "staff_voice", "increase", "staff_voice", 1.0, 1.0),
        ("sv_heavy", "staff_voice", "increase", "staff_voice", 5.0, 1.0),
        ("other", "staff_voice", "increase", "other", 0.5, 1.0),
    )
    signals = signal_rows(("A", "sv_light", -2.0, 0.2))
    result = assess(measures, signals)
    used = dict(result.measures.select("measure_id", "weight_used").iter_rows())
    assert used == {"t1": 3.0, "t2": 1.5, "sv_light": 3.0, "sv_heavy": 5.0, "other": 0.5}
    row = measure_row(result, measure_id="sv_light")
    assert row["contribution"] == pytest.approx(3.0 * 4.0, rel=1e-15)
    assert "weight raised from 1 to 3 (P6)" in row["explanation"]
    # The domain's null distribution uses the raised weight too.
    expected = null_distribution([3.0, 5.0, 0.5], [False] * 3).quantile(0.99)
    assert result.domain_nulls.filter(pl.col("domain") == "staff_voice")["crit"][0] == expected


def test_staff_voice_weights_stand_when_there_are_no_targets():
    measures = catalogue(("sv", "staff_voice", "increase", "staff_voice", 0.5, 1.0))
    result = assess(measures, signal_rows(("A", "sv", 0.0, 0.2)))
    assert result.measures["weight_used"].to_list() == [0.5]


# --- SPC ------------------------------------------------------------------------------------------

# improvement, role, variation icon, assurance icon -> SPC concern
SPC_TABLE = [
    ("increase", "target", "concern_low", None, True),
    ("decrease", "balance", "concern_high", "pass", True),
    ("increase", "target", "improvement_high", "fail", True),  # failing assurance on a target
    ("increase", "other", "common_cause", "fail", False),  # assurance matters only for targets
    ("decrease", "target", "improvement_low", "pass", False),
    ("increase", "target", "common_cause", "inconsistent", False),
    ("increase", "target", None, None, False),
    ("neutral", "other", "neutral_high", None, True),  # neutral measures are two-sided
    ("neutral", "other", "common_cause", None, False),
]


@pytest.mark.parametrize(("improvement", "role", "variation", "assurance", "concern"), SPC_TABLE)
def test_spc_rules(improvement, role, variation, assurance, concern):
    measures = catalogue(("m", "performance", improvement, role, 1.0, 1.0))
    signals = signal_rows(("A", "m", 0.0, 0.1)).with_columns(
        spc_variation=pl.lit(variation, dtype=pl.String),
        spc_assurance=pl.lit(assurance, dtype=pl.String),
    )
    result = assess(measures, signals)
    row = measure_row(result)
    assert row["spc_concern"] is concern
    assert row["contribution"] == 0.0  # SPC never adds to the z-based sum
    assert (row["status"] == "risk") is concern
    assert (row["spc_explanation"] is not None) is concern
    assert result.flags.filter(pl.col("kind") == "spc").height == int(concern)


def test_spc_explanations_name_the_rule():
    measures = catalogue(("m", "performance", "increase", "target", 1.0, 1.0)).with_columns(
        name=pl.lit("RTT 18-week")
    )
    signals = signal_rows(("A", "m", 0.0, 0.1)).with_columns(
        spc_variation=pl.lit("concern_low"), spc_assurance=pl.lit("fail")
    )
    text = measure_row(assess(measures, signals))["spc_explanation"]
    assert text == (
        "RTT 18-week: SPC shows special-cause variation of concern (concern_low); and SPC"
        " assurance shows the process will consistently miss its target (fail) — risk"
    )


# --- Explanations -----------------------------------------------------------------------------------


def test_a_flag_explains_measure_rule_and_numbers():
    measures = catalogue(("shmi", "safe", "decrease", "other", 1.0, 0.1)).with_columns(
        name=pl.lit("SHMI")
    )
    signals = signal_rows(("A", "shmi", 3.4, 0.03)).with_columns(value=pl.lit(1.12))
    result = assess(measures, signals)
    assert stats.norm.sf(3.4) < 0.001
    assert stats.norm.cdf(0.1 / 0.03 - Z_975) == pytest.approx(0.915, abs=1e-3)  # coverage
    assert result.flags["explanation"].to_list() == [
        "SHMI 1.12: 3.4 SE above expected, where lower is better (z=3.40, p<0.001, q<0.001)"
        " — elevated risk",
        f"Safe: K=11.56 from 1 of 1 measure(s), {11.56 / result.by_domain['crit'][0]:.2f}× the"
        f" null 99% point {result.by_domain['crit'][0]:.2f} (p<0.001, q<0.001); largest"
        " contribution SHMI; 1 measure flag(s); coverage 0.92 — elevated risk",
    ]
    assert result.by_organisation["flags"][0].to_list() == result.flags["explanation"].to_list()


def test_explanations_of_silence():
    measures = catalogue(("m", "caring", "increase", "other", 1.0, 0.05)).with_columns(
        name=pl.lit("FFT")
    )
    signals = signal_rows(("A", "m", 0.5, 0.01), ("B", "m", -1.0, 0.04)).with_columns(
        value=pl.Series([0.9, 0.85])
    )
    texts = assess(measures, signals).by_measure["explanation"].to_list()
    assert texts == [
        "FFT 0.9: 0.5 SE above expected, where higher is better; favourable (z=0.50), so it adds"
        " nothing to concern; power 1.00 ≥ 0.8 to detect a change of 0.05"
        " — no evidence of concern",
        "FFT 0.85: 1.0 SE below expected, where higher is better; not significant (z=-1.00,"
        " p=0.159, q=0.317); power 0.24 < 0.8 to detect a change of 0.05, so silence here is"
        " not reassurance — uninformative",
    ]


def test_every_row_explains_itself():
    measures = catalogue(
        ("a", "safe", "neutral", "staff_voice", 1.0, None),
        ("b", "caring", "increase", "other", 1.0, 1.0),
    )
    signals = signal_rows(("A", "a", None, None), ("A", "b", 1.0, None), ("B", "a", 2.0, 1.0))
    result = assess(measures, signals)
    for frame in (result.by_measure, result.by_domain, result.by_organisation):
        assert frame["explanation"].null_count() == 0
    texts = result.by_measure["explanation"].to_list()
    assert texts[0] == "a: no z-score was supplied, so it was not tested — uninformative"
    assert "no standard error was supplied" in texts[1]
    assert "neither direction is better, so either way is a concern" in texts[2]


# --- Validation ------------------------------------------------------------------------------------


def good_measures() -> pl.DataFrame:
    return catalogue(
        ("a", "safe", "decrease", "target", 1.0, 1.0),
        ("b", "caring", "increase", "balance", 1.0, None),
    )


def good_signals() -> pl.DataFrame:
    return signal_rows(("A", "a", 1.0, 0.5), ("A", "b", -1.0, 0.5))


@pytest.mark.parametrize(
    ("change", "column", "row", "message"),
    [
        (lambda f: f.drop("domain"), "domain", None, "required"),
        (lambda f: f.with_columns(weight=pl.lit("1")), "weight", None, "expected numbers"),
        (lambda f: f.with_columns(measure_id=pl.lit(1)), "measure_id", None, "expected text"),
        (lambda f: f.with_columns(domain=pl.Series(["safe", "Safe"])), "domain", 2, "one of"),
        (lambda f: f.with_columns(improvement=pl.Series(["up", "increase"])), "improvement", 1, ""),
        (lambda f: f.with_columns(role=pl.Series(["target", None])), "role", 2, "required"),
        (lambda f: f.with_columns(weight=pl.Series([0.0, 1.0])), "weight", 1, "greater than 0"),
        (lambda f: f.with_columns(weight=pl.Series([1.0, math.inf])), "weight", 2, "finite"),
        (
            lambda f: f.with_columns(relevant_change=pl.Series([-1.0, None])),
            "relevant_change",
            1,
            "greater than 0",
        ),
        (lambda f: f.with_columns(measure_id=pl.Series(["a", "a"])), "measure_id", 2, "earlier"),
        (lambda f: f.clear(), None, None, "no rows"),
    ],
)
def test_measures_are_validated(change, column, row, message):
    with pytest.raises(DataFileError) as error:
        assess(change(good_measures()), good_signals())
    problem = only_problem(error)
    assert (problem.column, problem.row) == (column, row)
    assert message in problem.message
    assert error.value.path == "measures"


@pytest.mark.parametrize(
    ("change", "column", "row", "message"),
    [
        (lambda f: f.drop("se"), "se", None, "required"),
        (lambda f: f.with_columns(z=pl.lit("1")), "z", None, "expected numbers"),
        (lambda f: f.with_columns(ods_code=pl.Series(["A", None])), "ods_code", 2, "required"),
        (
            lambda f: f.with_columns(measure_id=pl.Series(["a", "zz"])),
            "measure_id",
            2,
            "not a measure_id of measures; found 'zz'",
        ),
        (lambda f: f.with_columns(z=pl.Series([math.nan, 1.0])), "z", 1, "finite"),
        (lambda f: f.with_columns(se=pl.Series([0.0, 1.0])), "se", 1, "greater than 0"),
        (lambda f: f.with_columns(value=pl.Series([1.0, math.inf])), "value", 2, "finite"),
        (
            lambda f: f.with_columns(spc_variation=pl.Series(["special", None])),
            "spc_variation",
            1,
            "expected one of",
        ),
        (
            lambda f: f.with_columns(spc_assurance=pl.Series([None, "passed"])),
            "spc_assurance",
            2,
            "expected one of",
        ),
        (
            # "a" is better lower: a chart of it cannot call a high point an improvement.
            lambda f: f.with_columns(spc_variation=pl.Series(["improvement_high", None])),
            "spc_variation",
            1,
            "cannot come from a chart of measure 'a', whose improvement is 'decrease'",
        ),
        (
            lambda f: f.with_columns(measure_id=pl.Series(["a", "a"])),
            "measure_id",
            2,
            "ods_code and measure_id 'A', 'a' appear(s) on an earlier row too",
        ),
        (lambda f: f.clear(), None, None, "no rows"),
    ],
)
def test_signals_are_validated(change, column, row, message):
    with pytest.raises(DataFileError) as error:
        assess(good_measures(), change(good_signals()))
    problem = only_problem(error)
    assert (problem.column, problem.row) == (column, row)
    assert message in problem.message
    assert error.value.path == "signals"


def test_all_problems_are_reported_together_in_row_order():
    signals = good_signals().with_columns(
        z=pl.Series([math.inf, math.nan]), se=pl.Series([-1.0, 1.0])
    )
    with pytest.raises(DataFileError) as error:
        assess(good_measures(), signals)
    assert [(p.row, p.column) for p in error.value.problems] == [(1, "se"), (1, "z"), (2, "z")]
    assert isinstance(error.value, UserError)
    assert error.value.exit_code == EXIT_USER_ERROR


def test_optional_columns_may_be_absent_or_empty():
    measures = good_measures().drop("weight", "relevant_change")
    signals = good_signals().with_columns(
        spc_variation=pl.lit(None), spc_assurance=pl.lit(None), value=pl.lit(None)
    )
    result = assess(measures, signals)
    assert result.measures["weight"].to_list() == [1.0, 1.0]
    assert result.measures["name"].to_list() == ["a", "b"]
    assert result.by_measure["level"].to_list() == ["uninformative", "uninformative"]


def test_null_weights_default_to_one_and_pandas_frames_are_accepted():
    pd = pytest.importorskip("pandas")
    measures = good_measures().with_columns(weight=pl.Series([None, 2.0]))
    result = assess(measures.to_pandas(), good_signals().to_pandas())
    assert result.measures["weight"].to_list() == [1.0, 2.0]
    assert isinstance(good_signals().to_pandas(), pd.DataFrame)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"risk_q": 0}, "risk_q must be a number strictly between 0 and 1"),
        ({"risk_q": 1.0}, "risk_q must be a number strictly between 0 and 1"),
        ({"elevated_q": "0.01"}, "elevated_q must be a number"),
        ({"elevated_q": 0.1}, "elevated_q (0.1) must not exceed risk_q (0.05)"),
        ({"informative_power": True}, "informative_power must be a number"),
        ({"power_alpha": math.nan}, "power_alpha must be a number"),
        ({"domain_quantile": 0.4}, "domain_quantile must be a number from 0.5"),
        ({"domain_quantile": 0.99999}, "domain_quantile must be a number from 0.5"),
        ({"divergence_alpha": 0.6}, "divergence_alpha must be below 0.5"),
        ({"divergence_elevated_alpha": 0.1}, "must not exceed divergence_alpha"),
    ],
)
def test_options_are_validated(options, message):
    with pytest.raises(OptionError) as error:
        ConcernOptions(**options)
    assert message in str(error.value)


def test_options_must_be_concern_options():
    with pytest.raises(OptionError, match="options must be a ConcernOptions"):
        assess(good_measures(), good_signals(), options={"risk_q": 0.1})


def test_results_are_frozen():
    result = assess(good_measures(), good_signals())
    with pytest.raises(AttributeError):
        result.by_measure = pl.DataFrame()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        ConcernOptions().risk_q = 0.1  # type: ignore[misc]


def test_flags_for_and_headline_look_up_one_organisation():
    result = assess(good_measures(), signal_rows(("A", "a", 3.0, 0.5), ("B", "a", 0.0, 0.5)))
    assert result.flags_for("A")["measure_id"].to_list() == ["a", None]
    assert result.flags_for("B").height == 0
    assert result.headline("B") == 0.0
    with pytest.raises(KeyError):
        result.headline("Z")
