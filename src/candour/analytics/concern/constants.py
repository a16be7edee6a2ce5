"""Named constants of the concern engine, each with its source.

"P1" to "P9" are the proposals of shared/reference/oversight-methods.md, section 6; the method is
described in docs/reference/concern.md.
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Final

# --- Vocabularies of the input frames ----------------------------------------------------------

# The CQC's five key questions plus the two that oversight must never let averages hide: what staff
# say (P6) and operational performance against targets.
DOMAINS: Final = (
    "safe",
    "effective",
    "caring",
    "responsive",
    "well_led",
    "staff_voice",
    "performance",
)

# Which direction is better, as in NHSRplotthedots / the SPC engine's ``improvement_direction``.
INCREASE: Final = "increase"
DECREASE: Final = "decrease"
NEUTRAL: Final = "neutral"  # neither is better: a departure either way is a concern (two-sided)
IMPROVEMENTS: Final = (INCREASE, DECREASE, NEUTRAL)

# What part a measure plays (P3, P6).
TARGET: Final = "target"  # a national or local target; failing SPC assurance on it is a concern
BALANCE: Final = "balance"  # a balancing measure (IHI): does hitting a target cause harm elsewhere?
STAFF_VOICE: Final = "staff_voice"  # what staff say: weighted at least as a target (P6)
OTHER: Final = "other"
ROLES: Final = (TARGET, BALANCE, STAFF_VOICE, OTHER)

# NHS "Making Data Count" variation and assurance icons, as the SPC engine names them.
COMMON_CAUSE: Final = "common_cause"
IMPROVEMENT_HIGH: Final = "improvement_high"
IMPROVEMENT_LOW: Final = "improvement_low"
CONCERN_HIGH: Final = "concern_high"
CONCERN_LOW: Final = "concern_low"
NEUTRAL_HIGH: Final = "neutral_high"
NEUTRAL_LOW: Final = "neutral_low"
VARIATION_ICONS: Final = (
    COMMON_CAUSE,
    IMPROVEMENT_HIGH,
    IMPROVEMENT_LOW,
    CONCERN_HIGH,
    CONCERN_LOW,
    NEUTRAL_HIGH,
    NEUTRAL_LOW,
)
# The icons an SPC chart can show for each improvement direction (MDC: a chart only calls a
# special cause "improvement" or "concern" when the direction is set, and "neutral" when it is
# not). Anything else means the direction was mapped wrongly somewhere.
ICONS_FOR_IMPROVEMENT: Final = {
    INCREASE: (COMMON_CAUSE, IMPROVEMENT_HIGH, CONCERN_LOW),
    DECREASE: (COMMON_CAUSE, IMPROVEMENT_LOW, CONCERN_HIGH),
    NEUTRAL: (COMMON_CAUSE, NEUTRAL_HIGH, NEUTRAL_LOW),
}
# Special causes that are a concern: the MDC concern icons, and, because Candour treats a neutral
# measure as two-sided, a neutral special cause on a neutral measure.
SPC_CONCERN_ICONS: Final = (CONCERN_HIGH, CONCERN_LOW, NEUTRAL_HIGH, NEUTRAL_LOW)

ASSURANCE_PASS: Final = "pass"  # noqa: S105 - an MDC icon name, not a password
ASSURANCE_FAIL: Final = "fail"
ASSURANCE_INCONSISTENT: Final = "inconsistent"
ASSURANCE_ICONS: Final = (ASSURANCE_PASS, ASSURANCE_FAIL, ASSURANCE_INCONSISTENT)

DEFAULT_WEIGHT: Final = 1.0  # P1: w_k, when a measure's weight is not given

# --- Levels ----------------------------------------------------------------------------------------

# The CQC Intelligent Monitoring grades (CQC hospital IM page; Stockport IM report, July 2014), with
# P2's fourth level for silence that cannot reassure.
ELEVATED_RISK: Final = "elevated risk"
RISK: Final = "risk"
UNINFORMATIVE: Final = "uninformative"
NO_EVIDENCE: Final = "no evidence of concern"
# Worst first. "uninformative" ranks above "no evidence of concern": a domain or organisation can
# only be reassuring if every part of it is (P2; non-compensatory, as P1).
LEVELS: Final = (ELEVATED_RISK, RISK, UNINFORMATIVE, NO_EVIDENCE)
LEVEL_RANK: Final = {level: len(LEVELS) - i for i, level in enumerate(LEVELS)}
CONCERN_LEVELS: Final = (ELEVATED_RISK, RISK)

# SPC rules are not corrected for multiplicity across organisations and measures, so on their own
# they raise "risk", never "elevated risk" (P7 keeps "elevated" for q <= 0.01).
SPC_CONCERN_LEVEL: Final = RISK

# --- Thresholds ------------------------------------------------------------------------------------

# P7: Benjamini-Hochberg q-value thresholds across all organisations x measures.
RISK_Q: Final = 0.05
ELEVATED_Q: Final = 0.01

# P2: power to detect the relevant change delta at two-sided 5%, pi = Phi(delta / SE - 1.96);
# silence is assurance only if pi >= 0.8 (the conventional 80% power).
POWER_ALPHA: Final = 0.05
INFORMATIVE_POWER: Final = 0.8

# P1: crit_d is the null 99th percentile of a domain's concern sum.
DOMAIN_QUANTILE: Final = 0.99

# P3: flag divergence when D >= z_{0.95} = 1.645 (intersection-union test at 5%, Berger 1982);
# Candour calls D >= z_{0.99} = 2.326 "elevated risk", matching P7's two levels.
DIVERGENCE_ALPHA: Final = 0.05
DIVERGENCE_ELEVATED_ALPHA: Final = 0.01

# --- The null distribution of a domain's concern sum (P1) ----------------------------------------

# The sum's distribution is computed on a grid of this many cells by convolving each measure's
# exact distribution (FFT), every cell's mass rounded up to the cell's upper edge; see null.py.
NULL_GRID_CELLS: Final = 2**17
# The grid runs to a point the sum exceeds with probability below this under the null.
NULL_TAIL_BOUND: Final = 1e-13
# Domain p-values below this are reported as this: floating-point error in the FFT is ~1e-13.
MIN_DOMAIN_P: Final = 1e-10

# --- Explanations ----------------------------------------------------------------------------------

SMALLEST_SHOWN_P: Final = 0.001  # "p<0.001" below this


def normal_upper_quantile(alpha: float) -> float:
    """z with P(Z > z) = alpha for a standard normal Z."""
    return NormalDist().inv_cdf(1 - alpha)
