"""Charts of one series: an Altair spec in MDC colours, rendered to SVG, PNG and offline HTML."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from candour.analytics.spc import spc
from candour.analytics.spc.chart import chart_html, chart_svg, save_chart, spc_chart
from candour.analytics.spc.constants import COLOURS
from candour.exceptions import OptionError

VALUES = [10.0, 12.0, 9.0, 11.0, 10.0, 13.0, 8.0, 11.0, 12.0, 9.0, 10.0, 11.0, 9.0, 12.0, 30.0]


@pytest.fixture(scope="module")
def result():
    dates = pl.date_range(dt.date(2021, 1, 1), dt.date(2022, 3, 1), "1mo", eager=True)
    frame = pl.DataFrame({"month": dates, "waits": VALUES, "trust": "RXX"})
    return spc(frame, value="waits", date="month", group="trust", target=25, improvement="decrease")


def test_spec_draws_mdc_colours_target_and_icons(result):
    spec = spc_chart(result).to_dict()
    text = json.dumps(spec)
    assert spec["title"]["text"] == "waits: trust = RXX"
    # 30 is above the UPL (17.9) and lower is better; the target 25 is above the UPL too.
    assert spec["title"]["subtitle"] == (
        "Variation: special cause concern (high). Assurance: consistently passing the target."
    )
    for colour in ("special_cause_improvement", "special_cause_concern", "common_cause", "target"):
        assert COLOURS[colour] in text
    assert '"target": 25.0' in text
    assert "strokeDash" in text  # dashed process limits


def test_svg_contains_the_title(result):
    svg = chart_svg(result)
    assert svg.startswith("<svg")
    assert "waits: trust = RXX" in svg
    assert "<script" not in svg


def test_html_embeds_vega_without_a_cdn(result):
    html = chart_html(result)
    assert "waits: trust = RXX" in html
    assert "cdn.jsdelivr" not in html
    assert "<script src=" not in html


@pytest.mark.parametrize("suffix", [".svg", ".png", ".html"])
def test_save_chart_by_suffix(result, tmp_path, suffix):
    path = save_chart(result, tmp_path / f"chart{suffix}")
    data = path.read_bytes()
    if suffix == ".png":
        assert data[:4] == b"\x89PNG"
    else:
        assert b"waits: trust = RXX" in data


def test_unknown_chart_format_rejected(result, tmp_path):
    with pytest.raises(OptionError, match=r"\.html, \.svg, \.png"):
        save_chart(result, tmp_path / "chart.pdf")


def test_several_series_need_a_key(result):
    rows = result.points.select("trust", "date", "value")
    both = spc(
        pl.concat([rows, rows.with_columns(trust=pl.lit("RYY"))]),
        value="value",
        date="date",
        group="trust",
    )
    with pytest.raises(OptionError, match="holds 2 series"):
        spc_chart(both)
    assert "trust = RYY" in chart_svg(both, "RYY")
