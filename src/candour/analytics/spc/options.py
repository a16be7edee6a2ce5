"""The options of an SPC analysis, validated on their own before any data is looked at.

Options that may differ between series (``improvement``, ``target``, ``rebase``,
``fix_after_n_points``, ``screen_outliers``) take either one value for every series or a mapping
from a series key to its value. A series key is the value of the group column, or a tuple of the
values when there are several group columns. ``target`` may also name a column of the frame.
Mappings are checked against the data later, in :mod:`candour.analytics.spc.resolve`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

import numpy as np

from candour.analytics.spc.constants import (
    IMPROVEMENT_DIRECTIONS,
    MIN_FIX_AFTER_N_POINTS,
    SHIFT_LENGTH,
    SHIFT_LENGTHS,
    TREND_LENGTH,
    TREND_LENGTHS,
)
from candour.exceptions import OptionError

DateLike = dt.date | dt.datetime | str


@dataclass(frozen=True)
class RuleOptions:
    """Switches that change the rules, the same for every series. Reference values by default."""

    shift_length: int = SHIFT_LENGTH
    trend_length: int = TREND_LENGTH
    two_in_three_counts_outside: bool = False
    assurance_inclusive: bool = False
    icons_from_n_points: int | None = None
    warn_missing_periods: bool = False
    tolerate_missing: bool = False

    def __post_init__(self) -> None:
        check_choice("shift_length", self.shift_length, SHIFT_LENGTHS)
        check_choice("trend_length", self.trend_length, TREND_LENGTHS)
        for option in (
            "two_in_three_counts_outside",
            "assurance_inclusive",
            "warn_missing_periods",
            "tolerate_missing",
        ):
            check_bool(option, getattr(self, option))
        if self.icons_from_n_points is not None:
            check_whole_number("icons_from_n_points", self.icons_from_n_points, minimum=1)


@dataclass(frozen=True)
class SpcOptions:
    """Everything that changes an XmR analysis. Invalid values raise :class:`OptionError`."""

    value: str
    date: str
    group: tuple[str, ...] = ()
    improvement: str | Mapping[Hashable, str] = "increase"
    target: float | str | Mapping[Hashable, float | None] | None = None
    rebase: tuple[DateLike, ...] | Mapping[Hashable, tuple[DateLike, ...]] = ()
    fix_after_n_points: int | Mapping[Hashable, int | None] | None = None
    screen_outliers: bool | Mapping[Hashable, bool] = True
    rules: RuleOptions = field(default_factory=RuleOptions)
    na: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_column_names(self.value, self.date, self.group)
        check_per_series("improvement", self.improvement, check_improvement)
        if not isinstance(self.target, str):
            check_per_series("target", self.target, check_target, allow_none=True)
        object.__setattr__(self, "rebase", check_rebase(self.rebase))
        check_per_series(
            "fix_after_n_points", self.fix_after_n_points, check_fix_after, allow_none=True
        )
        check_per_series("screen_outliers", self.screen_outliers, check_bool)
        object.__setattr__(self, "na", check_missing_markers(self.na))

    @property
    def target_column(self) -> str | None:
        return self.target if isinstance(self.target, str) else None


def normalise_group(group: str | Iterable[str] | None) -> tuple[str, ...]:
    """``group`` as a tuple of column names (``None`` means one series)."""
    if group is None:
        return ()
    if isinstance(group, str):
        return (group,)
    if not isinstance(group, Iterable):
        raise OptionError(f"group must be a column name or a list of them; got {group!r}")
    return tuple(group)


def check_column_names(value: object, date: object, group: tuple[object, ...]) -> None:
    named = {"value": value, "date": date} | {f"group[{i}]": g for i, g in enumerate(group)}
    for option, column in named.items():
        if not isinstance(column, str) or not column:
            raise OptionError(f"{option} must name a column of the frame; got {column!r}")
    if len(set(named.values())) < len(named):
        shown = ", ".join(f"{option}={column!r}" for option, column in named.items())
        raise OptionError(f"value, date and group must be different columns; {shown}")


def check_per_series(
    option: str,
    value: object,
    check: Callable[[str, Any], object],
    *,
    allow_none: bool = False,
) -> None:
    """Check one value for every series, or each value of a mapping from series key to value."""
    values = value.values() if isinstance(value, Mapping) else (value,)
    for item in values:
        if item is None and allow_none:
            continue
        check(option, item)


def check_choice(option: str, value: object, allowed: Iterable[object]) -> None:
    allowed = tuple(allowed)
    if isinstance(value, bool) or value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise OptionError(f"{option} must be one of {shown}; got {value!r}")


def check_improvement(option: str, value: object) -> None:
    check_choice(option, value, IMPROVEMENT_DIRECTIONS)


def check_bool(option: str, value: object) -> None:
    if not isinstance(value, bool | np.bool_):
        raise OptionError(f"{option} must be True or False; got {value!r}")


def is_real(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool | np.bool_)


def check_target(option: str, value: object) -> None:
    if not is_real(value) or not math.isfinite(float(value)):
        raise OptionError(
            f"{option} must be a finite number, a column name, or a mapping from series to"
            f" number; got {value!r}"
        )


def check_whole_number(option: str, value: object, *, minimum: int) -> None:
    whole = isinstance(value, Integral) or (is_real(value) and float(value).is_integer())
    if isinstance(value, bool | np.bool_) or not whole or value < minimum:
        raise OptionError(f"{option} must be a whole number of at least {minimum}; got {value!r}")


def check_fix_after(option: str, value: object) -> None:
    """Reference ptd_spc_options(): fix_after_n_points >= 12."""
    check_whole_number(option, value, minimum=MIN_FIX_AFTER_N_POINTS)


def check_rebase(
    rebase: object,
) -> tuple[DateLike, ...] | Mapping[Hashable, tuple[DateLike, ...]]:
    """Rebase dates for every series, or a mapping from series key to its rebase dates."""
    if rebase is None:
        return ()
    if isinstance(rebase, Mapping):
        return {key: check_rebase_dates(f"rebase[{key!r}]", v) for key, v in rebase.items()}
    return check_rebase_dates("rebase", rebase)


def check_rebase_dates(option: str, dates: object) -> tuple[DateLike, ...]:
    if isinstance(dates, str | dt.date):
        dates = (dates,)
    if not isinstance(dates, Iterable):
        raise OptionError(f"{option} must be a list of dates; got {dates!r}")
    return tuple(parse_date(option, d) for d in dates)


def check_missing_markers(na: object) -> tuple[str, ...]:
    """The texts that mark a missing value, as given (surrounding spaces ignored); ``""`` allows
    blank cells. Nothing is missing unless listed: a marker that reads as a number would hide
    data, so it is refused."""
    if na is None:
        return ()
    markers = (na,) if isinstance(na, str) else na
    if not isinstance(markers, Iterable):
        raise OptionError(f"na must be a list of texts that mark a missing value; got {na!r}")
    checked = []
    for marker in markers:
        if not isinstance(marker, str):
            raise OptionError(f"na must hold texts such as 'n/a'; got {marker!r}")
        if reads_as_finite_number(marker):
            raise OptionError(
                f"na must not hold numbers (a number is data, not a missing value); got {marker!r}"
            )
        checked.append(marker.strip())
    return tuple(dict.fromkeys(checked))


def reads_as_finite_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def parse_date(option: str, value: object) -> dt.date | dt.datetime:
    """A date or datetime from a ``date``, ``datetime`` or ISO string (``2021-04-01``)."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for parse in (dt.date.fromisoformat, dt.datetime.fromisoformat):
            try:
                return parse(value.strip())
            except ValueError:
                continue
    raise OptionError(f"{option} must hold dates such as '2021-04-01'; got {value!r}")
