"""P1's null distribution of a domain's concern sum, against closed forms and simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from candour.analytics.concern import null_distribution
from candour.analytics.concern.null import chi_bar_squared_cdf, term_masses


def exact_quantile(terms: int, probability: float, weight: float = 1.0) -> float:
    return optimize.brentq(
        lambda x: chi_bar_squared_cdf(x, terms, weight) - probability, 1e-9, 1e4, xtol=1e-12
    )


@pytest.mark.parametrize("terms", [1, 2, 3, 5, 8, 13, 21, 40])
@pytest.mark.parametrize("probability", [0.95, 0.99])
def test_equal_weights_match_the_chi_bar_squared_distribution(terms, probability):
    null = null_distribution([1.0] * terms, [False] * terms)
    exact = exact_quantile(terms, probability)
    # The grid rounds each term up by less than one step: never below, at most terms * step above.
    assert exact <= null.quantile(probability) <= exact + terms * null.step


def test_one_measure_needs_z_beyond_the_one_sided_99th_percentile():
    z99 = stats.norm.isf(0.01)  # 2.326
    null = null_distribution([1.0], [False])
    assert null.quantile(0.99) == pytest.approx(z99**2, abs=null.step)
    two_sided = null_distribution([1.0], [True])
    assert two_sided.quantile(0.99) == pytest.approx(stats.chi2.ppf(0.99, 1), abs=two_sided.step)


def test_weights_scale_the_distribution():
    base = null_distribution([1.0, 2.0], [False, True]).quantile(0.99)
    tripled = null_distribution([3.0, 6.0], [False, True])
    assert tripled.quantile(0.99) == pytest.approx(3 * base, abs=2 * tripled.step)


@pytest.mark.parametrize("terms", [1, 4, 12])
def test_p_values_are_conservative_and_close(terms):
    null = null_distribution([1.0] * terms, [False] * terms)
    x = np.array([0.0, 0.5, 2.0, 7.5, 15.0, 30.0, 60.0])
    p = null.p_values(x)
    exact = np.array([1.0 - chi_bar_squared_cdf(v, terms) if v > 0 else 1.0 for v in x])
    # x is rounded down to the grid (one step) and K' exceeds K by under terms steps.
    slack = (terms + 1) * null.step
    below = np.array([1.0 - chi_bar_squared_cdf(v - slack, terms) if v > 0 else 1.0 for v in x])
    assert np.all(p >= np.maximum(exact - 1e-12, 1e-10))
    assert np.all(p <= np.maximum(below, 1e-10) + 1e-12)
    assert np.all(np.diff(p) <= 0)


def test_p_values_are_floored_far_beyond_the_grid():
    null = null_distribution([1.0], [False])
    assert null.p_values(np.array([1e6]))[0] == 1e-10
    assert null.p_values(np.array([0.0]))[0] == 1.0


def test_unequal_weights_and_two_sided_terms_agree_with_simulation():
    weights = [0.5, 1.0, 2.0, 3.0, 3.0]
    two_sided = [False, True, False, False, True]
    rng = np.random.default_rng(20050101)
    z = rng.standard_normal((400_000, len(weights)))
    squared = np.where(two_sided, z**2, np.maximum(z, 0.0) ** 2)
    simulated = squared @ np.array(weights)
    null = null_distribution(weights, two_sided)
    for probability in (0.9, 0.95, 0.99):
        # Monte Carlo error of a 99th percentile from 400,000 draws is about 0.3%.
        assert null.quantile(probability) == pytest.approx(
            np.quantile(simulated, probability), rel=0.01
        )
    tail = float(np.mean(simulated >= 20.0))
    assert null.p_values(np.array([20.0]))[0] == pytest.approx(tail, rel=0.05)


def test_the_order_of_measures_does_not_matter():
    a = null_distribution([1.0, 2.0, 3.0], [True, False, False])
    b = null_distribution([3.0, 1.0, 2.0], [False, True, False])
    assert a.quantile(0.99) == b.quantile(0.99)
    np.testing.assert_array_equal(a.survival, b.survival)


def test_each_term_is_a_probability_distribution():
    grid = np.arange(1000) * 0.05
    one_sided = term_masses(grid, 1.0, two_sided=False)
    assert one_sided[0] == pytest.approx(0.5)  # max(0, z) is 0 half the time
    assert one_sided.sum() == pytest.approx(0.5 + 0.5 * stats.chi2.cdf(grid[-1], 1))
    two_sided = term_masses(grid, 2.0, two_sided=True)
    assert two_sided[0] == 0.0
    assert two_sided.sum() == pytest.approx(stats.chi2.cdf(grid[-1] / 2.0, 1))


def test_a_domain_needs_a_measure():
    with pytest.raises(ValueError, match="at least one measure"):
        null_distribution([], [])
