"""Thresholds designed series by series, from each series' own data, and the false-alarm
probability each series' threshold implies.

Imperial College set each chart's threshold by simulation so that, given that unit's volume and
case mix, an in-control chart would signal with a chosen probability (about 0.1%) over the
period monitored (Bottle & Aylin 2011). :func:`design_thresholds` does the same with the exact
Markov chain over each series' own sequence of risks (or expected counts), in time order. For a
target in-control ARL it uses the pooled case mix of all series (Bernoulli), each series' mean
expected count (O/E), or the normal approximation (standardised chart).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from candour.analytics.cusum.classic import normal_threshold
from candour.analytics.cusum.constants import MARKOV_STATES
from candour.analytics.cusum.design import (
    bernoulli_signal_probability,
    bernoulli_threshold,
    bernoulli_threshold_for_false_alarm,
    poisson_signal_probability,
    poisson_threshold,
    poisson_threshold_for_false_alarm,
)
from candour.analytics.cusum.frames import check_expected, check_risk, prepare
from candour.analytics.cusum.options import (
    check_positive,
    check_probability,
    check_ratio,
    layout,
)
from candour.analytics.spc.frames import as_polars
from candour.exceptions import OptionError

DESIGNED_CHARTS = ("bernoulli", "poisson", "standardised")


@dataclass(frozen=True)
class SeriesRows:
    """Each series' key and its rows' values (risks or expected counts) in time order."""

    keys: list[Hashable]
    values: list[np.ndarray]


def series_rows(
    frame: Any, *, column: str, per_patient: bool, group, order, source: str
) -> SeriesRows:
    check = check_risk if per_patient else check_expected
    prepared = prepare(frame, layout({"x": column}, group, order), {"x": check}, source=source)
    starts = np.flatnonzero(prepared.first)
    values = np.split(prepared.to_sorted(prepared.data["x"]), starts[1:]) if len(starts) else []
    group_columns = prepared.layout.group
    given = as_polars(frame)
    first_rows = prepared.to_sorted(np.arange(given.height))[starts] if len(starts) else []
    keys: list[Hashable] = []
    for row in first_rows:
        key = tuple(given.get_column(name)[int(row)] for name in group_columns)
        keys.append(key[0] if len(key) == 1 else (key or None))
    return SeriesRows(keys, values)


def chart_rows(frame: Any, chart: str, column: str, group, order, source: str) -> SeriesRows:
    """Each series' risks (Bernoulli chart) or expected counts (the others), in time order."""
    return series_rows(
        frame, column=column, per_patient=chart == "bernoulli", group=group, order=order,
        source=source,
    )  # fmt: skip


def design_thresholds(
    frame: Any,
    *,
    chart: str,
    column: str,
    ratio: float | None = None,
    k: float | None = None,
    false_alarm_rate: float | None = None,
    arl0: float | None = None,
    group: str | Iterable[str] | None = None,
    order: str | Iterable[str] | None = None,
    states: int = MARKOV_STATES,
    source: str = "data",
) -> dict[Hashable, float]:
    """h for each series: ``column`` is the risk column (Bernoulli) or the expected deaths
    (O/E, standardised); ``ratio`` the odds or rate ratio to detect; ``k`` the standardised
    chart's reference value. Give exactly one of ``false_alarm_rate`` (the probability that an
    in-control chart signals at least once over the series as given) or ``arl0``."""
    if chart not in DESIGNED_CHARTS:
        raise OptionError(
            f"thresholds are designed for {', '.join(DESIGNED_CHARTS)}; not {chart!r}"
        )
    if (false_alarm_rate is None) == (arl0 is None):
        raise OptionError("give exactly one of false_alarm_rate and arl0")
    if chart == "standardised":
        if arl0 is None:
            raise OptionError(
                "the standardised chart's threshold is designed for an ARL (normal scores);"
                " use arl0, or the O/E (poisson) chart for a false-alarm rate"
            )
        h = normal_threshold(k=check_positive("k", k), arl0=arl0)
        return dict.fromkeys(chart_rows(frame, chart, column, group, order, source).keys, h)
    ratio = check_ratio("odds_ratio" if chart == "bernoulli" else "rate_ratio", ratio)
    rows = chart_rows(frame, chart, column, group, order, source)
    if false_alarm_rate is not None:
        probability = check_probability("false_alarm_rate", false_alarm_rate)
        design = (
            bernoulli_threshold_for_false_alarm
            if chart == "bernoulli"
            else poisson_threshold_for_false_alarm
        )
        argument = "risks" if chart == "bernoulli" else "expected"
        ratio_name = "odds_ratio" if chart == "bernoulli" else "rate_ratio"
        return {
            key: design(
                **{argument: values, ratio_name: ratio}, probability=probability, states=states
            )
            for key, values in zip(rows.keys, rows.values, strict=True)
        }
    if chart == "bernoulli":
        mix, counts = np.unique(np.concatenate(rows.values), return_counts=True)
        h = bernoulli_threshold(
            risks=mix, weights=counts, odds_ratio=ratio, arl0=arl0, states=states
        )
        return dict.fromkeys(rows.keys, h)
    return {
        key: poisson_threshold(
            expected=float(np.mean(values)), rate_ratio=ratio, arl0=arl0, states=states
        )
        for key, values in zip(rows.keys, rows.values, strict=True)
    }


def false_alarm_probabilities(
    frame: Any,
    *,
    chart: str,
    column: str,
    ratio: float,
    h: float | Mapping[Hashable, float],
    keys: Iterable[Hashable] | None = None,
    group: str | Iterable[str] | None = None,
    order: str | Iterable[str] | None = None,
    states: int = MARKOV_STATES,
    source: str = "data",
) -> dict[Hashable, float]:
    """For each series (or those in ``keys``): the probability that its chart, in control,
    would signal at least once over the series as given, at its threshold ``h``."""
    if chart not in ("bernoulli", "poisson"):
        raise OptionError(
            "false-alarm probabilities are computed for the bernoulli and poisson charts"
        )
    rows = chart_rows(frame, chart, column, group, order, source)
    wanted = None if keys is None else set(keys)
    found = {}
    for key, values in zip(rows.keys, rows.values, strict=True):
        if wanted is not None and key not in wanted:
            continue
        threshold = h[key] if isinstance(h, Mapping) else h
        if chart == "bernoulli":
            found[key] = bernoulli_signal_probability(
                risks=values, odds_ratio=ratio, h=threshold, states=states
            )
        else:
            found[key] = poisson_signal_probability(
                expected=values, rate_ratio=ratio, h=threshold, states=states
            )
    return found
