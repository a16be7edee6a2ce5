"""Named constants of the SPC engine, each with its source.

"Reference" below means NHSRplotthedots 0.2.2 (``ptd_spc()``), the R package of the NHS-R
community that implements NHS England's Making Data Count (MDC) guidance.
"""

from __future__ import annotations

# --- XmR (individuals and moving range) limits -------------------------------------------------

# 3 / d2 with d2 = 1.128 for moving ranges of two points, rounded as Wheeler (Understanding
# Variation, 1993) and MDC do; reference ptd_spc_standard(): limit <- 2.66.
XMR_LIMIT_FACTOR = 2.66
# Two-thirds of the way from the mean to a limit (about two sigma); reference:
# limitclose <- 2 * (limit / 3). Written the same way so the double is bit-identical.
CLOSE_TO_LIMIT_FACTOR = 2 * (XMR_LIMIT_FACTOR / 3)
# D4 for moving ranges of two points (Wheeler); a moving range of at least 3.267 times the mean
# moving range is screened out before the limits are recomputed. Reference: screen_outliers.
MR_SCREEN_FACTOR = 3.267

# --- Rules ---------------------------------------------------------------------------------------

# MDC "shift": a run of points on one side of the mean; reference ptd_seven_point_one_side_mean().
SHIFT_LENGTH = 7
# Other shift lengths offered: 6 (IHI run-chart rule; Perla, Provost & Murray, BMJ Qual Saf 2011)
# and 8 (Western Electric / Nelson rule 2, as abspc uses).
SHIFT_LENGTHS = (6, 7, 8)
# MDC "trend": a run of points each higher (or each lower) than the one before; reference
# ptd_seven_point_trend().
TREND_LENGTH = 7
# 6 is Nelson's rule 3 (and abspc's); 7 is MDC's.
TREND_LENGTHS = (6, 7)
# MDC "two in three": at least two of three consecutive points close to a limit, all three on the
# same side of the mean; reference ptd_two_in_three().
TWO_IN_THREE_WINDOW = 3
TWO_IN_THREE_HITS = 2

# --- Segments and options ------------------------------------------------------------------------

# Reference ptd_add_short_group_warnings(): segments with fewer points than this carry
# short_group_warning = TRUE (0.2.2 flags n < 13, though its message says "n < 12").
SHORT_SEGMENT_POINTS = 13
# Reference ptd_spc_options(): fix_after_n_points must be at least 12.
MIN_FIX_AFTER_N_POINTS = 12
# The reference's warning text, reproduced verbatim so that results compare equal.
SHORT_GROUP_WARNING = (
    "Some groups have 'n < 12' observations. These have trial limits, which will be revised "
    "with each additional observation until 'n = fix_after_n_points' has been reached."
)
MISSING_PERIODS_WARNING = "{count} missing {period} period(s) between {first} and {last}"

# --- Attribute charts (P and U) --------------------------------------------------------------------

# Shewhart three-sigma limits for proportions (binomial) and rates (Poisson); Montgomery,
# Introduction to Statistical Quality Control, chapter 7. Two-sigma marks "close to a limit".
ATTRIBUTE_SIGMA = 3.0
ATTRIBUTE_CLOSE_SIGMA = 2.0

# --- Run charts -----------------------------------------------------------------------------------

# IHI run-chart rules (Perla, Provost & Murray, "The run chart", BMJ Qual Saf 2011;20:46):
# a shift is six or more consecutive points on one side of the median (points on the median
# neither count nor break it); a trend is five or more points all going up or all going down
# (a repeated value neither counts nor breaks it).
RUN_CHART_SHIFT_LENGTH = 6
RUN_CHART_TREND_LENGTH = 5

# --- Labels ---------------------------------------------------------------------------------------

IMPROVEMENT_DIRECTIONS = {"increase": 1, "neutral": 0, "decrease": -1}
COMMON_CAUSE_TYPE = "Common Cause"

# point_type, in code order (index = code).
POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
ASSURANCE_TYPES = ("consistent_pass", "consistent_fail", "inconsistent")
ASSURANCE_ICONS = {
    "consistent_pass": "pass",
    "consistent_fail": "fail",
    "inconsistent": "inconsistent",
}
VARIATION_ICONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)


def special_cause_types(shift_length: int, trend_length: int) -> tuple[str, ...]:
    """The special_cause_type labels, in code order (index = code), for the given rule lengths.

    Codes 1, 3, 5, 7 point up ("Above", "Increasing"); 2, 4, 6, 8 point down.
    """
    return (
        COMMON_CAUSE_TYPE,
        "Above UCL",
        "Below LCL",
        f"{trend_length} Point Trend (Increasing)",
        f"{trend_length} Point Trend (Decreasing)",
        "2 in 3 Above CL",
        "2 in 3 Below CL",
        f"{shift_length} Points Above CL",
        f"{shift_length} Points Below CL",
    )


# special_cause_type codes.
CODE_COMMON, CODE_ABOVE_UCL, CODE_BELOW_LCL = 0, 1, 2
CODE_TREND_UP, CODE_TREND_DOWN = 3, 4
CODE_TWO_IN_THREE_ABOVE, CODE_TWO_IN_THREE_BELOW = 5, 6
CODE_SHIFT_ABOVE, CODE_SHIFT_BELOW = 7, 8

# MDC colours, as NHSRplotthedots ptd_spc_colours() defines them.
COLOURS = {
    "common_cause": "#a6a6a6",  # grey
    "special_cause_improvement": "#00b0f0",  # blue
    "special_cause_concern": "#e46c0a",  # orange
    "special_cause_neutral_high": "#490092",  # purple
    "special_cause_neutral_low": "#490092",  # purple
    "value_line": "#a6a6a6",
    "mean_line": "#000000",
    "limits": "#a6a6a6",
    "target": "#de1b1b",
}

# The icons in words, for tables and chart subtitles.
VARIATION_WORDS = {
    "common_cause": "common cause variation",
    "improvement_high": "special cause improvement (high)",
    "improvement_low": "special cause improvement (low)",
    "concern_high": "special cause concern (high)",
    "concern_low": "special cause concern (low)",
    "neutral_high": "special cause neutral (high)",
    "neutral_low": "special cause neutral (low)",
}
ASSURANCE_WORDS = {
    "pass": "consistently passing the target",
    "fail": "consistently failing the target",
    "inconsistent": "hit and miss: the target may or may not be met",
}

# Point types as a chart's legend names them (MDC's words; no internal codes in any text).
POINT_LABELS = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause: improvement",
    "special_cause_concern": "Special cause: concern",
    "special_cause_neutral_high": "Special cause: neutral (high)",
    "special_cause_neutral_low": "Special cause: neutral (low)",
}
# Why a series has no assurance (or no variation) icon, in words.
NO_TARGET_WORDS = "no target"
NO_DIRECTION_WORDS = "not assessed: the measure has no better direction"
TOO_FEW_POINTS_WORDS = "too few points to judge"
