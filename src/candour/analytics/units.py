"""The units a measure is counted in, and how charts and pages write each one.

The units are those of the measures catalogue (``candour.importers.catalogue.UNITS``). A
proportion is stored as a fraction from 0 to 1 and always shown as a percentage; a change in a
proportion is shown in percentage points, never as a percentage (a fall from 80% to 77% is
3.0 percentage points, which is a 3.75% fall).

Formats for charts are d3-format strings (https://d3js.org/d3-format), as Vega-Lite takes them.
"""

from __future__ import annotations

from candour.exceptions import OptionError

PROPORTION = "proportion"
RATIO = "ratio"
COUNT = "count"
SCORE = "score"
WEEKS = "weeks"
UNITS = (PROPORTION, RATIO, COUNT, SCORE, WEEKS)

# Below 1% a proportion is shown to hundredths of a percent, so that small rates do not read as
# 0.0% (the convention of Candour's pages since the first release).
SMALL_PROPORTION = 0.01

# Every value of these units is at least 0; a proportion is at most 1. Chart scales are kept
# within these bounds even when process or funnel limits stray outside them.
LOWER_BOUND = {PROPORTION: 0.0, COUNT: 0.0, WEEKS: 0.0, RATIO: 0.0}
UPPER_BOUND = {PROPORTION: 1.0}

# What the axis title adds to the measure's name, by unit.
AXIS_SUFFIX = {PROPORTION: " (%)", WEEKS: " (weeks)", SCORE: " (score)", RATIO: " (ratio)"}

# d3-format strings of axis labels.
AXIS_FORMAT = {PROPORTION: ".0%", COUNT: ",.0f", RATIO: ".2f", SCORE: ".1f", WEEKS: ".0f"}
FINE_PROPORTION_FORMAT = ".1%"
# A proportion axis spanning less than this (10 percentage points) gets a decimal place: its
# ticks are half a point apart or closer, which whole percents would print twice.
FINE_PROPORTION_SPAN = 0.1


def checked_unit(unit: str | None) -> str | None:
    """``unit`` if it is one of :data:`UNITS` (or None: plain numbers); else an OptionError."""
    if unit is not None and unit not in UNITS:
        raise OptionError(f"unit must be one of {', '.join(UNITS)}; got {unit!r}")
    return unit


def axis_title(label: str, unit: str | None) -> str:
    """The axis title: the measure's name and its unit, e.g. "A&E 4-hour performance (%)"."""
    suffix = AXIS_SUFFIX.get(unit, "")
    return label if label.endswith(suffix) else f"{label}{suffix}"


def axis_format(unit: str | None, span: float | None = None) -> str | None:
    """The d3 format of axis labels; a narrow proportion axis gets one decimal place."""
    if unit == PROPORTION and span is not None and span < FINE_PROPORTION_SPAN:
        return FINE_PROPORTION_FORMAT
    return AXIS_FORMAT.get(unit)


def format_value(value: float | None, unit: str | None) -> str:
    """A value as a page writes it: "76.9%", "1,204", "0.99", "18.4 weeks", "6.71"."""
    if value is None:
        return "–"
    if unit == PROPORTION:
        digits = 2 if 0 < abs(value) < SMALL_PROPORTION else 1
        return f"{value * 100:.{digits}f}%"
    if unit == COUNT:
        return f"{round(value):,}"
    if unit == RATIO:
        return f"{value:.2f}"  # as boards read SHMI: 1.08, not 1.0754
    if unit == WEEKS:
        return f"{value:.1f} weeks"
    return f"{value:.2f}"


def format_change(change: float | None, unit: str | None) -> str:
    """A change between two values, signed: "−3.0 percentage points" for a proportion (never
    "−3.0%"), "+1,204", "−0.01", "+0.5 weeks". Uses the minus sign U+2212."""
    if change is None:
        return "–"
    sign = "+" if change > 0 else "−" if change < 0 else ""
    size = abs(change)
    if unit == PROPORTION:
        digits = 2 if 0 < size < SMALL_PROPORTION else 1
        points = size * 100
        word = "percentage point" if round(points, digits) == 1 else "percentage points"
        return f"{sign}{points:.{digits}f} {word}"
    return f"{sign}{format_value(size, unit)}"


def bounded(low: float, high: float, unit: str | None) -> tuple[float, float]:
    """``(low, high)`` kept within the values the unit can take."""
    floor, ceiling = LOWER_BOUND.get(unit), UPPER_BOUND.get(unit)
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    return low, high
