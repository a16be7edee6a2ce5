"""Making Data Count style charts of one series: Altair (Vega-Lite) specs, SVG, PNG and
self-contained HTML (the Vega JavaScript is inlined from vl-convert's bundle; nothing is fetched
from a CDN). Web pages should embed :func:`chart_svg`, which needs no script at all.

Drawn: the values as a grey line with dots, dots coloured by point type in MDC's colours
(improvement blue, concern orange, neutral purple, common cause grey), the mean (solid) and
process limits (dashed) of each segment, the target (red, dashed), and the variation and
assurance icons named in the subtitle.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

import altair as alt
import polars as pl
import vl_convert

from candour.analytics.spc.constants import (
    ASSURANCE_WORDS,
    COLOURS,
    POINT_TYPES,
    VARIATION_WORDS,
)
from candour.analytics.spc.result import SPCResult
from candour.exceptions import OptionError

DEFAULT_WIDTH = 640
DEFAULT_HEIGHT = 320
CHART_FORMATS = (".html", ".svg", ".png")
POINT_SIZE = 40
LIMIT_DASH = [6, 4]
TARGET_DASH = [2, 2]


def series_title(result: SPCResult) -> str:
    """The series key (``org_code = RXX``), or the value column's name for a single series."""
    keys = result.summary.select(result.group).row(0) if result.group else ()
    named = ", ".join(f"{name} = {key}" for name, key in zip(result.group, keys, strict=True))
    return f"{result.value_name}: {named}" if named else result.value_name


def icon_subtitle(summary: dict) -> str:
    """The variation and assurance icons, in words."""
    variation = VARIATION_WORDS.get(summary["variation_icon"], "variation icon not shown")
    assurance = ASSURANCE_WORDS.get(summary["assurance_icon"], "no assurance (no target)")
    return f"Variation: {variation}. Assurance: {assurance}."


def chart_frame(result: SPCResult) -> pl.DataFrame:
    """The columns the chart draws, with dates as ISO text for Vega-Lite."""
    return result.points.select(
        pl.col("date").cast(pl.String),
        "value",
        "mean",
        "lpl",
        "upl",
        "rebase_group",
        pl.col("point_type").cast(pl.String),
    )


def spc_chart(
    result: SPCResult,
    series: Hashable | None = None,
    *,
    title: str | None = None,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
) -> alt.LayerChart:
    """The chart of one series of ``result`` (choose it by key when there are several)."""
    one = result.series(series)
    summary = one.summary.row(0, named=True)
    base = alt.Chart(alt.Data(values=chart_frame(one).to_dicts())).encode(
        x=alt.X("date:T", title=None),
    )
    value_axis = alt.Y("value:Q", title=one.value_name, scale=alt.Scale(zero=False))
    layers = [
        base.mark_line(color=COLOURS["value_line"]).encode(y=value_axis),
        *segment_lines(base),
        base.mark_circle(size=POINT_SIZE, opacity=1).encode(
            y="value:Q",
            color=alt.Color(
                "point_type:N",
                scale=alt.Scale(domain=list(POINT_TYPES), range=[COLOURS[t] for t in POINT_TYPES]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=["date:T", "value:Q", "point_type:N"],
        ),
    ]
    if summary["target"] is not None:
        layers.append(target_line(summary["target"]))
    return alt.layer(*layers).properties(
        width=width,
        height=height,
        title=alt.TitleParams(title or series_title(one), subtitle=icon_subtitle(summary)),
    )


def segment_lines(base: alt.Chart) -> list[alt.Chart]:
    """Mean (solid) and process limits (dashed), one line per segment."""
    mean = base.mark_line(color=COLOURS["mean_line"]).encode(y="mean:Q", detail="rebase_group:N")
    limits = [
        base.mark_line(color=COLOURS["limits"], strokeDash=LIMIT_DASH).encode(
            y=f"{limit}:Q", detail="rebase_group:N"
        )
        for limit in ("lpl", "upl")
    ]
    return [mean, *limits]


def target_line(target: float) -> alt.Chart:
    return (
        alt.Chart(alt.Data(values=[{"target": target}]))
        .mark_rule(color=COLOURS["target"], strokeDash=TARGET_DASH)
        .encode(y="target:Q")
    )


def chart_svg(result: SPCResult, series: Hashable | None = None, **options: object) -> str:
    """The chart as a standalone SVG document (no script; safe under a strict CSP)."""
    return vl_convert.vegalite_to_svg(spc_chart(result, series, **options).to_dict())


def chart_png(result: SPCResult, series: Hashable | None = None, **options: object) -> bytes:
    return vl_convert.vegalite_to_png(spc_chart(result, series, **options).to_dict(), scale=2)


def chart_html(result: SPCResult, series: Hashable | None = None, **options: object) -> str:
    """A self-contained HTML page: the Vega libraries are inlined, nothing loads from a CDN."""
    return vl_convert.vegalite_to_html(spc_chart(result, series, **options).to_dict(), bundle=True)


def save_chart(
    result: SPCResult, path: str | Path, series: Hashable | None = None, **options: object
) -> Path:
    """Write the chart of one series to ``path`` (.html, .svg or .png, by its suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".svg":
        path.write_text(chart_svg(result, series, **options), encoding="utf-8")
    elif suffix == ".html":
        path.write_text(chart_html(result, series, **options), encoding="utf-8")
    elif suffix == ".png":
        path.write_bytes(chart_png(result, series, **options))
    else:
        raise OptionError(f"a chart is written as {', '.join(CHART_FORMATS)}; got {path.name!r}")
    return path
