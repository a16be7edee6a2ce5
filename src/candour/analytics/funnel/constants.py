"""Named constants of the funnel-plot engine, each with its source.

FunnelPlotR means nhs-r-community/FunnelPlotR 0.6.0 (commit 9020d49), the reference implementation
that ``tests/conformance/funnel_cases.json`` was generated with.
"""

from __future__ import annotations

import math
from typing import Final

# Normal quantiles used for the limits. FunnelPlotR writes them to 7 significant figures
# (R/calculate_limits.R); using the exact quantiles instead would move every limit by about 1e-8
# relative, beyond the conformance tolerance of 1e-9, so Candour uses the same rounded values.
Z_95: Final = 1.959964  # qnorm(0.975): two-sided 95%
Z_998: Final = 3.090232  # qnorm(0.999): two-sided 99.8%

# Tail probability on each side for the exact Poisson limits (FunnelPlotR R/calculate_limits.R:
# qchisq(0.975 | 0.025, ...) for 95%, qchisq(0.999 | 0.001, ...) for 99.8%).
TAIL_95: Final = 0.025
TAIL_998: Final = 0.001

# The two limit levels, keyed by the ``limit`` option (99 means 99.8%, as in FunnelPlotR).
LIMIT_95: Final = 95
LIMIT_998: Final = 99
LIMIT_LEVELS: Final = (LIMIT_95, LIMIT_998)
LIMIT_LABELS: Final = {LIMIT_95: "95%", LIMIT_998: "99.8%"}

# Data types (FunnelPlotR funnel_plot(data_type=)).
STANDARDISED_RATIO: Final = "SR"  # observed / expected, e.g. SHMI
PROPORTION: Final = "PR"  # events / population
RATIO_OF_COUNTS: Final = "RC"  # count / count
DATA_TYPES: Final = (STANDARDISED_RATIO, PROPORTION, RATIO_OF_COUNTS)

# Methods for standardised ratios (FunnelPlotR funnel_plot(sr_method=)).
SHMI_METHOD: Final = "SHMI"  # log transform, truncation: NHS Digital SHMI methodology
CQC_METHOD: Final = "CQC"  # square-root transform, Winsorisation: Spiegelhalter, Stat Med 2005
SR_METHODS: Final = (SHMI_METHOD, CQC_METHOD)

SR_TARGET: Final = 1.0  # a standardised ratio is judged against 1 (observed = expected)

# Continuity correction of the ratio-of-counts transform log((O + 0.5) / (D + 0.5)) and of its
# standard error. Source: CQC, Intelligent Monitoring: Statistical Methodology (July 2014), as
# cited by the FunnelPlotR maintainer in its issue #30.
RC_CONTINUITY: Final = 0.5

# NHS Digital publishes SHMI expected deaths to 2 decimal places and computes the funnel from those
# (SHMI methodology; FunnelPlotR funnel_plot(SHMI_rounding=TRUE)).
SHMI_EXPECTED_DECIMALS: Final = 2

# Defaults of FunnelPlotR funnel_plot().
DEFAULT_TRIM_BY: Final = 0.1  # 10% in each tail (Spiegelhalter, QSHC 2005)
MAX_TRIM_BY: Final = 0.5  # trimming half of each tail would leave nothing to estimate from

# The proportion scale asin(sqrt(p)) runs from 0 (p = 0) to pi/2 (p = 1).
ARCSINE_MAX: Final = math.pi / 2

# Groups needed after trimming to estimate tau2 (DerSimonian & Laird's weights need two or more).
MIN_GROUPS_FOR_ADJUSTMENT: Final = 2

# Where FunnelPlotR starts its lookup table of limits for drawing (R/build_limits_lookup.R):
# 1.1 expected events for standardised ratios, a denominator of 3 otherwise.
CURVE_START_SR: Final = 1.1
CURVE_START_OTHER: Final = 3.0
DEFAULT_CURVE_POINTS: Final = 300

# At most this many problems are listed for one check, as in candour.importers.schema.
MAX_PROBLEMS_PER_CHECK: Final = 50
