"""The options of an assessment, validated on their own before any data is looked at."""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from candour.analytics.concern.constants import (
    CALIBRATION_DRAWS,
    CALIBRATION_SEED,
    ELEVATED_ALPHA,
    FAMILY_ALPHA,
    MAJORITY,
    MIN_BASELINE_POINTS,
    MIN_CORRELATION_OVERLAP,
    MIN_PEERS,
    REASSURANCE_ALPHA,
    RECENT_POINTS,
)
from candour.exceptions import OptionError

MIN_CALIBRATION_DRAWS = 200  # fewer, and the 1% quantile rests on two draws


@dataclass(frozen=True)
class AssessOptions:
    """Thresholds of :func:`candour.analytics.concern.assess`; the defaults are issue 9's.

    Invalid values raise :class:`~candour.exceptions.OptionError` naming the option.
    """

    family_alpha: float = FAMILY_ALPHA  # share of organisations flagged with no real difference
    elevated_alpha: float = ELEVATED_ALPHA
    reassurance_alpha: float = REASSURANCE_ALPHA
    majority: float = MAJORITY
    min_peers: int = MIN_PEERS
    min_baseline_points: int = MIN_BASELINE_POINTS
    recent_points: int = RECENT_POINTS
    calibration_draws: int = CALIBRATION_DRAWS
    calibration_seed: int = CALIBRATION_SEED
    min_correlation_overlap: int = MIN_CORRELATION_OVERLAP

    def __post_init__(self) -> None:
        for option in ("family_alpha", "elevated_alpha", "reassurance_alpha"):
            value = _probability(option, getattr(self, option))
            if value >= 0.5:
                raise OptionError(f"{option} must be below 0.5; got {value!r}")
            object.__setattr__(self, option, value)
        object.__setattr__(self, "majority", _probability("majority", self.majority))
        if self.elevated_alpha > self.family_alpha:
            raise OptionError(
                f"elevated_alpha ({self.elevated_alpha}) must not exceed family_alpha"
                f" ({self.family_alpha}): elevated risk needs stronger evidence than risk"
            )
        for option, lowest in (
            ("min_peers", 3),
            ("min_baseline_points", 2),
            ("recent_points", 1),
            ("calibration_draws", MIN_CALIBRATION_DRAWS),
            ("calibration_seed", 0),
            ("min_correlation_overlap", 3),
        ):
            object.__setattr__(self, option, _whole(option, getattr(self, option), lowest))


def _probability(option: str, value: object) -> float:
    if (
        not isinstance(value, Real)
        or isinstance(value, bool | np.bool_)
        or not math.isfinite(float(value))
        or not 0 < float(value) < 1
    ):
        raise OptionError(f"{option} must be a number strictly between 0 and 1; got {value!r}")
    return float(value)


def _whole(option: str, value: object, lowest: int) -> int:
    if not isinstance(value, Integral) or isinstance(value, bool | np.bool_) or value < lowest:
        raise OptionError(f"{option} must be a whole number of at least {lowest}; got {value!r}")
    return int(value)
