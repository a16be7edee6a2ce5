"""The options of a concern assessment, validated on their own before any data is looked at."""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np

from candour.analytics.concern.constants import (
    DIVERGENCE_ALPHA,
    DIVERGENCE_ELEVATED_ALPHA,
    DOMAIN_QUANTILE,
    ELEVATED_Q,
    INFORMATIVE_POWER,
    POWER_ALPHA,
    RISK_Q,
    normal_upper_quantile,
)
from candour.exceptions import OptionError

# Quantiles beyond this cannot be read off the null grid accurately (its tail is cut at 1e-13).
MAX_DOMAIN_QUANTILE = 0.9999


@dataclass(frozen=True)
class ConcernOptions:
    """Thresholds of the assessment; the defaults are those of P1, P2, P3 and P7.

    Invalid values raise :class:`~candour.exceptions.OptionError` naming the option.
    """

    risk_q: float = RISK_Q  # P7: "risk" at BH q <= 0.05
    elevated_q: float = ELEVATED_Q  # P7: "elevated risk" at BH q <= 0.01
    informative_power: float = INFORMATIVE_POWER  # P2: silence reassures only at power >= 0.8
    power_alpha: float = POWER_ALPHA  # P2: power of a two-sided test at this level
    domain_quantile: float = DOMAIN_QUANTILE  # P1: crit_d is this quantile of the null
    divergence_alpha: float = DIVERGENCE_ALPHA  # P3: flag at D >= z_{1 - alpha}
    divergence_elevated_alpha: float = DIVERGENCE_ELEVATED_ALPHA

    def __post_init__(self) -> None:
        for option in (
            "risk_q",
            "elevated_q",
            "informative_power",
            "power_alpha",
            "divergence_alpha",
            "divergence_elevated_alpha",
        ):
            object.__setattr__(self, option, _check_probability(option, getattr(self, option)))
        object.__setattr__(self, "domain_quantile", _check_domain_quantile(self.domain_quantile))
        _check_order("elevated_q", self.elevated_q, "risk_q", self.risk_q)
        _check_order(
            "divergence_elevated_alpha",
            self.divergence_elevated_alpha,
            "divergence_alpha",
            self.divergence_alpha,
        )
        if self.divergence_alpha >= 0.5:
            raise OptionError(
                "divergence_alpha must be below 0.5, so that a flag needs both measures to have"
                f" moved the wrong way; got {self.divergence_alpha!r}"
            )

    @property
    def power_z(self) -> float:
        """The critical z of the test whose power P2 computes: 1.96 at the default 5%."""
        return normal_upper_quantile(self.power_alpha / 2)

    @property
    def divergence_z(self) -> float:
        """D at or above which P3 flags divergence: 1.645 at the default 5%."""
        return normal_upper_quantile(self.divergence_alpha)

    @property
    def divergence_elevated_z(self) -> float:
        return normal_upper_quantile(self.divergence_elevated_alpha)


def _is_real(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool | np.bool_)


def _check_probability(option: str, value: object) -> float:
    if not _is_real(value) or not math.isfinite(float(value)) or not 0 < float(value) < 1:
        raise OptionError(f"{option} must be a number strictly between 0 and 1; got {value!r}")
    return float(value)


def _check_domain_quantile(value: object) -> float:
    if not _is_real(value) or not 0.5 <= float(value) <= MAX_DOMAIN_QUANTILE:
        raise OptionError(
            f"domain_quantile must be a number from 0.5 to {MAX_DOMAIN_QUANTILE}, the quantile of"
            f" the null distribution that scales each domain (default {DOMAIN_QUANTILE});"
            f" got {value!r}"
        )
    return float(value)


def _check_order(stricter: str, stricter_value: float, looser: str, looser_value: float) -> None:
    if stricter_value > looser_value:
        raise OptionError(
            f"{stricter} ({stricter_value}) must not exceed {looser} ({looser_value}):"
            " elevated risk needs stronger evidence than risk"
        )
