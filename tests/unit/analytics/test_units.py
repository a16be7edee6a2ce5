"""How each unit is written on charts and pages (issue 11: percentages for proportions, changes
in percentage points, axis titles with units, scales within what the unit can take)."""

from __future__ import annotations

import pytest

from candour.analytics.units import (
    UNITS,
    axis_format,
    axis_title,
    bounded,
    checked_unit,
    format_change,
    format_value,
)
from candour.exceptions import OptionError
from candour.importers import catalogue


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [(0.769, "proportion", "76.9%"), (0.0042, "proportion", "0.42%"), (1.0, "proportion", "100.0%"),
     (1204.4, "count", "1,204"), (1.0754, "ratio", "1.08"), (18.44, "weeks", "18.4 weeks"),
     (6.714, "score", "6.71"), (6.714, None, "6.71"), (0.0, "proportion", "0.0%"), (None, "proportion", "–")],
)  # fmt: skip
def test_values_are_written_in_their_unit(value, unit, shown):
    assert format_value(value, unit) == shown


@pytest.mark.parametrize(
    ("change", "unit", "shown"),
    [(-0.03, "proportion", "−3.0 percentage points"), (0.01, "proportion", "+1.0 percentage point"),
     (0.004, "proportion", "+0.40 percentage points"), (0.0, "proportion", "0.0 percentage points"),
     (1204, "count", "+1,204"), (-0.012, "ratio", "−0.01"), (0.5, "weeks", "+0.5 weeks")],
)  # fmt: skip
def test_a_change_in_a_proportion_is_in_percentage_points(change, unit, shown):
    assert format_change(change, unit) == shown


@pytest.mark.parametrize(
    ("label", "unit", "title"),
    [("A&E 4-hour performance", "proportion", "A&E 4-hour performance (%)"),
     ("A&E 4-hour performance (%)", "proportion", "A&E 4-hour performance (%)"),
     ("Median wait", "weeks", "Median wait (weeks)"), ("Attendances", "count", "Attendances"),
     ("SHMI", "ratio", "SHMI (ratio)"), ("Score", None, "Score")],
)  # fmt: skip
def test_axis_titles_carry_the_unit(label, unit, title):
    assert axis_title(label, unit) == title


def test_a_proportion_axis_is_in_percent_with_a_decimal_when_narrow():
    assert axis_format("proportion", 0.3) == ".0%"
    assert axis_format("proportion", 0.02) == ".1%"
    assert axis_format("count") == ",.0f"
    assert axis_format(None) is None


def test_scales_stay_within_what_the_unit_can_take():
    assert bounded(-0.1, 1.2, "proportion") == (0.0, 1.0)
    assert bounded(-3.0, 40.0, "weeks") == (0.0, 40.0)
    assert bounded(-3.0, 4.0, "score") == (-3.0, 4.0)


def test_the_units_are_the_catalogues():
    assert set(UNITS) == set(catalogue.UNITS)
    assert checked_unit(None) is None
    with pytest.raises(OptionError, match="unit must be one of"):
        checked_unit("percent")
