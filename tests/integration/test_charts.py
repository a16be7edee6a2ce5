"""The pages' charts as a board member reads them (issue 11): the measure's unit and name on the
axis, years on the x-axis, the target on the scale, plain legends, MDC's icons, and for funnels
the denominator, the peers and the method with τ²; no internal code anywhere in their text."""

from __future__ import annotations

import html
import re

import pytest

from candour.web.core.roles import Role

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")  # snake_case: special_cause_concern, ae_4hr_all


@pytest.fixture
def regional(client_for):
    return client_for(Role.REGIONAL)


def words(svg: str) -> str:
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    labels = re.findall(r'aria-label="([^"]*)"', svg)
    return html.unescape("\n".join(texts + labels))


def test_the_organisation_chart_is_in_percent_with_the_measure_and_target(regional):
    response = regional.get("/organisations/RJ1/measures/ae_4hr_all/chart.svg")
    assert response.status_code == 200
    text = words(response.content.decode())
    assert "A&E 4-hour performance, all department types (%)" in text  # the axis title
    assert re.search(r"^\d+%$", text, re.MULTILINE)  # percent ticks, not 0.78
    assert re.search(r"^(Jan|Apr|Jul|Oct) 2025$", text, re.MULTILINE)  # months with years
    assert "Target 78%" in text  # the interim ambition in effect for the 2024-25 series
    low, high = re.search(r"Y-axis titled .* values from (\d+)% to (\d+)%", text).groups()
    assert int(low) <= 78 <= int(high)
    assert "Variation: " in text
    assert not CODE.search(text), CODE.findall(text)


def test_the_funnel_names_its_denominator_peers_and_method(regional):
    response = regional.get("/measures/ae_4hr_all/funnel.svg")
    assert response.status_code == 200
    text = words(response.content.decode())
    assert "A&E 4-hour performance, all department types (%)" in text
    assert "Attendances, all types (denominator)" in text
    assert "Compared among " in text
    assert "τ² = " in text
    assert not re.search(r"^1\.\d+$", text, re.MULTILINE)  # no proportion above 1
    assert not CODE.search(text), CODE.findall(text)


def test_the_measure_page_shows_mdcs_icons_not_letters_in_circles(regional):
    page = regional.get("/measures/ae_4hr_all/").content.decode()
    icons = re.findall(r'<svg[^>]*class="candour-mdc-icon".*?</svg>', page, re.DOTALL)
    assert icons
    assert any('aria-label="Variation: ' in icon for icon in icons)
    assert any('aria-label="Assurance: ' in icon for icon in icons)
    assert not any("<text" in icon for icon in icons)  # drawn, not a letter in a circle


def test_the_measure_page_lists_the_funnels_outliers_with_their_z_scores(regional):
    """Issue 11: "a table of outliers with their z-scores" beside the funnel, furthest first,
    every one outside the 99.8% limits (|z| > 3.09) and nothing else."""
    page = regional.get("/measures/ae_4hr_all/").content.decode()
    table = re.search(r'<table[^>]*id="funnel-outliers".*?</table>', page, re.DOTALL)
    assert table, "no outlier table under the funnel"
    rows = re.findall(
        r"\((R\w+)\)</td>.*?z-score </span>(-?\d+\.\d)</td>.*?average </span>(above|below)</td>",
        table.group(0),
        re.DOTALL,
    )
    from candour.web.oversight.models import Measure
    from candour.web.oversight.monitoring import funnel_outlier_frame

    expected = funnel_outlier_frame(Measure.objects.get(pk="ae_4hr_all"))
    assert [code for code, _, _ in rows] == expected["group"].to_list()
    assert rows  # the bundled A&E data have clear outliers (RCU above, RJN below, ...)
    scores = [float(z) for _, z, _ in rows]
    assert scores == sorted(scores, key=abs, reverse=True)
    assert all(abs(z) > 3.09 for z in scores)
    assert all((float(z) > 0) == (side == "above") for _, z, side in rows)
    assert re.search(r"average \d+(\.\d)?%", table.group(0))  # the peers' value, in percent
