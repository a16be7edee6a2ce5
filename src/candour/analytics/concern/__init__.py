"""Concern-first assessment of organisations (P1, P2, P3, P6, P7 of oversight-methods.md).

Non-compensatory: favourable results add exactly nothing, the headline is the worst domain and
never an average, silence reassures only where it had the power to detect a relevant change, and
flags are corrected for multiplicity. Pure Python, Polars, NumPy and SciPy; never imports Django.
The method is described in docs/reference/concern.md.
"""

from candour.analytics.concern.core import ConcernAssessment, assess
from candour.analytics.concern.from_funnel import funnel_scale_change, signals_from_funnel
from candour.analytics.concern.null import NullDistribution, null_distribution
from candour.analytics.concern.options import ConcernOptions
from candour.analytics.concern.rules import benjamini_hochberg, power
from candour.analytics.concern.speakup import speakup_flags

__all__ = [
    "ConcernAssessment",
    "ConcernOptions",
    "NullDistribution",
    "assess",
    "benjamini_hochberg",
    "funnel_scale_change",
    "null_distribution",
    "power",
    "signals_from_funnel",
    "speakup_flags",
]
