"""Charts of one series: an Altair spec in MDC colours, rendered to SVG, PNG and offline HTML;
units, years, the target and plain-English legends (issue 11's findings on the SPC charts)."""

from __future__ import annotations

import datetime as dt
import json
import re

import polars as pl
import pytest

from candour.analytics.spc import spc
from candour.analytics.spc.chart import (
    chart_frame,
    chart_html,
    chart_svg,
    save_chart,
    spc_chart,
    target_label,
    y_domain,
)
from candour.analytics.spc.constants import COLOURS
from candour.analytics.spc.words import assurance_words, variation_words
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
    for colour in ("special_cause_concern", "common_cause", "target"):
        assert COLOURS[colour] in text
    assert COLOURS["special_cause_improvement"] not in text  # only the types present are listed
    assert '"line": "Target 25.00"' in text
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


# A&E 4-hour performance of one trust, as proportions, falling away from a 95% target.
PERFORMANCE = [0.78, 0.76, 0.75, 0.77, 0.74, 0.73, 0.76, 0.75, 0.72, 0.74, 0.71, 0.70]
PERFORMANCE += [0.69, 0.72, 0.70, 0.68, 0.66, 0.64, 0.65, 0.62, 0.60, 0.61, 0.59, 0.58]
CODE_NAMES = re.compile(r"special_cause_|common_cause|neutral_high|neutral_low|point_type|lpl|upl")


@pytest.fixture(scope="module")
def performance():
    dates = pl.date_range(dt.date(2023, 4, 1), dt.date(2025, 3, 1), "1mo", eager=True)
    frame = pl.DataFrame({"month": dates, "performance": PERFORMANCE})
    return spc(
        frame,
        value="performance",
        date="month",
        target=0.95,
        improvement="increase",
        rebase=[dt.date(2024, 4, 1)],
    )


@pytest.fixture(scope="module")
def performance_svg(performance):
    return chart_svg(
        performance,
        title="A&E 4-hour performance: RXX",
        unit="proportion",
        value_label="Share of attendances within 4 hours",
    )


def test_a_proportion_is_drawn_in_percent(performance, performance_svg):
    spec = spc_chart(performance, unit="proportion").to_dict()
    assert {layer["encoding"]["y"]["axis"]["format"] for layer in _y_layers(spec)} == {".0%"}
    assert "Share of attendances within 4 hours (%)" in performance_svg
    assert ">70%<" in performance_svg
    assert ">0.70<" not in performance_svg
    assert "Apr 2023: 78.0% (Common cause)" in performance_svg  # each dot's description


def test_months_carry_their_years(performance_svg):
    ticks = set(re.findall(r">((?:Jan|Apr|Jul|Oct) 20\d\d)<", performance_svg))
    assert {"Jul 2023", "Jan 2024", "Jul 2024", "Jan 2025"} <= ticks
    assert ">Month<" in performance_svg


def test_the_target_is_drawn_and_within_the_scale(performance, performance_svg):
    low, high = y_domain(chart_frame(performance), 0.95, "proportion")
    assert low <= min(PERFORMANCE)
    assert high >= 0.95
    assert high <= 1.0  # a proportion's axis never passes 100%
    assert ">Target 95%<" in performance_svg
    assert ">95%<" in performance_svg  # a tick at the target's height


def test_legends_are_plain_words_without_code_names(performance_svg):
    for words in ("Mean", "Process limits", "Target 95%", "Common cause"):
        assert f">{words}<" in performance_svg
    assert ">Special cause: concern<" in performance_svg
    assert not CODE_NAMES.search(performance_svg), CODE_NAMES.findall(performance_svg)


def test_rebased_segments_are_drawn_apart(performance, performance_svg):
    spec = spc_chart(performance, unit="proportion").to_dict()
    lines = next(layer for layer in spec["layer"] if layer.get("encoding", {}).get("detail"))
    parts = {row["part"] for row in lines["data"]["values"]}
    assert {"0-mean", "1-mean", "0-upper", "1-upper"} <= parts
    assert ">Limits recalculated<" in performance_svg


def test_the_subtitle_says_when_the_data_are_synthetic(performance):
    spec = spc_chart(performance, synthetic=True).to_dict()
    assert spec["title"]["subtitle"][1].startswith("Synthetic data")
    assert "Synthetic" not in spc_chart(performance).to_dict()["title"]["subtitle"]


def test_an_unknown_unit_is_refused(performance):
    with pytest.raises(OptionError, match="unit must be one of"):
        spc_chart(performance, unit="percent")


@pytest.mark.parametrize(
    ("unit", "target", "label"),
    [("proportion", 0.95, "Target 95%"), ("proportion", 0.925, "Target 92.5%"),
     ("weeks", 18, "Target 18.0 weeks"), ("count", 1200, "Target 1,200")],
)  # fmt: skip
def test_target_labels(unit, target, label):
    assert target_label(target, unit) == label


def test_a_missing_assurance_icon_says_why():
    assert assurance_words({"assurance_icon": "pass", "target": 0.9}) == (
        "consistently passing the target"
    )
    assert assurance_words({"assurance_icon": None, "target": None}) == "no target"
    neutral = {"assurance_icon": None, "target": 5.0, "improvement": "neutral"}
    assert assurance_words(neutral).startswith("not assessed")
    hidden = {"assurance_icon": None, "variation_icon": None, "target": 0.85}
    assert assurance_words(hidden) == "too few points to judge"
    assert variation_words(hidden) == "too few points to judge"


def _y_layers(spec: dict) -> list[dict]:
    return [
        layer
        for layer in spec["layer"]
        if "y" in layer.get("encoding", {}) and "axis" in layer["encoding"]["y"]
    ]
