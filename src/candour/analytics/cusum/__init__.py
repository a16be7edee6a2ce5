"""Mortality monitoring charts: the risk-adjusted (Bernoulli) CUSUM, the O/E Poisson CUSUM, the
standardised CUSUM and VLAD, for many series at once; their design (ARL, thresholds, signal
probability over a horizon); and the alerts they raise.

See docs/reference/cusum.md.
"""

from candour.analytics.cusum.alerts import alerts
from candour.analytics.cusum.core import (
    ChartSpec,
    bernoulli_cusum,
    poisson_cusum,
    standardised_cusum,
    vlad,
)

__all__ = [
    "ChartSpec",
    "alerts",
    "bernoulli_cusum",
    "poisson_cusum",
    "standardised_cusum",
    "vlad",
]
