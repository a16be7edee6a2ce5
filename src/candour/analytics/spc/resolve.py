"""Options checked against the data: per-series values and rebase rows.

An option given once applies to every series; one given as a mapping is matched to the series by
key (the group column's value, or a tuple of values for several group columns). A key that
matches no series is an error, as in the reference ("options provided to target are not in the
facet_field column").
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from candour.analytics.spc.constants import IMPROVEMENT_DIRECTIONS
from candour.analytics.spc.frames import SeriesFrame
from candour.exceptions import OptionError

SERIES = "__candour_series"
VALUE = "__candour_value"
MAX_KEYS_SHOWN = 5


@dataclass(frozen=True)
class SeriesSettings:
    """Options resolved to one value per series (arrays in series order)."""

    direction: np.ndarray  # int8: 1 increase, 0 neutral, -1 decrease
    target: np.ndarray  # float64, NaN = no target
    fix_after: np.ndarray  # int64, 0 = limits use every point
    screen: np.ndarray  # bool


def per_series(
    option: str, spec: object, data: SeriesFrame, dtype: pl.DataType, *, required: bool = False
) -> np.ndarray | None:
    """``spec`` as one value per series, or ``None`` if it is a single value (not a mapping).

    Series a mapping leaves out get null, or an error when ``required``."""
    if not isinstance(spec, Mapping):
        return None
    keys = data.keys
    given = mapping_frame(option, spec, keys, dtype)
    check_known_keys(option, given, keys)
    matched = keys.join(
        given, on=keys.columns, how="left", nulls_equal=True, maintain_order="left"
    ).get_column(VALUE)
    if required and matched.null_count():
        missing = keys.filter(matched.is_null()).rows()[:MAX_KEYS_SHOWN]
        raise OptionError(f"{option} gives no value for the series {format_keys(missing)}")
    return matched


def mapping_frame(
    option: str, spec: Mapping[Hashable, Any], keys: pl.DataFrame, dtype: pl.DataType
) -> pl.DataFrame:
    """The mapping as a frame: the group columns (typed as in the data) and the value."""
    group = keys.columns
    if not group:
        raise OptionError(f"{option} maps series to values, but no group column was given")
    parts = [key_parts(option, key, len(group)) for key in spec]
    columns = {
        name: pl.Series(name, [p[i] for p in parts], strict=False).cast(
            keys.schema[name], strict=False
        )
        for i, name in enumerate(group)
    }
    values = pl.Series(VALUE, list(spec.values()), dtype=dtype, strict=False)
    return pl.DataFrame({**columns, VALUE: values})


def key_parts(option: str, key: Hashable, n_group: int) -> tuple[Any, ...]:
    if n_group == 1:
        return (key,)
    if not isinstance(key, tuple) or len(key) != n_group:
        raise OptionError(
            f"{option}: with {n_group} group columns each key must be a tuple of {n_group}"
            f" values; got {key!r}"
        )
    return key


def check_known_keys(option: str, given: pl.DataFrame, keys: pl.DataFrame) -> None:
    unknown = given.join(keys, on=keys.columns, how="anti", nulls_equal=True)
    if unknown.height:
        shown = format_keys(unknown.select(keys.columns).rows()[:MAX_KEYS_SHOWN])
        raise OptionError(f"{option} names series that are not in the data: {shown}")


def format_keys(rows: list[tuple[Any, ...]]) -> str:
    return ", ".join(repr(r[0] if len(r) == 1 else r) for r in rows)


def series_settings(
    data: SeriesFrame,
    *,
    improvement: object,
    target: object,
    fix_after_n_points: object,
    screen_outliers: object,
) -> SeriesSettings:
    """Each per-series option as an array with one value per series."""
    n = data.n_series
    return SeriesSettings(
        direction=direction_per_series(improvement, data),
        target=target_per_series(target, data),
        fix_after=fill(
            per_series("fix_after_n_points", fix_after_n_points, data, pl.Int64),
            fix_after_n_points,
            n,
            missing=0,
            dtype=np.int64,
        ),
        screen=fill(
            per_series("screen_outliers", screen_outliers, data, pl.Boolean),
            screen_outliers,
            n,
            missing=True,
            dtype=bool,
        ),
    )


def fill(
    matched: pl.Series | None, scalar: object, n: int, *, missing: object, dtype: type
) -> np.ndarray:
    """Per-series values from a matched mapping (``missing`` where absent) or one value."""
    if matched is None:
        return np.full(n, missing if scalar is None else scalar, dtype=dtype)
    return matched.fill_null(missing).to_numpy().astype(dtype)


def direction_per_series(improvement: object, data: SeriesFrame) -> np.ndarray:
    matched = per_series("improvement", improvement, data, pl.String, required=True)
    if matched is None:
        return np.full(data.n_series, IMPROVEMENT_DIRECTIONS[improvement], dtype=np.int8)
    codes = matched.replace_strict(IMPROVEMENT_DIRECTIONS, return_dtype=pl.Int8)
    return codes.to_numpy()


def target_per_series(target: object, data: SeriesFrame) -> np.ndarray:
    """The target of each series: one number, a mapping, or the last non-missing value of a
    target column in each series (so a target that changes over time applies as it stands at
    the latest point)."""
    if isinstance(target, str):
        return last_present(data.values(target), data)
    matched = per_series("target", target, data, pl.Float64)
    return fill(matched, target, data.n_series, missing=np.nan, dtype=np.float64)


def last_present(per_row: np.ndarray, data: SeriesFrame) -> np.ndarray:
    """The last non-NaN value of each series (NaN if none)."""
    index = np.where(np.isnan(per_row), -1, np.arange(len(per_row)))
    last = np.maximum.reduceat(index, data.series_starts)
    return np.where(last >= 0, per_row[np.maximum(last, 0)], np.nan)


def rebase_first_rows(rebase: object, data: SeriesFrame) -> np.ndarray:
    """Boolean per row: a rebase date of the row's series falls on this row. Dates that match
    no data date are ignored (reference)."""
    date = data.columns.date
    dtype = data.frame.schema[date]
    if isinstance(rebase, Mapping):
        return rebase_rows_by_series(rebase, data, dtype)
    if not rebase:
        return np.zeros(data.frame.height, dtype=bool)
    dates = as_dates(list(rebase), dtype)
    return data.frame.get_column(date).is_in(dates.implode()).to_numpy()


def rebase_rows_by_series(
    rebase: Mapping[Hashable, tuple[Any, ...]], data: SeriesFrame, dtype: pl.DataType
) -> np.ndarray:
    keys = data.keys
    date = data.columns.date
    given = mapping_frame("rebase", dict.fromkeys(rebase, 0), keys, pl.Int8).drop(VALUE)
    check_known_keys("rebase", given, keys)
    wanted = pl.concat(
        [
            given[i]
            .select(keys.columns)
            .join(pl.DataFrame({date: as_dates(list(dates), dtype)}), how="cross")
            for i, dates in enumerate(rebase.values())
            if dates
        ]
        or [pl.DataFrame(schema={**keys.schema, date: dtype})]
    )
    rows = (
        data.frame.select([*keys.columns, date])
        .with_row_index(SERIES)
        .join(wanted, on=[*keys.columns, date], how="semi", nulls_equal=True)
        .get_column(SERIES)
        .to_numpy()
    )
    flags = np.zeros(data.frame.height, dtype=bool)
    flags[rows] = True
    return flags


def as_dates(dates: list[Any], dtype: pl.DataType) -> pl.Series:
    """Rebase dates in the date column's type (a date becomes midnight for a datetime column)."""
    series = pl.Series(dates, strict=False)
    if isinstance(dtype, pl.Datetime):
        series = series.cast(pl.Datetime(dtype.time_unit))
        if dtype.time_zone:
            series = series.dt.replace_time_zone(dtype.time_zone)
        return series
    return series.cast(dtype)
