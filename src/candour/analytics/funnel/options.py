"""The options of a funnel plot, validated on their own before any data is looked at."""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np

from candour.analytics.funnel.constants import (
    CQC_METHOD,
    DATA_TYPES,
    DEFAULT_TRIM_BY,
    LIMIT_998,
    LIMIT_LEVELS,
    MAX_TRIM_BY,
    SHMI_METHOD,
    SR_METHODS,
    STANDARDISED_RATIO,
)
from candour.exceptions import OptionError


@dataclass(frozen=True)
class FunnelOptions:
    """Everything that changes how a funnel is computed. Invalid values raise :class:`OptionError`.

    The names follow FunnelPlotR's ``funnel_plot()`` (``SHMI_rounding`` becomes ``shmi_rounding``).
    """

    numerator: str
    denominator: str
    group: str
    data_type: str = STANDARDISED_RATIO
    sr_method: str = SHMI_METHOD
    trim_by: float = DEFAULT_TRIM_BY
    limit: int = LIMIT_998
    draw_adjusted: bool = True
    draw_unadjusted: bool = False
    multiplier: float = 1.0
    shmi_rounding: bool = True

    def __post_init__(self) -> None:
        for option in ("numerator", "denominator", "group"):
            _check_column_name(option, getattr(self, option))
        _check_distinct_columns(self.numerator, self.denominator, self.group)
        _check_choice("data_type", self.data_type, DATA_TYPES)
        _check_choice("sr_method", self.sr_method, SR_METHODS)
        object.__setattr__(self, "trim_by", _check_trim_by(self.trim_by))
        object.__setattr__(self, "limit", _check_limit(self.limit))
        for option in ("draw_adjusted", "draw_unadjusted", "shmi_rounding"):
            object.__setattr__(self, option, _check_bool(option, getattr(self, option)))
        object.__setattr__(self, "multiplier", _check_multiplier(self.multiplier))

    @property
    def is_standardised_ratio(self) -> bool:
        return self.data_type == STANDARDISED_RATIO

    @property
    def truncates(self) -> bool:
        """SHMI truncates the z-scores; every other method Winsorises them."""
        return self.is_standardised_ratio and self.sr_method == SHMI_METHOD

    @property
    def rounds_expected(self) -> bool:
        return self.truncates and self.shmi_rounding

    @property
    def is_cqc(self) -> bool:
        return self.is_standardised_ratio and self.sr_method == CQC_METHOD


def _check_column_name(option: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise OptionError(f"{option} must name a column of the frame; got {value!r}")


def _check_distinct_columns(numerator: str, denominator: str, group: str) -> None:
    named = {"numerator": numerator, "denominator": denominator, "group": group}
    if len(set(named.values())) < len(named):
        shown = ", ".join(f"{option}={column!r}" for option, column in named.items())
        raise OptionError(
            f"numerator, denominator and group must be three different columns; {shown}"
        )


def _check_choice(option: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise OptionError(f"{option} must be one of {shown}; got {value!r}")


def _is_real(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool | np.bool_)


def _check_trim_by(value: object) -> float:
    if not _is_real(value) or not 0 <= float(value) < MAX_TRIM_BY:
        raise OptionError(
            f"trim_by must be a number from 0 up to (not including) {MAX_TRIM_BY}, the share of"
            f" each tail to Winsorise or truncate (default {DEFAULT_TRIM_BY}); got {value!r}"
        )
    return float(value)


def _check_limit(value: object) -> int:
    if not _is_real(value) or float(value) not in LIMIT_LEVELS:
        raise OptionError(f"limit must be 95 or 99 (meaning 99.8%); got {value!r}")
    return int(value)


def _check_bool(option: str, value: object) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise OptionError(f"{option} must be True or False; got {value!r}")
    return bool(value)


def _check_multiplier(value: object) -> float:
    if not _is_real(value) or not math.isfinite(float(value)) or float(value) <= 0:
        raise OptionError(f"multiplier must be a positive number, such as 1 or 100; got {value!r}")
    return float(value)
