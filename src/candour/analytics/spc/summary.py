"""Per-segment and per-series summaries: variation and assurance, their icons, warnings.

Reference: NHSRplotthedots 0.2.2 ``summary.ptd_spc_df()`` and ``ptd_calculate_assurance_type()``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from candour.analytics.spc.constants import (
    ASSURANCE_ICONS,
    ASSURANCE_TYPES,
    IMPROVEMENT_DIRECTIONS,
    POINT_TYPES,
    SHORT_GROUP_WARNING,
    SHORT_SEGMENT_POINTS,
    VARIATION_ICONS,
)
from candour.analytics.spc.frames import SeriesFrame
from candour.analytics.spc.options import RuleOptions
from candour.analytics.spc.periods import missing_period_warnings
from candour.analytics.spc.resolve import format_keys

POINT_TYPE = pl.Enum(POINT_TYPES)
VARIATION_ICON = pl.Enum(VARIATION_ICONS)
ASSURANCE_TYPE = pl.Enum(ASSURANCE_TYPES)
ASSURANCE_ICON = pl.Enum([ASSURANCE_ICONS[t] for t in ASSURANCE_TYPES])
IMPROVEMENT = pl.Enum(list(IMPROVEMENT_DIRECTIONS))
PASS, FAIL, INCONSISTENT = range(3)
MAX_SERIES_WARNINGS = 20

# Variation icon code by [point_type code, direction + 1] (direction -1 decrease, 0, 1 increase):
# improvement is "high" when improvement means an increase; concern is on the other side.
ICON_BY_TYPE = np.array(
    [
        [0, 0, 0],  # common_cause
        [2, 0, 1],  # special_cause_improvement: improvement_low / improvement_high
        [3, 0, 4],  # special_cause_concern: concern_high / concern_low
        [5, 5, 5],  # special_cause_neutral_high
        [6, 6, 6],  # special_cause_neutral_low
    ],
    dtype=np.uint8,
)


@dataclass(frozen=True)
class Summaries:
    summary: pl.DataFrame
    groups: pl.DataFrame
    warnings: tuple[str, ...]


def assurance_codes(
    target: np.ndarray,
    lpl: np.ndarray,
    upl: np.ndarray,
    direction: np.ndarray,
    *,
    inclusive: bool,
) -> np.ndarray:
    """Assurance of each series from the limits on its last point: float codes PASS, FAIL,
    INCONSISTENT, NaN when there is no target or the direction is neutral.

    Reference: target > upl (fail if improvement is an increase, else pass), then target < lpl
    (pass if increase, else fail), else inconsistent, including when the limits are undefined.
    ``inclusive`` compares with >= and <= (a target exactly on a limit is then consistently met
    or missed)."""
    with np.errstate(invalid="ignore"):
        above = target >= upl if inclusive else target > upl
        below = target <= lpl if inclusive else target < lpl
    increasing = direction == 1
    codes = np.where(
        above,
        np.where(increasing, FAIL, PASS),
        np.where(below, np.where(increasing, PASS, FAIL), INCONSISTENT),
    ).astype(np.float64)
    return np.where(np.isnan(target) | (direction == 0), np.nan, codes)


def variation_icon_codes(point_type: np.ndarray, direction: np.ndarray) -> np.ndarray:
    return ICON_BY_TYPE[point_type, direction.astype(np.int64) + 1]


def labelled(codes: np.ndarray, dtype: pl.Enum, mask: np.ndarray | None = None) -> pl.Series:
    """Enum labels from float or integer codes (NaN, or ``mask`` true, gives null)."""
    missing = np.isnan(codes) if codes.dtype.kind == "f" else np.zeros(len(codes), dtype=bool)
    if mask is not None:
        missing |= mask
    index = np.where(missing, 0, codes).astype(np.uint32)
    if missing.any():
        index = np.ma.masked_array(index, missing)
    return pl.Series(dtype.categories, dtype=dtype).gather(pl.Series(index))


def summarise(
    data: SeriesFrame,
    segments: pl.DataFrame,
    *,
    direction: np.ndarray,
    target: np.ndarray,
    rules: RuleOptions,
) -> Summaries:
    """The per-series summary, the per-segment table and the warnings."""
    series = segments.get_column("series").to_numpy()
    is_last = np.append(series[1:] != series[:-1], True)
    last = np.flatnonzero(is_last)
    last_segments = segments[last]
    assurance = assurance_codes(
        target,
        last_segments.get_column("lpl").fill_null(np.nan).to_numpy(),
        last_segments.get_column("upl").fill_null(np.nan).to_numpy(),
        direction,
        inclusive=rules.assurance_inclusive,
    )
    on_last_segment = np.where(is_last, np.repeat(assurance, np.bincount(series)), np.nan)
    groups = group_table(data, segments, series, on_last_segment)
    segment_short = segments.get_column("n").to_numpy() < SHORT_SEGMENT_POINTS
    short = np.bincount(series, weights=segment_short) > 0
    periods = missing_period_warnings(data) if rules.warn_missing_periods else None
    summary = series_table(data, last_segments, direction, target, assurance, rules)
    summary = summary.with_columns(warnings=series_warnings(short, periods))
    return Summaries(summary, groups, overall_warnings(data, short, periods))


def group_table(
    data: SeriesFrame, segments: pl.DataFrame, series: np.ndarray, assurance: np.ndarray
) -> pl.DataFrame:
    keys = data.keys[series] if data.columns.group else pl.DataFrame()
    table = segments.select(
        "rebase_group",
        "n",
        "mean",
        "lpl",
        "upl",
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
    ).with_columns(
        variation_type=labelled(segments.get_column("variation_code").to_numpy(), POINT_TYPE),
        assurance_type=labelled(assurance, ASSURANCE_TYPE),
    )
    return pl.concat([keys, table], how="horizontal")


def series_table(
    data: SeriesFrame,
    last_segments: pl.DataFrame,
    direction: np.ndarray,
    target: np.ndarray,
    assurance: np.ndarray,
    rules: RuleOptions,
) -> pl.DataFrame:
    ends = data.series_starts + data.series_lengths - 1
    latest = data.frame.select(
        pl.col(data.columns.date).alias("latest_date"),
        pl.col(data.columns.value).alias("latest_value"),
    )[ends]
    variation = last_segments.get_column("variation_code").to_numpy()
    hide_icons = None
    if rules.icons_from_n_points is not None:
        hide_icons = last_segments.get_column("n_present").to_numpy() < rules.icons_from_n_points
    table = pl.DataFrame(
        {
            "n": data.series_lengths,
            "latest_date": latest.get_column("latest_date"),
            "latest_value": latest.get_column("latest_value"),
            "improvement": labelled(1 - direction.astype(np.float64), IMPROVEMENT),
            "target": pl.Series(target, nan_to_null=True),
            "variation_type": labelled(variation, POINT_TYPE),
            "variation_icon": labelled(
                variation_icon_codes(variation, direction), VARIATION_ICON, hide_icons
            ),
            "assurance_type": labelled(assurance, ASSURANCE_TYPE),
            "assurance_icon": labelled(assurance, ASSURANCE_ICON, hide_icons),
        }
    )
    return pl.concat([data.keys, table], how="horizontal")


def series_warnings(short: np.ndarray, periods: pl.Series | None) -> pl.Series:
    """Per series, the list of warnings that apply to it."""
    frame = pl.DataFrame({"short": short})
    messages = [pl.when(pl.col("short")).then(pl.lit(SHORT_GROUP_WARNING))]
    if periods is not None:
        frame = frame.with_columns(periods=periods)
        messages.append(pl.col("periods"))
    return frame.select(pl.concat_list(messages).list.drop_nulls().alias("warnings")).to_series()


def overall_warnings(
    data: SeriesFrame, short: np.ndarray, periods: pl.Series | None
) -> tuple[str, ...]:
    """Distinct warnings: the reference's short-segment warning once, then each series' own."""
    found = [SHORT_GROUP_WARNING] if short.any() else []
    if periods is None:
        return tuple(found)
    flagged = periods.is_not_null().arg_true()
    for index in flagged[:MAX_SERIES_WARNINGS].to_list():
        message = periods[index]
        found.append(
            f"{format_keys(data.keys[index].rows())}: {message}" if data.keys.width else message
        )
    if len(flagged) > MAX_SERIES_WARNINGS:
        found.append(f"... and {len(flagged) - MAX_SERIES_WARNINGS} more series warnings")
    return tuple(found)
