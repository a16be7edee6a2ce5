"""The charts: risk-adjusted Bernoulli CUSUM, O/E Poisson CUSUM, standardised CUSUM and VLAD,
each computed for many series at once (Polars in, Polars out).

Each function checks its options on their own, then the data (naming the row, column and value
of anything impossible), sorts the rows into series by ``group`` then ``order`` (ties keep the
input's order), computes the statistic with NumPy (and a compiled loop for the reset), and
returns the frame as given with the new columns, in the input's row order. The output depends
only on the rows given, so a distributed engine may call these on batches of whole series.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from candour.analytics.cusum.frames import (
    Check,
    Prepared,
    check_count,
    check_expected,
    check_outcome,
    check_risk,
    check_threshold_column,
    prepare,
    thresholds,
)
from candour.analytics.cusum.kernels import cusum_with_reset, lindley, segment_cumsum
from candour.analytics.cusum.options import (
    Threshold,
    check_finite,
    check_ratio,
    check_reset,
    check_threshold,
    check_transform,
    layout,
)
from candour.analytics.cusum.weights import (
    SCORES,
    bernoulli_weight,
    poisson_weight,
    vlad_increment,
)
from candour.exceptions import OptionError

Columns = str | Iterable[str] | None
STATISTIC = "cusum"
SIGNAL = "signal"
VLAD = "vlad"


def bernoulli_cusum(
    frame: Any,
    *,
    outcome: str,
    risk: str,
    odds_ratio: float,
    h: Threshold,
    group: Columns = None,
    order: Columns = None,
    reset: bool = True,
    source: str = "data",
) -> pl.DataFrame:
    """Risk-adjusted CUSUM of Steiner et al. (2000), per patient.

    W = y ln R - ln(1 - p + R p) with y the ``outcome`` (0 survived, 1 died), p the predicted
    ``risk`` (strictly between 0 and 1) and R the ``odds_ratio`` to detect; S_t = max(0,
    S_{t-1} + W_t), a signal when S_t > h. R > 1 is the upper chart (deaths push it up); R < 1
    the lower chart (survivals push it up), reported, as Steiner's -S, as a non-negative
    statistic. With ``reset`` the value at a signal is the one before the restart and the next
    patient starts from 0; without, S keeps accumulating and every S_t > h is flagged.

    ``h``: a number, a column of thresholds, or a mapping from series key to threshold.
    ``group``: column(s) identifying each series; ``order``: column(s) giving the time order
    (dates, or ISO text) within a series. Returns ``frame`` with ``cusum`` (float) and
    ``signal`` (bool) columns, rows in the order given.
    """
    data = {"outcome": outcome, "risk": risk}
    checks = {"outcome": check_outcome, "risk": check_risk}
    ratio = check_ratio("odds_ratio", odds_ratio)
    return likelihood_ratio_cusum(
        frame, data, checks, lambda d: bernoulli_weight(d["outcome"], d["risk"], ratio), h=h,
        group=group, order=order, reset=reset, source=source,
    )  # fmt: skip


def poisson_cusum(
    frame: Any,
    *,
    observed: str,
    expected: str,
    rate_ratio: float,
    h: Threshold,
    group: Columns = None,
    order: Columns = None,
    reset: bool = True,
    source: str = "data",
) -> pl.DataFrame:
    """O/E Poisson likelihood-ratio CUSUM for aggregated deaths (per period).

    W = O ln R - (R - 1) E with O the ``observed`` deaths (non-negative whole numbers), E the
    ``expected`` deaths (positive) and R the ``rate_ratio`` to detect (< 1: the lower chart);
    otherwise the same conventions as :func:`bernoulli_cusum` (signal S_t > h, reset to 0).
    """
    data = {"observed": observed, "expected": expected}
    checks = {"observed": check_count, "expected": check_expected}
    ratio = check_ratio("rate_ratio", rate_ratio)
    return likelihood_ratio_cusum(
        frame, data, checks, lambda d: poisson_weight(d["observed"], d["expected"], ratio), h=h,
        group=group, order=order, reset=reset, source=source,
    )  # fmt: skip


def likelihood_ratio_cusum(
    frame: Any,
    data: dict[str, str],
    checks: dict[str, Check],
    weight: Callable[[dict[str, np.ndarray]], np.ndarray],
    *,
    h: Threshold,
    group: Columns,
    order: Columns,
    reset: bool,
    source: str,
) -> pl.DataFrame:
    """The steps both likelihood-ratio CUSUMs share: check h and reset, check and sort the
    data, weigh each row, accumulate (signal S > h)."""
    h = check_threshold(h)
    reset = check_reset(reset)
    chosen = layout(data, group, order, h)
    prepared = prepare(frame, chosen, checks | threshold_check(h), source=source)
    weights = weight(prepared.data)
    return with_cusum(prepared, weights, thresholds(prepared, h), reset=reset, strict=True)


def standardised_cusum(
    frame: Any,
    *,
    observed: str,
    expected: str,
    k: float,
    h: Threshold,
    transform: str = "standard",
    group: Columns = None,
    order: Columns = None,
    source: str = "data",
) -> pl.DataFrame:
    """CUSUM of standardised counts, as surveillance::algo.cusum (Rossi et al. 1999).

    S_t = max(0, S_{t-1} + z_t - k) with z = (O - E)/sqrt(E) (``transform="standard"``),
    Rossi's (O - 3E + 2 sqrt(O E))/(2 sqrt(E)) (``"rossi"``) or O itself (``"none"``); a signal
    when S_t >= h (note: >=, as algo.cusum), and no reset.
    """
    k = check_finite("k", k)
    h = check_threshold(h)
    score = SCORES[check_transform(transform)]
    chosen = layout({"observed": observed, "expected": expected}, group, order, h)
    checks = {"observed": check_count, "expected": check_expected} | threshold_check(h)
    prepared = prepare(frame, chosen, checks, source=source)
    weights = score(prepared.data["observed"], prepared.data["expected"]) - k
    return with_cusum(prepared, weights, thresholds(prepared, h), reset=False, strict=False)


def vlad(
    frame: Any,
    *,
    outcome: str | None = None,
    risk: str | None = None,
    observed: str | None = None,
    expected: str | None = None,
    group: Columns = None,
    order: Columns = None,
    source: str = "data",
) -> pl.DataFrame:
    """Variable life-adjusted display (Lovegrove et al. 1997): the cumulative expected minus
    observed deaths in each series, so a positive value means lives gained. Per patient
    (``outcome`` and ``risk``) or per period (``observed`` and ``expected`` deaths). Returns
    ``frame`` with a ``vlad`` column, rows in the order given."""
    per_patient = outcome is not None or risk is not None
    per_period = observed is not None or expected is not None
    if per_patient == per_period:
        raise OptionError(
            "vlad needs either outcome and risk (per patient) or observed and expected (per period)"
        )
    if per_patient:
        if outcome is None or risk is None:
            raise OptionError("vlad per patient needs both outcome and risk")
        chosen = layout({"outcome": outcome, "risk": risk}, group, order)
        checks: dict[str, Check] = {"outcome": check_outcome, "risk": check_risk}
    else:
        if observed is None or expected is None:
            raise OptionError("vlad per period needs both observed and expected")
        chosen = layout({"observed": observed, "expected": expected}, group, order)
        checks = {"observed": check_count, "expected": check_expected}
    check_new_columns(frame, (VLAD,))
    prepared = prepare(frame, chosen, checks, source=source)
    observed_key, expected_key = ("outcome", "risk") if per_patient else ("observed", "expected")
    increments = prepared.to_sorted(
        vlad_increment(prepared.data[observed_key], prepared.data[expected_key])
    )
    total = segment_cumsum(increments, prepared.first)
    return prepared.frame.with_columns(pl.Series(VLAD, prepared.to_input(total)))


def threshold_check(h: Threshold) -> dict[str, Check]:
    return {"h": check_threshold_column} if isinstance(h, str) else {}


def check_new_columns(frame: Any, names: Iterable[str]) -> None:
    columns = getattr(frame, "columns", ())
    clashing = [name for name in names if name in columns]
    if clashing:
        raise OptionError(
            f"the data already has a column named {clashing[0]!r}, which the chart would"
            " overwrite; rename it first"
        )


def with_cusum(
    prepared: Prepared, weights: np.ndarray, h: np.ndarray, *, reset: bool, strict: bool
) -> pl.DataFrame:
    """The frame as given with ``cusum`` and ``signal`` columns; ``weights`` and ``h`` are in
    the input's row order."""
    check_new_columns(prepared.frame, (STATISTIC, SIGNAL))
    if reset:
        statistic, signal = cusum_with_reset(
            weights, prepared.first, h, strict=strict, permutation=prepared.permutation
        )
    else:
        statistic = prepared.to_input(lindley(prepared.to_sorted(weights), prepared.first))
        signal = statistic > h if strict else statistic >= h
    return prepared.frame.with_columns(
        pl.Series(STATISTIC, statistic, dtype=pl.Float64),
        pl.Series(SIGNAL, np.asarray(signal, dtype=bool), dtype=pl.Boolean),
    )


CHARTS: dict[str, Callable[..., pl.DataFrame]] = {
    "bernoulli": bernoulli_cusum,
    "poisson": poisson_cusum,
    "standardised": standardised_cusum,
    "vlad": vlad,
}


@dataclass(frozen=True)
class ChartSpec:
    """One chart and its keyword arguments, picklable, so that a distributed engine (a Spark
    ``mapInArrow`` function, say) can apply it to each batch of whole series:
    ``ChartSpec("bernoulli", {...}).run(pl.from_arrow(batch))``."""

    chart: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.chart not in CHARTS:
            raise OptionError(f"chart must be one of {', '.join(CHARTS)}; got {self.chart!r}")

    def run(self, frame: Any) -> pl.DataFrame:
        return CHARTS[self.chart](frame, **self.options)


def series_key(row: Mapping[str, Hashable], group: tuple[str, ...]) -> Hashable:
    values = tuple(row[name] for name in group)
    return values[0] if len(values) == 1 else values
