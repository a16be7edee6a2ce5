"""The mortality alert settings, read and validated in one place (docs/reference/cusum.md).

``settings.MORTALITY_ALERTS`` (candour.web.config.settings.base) holds them; :func:`config`
raises ``ImproperlyConfigured`` naming the key and what was expected, and the system check in
:mod:`candour.web.mortality.checks` calls it at start-up so a bad value stops the server early.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from candour.analytics.cusum.monitor import ALERT_FALSE_ALARM_RATE, ALERT_RATE_RATIO

# Defaults, each with its source.
RESPONSE_DAYS = 30  # the default: the trust answers within 30 days
# An alert opened on this many person-days without a response is flagged ("seen 12 times in 40
# days, no response"): ten looks, by whoever, with nothing written back. Mid Staffordshire's
# alerts were seen 847 times (Jarman, Lancet 2013).
SEEN_WITHOUT_RESPONSE = 10
KEYS = ("false_alarm_rate", "rate_ratio", "response_days", "seen_without_response")


@dataclass(frozen=True)
class AlertSettings:
    false_alarm_rate: float  # per series-year
    rate_ratio: float
    response_days: int
    seen_without_response: int


def _number(name: str, value, *, whole: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ImproperlyConfigured(f"MORTALITY_ALERTS[{name!r}] must be a number, not {value!r}")
    if whole and (not float(value).is_integer() or value < 1):
        raise ImproperlyConfigured(
            f"MORTALITY_ALERTS[{name!r}] must be a whole number of at least 1, not {value!r}"
        )
    return value


def config() -> AlertSettings:
    given = dict(getattr(settings, "MORTALITY_ALERTS", {}))
    unknown = sorted(set(given) - set(KEYS))
    if unknown:
        raise ImproperlyConfigured(
            f"MORTALITY_ALERTS has unknown keys {unknown}; the keys are {list(KEYS)}"
        )
    rate = _number("false_alarm_rate", given.get("false_alarm_rate", ALERT_FALSE_ALARM_RATE))
    if not 0 < rate < 1:
        raise ImproperlyConfigured(
            f"MORTALITY_ALERTS['false_alarm_rate'] (per series-year) must be between 0 and 1, "
            f"not {rate!r}"
        )
    ratio = _number("rate_ratio", given.get("rate_ratio", ALERT_RATE_RATIO))
    if ratio <= 1:
        raise ImproperlyConfigured(
            f"MORTALITY_ALERTS['rate_ratio'] (the excess of deaths to detect) must be above 1, "
            f"not {ratio!r}"
        )
    return AlertSettings(
        false_alarm_rate=float(rate),
        rate_ratio=float(ratio),
        response_days=int(
            _number("response_days", given.get("response_days", RESPONSE_DAYS), whole=True)
        ),
        seen_without_response=int(
            _number(
                "seen_without_response",
                given.get("seen_without_response", SEEN_WITHOUT_RESPONSE),
                whole=True,
            )
        ),
    )
