"""Properties of the vectorised CUSUM and VLAD that must hold for any input (Hypothesis).

The reference for the statistic is a plain per-row loop over each series in time order, written
here from the definitions, independent of the library's kernels.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from candour.analytics.cusum import bernoulli_cusum, poisson_cusum, standardised_cusum, vlad
from candour.analytics.cusum.frames import exact_series_codes, series_codes
from candour.analytics.cusum.kernels import lindley, segment_cumsum

TOLERANCE = 1e-9
LONG_SERIES = 1 << 16  # rows: series as long as the largest trusts' admissions over years

risks = st.floats(min_value=1e-6, max_value=1 - 1e-6)
ratios = st.sampled_from([0.5, 0.67, 1.5, 2.0, 3.0])
thresholds = st.floats(min_value=0.2, max_value=5.0)


@st.composite
def patients(draw, max_rows: int = 120):
    n = draw(st.integers(min_value=0, max_value=max_rows))
    series = draw(st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(min_value=0, max_value=40), min_size=n, max_size=n))
    p = draw(st.lists(risks, min_size=n, max_size=n))
    y = [int(draw(st.booleans())) if n else 0 for _ in range(n)]
    return pl.DataFrame(
        {"trust": series, "day": days, "y": y, "p": p},
        schema={"trust": pl.String, "day": pl.Int64, "y": pl.Int64, "p": pl.Float64},
    )


def naive(frame: pl.DataFrame, weight, h: float, *, reset: bool, strict: bool = True):
    """Per series in (day, input row) order: S = max(0, S + W), signal S > h, optional reset."""
    statistic = [0.0] * frame.height
    signal = [False] * frame.height
    rows = list(frame.iter_rows(named=True))
    by_series: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_series.setdefault(row["trust"], []).append(i)
    for indices in by_series.values():
        s = 0.0
        for i in sorted(indices, key=lambda i: (rows[i]["day"], i)):
            s = max(0.0, s + weight(rows[i]))
            statistic[i] = s
            signal[i] = s > h if strict else s >= h
            if reset and signal[i]:
                s = 0.0
    return statistic, signal


def bernoulli_w(odds_ratio: float):
    return lambda row: (
        row["y"] * math.log(odds_ratio) - math.log(1 - row["p"] + odds_ratio * row["p"])
    )


@settings(max_examples=60, deadline=None)
@given(frame=patients(), odds_ratio=ratios, h=thresholds, reset=st.booleans())
def test_bernoulli_matches_a_plain_loop(frame, odds_ratio, h, reset):
    result = bernoulli_cusum(
        frame,
        outcome="y",
        risk="p",
        odds_ratio=odds_ratio,
        h=h,
        group="trust",
        order="day",
        reset=reset,
    )
    statistic, signal = naive(frame, bernoulli_w(odds_ratio), h, reset=reset)
    assert np.allclose(result["cusum"].to_numpy(), statistic, rtol=0, atol=TOLERANCE)
    assert result["signal"].to_list() == signal


@settings(max_examples=40, deadline=None)
@given(frame=patients(), odds_ratio=ratios, h=thresholds)
def test_after_a_signal_the_next_patient_starts_from_zero(frame, odds_ratio, h):
    result = bernoulli_cusum(
        frame, outcome="y", risk="p", odds_ratio=odds_ratio, h=h, group="trust", order="day"
    ).with_row_index("row")
    weight = bernoulli_w(odds_ratio)
    for _, rows in result.sort("trust", "day", "row", maintain_order=True).group_by(
        "trust", maintain_order=True
    ):
        records = list(rows.iter_rows(named=True))
        for before, after in itertools.pairwise(records):
            if before["signal"]:
                assert math.isclose(after["cusum"], max(0.0, weight(after)), abs_tol=TOLERANCE)


@settings(max_examples=40, deadline=None)
@given(frame=patients(), odds_ratio=ratios, h=thresholds, seed=st.integers(0, 2**32 - 1))
def test_row_order_of_the_input_is_kept(frame, odds_ratio, h, seed):
    """Shuffling the input rows shuffles the output rows the same way and changes nothing else."""
    shuffled = frame.with_row_index("row").sample(fraction=1.0, shuffle=True, seed=seed)
    options = dict(outcome="y", risk="p", odds_ratio=odds_ratio, h=h, group="trust")
    # Ties on (trust, day) are broken by input order, so order by day and the original row.
    first = bernoulli_cusum(frame.with_row_index("row"), order=["day", "row"], **options)
    second = bernoulli_cusum(shuffled, order=["day", "row"], **options)
    assert second.select(frame.columns).equals(shuffled.select(frame.columns))
    assert second.sort("row").equals(first)


@settings(max_examples=40, deadline=None)
@given(
    observed=st.lists(st.integers(0, 40), min_size=0, max_size=80),
    rate_ratio=st.sampled_from([0.8, 1.2, 1.5, 2.0]),
    h=thresholds,
    reset=st.booleans(),
    data=st.data(),
)
def test_poisson_matches_a_plain_loop(observed, rate_ratio, h, reset, data):
    n = len(observed)
    expected = data.draw(st.lists(st.floats(0.1, 40), min_size=n, max_size=n))
    trust = data.draw(st.lists(st.sampled_from(["X", "Y"]), min_size=n, max_size=n))
    frame = pl.DataFrame(
        {"trust": trust, "day": list(range(n)), "o": observed, "e": expected},
        schema={"trust": pl.String, "day": pl.Int64, "o": pl.Int64, "e": pl.Float64},
    )
    result = poisson_cusum(
        frame,
        observed="o",
        expected="e",
        rate_ratio=rate_ratio,
        h=h,
        group="trust",
        order="day",
        reset=reset,
    )
    statistic, signal = naive(
        frame,
        lambda row: row["o"] * math.log(rate_ratio) - (rate_ratio - 1) * row["e"],
        h,
        reset=reset,
    )
    assert np.allclose(result["cusum"].to_numpy(), statistic, rtol=0, atol=TOLERANCE)
    assert result["signal"].to_list() == signal
    standardised = standardised_cusum(
        frame, observed="o", expected="e", k=0.5, h=h, group="trust", order="day"
    )
    statistic, signal = naive(
        frame,
        lambda row: (row["o"] - row["e"]) / math.sqrt(row["e"]) - 0.5,
        h,
        reset=False,
        strict=False,
    )
    assert np.allclose(standardised["cusum"].to_numpy(), statistic, rtol=0, atol=TOLERANCE)
    assert standardised["signal"].to_list() == signal


@settings(max_examples=40, deadline=None)
@given(frame=patients())
def test_vlad_is_expected_minus_observed_so_far(frame):
    result = vlad(frame, outcome="y", risk="p", group="trust", order="day")
    for trust, rows in result.with_row_index("row").group_by("trust"):
        ordered = rows.sort("day", "row")
        expected = np.cumsum(ordered["p"].to_numpy() - ordered["y"].to_numpy())
        assert np.allclose(ordered["vlad"].to_numpy(), expected, rtol=0, atol=TOLERANCE), trust
    assert result.height == frame.height


@settings(max_examples=30, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 3 * LONG_SERIES // 4), min_size=1, max_size=4),
    seed=st.integers(0, 2**32 - 1),
)
def test_lindley_over_long_series_equals_the_recursion(lengths, seed):
    """Long series, one after another, give the statistic of the plain recursion."""
    rng = np.random.default_rng(seed)
    weights = rng.normal(-0.01, 0.3, sum(lengths))
    first = np.zeros(len(weights), dtype=bool)
    first[np.cumsum([0, *lengths[:-1]])] = True
    got = lindley(weights, first)
    start = 0
    for length in lengths:
        s, expected = 0.0, np.empty(length)
        for i, w in enumerate(weights[start : start + length]):
            s = max(0.0, s + w)
            expected[i] = s
        assert np.allclose(got[start : start + length], expected, rtol=0, atol=1e-9)
        sums = segment_cumsum(weights, first)[start : start + length]
        assert np.allclose(sums, np.cumsum(weights[start : start + length]), rtol=0, atol=1e-9)
        start += length


@settings(max_examples=40, deadline=None)
@given(
    keys=st.lists(
        st.tuples(st.sampled_from(["A", "B", "", "AB"]), st.integers(-3, 3)),
        min_size=1,
        max_size=60,
    )
)
def test_hashed_series_codes_partition_rows_as_the_values_do(keys):
    """Rows share a series code exactly when their group values are equal (the hashed codes and
    the exact fallback agree on the partition)."""
    frame = pl.DataFrame({"a": [k[0] for k in keys], "b": [k[1] for k in keys]})
    hashed = series_codes(frame, ("a", "b"))
    exact = exact_series_codes(frame, ("a", "b"))
    for i, j in itertools.combinations(range(len(keys)), 2):
        assert (hashed[i] == hashed[j]) == (keys[i] == keys[j]) == (exact[i] == exact[j])
