"""Screenshots of an SPC chart and a funnel chart, from bundled open data, as Chromium draws them.

Issue 11: a board member must read the charts at a glance: units (%), years on the x-axis, the
target on the chart, plain-English legends, and no internal codes. Each chart is rendered to SVG
by Candour (as the web pages embed it), drawn by Debian's chromium, and compared with a reference
PNG committed under ``tests/browser/screenshots/reference/``, allowing a small share of pixels to
differ (font hinting and anti-aliasing vary a little between machines).

To regenerate the references after an intended change to the charts (then look at them):

    CANDOUR_REGENERATE_SCREENSHOTS=1 CANDOUR_DATABASE_URL= .venv/bin/pytest -p no:cacheprovider \
        -m browser tests/browser/test_chart_screenshots.py
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
import re
from pathlib import Path

import polars as pl
import pytest

from candour.analytics.funnel import funnel
from candour.analytics.funnel.chart import funnel_svg
from candour.analytics.spc import spc
from candour.analytics.spc.chart import chart_svg
from candour.importers.catalogue import measures
from candour.importers.datasets import DATASETS
from candour.importers.targets import load_targets

pytestmark = pytest.mark.browser

REFERENCE = Path(__file__).resolve().parent / "screenshots" / "reference"
REGENERATE = os.environ.get("CANDOUR_REGENERATE_SCREENSHOTS") == "1"
# A pixel differs when any channel differs by more than CHANNEL_TOLERANCE (of 255); the test
# fails when more than PIXEL_TOLERANCE of the pixels differ. Measured: the same chart differs in
# no pixel; one legend word changed ("Mean" to "Average") moves 0.05% of them, "Target 95%" to
# "Target 0.95" 0.025%.
CHANNEL_TOLERANCE = 48
PIXEL_TOLERANCE = 0.0002

MEASURE = "ae_4hr_all"  # A&E 4-hour performance, all department types
TRUST = "RJ1"  # Guy's and St Thomas'
FUNNEL_MONTH = dt.date(2018, 4, 1)
PEER_GROUP = "trusts with a type 1 A&E department"
# Internal codes: snake_case tokens (special_cause_neutral_high, concern_low, ae_4hr_all).
CODE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


@pytest.fixture(scope="module")
def four_hour() -> pl.DataFrame:
    data = DATASETS["ae_attendances"].load()
    return data.observations.filter(pl.col("measure_id") == MEASURE)


@pytest.fixture(scope="module")
def spc_svg(four_hour) -> str:
    measure = measures()[MEASURE]
    target = next(t for t in load_targets() if t.measure == MEASURE and t.threshold == 0.95)
    series = four_hour.filter(pl.col("ods_code") == TRUST).sort("period_start")
    result = spc(
        series.select("period_start", "value"),
        value="value",
        date="period_start",
        target=target.threshold,
        improvement=measure.improvement,
    )
    return chart_svg(
        result, title=f"{measure.name}: {TRUST}", unit=measure.unit, value_label=measure.name
    )


@pytest.fixture(scope="module")
def funnel_chart_svg(four_hour) -> str:
    measure = measures()[MEASURE]
    type1 = (
        DATASETS["ae_attendances"]
        .load()
        .observations.filter(
            (pl.col("measure_id") == "ae_4hr_type1") & (pl.col("period_start") == FUNNEL_MONTH)
        )
    )
    peers = four_hour.filter(
        (pl.col("period_start") == FUNNEL_MONTH)
        & pl.col("ods_code").is_in(type1["ods_code"].implode())
    )
    result = funnel(
        peers.select("ods_code", "numerator", "denominator"),
        numerator="numerator",
        denominator="denominator",
        group="ods_code",
        data_type="PR",
    )
    return funnel_svg(
        result,
        title=f"{measure.name}, {FUNNEL_MONTH:%B %Y}",
        y_label=measure.name,
        denominator_label=measure.denominator,
        peer_group=PEER_GROUP,
    )


def visible_text(svg: str) -> str:
    """The words a reader sees or hears: text elements, titles and aria-labels (not data URLs
    or path data)."""
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    labels = re.findall(r'aria-label="([^"]*)"', svg)
    return html.unescape("\n".join(texts + labels))


def test_the_spc_chart_reads_in_percent_with_years_target_and_plain_legends(spc_svg):
    words = visible_text(spc_svg)
    assert "A&E 4-hour performance, all department types (%)" in words  # the axis title
    assert re.search(r"^\d{2}%$", words, re.MULTILINE)  # tick labels in percent
    assert "0.85" not in words
    assert {"Jan 2017", "Jul 2017", "Jan 2018", "Jan 2019"} <= set(words.splitlines())
    assert "Target 95%" in words
    low, high = re.search(r"Y-axis titled .* values from (\d+)% to (\d+)%", words).groups()
    assert int(low) < 95 <= int(high)  # the target is on the scale
    for legend in ("Mean", "Process limits", "Common cause"):
        assert legend in words.splitlines()
    assert "Variation: " in words
    assert "Assurance: consistently failing the target" in words  # MDC's icon, named
    assert not CODE.search(words), CODE.findall(words)


def test_the_funnel_reads_in_percent_with_denominator_peers_and_method(funnel_chart_svg):
    words = visible_text(funnel_chart_svg)
    assert "A&E 4-hour performance, all department types (%)" in words
    assert "Attendances, all types (denominator)" in words
    assert "100%" in words.splitlines()
    assert not re.search(r"^1\.\d+$", words, re.MULTILINE)  # never a proportion above 1
    assert f"Compared among {PEER_GROUP}" in words
    assert "τ² = " in words
    assert "additive random-effects model" in words
    assert not CODE.search(words), CODE.findall(words)


@pytest.mark.parametrize("name", ["spc_rj1_ae_4hr", "funnel_ae_4hr_april_2018"])
def test_the_chart_looks_as_it_did(name, request, page):
    svg = request.getfixturevalue("spc_svg" if name.startswith("spc") else "funnel_chart_svg")
    page.set_content(f"<!doctype html><body style='margin:0;background:#fff'>{svg}</body>")
    png = page.locator("svg").first.screenshot()
    reference = REFERENCE / f"{name}.png"
    if REGENERATE or not reference.exists():
        REFERENCE.mkdir(parents=True, exist_ok=True)
        reference.write_bytes(png)
        pytest.skip(f"wrote the reference {reference.name}; look at it, then commit it")
    share = differing_share(page, png, reference.read_bytes())
    assert share <= PIXEL_TOLERANCE, f"{share:.2%} of the pixels differ from {reference.name}"


COMPARE = """async ([left, right, tolerance]) => {
  const load = (data) => new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = reject;
    image.src = "data:image/png;base64," + data;
  });
  const [a, b] = await Promise.all([load(left), load(right)]);
  if (a.width !== b.width || a.height !== b.height) return 1;
  const pixels = (image) => {
    const canvas = document.createElement("canvas");
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    return context.getImageData(0, 0, image.width, image.height).data;
  };
  const [p, q] = [pixels(a), pixels(b)];
  let differing = 0;
  for (let i = 0; i < p.length; i += 4) {
    for (let c = 0; c < 4; c++) {
      if (Math.abs(p[i + c] - q[i + c]) > tolerance) { differing++; break; }
    }
  }
  return differing / (p.length / 4);
}"""


def differing_share(page, png: bytes, reference: bytes) -> float:
    """The share of pixels that differ (1 when the sizes differ), compared in the browser."""
    encode = lambda data: base64.b64encode(data).decode("ascii")  # noqa: E731
    return page.evaluate(COMPARE, [encode(png), encode(reference), CHANNEL_TOLERANCE])
