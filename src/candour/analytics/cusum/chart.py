"""Charts of one series: the CUSUM with its threshold h, and the VLAD (Altair / Vega-Lite specs,
written as SVG, PNG or self-contained HTML with nothing fetched from a CDN).

The CUSUM is a line over time with the threshold as a red dashed rule and signals as orange
dots; the VLAD a line around zero (above: fewer deaths than predicted). Charts of synthetic data
say so in their title.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import polars as pl
import vl_convert

from candour.analytics.spc.chart import CHART_FORMATS, DEFAULT_HEIGHT, DEFAULT_WIDTH, LIMIT_DASH
from candour.analytics.spc.constants import COLOURS
from candour.exceptions import OptionError

SYNTHETIC_TITLE = "SYNTHETIC DATA: no real patients"
POINT_SIZE = 40


def time_axis(order: str | None) -> alt.X:
    if order is None:
        return alt.X("position:Q", title="observation")
    return alt.X(f"{order}:T", title=None)


def plotted(rows: pl.DataFrame, order: str | None, columns: list[str]) -> list[dict]:
    """The columns a chart draws, dates as ISO text, with a 1-based position in the series."""
    frame = rows.with_columns(pl.int_range(1, pl.len() + 1).alias("position"))
    if order is not None:
        frame = frame.with_columns(pl.col(order).cast(pl.String))
    return frame.select(["position", *([order] if order else []), *columns]).to_dicts()


def cusum_chart(
    rows: pl.DataFrame,
    *,
    order: str | None,
    h: float,
    title: str,
    subtitle: str = "",
    synthetic: bool = False,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
) -> alt.LayerChart:
    """``rows``: one series in time order with ``cusum`` and ``signal`` columns."""
    base = alt.Chart(alt.Data(values=plotted(rows, order, ["cusum", "signal"]))).encode(
        x=time_axis(order)
    )
    line = base.mark_line(color=COLOURS["value_line"]).encode(y=alt.Y("cusum:Q", title="CUSUM"))
    signals = (
        base.transform_filter("datum.signal")
        .mark_circle(size=POINT_SIZE, opacity=1, color=COLOURS["special_cause_concern"])
        .encode(y="cusum:Q", tooltip=[alt.Tooltip("cusum:Q", format=".3f")])
    )
    threshold = (
        alt.Chart(alt.Data(values=[{"h": h}]))
        .mark_rule(color=COLOURS["target"], strokeDash=LIMIT_DASH)
        .encode(y="h:Q")
    )
    return alt.layer(line, threshold, signals).properties(
        width=width, height=height, title=titled(title, subtitle, synthetic)
    )


def vlad_chart(
    rows: pl.DataFrame,
    *,
    order: str | None,
    title: str,
    subtitle: str = "",
    synthetic: bool = False,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
) -> alt.LayerChart:
    """``rows``: one series in time order with a ``vlad`` column."""
    base = alt.Chart(alt.Data(values=plotted(rows, order, ["vlad"]))).encode(x=time_axis(order))
    line = base.mark_line(color=COLOURS["mean_line"]).encode(
        y=alt.Y("vlad:Q", title="lives gained (expected − observed deaths)")
    )
    zero = (
        alt.Chart(alt.Data(values=[{"zero": 0}]))
        .mark_rule(color=COLOURS["limits"])
        .encode(y="zero:Q")
    )
    return alt.layer(zero, line).properties(
        width=width, height=height, title=titled(title, subtitle, synthetic)
    )


def titled(title: str, subtitle: str, synthetic: bool) -> alt.TitleParams:
    if synthetic:
        title = f"{SYNTHETIC_TITLE}. {title}"
    return alt.TitleParams(title, subtitle=subtitle or alt.Undefined)


def save(chart: alt.TopLevelMixin, path: str | Path) -> Path:
    """Write ``chart`` as .svg, .png or self-contained .html, by the suffix of ``path``."""
    path = Path(path)
    spec = chart.to_dict()
    suffix = path.suffix.lower()
    if suffix == ".svg":
        path.write_text(vl_convert.vegalite_to_svg(spec), encoding="utf-8")
    elif suffix == ".png":
        path.write_bytes(vl_convert.vegalite_to_png(spec, scale=2))
    elif suffix == ".html":
        path.write_text(vl_convert.vegalite_to_html(spec, bundle=True), encoding="utf-8")
    else:
        raise OptionError(f"a chart is written as {', '.join(CHART_FORMATS)}; got {path.name!r}")
    return path
