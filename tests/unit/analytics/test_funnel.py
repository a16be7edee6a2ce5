"""Unit tests of candour.analytics.funnel: validation errors, each option, and each rule."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import polars as pl
import pytest

from candour.analytics.funnel import (
    FunnelOptions,
    calculate_limits,
    dispersion_ratio,
    funnel,
    poisson_limits,
    tau2,
)
from candour.analytics.funnel.dispersion import r_quantile_type7
from candour.analytics.funnel.frames import round_like_r
from candour.exceptions import EXIT_USER_ERROR, DataFileError, OptionError, UserError

COLUMNS = {"numerator": "observed", "denominator": "expected", "group": "trust"}

# Twenty trusts' observed and expected deaths (the conformance file's sr_shmi_20 input).
OBSERVED = [582, 581, 1289, 596, 422, 705, 334, 699, 337, 735]
OBSERVED += [94, 131, 937, 674, 742, 152, 710, 730, 464, 172]
EXPECTED = [572.71, 591.87, 888.79, 497.09, 392.4, 596, 325.39, 699.51, 303.2, 660.05]
EXPECTED += [151.88, 139.56, 841.67, 605.23, 816.94, 152.38, 810.51, 583.62, 430.33, 188.57]
TRUSTS = [f"T{i:02d}" for i in range(1, 21)]


def deaths(**overrides: list) -> pl.DataFrame:
    columns = {"trust": TRUSTS, "observed": OBSERVED, "expected": EXPECTED} | overrides
    return pl.DataFrame(columns)


def run(frame: pl.DataFrame | None = None, **options):
    return funnel(deaths() if frame is None else frame, **(COLUMNS | options))


def proportions() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "trust": ["A", "B", "C", "D", "E", "F", "G", "H"],
            "observed": [30, 45, 12, 80, 25, 60, 5, 41],
            "expected": [400, 500, 300, 600, 350, 520, 150, 480],
        }
    )


def only_problem(error: pytest.ExceptionInfo) -> object:
    assert len(error.value.problems) == 1, error.value.problems
    return error.value.problems[0]


# --- options, checked on their own -------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("data_type", "XX", "'SR', 'PR', 'RC'"),
        ("data_type", "sr", "'SR', 'PR', 'RC'"),
        ("sr_method", "HSMR", "'SHMI', 'CQC'"),
        ("trim_by", 0.5, "from 0 up to (not including) 0.5"),
        ("trim_by", -0.1, "from 0 up to (not including) 0.5"),
        ("trim_by", "0.1", "from 0 up to (not including) 0.5"),
        ("trim_by", True, "from 0 up to (not including) 0.5"),
        ("limit", 90, "95 or 99"),
        ("limit", 99.8, "95 or 99"),
        ("limit", True, "95 or 99"),
        ("multiplier", 0, "positive number"),
        ("multiplier", -100, "positive number"),
        ("multiplier", math.inf, "positive number"),
        ("multiplier", math.nan, "positive number"),
        ("multiplier", "100", "positive number"),
        ("draw_adjusted", 1, "True or False"),
        ("draw_unadjusted", "yes", "True or False"),
        ("shmi_rounding", None, "True or False"),
    ],
)
def test_an_invalid_option_is_named_with_its_allowed_values(option, value, allowed) -> None:
    with pytest.raises(OptionError) as error:
        run(**{option: value})
    message = str(error.value)
    assert message.startswith(f"{option} must be")
    assert allowed in message
    assert repr(value) in message


def test_option_errors_come_before_data_errors() -> None:
    with pytest.raises(OptionError, match="data_type"):
        funnel(pl.DataFrame({"x": [1]}), **COLUMNS, data_type="XX")


def test_the_three_columns_must_differ() -> None:
    with pytest.raises(OptionError, match="three different columns"):
        funnel(deaths(), numerator="observed", denominator="observed", group="trust")


@pytest.mark.parametrize("name", ["", None, 3])
def test_a_column_option_must_be_a_name(name) -> None:
    with pytest.raises(OptionError, match="numerator must name a column"):
        funnel(deaths(), numerator=name, denominator="expected", group="trust")


def test_valid_options_are_normalised() -> None:
    options = FunnelOptions(**COLUMNS, limit=99.0, multiplier=np.int64(100), trim_by=np.float64(0))
    assert (options.limit, options.multiplier, options.trim_by) == (99, 100.0, 0.0)
    assert isinstance(options.limit, int)
    assert isinstance(options.multiplier, float)


def test_option_errors_are_user_errors_with_exit_code_2() -> None:
    with pytest.raises(UserError) as error:
        run(limit=90)
    assert error.value.exit_code == EXIT_USER_ERROR == 2


# --- options, checked against the data ---------------------------------------------------------


def test_a_missing_column_is_named_with_the_option_and_the_columns_present() -> None:
    with pytest.raises(DataFileError) as error:
        funnel(deaths(), numerator="deaths", denominator="expected", group="trust", source="x.csv")
    problem = only_problem(error)
    assert problem.column == "deaths"
    assert "numerator=" in problem.message
    assert "trust, observed, expected" in problem.message
    assert str(error.value).startswith("x.csv: 1 problem(s) found")


def test_a_non_numeric_column_is_named_with_its_type() -> None:
    frame = deaths(observed=[str(o) for o in OBSERVED])
    with pytest.raises(DataFileError) as error:
        run(frame)
    problem = only_problem(error)
    assert problem.column == "observed"
    assert "expected numbers, found a column of String" in problem.message


def test_a_frame_without_rows_is_refused() -> None:
    with pytest.raises(DataFileError, match="no rows"):
        run(deaths().head(0))


@pytest.mark.parametrize(
    ("column", "bad", "message"),
    [
        ("observed", None, "a number is required, found an empty cell"),
        ("expected", None, "a number is required, found an empty cell"),
        ("trust", None, "a group is required"),
        ("observed", -1, "at least 0"),
        ("expected", 0.0, "greater than 0"),
        ("expected", -3.5, "greater than 0"),
        ("expected", math.nan, "finite"),
        ("observed", math.inf, "finite"),
    ],
)
def test_a_bad_value_is_reported_with_its_column_and_row(column, bad, message) -> None:
    values = {"trust": list(TRUSTS), "observed": list(OBSERVED), "expected": list(EXPECTED)}
    values[column][2] = bad
    frame = pl.DataFrame(values, schema_overrides={"observed": pl.Float64})
    with pytest.raises(DataFileError) as error:
        run(frame)
    problems = [p for p in error.value.problems if message in p.message]
    assert [(p.row, p.column) for p in problems] == [(3, column)]


def test_every_bad_row_is_reported_at_once_in_row_order() -> None:
    frame = deaths(
        observed=[-1, *OBSERVED[1:4], -2, *OBSERVED[5:]], expected=[EXPECTED[0], 0.0, *EXPECTED[2:]]
    )
    with pytest.raises(DataFileError) as error:
        run(frame)
    assert [(p.row, p.column) for p in error.value.problems] == [
        (1, "observed"),
        (2, "expected"),
        (5, "observed"),
    ]


def test_a_proportion_cannot_exceed_one() -> None:
    frame = proportions().with_columns(
        observed=pl.when(pl.col("trust") == "D").then(601).otherwise(pl.col("observed"))
    )
    with pytest.raises(DataFileError) as error:
        run(frame, data_type="PR")
    problem = only_problem(error)
    assert (problem.row, problem.column) == (4, "observed")
    assert "cannot exceed its denominator" in problem.message


def test_one_group_is_not_a_funnel() -> None:
    frame = pl.DataFrame({"trust": ["A", "A"], "observed": [5, 6], "expected": [5.0, 7.0]})
    with pytest.raises(DataFileError, match="at least 2 are needed"):
        run(frame)


def test_shmi_refuses_a_group_with_no_deaths_but_cqc_accepts_it() -> None:
    frame = deaths(observed=[0, *OBSERVED[1:]])
    with pytest.raises(DataFileError) as error:
        run(frame)
    problem = only_problem(error)
    assert "'T01'" in problem.message
    assert "sr_method='CQC'" in problem.message
    assert run(frame, sr_method="CQC").by_group["Y"][0] == 0.0


def test_an_expected_count_that_rounds_to_zero_needs_shmi_rounding_off() -> None:
    frame = deaths(expected=[0.004, *EXPECTED[1:]])
    with pytest.raises(DataFileError, match=r"rounds to 0\.00"):
        run(frame)
    assert run(frame, shmi_rounding=False).by_group["denominator"][0] == 0.004


def test_a_ratio_of_counts_needs_some_events() -> None:
    frame = proportions().with_columns(observed=pl.lit(0))
    with pytest.raises(DataFileError, match="every numerator is 0"):
        run(frame, data_type="RC")


def test_truncation_must_leave_two_groups_to_estimate_overdispersion() -> None:
    frame = pl.DataFrame({"trust": ["A", "B"], "observed": [50, 80], "expected": [60.0, 61.0]})
    with pytest.raises(DataFileError, match="only 1 group"):
        run(frame, trim_by=0.4)
    assert run(frame, trim_by=0.4, draw_adjusted=False).phi == 0.0


def test_only_frames_are_accepted() -> None:
    with pytest.raises(TypeError, match="Polars or pandas"):
        funnel([[1, 2]], **COLUMNS)


def test_a_lazy_frame_is_collected() -> None:
    assert run(deaths().lazy()).by_group.equals(run().by_group)


def test_a_pandas_frame_gives_the_same_result() -> None:
    pytest.importorskip("pandas")
    assert run(deaths().to_pandas()).by_group.equals(run().by_group)


# --- the steps and each option -----------------------------------------------------------------


def test_rows_sharing_a_group_are_summed_first() -> None:
    split = pl.DataFrame(
        {
            "trust": ["B", "A", "B", "A", "C"],
            "observed": [10, 20, 15, 5, 40],
            "expected": [12.0, 18.0, 14.0, 6.0, 38.0],
        }
    )
    summed = pl.DataFrame(
        {"trust": ["A", "B", "C"], "observed": [25, 25, 40], "expected": [24.0, 26.0, 38.0]}
    )
    assert run(split).by_group.equals(run(summed).by_group)
    assert run(split).by_group["group"].to_list() == ["A", "B", "C"]


def test_shmi_rounds_expected_to_2dp_but_the_ratio_uses_the_unrounded_value() -> None:
    frame = deaths(expected=[e + 0.0049 for e in EXPECTED])
    rows = run(frame).by_group
    assert rows["denominator"].to_list() == EXPECTED
    assert rows["rr"][0] == OBSERVED[0] / (EXPECTED[0] + 0.0049)
    unrounded = run(frame, shmi_rounding=False).by_group
    assert unrounded["denominator"][0] == EXPECTED[0] + 0.0049


@pytest.mark.parametrize("sr_method", ["CQC"])
def test_rounding_applies_only_to_the_shmi_method(sr_method) -> None:
    frame = deaths(expected=[e + 0.0049 for e in EXPECTED])
    assert run(frame, sr_method=sr_method).by_group["denominator"][0] == EXPECTED[0] + 0.0049


@pytest.mark.parametrize(
    ("value", "rounded"),
    [(0.125, 0.12), (0.375, 0.38), (2.675, 2.67), (1.005, 1.0), (12.3456, 12.35), (7.0, 7.0)],
)
def test_rounding_follows_r(value, rounded) -> None:
    assert round_like_r(np.array([value, 1.0]), 2).tolist() == [rounded, 1.0]


def test_rounding_divides_exactly() -> None:
    values = np.arange(1, 100_001) / 100 + 0.0049
    assert round_like_r(values, 2).tolist() == [round(v, 2) for v in values]


def test_shmi_truncates_and_other_methods_winsorise() -> None:
    assert "truncated" in run().by_group.columns
    winsorised = run(sr_method="CQC").by_group
    assert "winsorised" in winsorised.columns
    assert winsorised["Wuzscore"].null_count() == 0


def test_truncation_leaves_truncated_groups_out_of_phi() -> None:
    rows = run().by_group
    kept = rows.filter(pl.col("truncated") == 0)
    assert rows["Wuzscore"].null_count() == rows["truncated"].sum() > 0
    assert run().phi == pytest.approx(float((kept["Uzscore"] ** 2).mean()))


def test_trim_by_zero_keeps_every_group() -> None:
    shmi = run(trim_by=0).by_group
    assert shmi["truncated"].sum() == 0
    cqc = run(sr_method="CQC", trim_by=0).by_group
    assert cqc["Wuzscore"].to_list() == cqc["Uzscore"].to_list()


def test_a_larger_trim_by_damps_more_groups() -> None:
    five = run(sr_method="CQC", trim_by=0.05).by_group["winsorised"].sum()
    twenty = run(sr_method="CQC", trim_by=0.2).by_group["winsorised"].sum()
    assert twenty > five


def test_winsorising_pulls_z_scores_in_to_the_quantiles() -> None:
    rows = run(sr_method="CQC").by_group
    z = rows["Uzscore"].to_numpy()
    low, high = r_quantile_type7(z, 0.1), r_quantile_type7(z, 0.9)
    assert rows["Wuzscore"].min() == low
    assert rows["Wuzscore"].max() == high
    moved = rows.filter(pl.col("Wuzscore") != pl.col("Uzscore"))
    assert moved.height > 0
    assert (moved["winsorised"] == 1).all()


@pytest.mark.parametrize(
    ("limit", "columns"), [(95, ("OD95LCL", "OD95UCL")), (99, ("OD99LCL", "OD99UCL"))]
)
def test_limit_chooses_the_limits_that_flag(limit, columns) -> None:
    result = run(limit=limit)
    assert result.flagging_limits == columns
    lower, upper = (result.by_group[c] for c in columns)
    outside = (result.by_group["rr"] < lower) | (result.by_group["rr"] > upper)
    assert result.by_group["outlier"].to_list() == outside.cast(pl.Int8).to_list()


def test_95_percent_limits_flag_at_least_as_many_as_99_8() -> None:
    assert len(run(limit=95).outlier_groups) >= len(run(limit=99).outlier_groups)


def test_adjusted_limits_are_wider_than_without_tau2() -> None:
    result = run()
    assert result.tau2 > 0
    plain = calculate_limits(result.by_group["denominator"], adjusted=True, tau2=0.0)
    assert (result.by_group["OD99LCL"] < plain["ll998"]).all()
    assert (result.by_group["OD99UCL"] > plain["ul998"]).all()


def test_draw_adjusted_false_reports_zero_and_flags_on_unadjusted_limits() -> None:
    result = run(draw_adjusted=False)
    assert (result.phi, result.tau2) == (0.0, 0.0)
    assert not result.draw_adjusted_effective
    assert result.flagging_limits == ("LCL99", "UCL99")
    plain = calculate_limits(result.by_group["denominator"], adjusted=True, tau2=0.0)
    assert result.by_group["OD99UCL"].to_list() == plain["ul998"].to_list()


def test_no_overdispersion_falls_back_to_unadjusted_limits() -> None:
    frame = deaths(observed=[round(e) for e in EXPECTED])
    result = run(frame)
    assert result.phi <= 1
    assert (result.draw_adjusted_effective, result.draw_unadjusted_effective) == (False, True)
    assert result.flagging_limits == ("LCL99", "UCL99")


def test_asking_for_both_keeps_adjusted_limits_even_without_overdispersion() -> None:
    frame = deaths(observed=[round(e) for e in EXPECTED])
    result = run(frame, draw_unadjusted=True)
    assert result.phi <= 1
    assert (result.draw_adjusted_effective, result.draw_unadjusted_effective) == (True, True)


def test_multiplier_scales_the_limits_but_not_the_flags() -> None:
    one, hundred = run(), run(multiplier=100)
    for column in ("LCL95", "UCL99", "OD95LCL", "OD99UCL"):
        assert hundred.by_group[column].to_numpy() == pytest.approx(
            100 * one.by_group[column].to_numpy(), rel=1e-12
        )
    assert hundred.by_group["rr"].to_list() == one.by_group["rr"].to_list()
    assert hundred.outlier_groups == one.outlier_groups


def test_proportions_are_judged_against_the_pooled_proportion() -> None:
    frame = proportions()
    result = run(frame, data_type="PR")
    pooled = frame["observed"].sum() / frame["expected"].sum()
    assert result.target == pytest.approx(pooled)
    assert result.by_group["Y"][0] == pytest.approx(math.asin(math.sqrt(30 / 400)))
    z = (math.asin(math.sqrt(30 / 400)) - math.asin(math.sqrt(pooled))) * 2 * math.sqrt(400)
    assert result.by_group["Uzscore"][0] == pytest.approx(z)


def test_ratios_of_counts_use_the_continuity_corrected_log_ratio() -> None:
    result = run(proportions(), data_type="RC")
    y = math.log(30.5 / 400.5)
    s = math.sqrt(30 / 30.5**2 + 400 / 400.5**2)
    assert result.by_group["Y"][0] == pytest.approx(y)
    assert result.by_group["Uzscore"][0] == pytest.approx((y - math.log(result.target)) / s)


def test_cqc_adjusted_limits_are_squared_back_from_the_square_root_scale() -> None:
    result = run(sr_method="CQC")
    e = result.by_group["denominator"][0]
    half = 3.090232 * math.sqrt(1 / (4 * e) + result.tau2)
    assert result.by_group["OD99LCL"][0] == pytest.approx((1 - half) ** 2, rel=1e-12)
    assert result.by_group["OD99UCL"][0] == pytest.approx((1 + half) ** 2, rel=1e-12)


def test_result_is_frozen_and_outliers_are_the_flagged_rows() -> None:
    result = run()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.phi = 0  # type: ignore[misc]
    assert result.outlier_groups == ("T03", "T11")
    assert result.outliers["group"].to_list() == ["T03", "T11"]
    assert (result.outliers["outlier"] == 1).all()


# --- limits and overdispersion functions -------------------------------------------------------


def test_poisson_limits_bracket_one_and_narrow_with_more_expected() -> None:
    limits = poisson_limits([5, 50, 500, 5000])
    for lower, upper in (("ll95", "ul95"), ("ll998", "ul998")):
        assert (limits[lower] < 1).all()
        assert (limits[upper] > 1).all()
        assert limits[lower].is_sorted()
        assert limits[upper].is_sorted(descending=True)
    assert (limits["ll998"] < limits["ll95"]).all()


def test_poisson_limits_scale_with_target_and_multiplier() -> None:
    base = poisson_limits([10, 100])
    scaled = poisson_limits([10, 100], target=1.2, multiplier=100)
    assert scaled["ul95"].to_numpy() == pytest.approx(120 * base["ul95"].to_numpy(), rel=1e-12)


def test_unadjusted_limits_ignore_tau2() -> None:
    with_tau = calculate_limits([100, 400], data_type="PR", target=0.1, tau2=0.5)
    without = calculate_limits([100, 400], data_type="PR", target=0.1, tau2=0.0)
    assert with_tau.equals(without)


def test_proportion_limits_stop_at_zero_and_one() -> None:
    limits = calculate_limits([1, 2, 4, 1000], data_type="PR", target=0.05, adjusted=True)
    assert limits["ll998"][0] == 0.0
    assert limits["ll998"].is_sorted()
    top = calculate_limits([1, 1000], data_type="PR", target=0.97, adjusted=True)
    assert top["ul998"][0] == 1.0


def test_cqc_lower_limit_stops_at_zero() -> None:
    limits = calculate_limits([0.5, 1, 100], sr_method="CQC", adjusted=True, tau2=0.01)
    assert limits["ll998"].to_list()[:2] == [0.0, 0.0]
    assert limits["ll998"][2] > 0


def test_tau2_is_zero_without_standard_errors_or_below_the_threshold() -> None:
    assert tau2(5, 3.0, []) == 0.0
    assert tau2(5, 0.79, [0.1] * 5) == 0.0  # 5 * 0.79 < 4
    s = [0.1, 0.2, 0.3]
    w = [1 / x**2 for x in s]
    expected = (3 * 2.0 - 2) / (sum(w) - sum(x**2 for x in w) / sum(w))
    assert tau2(3, 2.0, s) == pytest.approx(expected, rel=1e-14)


def test_dispersion_ratio_is_the_mean_squared_z_score() -> None:
    assert dispersion_ratio([1.0, -1.0, 2.0, 0.0]) == pytest.approx(1.5)


@pytest.mark.parametrize("probability", [0.05, 0.1, 0.5, 0.9, 0.95])
def test_r_quantile_type7_matches_linear_interpolation(probability) -> None:
    values = np.random.default_rng(1).normal(size=23)
    assert r_quantile_type7(values, probability) == pytest.approx(
        float(np.quantile(values, probability)), rel=1e-13
    )


# --- limit curves for drawing ------------------------------------------------------------------


def test_limit_curves_cover_the_groups_in_order() -> None:
    result = run()
    curves = result.limit_curves(points=50)
    assert curves["denominator"].is_sorted()
    assert curves["denominator"].min() == pytest.approx(1.1)
    assert curves["denominator"].max() == result.by_group["denominator"].max()
    at_groups = curves.join(result.by_group, on="denominator", suffix="_group")
    assert at_groups.height == result.by_group.height
    for column in ("LCL95", "OD99UCL"):
        assert at_groups[column].to_list() == at_groups[f"{column}_group"].to_list()


def test_limit_curves_at_given_denominators() -> None:
    curves = run().limit_curves([10, 100])
    assert curves.columns[0] == "denominator"
    assert curves.height == 2
    assert {"LCL95", "UCL95", "LCL99", "UCL99", "OD95LCL", "OD95UCL", "OD99LCL", "OD99UCL"} == set(
        curves.columns[1:]
    )


@pytest.mark.parametrize("denominators", [[], [0, 10], [-1], ["a"], [math.inf], [[1, 2]]])
def test_limit_curves_refuse_bad_denominators(denominators) -> None:
    with pytest.raises(OptionError, match="denominators must be"):
        run().limit_curves(denominators)


@pytest.mark.parametrize("points", [1, 2.5, True])
def test_limit_curves_refuse_bad_points(points) -> None:
    with pytest.raises(OptionError, match="points must be"):
        run().limit_curves(points=points)
