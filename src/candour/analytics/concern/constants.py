"""Named constants of the concern-first assessment, each with its source.

"P1" to "P9" are the proposals of shared/reference/oversight-methods.md, section 6; "§7" is its
section 7, the corrections made after measuring the first assessment on real data. The method is
described in docs/reference/concern.md.
"""

from __future__ import annotations

from typing import Final

# --- Vocabularies ------------------------------------------------------------------------------

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
DOMAIN_NAMES: Final = {
    "safe": "Safe",
    "effective": "Effective",
    "caring": "Caring",
    "responsive": "Responsive",
    "well_led": "Well-led",
    "staff_voice": "Staff voice",
    "performance": "Performance",
}

# Which direction is better, as in NHSRplotthedots / the SPC engine's ``improvement_direction``.
INCREASE: Final = "increase"
DECREASE: Final = "decrease"
NEUTRAL: Final = "neutral"  # neither is better: context, never a concern (§7: item 5)
IMPROVEMENTS: Final = (INCREASE, DECREASE, NEUTRAL)

# How a measure's organisations are compared with their peers.
PROPORTION: Final = "proportion"  # numerator of denominator: binomial, arcsine funnel (PR)
RATIO: Final = "ratio"  # observed / expected events, e.g. deaths: Poisson funnel (SR, CQC method)
VALUE: Final = "value"  # a published figure without its sampling error (an index, a median)
COMPARISONS: Final = (PROPORTION, RATIO, VALUE)

# The peer groups of §7 ("acute, specialist, mental health, community, ambulance"), named as the
# importers name organisation types (candour.importers: ORGANISATION_TYPES).
PEER_GROUPS: Final = ("Acute", "Acute specialist", "Mental health", "Community", "Ambulance")

PERIOD_TYPES: Final = ("month", "quarter", "year", "financial_year")

# --- Kinds of flag (one error-rate family, §7 and issue 9 item 8) --------------------------------

FUNNEL: Final = "funnel"  # worse than similar organisations in the same period
SPC: Final = "spc"  # special-cause concern in its own recent data (Making Data Count)
DIVERGENCE: Final = "divergence"  # target improved while its balance worsened (P3, corrected)
FAMILY_KINDS: Final = (FUNNEL, SPC, DIVERGENCE)
# Reported events, not statistical tests: outside the error-rate family, raise the status as
# evidence that must be answered (a person said they suffered detriment for speaking up).
SPEAK_UP: Final = "speak_up"
# An open mortality alert (O/E CUSUM, issue 13): its own false-alarm rate was set by design.
MORTALITY_ALERT: Final = "mortality_alert"
NO_RECENT_DATA_KIND: Final = "no_recent_data"
KINDS: Final = (*FAMILY_KINDS, SPEAK_UP, MORTALITY_ALERT, NO_RECENT_DATA_KIND)

# --- Levels --------------------------------------------------------------------------------------

# The CQC Intelligent Monitoring grades (CQC hospital IM page; Stockport IM report, July 2014), with
# P2's level for silence that cannot reassure, and §7's "no recent data".
ELEVATED_RISK: Final = "elevated risk"
RISK: Final = "risk"
NO_RECENT_DATA: Final = "no recent data"
UNINFORMATIVE: Final = "uninformative"
NO_EVIDENCE: Final = "no evidence of concern"
NOT_COMPARED: Final = "not compared"  # no peer group, or no measure applies to its type
# Worst first. "no recent data" ranks above "uninformative": data that stopped arriving is itself
# something to follow up, never a reason for comfort.
LEVELS: Final = (ELEVATED_RISK, RISK, NO_RECENT_DATA, UNINFORMATIVE, NO_EVIDENCE, NOT_COMPARED)
LEVEL_RANK: Final = {level: len(LEVELS) - i for i, level in enumerate(LEVELS)}
CONCERN_LEVELS: Final = (ELEVATED_RISK, RISK)

# --- Thresholds ----------------------------------------------------------------------------------

# Issue 9 item 8: with no real differences, at most 5% of organisations are flagged ("risk" or
# worse); "elevated risk" at 1%, matching P7's two levels.
FAMILY_ALPHA: Final = 0.05
ELEVATED_ALPHA: Final = 0.01

# Draws of the null simulation that calibrates each organisation's threshold (common random
# numbers, seeded): the adjusted p-value's resolution is 1 / draws.
CALIBRATION_DRAWS: Final = 10_000
CALIBRATION_SEED: Final = 20190401
# Two kinds of test are treated as correlated only when at least this many organisations have both
# (a correlation from fewer is mostly noise); below it they are treated as independent.
MIN_CORRELATION_OVERLAP: Final = 20

# §7: compare the latest period that *most* eligible organisations have reported.
MAJORITY: Final = 0.5
# Fewer organisations than this in a peer group and period, and no comparison is made: between-
# organisation variance (tau^2) cannot be estimated (as the funnel pages: MIN_FUNNEL_GROUPS).
MIN_PEERS: Final = 10

# Making Data Count: limits from a baseline of 15 to 20 points (NHS England, "Making Data Count:
# Getting started", 2019, and MDC's "Strengthening your decisions"); a current signal is one within
# the last 6 points (issue 9 item 5).
MIN_BASELINE_POINTS: Final = 15
RECENT_POINTS: Final = 6

# P3 as corrected in §7: the base period is the same period a year earlier where it exists (so
# seasonality cancels), else the earliest period both measures share in the same segment.
DIVERGENCE_BASE_MONTHS: Final = 12

# Issue 9 item 4: a national standard missed by most of a peer group is a system finding.
SYSTEM_SHARE: Final = 0.5

# Issue 9 item 9 / §7 (P2 corrected): reassurance when the organisation's own one-sided 95%
# confidence bound excludes a clinically relevant deficit from the peer value.
REASSURANCE_ALPHA: Final = 0.05

# Robust standardisation of published values without a sampling error: MAD x 1.4826 estimates the
# standard deviation of a normal distribution (Hampel 1974).
MAD_TO_SD: Final = 1.482602218505602
# ... and is 37% efficient for normal data (Huber, Robust Statistics, 1981): a z-score it
# standardises, from m organisations, has about 0.37 (m - 1) degrees of freedom.
MAD_EFFICIENCY: Final = 0.37

# Winsorising standard normal z-scores at their 10% and 90% quantiles (Spiegelhalter 2005, as the
# funnels do) shrinks their mean square to E[clip(Z, -q, q)^2] = 0.8 - 2 q phi(q) + 0.2 q^2 with
# q = 1.2816, that is 0.6787: the assessment divides phi by it, so that with no outliers phi
# estimates 1 and tau^2 is not underestimated (which inflated every z by about a fifth and flagged
# 17% of organisations in data with no real differences). A consistency factor, like MAD's
# 1.4826; the funnel charts keep FunnelPlotR's uncorrected phi for conformance.
WINSORISED_MEAN_SQUARE: Final = 0.6786545589528744

# That robust spread, estimated from m organisations, is worth about 60% of m - 1 degrees of
# freedom: with normal data the z-scores it gives have the tails of Student's t on 0.6 (m - 1)
# (simulated for 10 to 50 peers; tests/unit/analytics/test_concern_crosssection.py keeps it so).
WINSORISED_EFFICIENCY: Final = 0.6

# "p<0.001" below this in sentences.
SMALLEST_SHOWN_P: Final = 0.001
