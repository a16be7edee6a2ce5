"""Design of the risk-adjusted (Bernoulli) and O/E (Poisson) CUSUMs: average run length,
the threshold h for a target, and the probability of a signal within a horizon.

Two ways to set h, as Imperial College did (Bottle & Aylin 2011):

* for a target in-control **average run length** (ARL0), with each patient's risk drawn
  independently from a case mix (``risks`` with optional ``weights``), or with a constant
  expected count per period;
* for a target **false-alarm probability** over a horizon, given the fixed sequence of risks
  (or expected counts) actually seen: P(S_t > h for some t <= n | in control) = target.

Both use the Markov chain of :mod:`candour.analytics.cusum.markov`. ARL units are patients for
the Bernoulli chart and periods for the O/E chart. ``true_odds_ratio`` (or
``true_rate_ratio``) other than 1 gives the out-of-control ARL or the power.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import optimize, stats

from candour.analytics.cusum.constants import (
    H_SEARCH_HIGH,
    H_SEARCH_LOW,
    H_SEARCH_TOLERANCE,
    MARKOV_STATES,
    POISSON_TAIL,
)
from candour.analytics.cusum.markov import Increments, average_run_length, signal_probability
from candour.analytics.cusum.options import (
    check_positive,
    check_probability,
    check_ratio,
)
from candour.exceptions import OptionError

MIN_STATES = 10


# --- Inputs -------------------------------------------------------------------------------------


def check_risks(risks: Sequence[float] | np.ndarray) -> np.ndarray:
    values = np.asarray(risks, dtype=np.float64).ravel()
    if not len(values):
        raise OptionError("risks must hold at least one predicted risk")
    if not ((values > 0) & (values < 1)).all():
        raise OptionError("every risk must be strictly between 0 and 1")
    return values


def check_weights(weights: Sequence[float] | np.ndarray | None, n: int) -> np.ndarray:
    if weights is None:
        return np.full(n, 1.0 / n)
    values = np.asarray(weights, dtype=np.float64).ravel()
    if len(values) != n or not (np.isfinite(values) & (values >= 0)).all() or values.sum() <= 0:
        raise OptionError(f"weights must be {n} non-negative numbers, one per risk, not all 0")
    return values / values.sum()


def check_expected_counts(expected: Sequence[float] | np.ndarray) -> np.ndarray:
    values = np.asarray(expected, dtype=np.float64).ravel()
    if not len(values) or not (np.isfinite(values) & (values > 0)).all():
        raise OptionError("expected must hold at least one positive expected count")
    return values


def check_states(states: int) -> int:
    if isinstance(states, bool) or not isinstance(states, int) or states < MIN_STATES:
        raise OptionError(f"states must be a whole number of at least {MIN_STATES}; got {states!r}")
    return states


def true_risk(risk: np.ndarray, odds_ratio: float) -> np.ndarray:
    """The risk when the odds are multiplied by ``odds_ratio``: OR p / (1 - p + OR p)."""
    return odds_ratio * risk / (1.0 - risk + odds_ratio * risk)


# --- Increment distributions --------------------------------------------------------------------


def bernoulli_increments(risk: np.ndarray, odds_ratio: float, true_odds_ratio: float):
    """Per risk: the weight after a death and after a survival, with their probabilities."""
    survived = -np.log1p((odds_ratio - 1.0) * risk)
    died = math.log(odds_ratio) + survived
    dies = true_risk(risk, true_odds_ratio)
    return np.stack([died, survived], axis=-1), np.stack([dies, 1.0 - dies], axis=-1)


def poisson_increments(expected: float, rate_ratio: float, true_rate_ratio: float):
    """The weights O ln R - (R - 1) E over the counts O that matter, with their Poisson
    probabilities at mean true_rate_ratio x E (the far tails lumped into the end counts)."""
    mean = true_rate_ratio * expected
    low = int(stats.poisson.ppf(POISSON_TAIL, mean))
    high = int(stats.poisson.isf(POISSON_TAIL, mean)) + 1
    counts = np.arange(low, high + 1)
    probabilities = stats.poisson.pmf(counts, mean)
    probabilities[0] += stats.poisson.cdf(low - 1, mean) if low > 0 else 0.0
    probabilities[-1] += stats.poisson.sf(high, mean)
    return counts * math.log(rate_ratio) - (rate_ratio - 1.0) * expected, probabilities


def padded(rows: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Stack per-step increment distributions of different sizes (padding has probability 0)."""
    width = max(len(values) for values, _ in rows)
    values = np.zeros((len(rows), width))
    probabilities = np.zeros((len(rows), width))
    for t, (v, p) in enumerate(rows):
        values[t, : len(v)] = v
        probabilities[t, : len(p)] = p
    return values, probabilities


# --- Searching for h ----------------------------------------------------------------------------


def solve_for_h(measure: Callable[[float], float], target: float, *, rising: bool) -> float:
    """The h at which ``measure(h)`` (an ARL, rising in h, or a probability, falling) equals
    ``target``, found on the log scale by Brent's method."""

    def gap(h: float) -> float:
        value = max(measure(h), 1e-300)
        return math.log(value) - math.log(target)

    sign = 1 if rising else -1
    if sign * gap(H_SEARCH_LOW) > 0:
        raise OptionError(
            f"no threshold above {H_SEARCH_LOW} gives {target}; the target is too lax"
        )
    high = 1.0
    while sign * gap(high) < 0:
        high *= 2
        if high > H_SEARCH_HIGH:
            raise OptionError(f"no threshold below {H_SEARCH_HIGH} reaches {target}")
    return float(optimize.brentq(gap, H_SEARCH_LOW, high, xtol=H_SEARCH_TOLERANCE))


def threshold_for_probability(
    values: np.ndarray, probabilities: np.ndarray, target: float, states: int
) -> float:
    """The h at which a chart with these per-step increments signals with ``target``
    probability over the steps."""
    check_states(states)
    return solve_for_h(
        lambda h: signal_probability(values, probabilities, h, states), target, rising=False
    )


# --- Risk-adjusted (Bernoulli) CUSUM ------------------------------------------------------------


def bernoulli_arl(
    *,
    risks: Sequence[float] | np.ndarray,
    odds_ratio: float,
    h: float,
    weights: Sequence[float] | np.ndarray | None = None,
    true_odds_ratio: float = 1.0,
    states: int = MARKOV_STATES,
) -> float:
    """Average run length (patients) of the risk-adjusted CUSUM when each patient's risk is
    drawn from ``risks`` (with ``weights``, equal by default) and the true odds are
    ``true_odds_ratio`` times the predicted."""
    risk = check_risks(risks)
    weight = check_weights(weights, len(risk))
    values, probabilities = bernoulli_increments(
        risk,
        check_ratio("odds_ratio", odds_ratio),
        check_positive("true_odds_ratio", true_odds_ratio),
    )
    increments = Increments(values.ravel(), (probabilities * weight[:, None]).ravel())
    return average_run_length(increments, check_positive("h", h), check_states(states))


def bernoulli_threshold(
    *,
    risks: Sequence[float] | np.ndarray,
    odds_ratio: float,
    arl0: float,
    weights: Sequence[float] | np.ndarray | None = None,
    states: int = MARKOV_STATES,
) -> float:
    """The h giving an in-control ARL of ``arl0`` patients for the case mix ``risks``."""
    target = check_positive("arl0", arl0)
    return solve_for_h(
        lambda h: bernoulli_arl(
            risks=risks, odds_ratio=odds_ratio, h=h, weights=weights, states=states
        ),
        target,
        rising=True,
    )


def bernoulli_signal_probability(
    *,
    risks: Sequence[float] | np.ndarray,
    odds_ratio: float,
    h: float,
    true_odds_ratio: float = 1.0,
    states: int = MARKOV_STATES,
) -> float:
    """P(the chart signals within the patients ``risks``, in that order), when the true odds
    are ``true_odds_ratio`` times the predicted: a false-alarm probability at 1, power above."""
    risk = check_risks(risks)
    values, probabilities = bernoulli_increments(
        risk,
        check_ratio("odds_ratio", odds_ratio),
        check_positive("true_odds_ratio", true_odds_ratio),
    )
    return signal_probability(values, probabilities, check_positive("h", h), check_states(states))


def bernoulli_threshold_for_false_alarm(
    *,
    risks: Sequence[float] | np.ndarray,
    odds_ratio: float,
    probability: float,
    states: int = MARKOV_STATES,
) -> float:
    """The h at which an in-control chart over the patients ``risks`` signals with
    ``probability`` (Imperial College's alerts used about 0.001)."""
    target = check_probability("probability", probability)
    values, probabilities = bernoulli_increments(
        check_risks(risks), check_ratio("odds_ratio", odds_ratio), 1.0
    )
    return threshold_for_probability(values, probabilities, target, states)


# --- O/E (Poisson) CUSUM ------------------------------------------------------------------------


def poisson_arl(
    *,
    expected: float,
    rate_ratio: float,
    h: float,
    true_rate_ratio: float = 1.0,
    states: int = MARKOV_STATES,
) -> float:
    """Average run length (periods) of the O/E CUSUM with ``expected`` deaths every period and
    observed deaths Poisson with mean ``true_rate_ratio`` x expected."""
    values, probabilities = poisson_increments(
        check_positive("expected", expected),
        check_ratio("rate_ratio", rate_ratio),
        check_positive("true_rate_ratio", true_rate_ratio),
    )
    increments = Increments(values, probabilities)
    return average_run_length(increments, check_positive("h", h), check_states(states))


def poisson_threshold(
    *, expected: float, rate_ratio: float, arl0: float, states: int = MARKOV_STATES
) -> float:
    """The h giving an in-control ARL of ``arl0`` periods with ``expected`` deaths a period."""
    target = check_positive("arl0", arl0)
    return solve_for_h(
        lambda h: poisson_arl(expected=expected, rate_ratio=rate_ratio, h=h, states=states),
        target,
        rising=True,
    )


def poisson_signal_probability(
    *,
    expected: Sequence[float] | np.ndarray,
    rate_ratio: float,
    h: float,
    true_rate_ratio: float = 1.0,
    states: int = MARKOV_STATES,
) -> float:
    """P(the chart signals within the periods whose expected deaths are ``expected``), observed
    deaths being Poisson with mean ``true_rate_ratio`` x expected."""
    counts = check_expected_counts(expected)
    ratio = check_ratio("rate_ratio", rate_ratio)
    truth = check_positive("true_rate_ratio", true_rate_ratio)
    values, probabilities = padded([poisson_increments(e, ratio, truth) for e in counts])
    return signal_probability(values, probabilities, check_positive("h", h), check_states(states))


def poisson_threshold_for_false_alarm(
    *,
    expected: Sequence[float] | np.ndarray,
    rate_ratio: float,
    probability: float,
    states: int = MARKOV_STATES,
) -> float:
    """The h at which an in-control O/E chart over these periods signals with ``probability``."""
    target = check_probability("probability", probability)
    counts = check_expected_counts(expected)
    ratio = check_ratio("rate_ratio", rate_ratio)
    values, probabilities = padded([poisson_increments(e, ratio, 1.0) for e in counts])
    return threshold_for_probability(values, probabilities, target, states)
