"""The funnel chart: each group's ratio against its denominator, the target, the 95% and 99.8%
limit curves in effect, and the outliers labelled by name.

Built with Altair (Vega-Lite); :func:`funnel_svg` renders it to SVG with vl-convert, offline, so
a web page can embed the chart without loading any script from a CDN. The colours avoid
red-amber-green, which FunnelPlotR also avoids so as not to suggest "good" or "bad" by colour.
"""

from __future__ import annotations

import altair as alt
import polars as pl
import vl_convert

from candour.analytics.funnel.constants import (
    LIMIT_95,
    LIMIT_998,
    LIMIT_LABELS,
    PROPORTION,
    STANDARDISED_RATIO,
)
from candour.analytics.funnel.core import ADJUSTED_NAMES, UNADJUSTED_NAMES, FunnelResult

# FunnelPlotR's automatic axis range (R/funnel_plot.R): the target +/- 30%, widened to 10% beyond
# the most extreme ratio.
Y_TARGET_MARGIN = 0.3
Y_DATA_MARGIN = 0.1
X_MARGIN = 0.05  # room to the right of the largest group

WITHIN_COLOUR = "#005EB8"  # NHS Blue (NHS identity guidelines, colour palette)
OUTLIER_COLOUR = "#ED8B00"  # NHS Orange
TARGET_COLOUR = "#425563"  # NHS Dark Grey
LIMIT_COLOURS = {  # one per limit series, lighter for 95%
    ("95%", False): "#41B6E6",  # NHS Light Blue
    ("99.8%", False): "#003087",  # NHS Dark Blue
    ("95%", True): "#AE2573",  # NHS Pink
    ("99.8%", True): "#330072",  # NHS Purple
}
ADJUSTED_SUFFIX = ", adjusted for overdispersion"
LEGEND_LABEL_LIMIT = 320  # pixels, so that the longest series name is not cut short
WITHIN = "Within limits"
OUTLIER = "Outlier"

DEFAULT_X_LABELS = {STANDARDISED_RATIO: "Expected"}  # FunnelPlotR's defaults
DEFAULT_Y_LABELS = {STANDARDISED_RATIO: "Standardised ratio", PROPORTION: "Proportion"}


def funnel_chart(
    result: FunnelResult,
    *,
    title: str,
    x_label: str | None = None,
    y_label: str | None = None,
    width: int = 640,
    height: int = 420,
) -> alt.LayerChart:
    """A funnel chart of ``result``; outliers (on the limits used for flagging) are labelled."""
    options = result.options
    y_domain = y_axis_domain(result)
    x_domain = [0.0, float(result.by_group["denominator"].max()) * (1 + X_MARGIN)]
    x = alt.X(
        "denominator:Q",
        title=x_label or DEFAULT_X_LABELS.get(options.data_type, "n"),
        scale=alt.Scale(domain=x_domain, nice=False),
    )
    y = alt.Y(
        "value:Q",
        title=y_label or DEFAULT_Y_LABELS.get(options.data_type, "Ratio"),
        scale=alt.Scale(domain=y_domain, nice=False, zero=False),
    )
    layers = [
        _limit_layer(result, x, y),
        _target_layer(result),
        _point_layer(result, x, y),
        _label_layer(result, x, y),
    ]
    return (
        alt.layer(*layers)
        .resolve_scale(color="independent")
        .properties(title=title, width=width, height=height)
    )


def funnel_svg(result: FunnelResult, *, title: str, **chart_options: object) -> str:
    """The chart as an SVG document, rendered offline (no external requests are allowed)."""
    chart = funnel_chart(result, title=title, **chart_options)
    return vl_convert.vegalite_to_svg(chart.to_dict(), allowed_base_urls=[])


def y_axis_domain(result: FunnelResult) -> list[float]:
    """FunnelPlotR's automatic y range, on the multiplied scale."""
    scale = result.options.multiplier
    centre = result.target * scale
    rr = result.by_group["rr"] * scale
    low = min(centre * (1 - Y_TARGET_MARGIN), float(rr.min()) * (1 - Y_DATA_MARGIN))
    high = max(centre * (1 + Y_TARGET_MARGIN), float(rr.max()) * (1 + Y_DATA_MARGIN))
    return [low, high]


def limit_series(result: FunnelResult) -> pl.DataFrame:
    """The limit curves in effect, long: denominator, value, series (legend text), curve."""
    wanted = []
    if result.draw_unadjusted_effective:
        wanted.append((UNADJUSTED_NAMES, False))
    if result.draw_adjusted_effective:
        wanted.append((ADJUSTED_NAMES, True))
    curves = result.limit_curves()
    parts = [
        curves.select(
            pl.col("denominator"),
            pl.col(column).alias("value"),
            pl.lit(_series_name(source, adjusted)).alias("series"),
            pl.lit(column).alias("curve"),
        )
        for names, adjusted in wanted
        for source, column in names.items()
    ]
    return pl.concat(parts) if parts else pl.DataFrame(schema=_LIMIT_SCHEMA)


_LIMIT_SCHEMA = {
    "denominator": pl.Float64,
    "value": pl.Float64,
    "series": pl.String,
    "curve": pl.String,
}


def _series_name(source_column: str, adjusted: bool) -> str:
    level = LIMIT_95 if source_column.endswith("95") else LIMIT_998
    return _legend_name(LIMIT_LABELS[level], adjusted)


def _legend_name(level: str, adjusted: bool) -> str:
    return f"{level} limits" + (ADJUSTED_SUFFIX if adjusted else "")


def _limit_layer(result: FunnelResult, x: alt.X, y: alt.Y) -> alt.Chart:
    series = limit_series(result)
    shown = [key for key in LIMIT_COLOURS if _legend_name(*key) in set(series["series"])]
    colour = alt.Color(
        "series:N",
        title="Limits",
        scale=alt.Scale(
            domain=[_legend_name(*key) for key in shown],
            range=[LIMIT_COLOURS[key] for key in shown],
        ),
        legend=alt.Legend(labelLimit=LEGEND_LABEL_LIMIT),
    )
    return (
        alt.Chart(alt.Data(values=series.to_dicts()))
        .mark_line(clip=True, strokeWidth=1.5)
        .encode(x=x, y=y, color=colour, detail="curve:N")
    )


def _target_layer(result: FunnelResult) -> alt.Chart:
    target = result.target * result.options.multiplier
    return (
        alt.Chart(alt.Data(values=[{"value": target}]))
        .mark_rule(color=TARGET_COLOUR, strokeDash=[4, 4])
        .encode(y="value:Q")
    )


def _points(result: FunnelResult) -> pl.DataFrame:
    return result.by_group.select(
        pl.col("group").cast(pl.String).alias("label"),
        pl.col("numerator"),
        pl.col("denominator"),
        (pl.col("rr") * result.options.multiplier).alias("value"),
        pl.when(pl.col("outlier") == 1)
        .then(pl.lit(OUTLIER))
        .otherwise(pl.lit(WITHIN))
        .alias("status"),
    )


def _point_layer(result: FunnelResult, x: alt.X, y: alt.Y) -> alt.Chart:
    return (
        alt.Chart(alt.Data(values=_points(result).to_dicts()))
        .mark_circle(size=60, opacity=0.9)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "status:N",
                title="Group",
                scale=alt.Scale(domain=[WITHIN, OUTLIER], range=[WITHIN_COLOUR, OUTLIER_COLOUR]),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Group"),
                alt.Tooltip("numerator:Q", title="Numerator"),
                alt.Tooltip("denominator:Q", title="Denominator"),
                alt.Tooltip("value:Q", title="Ratio", format=".3f"),
                alt.Tooltip("status:N", title="Status"),
            ],
        )
    )


def _label_layer(result: FunnelResult, x: alt.X, y: alt.Y) -> alt.Chart:
    outliers = _points(result).filter(pl.col("status") == OUTLIER)
    return (
        alt.Chart(alt.Data(values=outliers.to_dicts()))
        .mark_text(align="left", baseline="bottom", dx=6, dy=-4, fontSize=11, color=OUTLIER_COLOUR)
        .encode(x=x, y=y, text="label:N")
    )
