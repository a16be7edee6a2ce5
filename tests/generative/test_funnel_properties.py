"""Invariants of the funnel engine, over generated data (Hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from candour.analytics.funnel import calculate_limits, funnel, poisson_limits, tau2

SETTINGS = settings(max_examples=60, deadline=None)
KINDS = [
    {"data_type": "SR", "sr_method": "SHMI"},
    {"data_type": "SR", "sr_method": "CQC"},
    {"data_type": "PR"},
    {"data_type": "RC"},
]


@st.composite
def grouped_records(draw: st.DrawFn, proportion: bool = False) -> pl.DataFrame:
    """Record-level rows of whole numbers, 3 to 15 groups of 1 to 3 records each."""
    groups = draw(st.integers(3, 15))
    rows = []
    for g in range(groups):
        for _ in range(draw(st.integers(1, 3))):
            denominator = draw(st.integers(20, 3000))
            share = draw(st.floats(0.02, 0.98) if proportion else st.floats(0.4, 2.0))
            numerator = max(
                1, min(round(denominator * share), denominator if proportion else 10**6)
            )
            rows.append({"group": f"G{g:02d}", "numerator": numerator, "denominator": denominator})
    return pl.DataFrame(rows)


@st.composite
def records_and_kind(draw: st.DrawFn) -> tuple[pl.DataFrame, dict]:
    kind = draw(st.sampled_from(KINDS))
    return draw(grouped_records(proportion=kind["data_type"] == "PR")), kind


def run(frame: pl.DataFrame, **options):
    return funnel(frame, numerator="numerator", denominator="denominator", group="group", **options)


@SETTINGS
@given(records_and_kind(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(case, random) -> None:
    frame, kind = case
    order = list(range(frame.height))
    random.shuffle(order)
    original, shuffled = run(frame, **kind), run(frame[order], **kind)
    assert shuffled.by_group.equals(original.by_group)
    assert (shuffled.phi, shuffled.tau2) == (original.phi, original.tau2)


@SETTINGS
@given(grouped_records(proportion=True), st.integers(2, 50), st.data())
def test_scaling_a_proportion_keeps_its_ratio_and_transform(frame, factor, data) -> None:
    frame = frame.group_by("group").agg(pl.col("numerator", "denominator").sum()).sort("group")
    row = data.draw(st.integers(0, frame.height - 1))
    scale = pl.when(pl.int_range(pl.len()) == row).then(factor).otherwise(1)
    scaled = frame.with_columns(pl.col("numerator", "denominator") * scale)
    before = run(frame, data_type="PR").by_group.row(row, named=True)
    after = run(scaled, data_type="PR").by_group.row(row, named=True)
    assert math.isclose(after["rr"], before["rr"], rel_tol=1e-12)
    assert math.isclose(after["Y"], before["Y"], rel_tol=1e-12, abs_tol=1e-15)


@SETTINGS
@given(records_and_kind(), st.sampled_from([95, 99]), st.booleans())
def test_flags_follow_the_limits_in_effect(case, limit, draw_unadjusted) -> None:
    frame, kind = case
    result = run(frame, **kind, limit=limit, draw_unadjusted=draw_unadjusted)
    lower, upper = result.flagging_limits
    rows = result.by_group
    outside = (rows["rr"] < rows[lower]) | (rows["rr"] > rows[upper])
    assert rows["outlier"].to_list() == outside.cast(pl.Int8).to_list()
    assert result.outliers.height == rows["outlier"].sum()


@SETTINGS
@given(records_and_kind())
def test_adjusted_limits_contain_the_limits_without_tau2(case) -> None:
    frame, kind = case
    result = run(frame, **kind)
    rows = result.by_group
    plain = calculate_limits(
        rows["denominator"], **kind, target=result.target, adjusted=True, tau2=0.0
    )
    for adjusted, bare, side in (("OD95LCL", "ll95", -1), ("OD99UCL", "ul998", 1)):
        assert (side * (rows[adjusted] - plain[bare]) >= 0).all()
    assert result.phi >= 0
    assert result.tau2 >= 0


@SETTINGS
@given(
    st.sampled_from(KINDS),
    st.lists(st.floats(1, 1e5), min_size=2, max_size=30),
    st.floats(0.05, 0.95),
    st.floats(0, 0.2),
    st.floats(0.001, 0.2),
)
def test_limits_widen_with_tau2_and_narrow_with_the_denominator(kind, d, target, between, extra):
    target = 1.0 if kind["data_type"] == "SR" else target
    d = np.sort(np.asarray(d))
    narrow = calculate_limits(d, **kind, target=target, adjusted=True, tau2=between)
    wide = calculate_limits(d, **kind, target=target, adjusted=True, tau2=between + extra)
    for lower, upper in (("ll95", "ul95"), ("ll998", "ul998")):
        assert (wide[lower] <= narrow[lower]).all()
        assert (wide[upper] >= narrow[upper]).all()
        assert (narrow[lower] <= target + 1e-12).all()
        assert (narrow[upper] >= target - 1e-12).all()
        assert narrow[lower].is_sorted()
        assert narrow[upper].is_sorted(descending=True)


@SETTINGS
@given(st.lists(st.floats(0.5, 1e5), min_size=1, max_size=30))
def test_exact_poisson_limits_bracket_one(expected) -> None:
    limits = poisson_limits(expected)
    assert (limits["ll998"] < limits["ll95"]).all()
    assert (limits["ll95"] < 1).all()
    assert (limits["ul95"] > 1).all()
    assert (limits["ul998"] > limits["ul95"]).all()


@SETTINGS
@given(records_and_kind(), st.sampled_from([10, 100, 1000]))
def test_a_multiplier_scales_limits_and_keeps_flags(case, multiplier) -> None:
    frame, kind = case
    one, many = run(frame, **kind), run(frame, **kind, multiplier=multiplier)
    assert many.outlier_groups == one.outlier_groups
    for column in ("LCL95", "UCL99", "OD95LCL", "OD99UCL"):
        np.testing.assert_allclose(
            many.by_group[column].to_numpy(),
            multiplier * one.by_group[column].to_numpy(),
            rtol=1e-12,
        )


@SETTINGS
@given(
    st.lists(st.floats(0.01, 1.0), min_size=2, max_size=30),
    st.floats(0, 10),
    st.floats(0.01, 5),
)
def test_tau2_is_non_negative_and_grows_with_phi(s, phi, more) -> None:
    n = len(s)
    assert tau2(n, phi, s) >= 0
    assert tau2(n, phi + more, s) >= tau2(n, phi, s)
    if n * phi < n - 1:
        assert tau2(n, phi, s) == 0
