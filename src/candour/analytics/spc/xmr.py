"""``spc()``: Making Data Count XmR charts for one series or many, conformant with
NHSRplotthedots 0.2.2 ``ptd_spc()`` by default."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from candour.analytics.spc.constants import SHIFT_LENGTH, TREND_LENGTH, special_cause_types
from candour.analytics.spc.engine import CHUNK_ROWS, Chunk, Evaluation, evaluate
from candour.analytics.spc.frames import Columns, SeriesFrame, series_frame
from candour.analytics.spc.limits import Limits, xmr_limits
from candour.analytics.spc.options import (
    DateLike,
    RuleOptions,
    SpcOptions,
    normalise_group,
)
from candour.analytics.spc.resolve import SeriesSettings, rebase_first_rows, series_settings
from candour.analytics.spc.result import RESERVED_NAMES, SPCResult
from candour.analytics.spc.summary import summarise
from candour.exceptions import OptionError

PerSeries = Mapping[Hashable, Any]


def spc(
    frame: Any,
    *,
    value: str,
    date: str,
    group: str | Sequence[str] | None = None,
    improvement: str | PerSeries = "increase",
    target: float | str | PerSeries | None = None,
    rebase: Iterable[DateLike] | PerSeries = (),
    fix_after_n_points: int | PerSeries | None = None,
    screen_outliers: bool | PerSeries = True,
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
    """XmR (individuals) charts with the Making Data Count rules, for every series in ``frame``.

    The defaults reproduce NHSRplotthedots 0.2.2 ``ptd_spc()`` exactly (see
    docs/reference/spc.md for the rules and their sources).

    Data:
        frame: a Polars or pandas DataFrame, one row per point.
        value: the numeric column to chart (text is parsed). A value is missing when it is
            null (or NaN) in a numeric column, or text listed in ``na``; any other text that is
            not a number is an error naming its row, column and the text.
        date: the date (or datetime) column; ISO text such as 2021-04-01 is parsed.
        group: column(s) identifying each series; ``None`` for one series.
        na: the texts that mark a missing value in a text column, exactly as written
            (surrounding spaces ignored), e.g. ``("n/a", "NA", "-")``; ``""`` allows blank
            cells. None by default: nothing is guessed. ``result.missing`` lists every missing
            value found.
        source: how errors name the data (the CLI passes the file name).

    Options that may differ by series (one value, or a mapping from series key to value; a
    key is the group value, or a tuple of values for several group columns):
        improvement: "increase", "decrease" or "neutral" (a mapping must cover every series).
        target: a number, the name of a target column (each series uses its latest
            non-missing target), or a mapping; ``None`` for no target (assurance is null).
        rebase: dates at which a new segment, with its own mean and limits, starts; dates not
            in the data are ignored.
        fix_after_n_points: compute each segment's mean and limits from its first n points
            only (n >= 12); ``None`` uses every point.
        screen_outliers: leave moving ranges of 3.267 x the mean moving range or more out
            of the limits (the reference default; the MDC Excel tool does not screen).

    Beyond the reference (each off by default):
        shift_length: points on one side of the mean for a shift: 7 (MDC), 6 or 8.
        trend_length: points rising (or falling) for a trend: 7 (MDC) or 6.
        two_in_three_counts_outside: MDC 2023 two-in-three rule, which counts points beyond
            the limits as well as those close to them.
        assurance_inclusive: a target exactly on a process limit counts as consistently met
            or missed (>= and <=) instead of inconsistent.
        icons_from_n_points: leave the variation and assurance icons null for a series whose
            latest segment has fewer present values (MDC's Excel tool waits for 13).
        warn_missing_periods: warn when a monthly, weekly or daily series skips periods.
        tolerate_missing: a missing value inside an otherwise rising (or falling) window ends
            the trend instead of stopping with an error, as the reference does.

    Raises :class:`~candour.exceptions.OptionError` for an invalid option and
    :class:`~candour.exceptions.DataFileError` naming the row and column of bad data.
    """
    rules = RuleOptions(
        shift_length=shift_length,
        trend_length=trend_length,
        two_in_three_counts_outside=two_in_three_counts_outside,
        assurance_inclusive=assurance_inclusive,
        icons_from_n_points=icons_from_n_points,
        warn_missing_periods=warn_missing_periods,
        tolerate_missing=tolerate_missing,
    )
    options = SpcOptions(
        value=value,
        date=date,
        group=normalise_group(group),
        improvement=improvement,
        target=target,
        rebase=rebase,
        fix_after_n_points=fix_after_n_points,
        screen_outliers=screen_outliers,
        rules=rules,
        na=na,
    )
    check_reserved_names(options.group)
    target_columns = (options.target_column,) if options.target_column else ()
    data = series_frame(
        frame,
        Columns(value, date, options.group, numeric=target_columns),
        source=source,
        na=options.na,
    )
    settings = series_settings(
        data,
        improvement=options.improvement,
        target=options.target,
        fix_after_n_points=options.fix_after_n_points,
        screen_outliers=options.screen_outliers,
    )

    def limits_for(chunk: Chunk, values: np.ndarray) -> Limits:
        return xmr_limits(
            values,
            chunk.segments,
            fix_after=chunk.per_segment(settings.fix_after),
            screen=chunk.per_segment(settings.screen),
        )

    evaluation = evaluate(
        data,
        data.values(),
        rebase_first=rebase_first_rows(options.rebase, data),
        direction=settings.direction,
        rules=rules,
        limits_for=limits_for,
        type_enum=pl.Enum(special_cause_types(shift_length, trend_length)),
        chunk_rows=chunk_rows,
    )
    return assemble(data, evaluation, settings, rules, chart_type="xmr")


def check_reserved_names(group: tuple[str, ...]) -> None:
    clashing = [g for g in group if g in RESERVED_NAMES]
    if clashing:
        raise OptionError(
            f"group column {clashing[0]!r} has the name of a result column; rename it first"
        )


def assemble(
    data: SeriesFrame,
    evaluation: Evaluation,
    settings: SeriesSettings,
    rules: RuleOptions,
    *,
    chart_type: str,
    extra: Sequence[pl.Series] = (),
) -> SPCResult:
    """The result object: input columns beside the computed ones, summaries and warnings."""
    columns = data.columns
    given = data.frame.select(
        *columns.group,
        pl.col(columns.date).alias("date"),
        pl.col(columns.value).alias("value"),
    )
    summaries = summarise(
        data, evaluation.segments, direction=settings.direction, target=settings.target, rules=rules
    )
    return SPCResult(
        points=given.hstack([*extra, *evaluation.points.get_columns()]),
        summary=summaries.summary,
        groups=summaries.groups,
        warnings=summaries.warnings,
        group=columns.group,
        chart_type=chart_type,
        value_name=columns.value,
        missing=data.missing,
    )
