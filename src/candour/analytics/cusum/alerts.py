"""Alerts from a chart's output: one row per series that signalled, for the alert workflow.

Each alert carries what a reader needs to judge it: when the chart first crossed its threshold,
the statistic there, the threshold h and the false-alarm rate h was set for.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

import polars as pl

from candour.analytics.cusum.core import SIGNAL, STATISTIC, check_new_columns
from candour.analytics.cusum.options import column_tuple
from candour.exceptions import OptionError

ALERT_FIELDS = (
    "first_signal",
    "first_signal_row",
    "statistic",
    "h",
    "false_alarm_rate",
    "signals",
)
ROW = "__candour_row"

PerSeries = float | Mapping[Hashable, float] | None


def alerts(
    charted: pl.DataFrame,
    *,
    h: float | str | Mapping[Hashable, float],
    group: str | Iterable[str] | None = None,
    order: str | Iterable[str] | None = None,
    false_alarm_rate: PerSeries = None,
) -> pl.DataFrame:
    """One row per series with at least one signal in ``charted`` (the output of a CUSUM
    function): the group columns, then ``first_signal`` (the first order column's value at the
    first signal, null without ``order``), ``first_signal_row`` (its 1-based row in
    ``charted``), ``statistic`` (the CUSUM there), ``h``, ``false_alarm_rate`` (what ``h`` was
    set for, null if not given) and ``signals`` (how many rows signalled). Sorted by series.
    ``h`` and ``false_alarm_rate`` are as passed to the chart: a number, a mapping from series
    key to number, or (``h`` only) a column name."""
    group = column_tuple("group", group)
    order = column_tuple("order", order)
    for name in (*group, *order, STATISTIC, SIGNAL):
        if name not in charted.columns:
            raise OptionError(f"no column named {name!r} in the chart's output")
    check_new_columns(charted.select(group), ALERT_FIELDS)
    rows = charted.with_row_index(ROW, offset=1)
    signalled = rows.filter(pl.col(SIGNAL))
    if order:
        signalled = signalled.sort([*group, *order, ROW], maintain_order=True)
    aggregations = [
        (pl.col(order[0]).first() if order else pl.lit(None)).alias("first_signal"),
        pl.col(ROW).first().cast(pl.Int64).alias("first_signal_row"),
        pl.col(STATISTIC).first().alias("statistic"),
        pl.len().cast(pl.Int64).alias("signals"),
    ]
    if isinstance(h, str):
        aggregations.append(pl.col(h).first().cast(pl.Float64).alias("h"))
    if group:
        found = signalled.group_by(group, maintain_order=True).agg(aggregations).sort(group)
    else:
        found = signalled.select(aggregations).filter(pl.col("signals") > 0)
    if not isinstance(h, str):
        found = found.with_columns(per_series(found, group, h, "h"))
    found = found.with_columns(per_series(found, group, false_alarm_rate, "false_alarm_rate"))
    return found.select(*group, *ALERT_FIELDS)


def per_series(found: pl.DataFrame, group: tuple[str, ...], value: PerSeries, name: str):
    """A column of ``value`` for each alert: one number, or looked up by series key."""
    if not isinstance(value, Mapping):
        return pl.lit(None if value is None else float(value), dtype=pl.Float64).alias(name)
    keys = found.select(group).rows()
    looked_up = [value.get(key[0] if len(key) == 1 else key) for key in keys]
    return pl.Series(name, looked_up, dtype=pl.Float64)
