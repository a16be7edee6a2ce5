"""``p_chart()`` and ``u_chart()``: attribute charts whose limits vary with each point's
denominator, with the same Making Data Count rules and summaries as ``spc()``.

P chart (proportions, binomial): p_i = numerator_i / denominator_i, centre p-bar = sum of
numerators / sum of denominators per segment, limits p-bar +/- 3 sqrt(p-bar (1 - p-bar) / n_i)
clipped to [0, 1]. U chart (rates per unit, Poisson): u-bar likewise, limits
u-bar +/- 3 sqrt(u-bar / n_i), the lower clipped at 0 (Montgomery, Introduction to Statistical
Quality Control, chapter 7). "Close to a limit" is beyond two sigma.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import polars as pl

from candour.analytics.spc.constants import SHIFT_LENGTH, TREND_LENGTH, special_cause_types
from candour.analytics.spc.engine import CHUNK_ROWS, Chunk, evaluate
from candour.analytics.spc.frames import Columns, SeriesFrame, series_frame
from candour.analytics.spc.limits import Limits, p_chart_limits, pooled_rate, u_chart_limits
from candour.analytics.spc.options import DateLike, RuleOptions, SpcOptions, normalise_group
from candour.analytics.spc.resolve import rebase_first_rows, series_settings
from candour.analytics.spc.result import RESERVED_NAMES, SPCResult
from candour.analytics.spc.xmr import PerSeries, assemble, check_reserved_names
from candour.exceptions import DataFileError, OptionError, Problem

LimitsFromRate = Callable[[np.ndarray, np.ndarray], Limits]


def p_chart(
    frame: Any,
    *,
    numerator: str,
    denominator: str,
    date: str,
    group: str | Sequence[str] | None = None,
    improvement: str | PerSeries = "increase",
    target: float | str | PerSeries | None = None,
    rebase: Iterable[DateLike] | PerSeries = (),
    fix_after_n_points: int | PerSeries | None = None,
    shift_length: int = SHIFT_LENGTH,
    trend_length: int = TREND_LENGTH,
    two_in_three_counts_outside: bool = False,
    assurance_inclusive: bool = False,
    icons_from_n_points: int | None = None,
    warn_missing_periods: bool = False,
    tolerate_missing: bool = False,
    na: str | Iterable[str] = (),
    source: str = "data",
    chunk_rows: int = CHUNK_ROWS,
) -> SPCResult:
    """P charts of numerator / denominator (0 <= numerator <= denominator, denominator > 0).

    Options as :func:`candour.analytics.spc.spc` (without ``screen_outliers``, which concerns
    moving ranges); ``target`` is a proportion. The points table has the proportion as
    ``value`` and adds ``numerator`` and ``denominator``; its ``lpl`` and ``upl`` vary by point.
    """
    return _attribute_chart("p", p_chart_limits, proportion=True, **locals())


def u_chart(
    frame: Any,
    *,
    numerator: str,
    denominator: str,
    date: str,
    group: str | Sequence[str] | None = None,
    improvement: str | PerSeries = "increase",
    target: float | str | PerSeries | None = None,
    rebase: Iterable[DateLike] | PerSeries = (),
    fix_after_n_points: int | PerSeries | None = None,
    shift_length: int = SHIFT_LENGTH,
    trend_length: int = TREND_LENGTH,
    two_in_three_counts_outside: bool = False,
    assurance_inclusive: bool = False,
    icons_from_n_points: int | None = None,
    warn_missing_periods: bool = False,
    tolerate_missing: bool = False,
    na: str | Iterable[str] = (),
    source: str = "data",
    chunk_rows: int = CHUNK_ROWS,
) -> SPCResult:
    """U charts of events (numerator >= 0) per unit of exposure (denominator > 0), such as
    falls per 1,000 bed days when the denominator is in thousands of bed days.

    Options as :func:`p_chart`; ``target`` is a rate per unit."""
    return _attribute_chart("u", u_chart_limits, proportion=False, **locals())


def _attribute_chart(
    chart_type: str,
    limits_from_rate: LimitsFromRate,
    *,
    frame: Any,
    numerator: str,
    denominator: str,
    date: str,
    group: str | Sequence[str] | None,
    improvement: object,
    target: object,
    rebase: object,
    fix_after_n_points: object,
    proportion: bool,
    na: str | Iterable[str],
    source: str,
    chunk_rows: int,
    **rule_options: Any,
) -> SPCResult:
    """The shared body of p_chart() and u_chart() (called with their arguments)."""
    rules = RuleOptions(**rule_options)
    options = SpcOptions(
        value=numerator,
        date=date,
        group=normalise_group(group),
        improvement=improvement,
        target=target,
        rebase=rebase,
        fix_after_n_points=fix_after_n_points,
        rules=rules,
        na=na,
    )
    check_denominator(denominator, options)
    check_reserved_names(options.group)
    numeric = (denominator, *((options.target_column,) if options.target_column else ()))
    columns = Columns(numerator, date, options.group, numeric)
    data = series_frame(frame, columns, source=source, na=options.na)
    events, exposure = data.values(), data.values(denominator)
    check_counts(data, events, exposure, proportion=proportion)
    settings = series_settings(
        data,
        improvement=options.improvement,
        target=options.target,
        fix_after_n_points=options.fix_after_n_points,
        screen_outliers=False,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = events / exposure

    def limits_for(chunk: Chunk, _values: np.ndarray) -> Limits:
        rows = slice(chunk.start, chunk.stop)
        centre = pooled_rate(
            events[rows], exposure[rows], chunk.segments, chunk.per_segment(settings.fix_after)
        )
        return limits_from_rate(chunk.segments.broadcast(centre), exposure[rows])

    evaluation = evaluate(
        data,
        rate,
        rebase_first=rebase_first_rows(options.rebase, data),
        direction=settings.direction,
        rules=rules,
        limits_for=limits_for,
        type_enum=pl.Enum(special_cause_types(rules.shift_length, rules.trend_length)),
        chunk_rows=chunk_rows,
    )
    result = assemble(data, evaluation, settings, rules, chart_type=chart_type)
    points = result.points.with_columns(
        value=pl.Series(rate, nan_to_null=True),
        numerator=data.frame.get_column(numerator),
        denominator=data.frame.get_column(denominator),
    ).select(
        *options.group,
        "date",
        "value",
        "numerator",
        "denominator",
        pl.exclude(*options.group, "date", "value", "numerator", "denominator"),
    )
    latest = result.summary.with_columns(latest_value=latest_rates(data, rate))
    return SPCResult(
        points=points,
        summary=latest,
        groups=result.groups,
        warnings=result.warnings,
        group=result.group,
        chart_type=chart_type,
        value_name=f"{numerator} / {denominator}",
        missing=result.missing,
    )


def latest_rates(data: SeriesFrame, rate: np.ndarray) -> pl.Series:
    ends = data.series_starts + data.series_lengths - 1
    return pl.Series(rate[ends], nan_to_null=True)


def check_denominator(denominator: object, options: SpcOptions) -> None:
    if not isinstance(denominator, str) or not denominator:
        raise OptionError(f"denominator must name a column of the frame; got {denominator!r}")
    if denominator in (options.value, options.date, *options.group):
        raise OptionError(
            f"denominator {denominator!r} must differ from the numerator, date and group columns"
        )
    if denominator in RESERVED_NAMES - {"value"}:
        raise OptionError(f"denominator column {denominator!r} has the name of a result column")


def check_counts(
    data: SeriesFrame, events: np.ndarray, exposure: np.ndarray, *, proportion: bool
) -> None:
    """Numerators are counts of at least 0 (at most the denominator for a proportion) and
    denominators are positive; missing values are allowed."""
    columns = data.columns
    checks = [
        (events < 0, columns.value, "the numerator must not be negative"),
        (exposure <= 0, columns.numeric[0], "the denominator must be more than 0"),
    ]
    if proportion:
        checks.append((events > exposure, columns.value, "the numerator exceeds the denominator"))
    problems = []
    for bad, column, message in checks:
        positions = np.flatnonzero(bad)[:20]
        problems += [Problem(message, row=row, column=column) for row in data.given_rows(positions)]
    if problems:
        raise DataFileError(data.source, problems)
