"""MDC's variation and assurance icons, drawn as SVG (issue 11: the official icons, not letters
in circles), chosen per result and shown on the SPC chart."""

from __future__ import annotations

import base64
import datetime as dt
import re

import polars as pl
import pytest

from candour.analytics.spc import spc
from candour.analytics.spc.chart import chart_svg, spc_chart
from candour.analytics.spc.icons import (
    ICON_BLUE,
    ICON_GREY,
    ICON_ORANGE,
    ICON_PURPLE,
    ICON_RING_GREY,
    assurance_icon,
    icon_data_url,
    icon_svg,
    summary_icons,
    variation_icon,
)


@pytest.mark.parametrize(
    ("code", "colour", "letter", "raised"),
    [("common_cause", ICON_RING_GREY, None, None), ("improvement_high", ICON_BLUE, "H", True),
     ("improvement_low", ICON_BLUE, "L", False), ("concern_high", ICON_ORANGE, "H", True),
     ("concern_low", ICON_ORANGE, "L", False), ("neutral_high", ICON_PURPLE, "H", True),
     ("neutral_low", ICON_PURPLE, "L", False)],
)  # fmt: skip
def test_each_variation_has_its_icon(code, colour, letter, raised):
    icon = variation_icon(code)
    assert (icon.colour, icon.letter) == (colour, letter)
    if raised is not None:  # y grows downwards: the last two dots beyond the first three
        beyond = (
            max(icon.dots[3:]) < min(icon.dots[:3])
            if raised
            else (min(icon.dots[3:]) > max(icon.dots[:3]))
        )
        assert beyond
    drawn = icon_svg(icon)
    assert f'stroke="{colour}"' in drawn  # the ring
    coloured_dots = drawn.count(f'r="2.2" fill="{colour}"')
    assert coloured_dots == (0 if letter is None else 2)
    assert drawn.count(f'r="2.2" fill="{ICON_GREY}"') == (5 if letter is None else 3)


@pytest.mark.parametrize(
    ("code", "colour", "letter", "process_side"),
    [("pass", ICON_BLUE, "P", "above"), ("fail", ICON_ORANGE, "F", "below"),
     ("inconsistent", ICON_RING_GREY, "?", "across")],
)  # fmt: skip
def test_each_assurance_has_its_icon(code, colour, letter, process_side):
    icon = assurance_icon(code)
    assert (icon.colour, icon.letter) == (colour, letter)
    heights = [float(y) for y in re.findall(r"[\d.]+ ([\d.]+)", icon.process_path)]
    above, below = min(heights) < icon.target_height, max(heights) > icon.target_height
    assert {"above": (True, False), "below": (False, True), "across": (True, True)}[
        process_side
    ] == (above, below)
    assert 'stroke-dasharray="' in icon_svg(icon)  # the target, dashed


def test_no_icon_when_the_series_has_none():
    assert variation_icon(None) is None
    assert assurance_icon(None) is None
    assert summary_icons({"variation_icon": "common_cause", "assurance_icon": None}) == [
        variation_icon("common_cause")
    ]


def test_icons_are_drawn_not_lettered_and_named_in_words():
    drawn = icon_svg(variation_icon("concern_low"), size=28)
    assert "<text" not in drawn  # letters are strokes, not a letter in a circle
    assert 'aria-label="Variation: special cause concern (low)"' in drawn
    assert 'width="28"' in drawn
    assert "http" not in drawn.replace('xmlns="http://www.w3.org/2000/svg"', "")
    url = icon_data_url(assurance_icon("fail"))
    assert base64.b64decode(url.split(",", 1)[1]).decode() == icon_svg(assurance_icon("fail"))


def test_the_chart_shows_the_series_icons():
    dates = pl.date_range(dt.date(2023, 1, 1), dt.date(2024, 12, 1), "1mo", eager=True)
    values = [0.8] * 12 + [0.6] * 12
    frame = pl.DataFrame({"month": dates, "performance": values})
    result = spc(frame, value="performance", date="month", target=0.95, improvement="increase")
    spec = spc_chart(result, unit="proportion").to_dict()
    images = [layer for layer in spec["layer"] if layer["mark"]["type"] == "image"]
    assert [layer["mark"]["url"] for layer in images] == [
        icon_data_url(variation_icon("concern_low")),
        icon_data_url(assurance_icon("fail")),
    ]
    svg = chart_svg(result, unit="proportion")
    assert 'aria-label="Variation: special cause concern (low)"' in svg
    assert 'aria-label="Assurance: consistently failing the target"' in svg
