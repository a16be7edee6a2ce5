"""Funnel plots with overdispersion adjustment (Spiegelhalter 2005), conforming to FunnelPlotR.

Pure Python, Polars, NumPy and SciPy; never imports Django. The chart lives in
:mod:`candour.analytics.funnel.chart` so that computing does not pull in Altair.
"""

from candour.analytics.funnel.core import FunnelResult, funnel
from candour.analytics.funnel.dispersion import dispersion_ratio, tau2
from candour.analytics.funnel.limits import calculate_limits, poisson_limits
from candour.analytics.funnel.options import FunnelOptions

__all__ = [
    "FunnelOptions",
    "FunnelResult",
    "calculate_limits",
    "dispersion_ratio",
    "funnel",
    "poisson_limits",
    "tau2",
]
