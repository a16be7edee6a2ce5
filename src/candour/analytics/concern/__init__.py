"""Concern-first assessment of organisations, from raw observations (issue 9; oversight-methods.md
P1-P9 as corrected in §7).

Non-compensatory: favourable results never buy credit, and concerns are never averaged away.
Evidence is selected fairly (the same period for everyone, within peer groups, nothing stale, no
closed organisation), compared honestly (leave-one-out funnels, fixed SPC baselines, divergence
against the peer group's change) and counted once (one calibrated error rate per organisation).
Pure Python, Polars, NumPy and SciPy; never imports Django. The method is described in
docs/reference/concern.md.
"""

from candour.analytics.concern.core import Assessment, assess
from candour.analytics.concern.mortality import mortality_flags
from candour.analytics.concern.options import AssessOptions
from candour.analytics.concern.speakup import speakup_flags

__all__ = ["AssessOptions", "Assessment", "assess", "mortality_flags", "speakup_flags"]
