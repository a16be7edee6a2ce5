"""The funnel chart: each group's ratio against its denominator, the target, the 95% and 99.8%
limit curves in effect, and the outliers furthest from the target labelled by name, the labels
moved apart so that none overlaps another.

Everything a reader sees is in words and in the measure's unit: a proportion is drawn in percent
on an axis that never passes 0% or 100%; the x-axis says what the denominator counts; the
subtitle names the peer group and states how the limits were drawn (the overdispersion model and
τ²). :func:`candour.analytics.funnel.outliers.outlier_table` gives every outlier with its
z-score, for a table beside the chart.

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
from candour.analytics.funnel.outliers import funnel_unit, method_lines, outlier_table
from candour.analytics.units import axis_format, axis_title, bounded, format_value

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
DEFAULT_DENOMINATOR = "Denominator"
DENOMINATOR_SUFFIX = " (denominator)"

# Outlier labels: at most this many (the furthest from the target; the rest are in the table),
# moved apart vertically so that no two overlap.
MAX_LABELS = 8
LABEL_FONT_SIZE = 11
LABEL_LINE = 14  # pixels between two labels' baselines
LABEL_CHAR_WIDTH = 6.5  # pixels per character, a generous estimate at 11px
LABEL_DX = 6  # pixels from the dot to its label
LABEL_TOLERANCE = 1e-6  # pixels: a label exactly a line away (give or take rounding) is clear
LEADER_MIN = 3  # pixels: a label moved further than this from its dot gets a leader line


def funnel_chart(
    result: FunnelResult,
    *,
    title: str,
    x_label: str | None = None,
    y_label: str | None = None,
    width: int = 640,
    height: int = 420,
    unit: str | None = None,
    denominator_label: str | None = None,
    peer_group: str | None = None,
    max_labels: int = MAX_LABELS,
) -> alt.LayerChart:
    """A funnel chart of ``result``; outliers (on the limits used for flagging) are labelled.

    ``unit`` is the measure's unit (by default a proportion for a proportions funnel: drawn in
    percent). ``y_label`` names the values (the unit is added: "A&E 4-hour performance (%)").
    ``denominator_label`` says what the denominator counts: the x-axis reads "Attendances
    (denominator)"; ``x_label`` replaces the whole title. ``peer_group`` names the organisations
    compared, in the subtitle, which also states how the limits were drawn and τ². At most
    ``max_labels`` outliers, the furthest from the target, are labelled.
    """
    options = result.options
    unit = funnel_unit(result, unit)
    y_domain = y_axis_domain(result, unit)
    x_domain = [0.0, float(result.by_group["denominator"].max()) * (1 + X_MARGIN)]
    x = alt.X(
        "denominator:Q",
        title=x_label or denominator_title(options.data_type, denominator_label),
        scale=alt.Scale(domain=x_domain, nice=False),
        axis=alt.Axis(format=",.0f", labelOverlap=True, labelFlush=True),
    )
    value_name = y_label or DEFAULT_Y_LABELS.get(options.data_type, "Ratio")
    number_format = axis_format(unit, y_domain[1] - y_domain[0])
    y_scale = alt.Scale(domain=y_domain, nice=False, zero=False)
    y = alt.Y(
        "value:Q",
        title=axis_title(value_name, unit),
        scale=y_scale,
        axis=alt.Axis(format=number_format) if number_format else alt.Undefined,
    )
    labels = label_positions(result, x_domain, y_domain, width, height, max_labels)
    layers = [
        _limit_layer(result, x, y),
        _target_layer(result),
        _point_layer(result, x, y, unit, value_name),
        _leader_layer(labels, x, y),
        _label_layer(labels, x, y_scale),
    ]
    subtitle = funnel_subtitle(result, peer_group, shown=labels.height)
    return (
        alt.layer(*layers)
        .resolve_scale(color="independent")
        .properties(
            title=alt.TitleParams(title, subtitle=subtitle),
            description=" ".join([title, *subtitle]),
            width=width,
            height=height,
        )
    )


def funnel_svg(result: FunnelResult, *, title: str, **chart_options: object) -> str:
    """The chart as an SVG document, rendered offline (no external requests are allowed)."""
    chart = funnel_chart(result, title=title, **chart_options)
    # Altair's schema check is skipped (a third of the time); the tests check the spec.
    return vl_convert.vegalite_to_svg(chart.to_dict(validate=False), allowed_base_urls=[])


def denominator_title(data_type: str, denominator_label: str | None) -> str:
    """ "Attendances (denominator)"; "Expected" for a standardised ratio (FunnelPlotR's)."""
    if denominator_label:
        return axis_title(denominator_label, None) + DENOMINATOR_SUFFIX
    return DEFAULT_X_LABELS.get(data_type, DEFAULT_DENOMINATOR)


def funnel_subtitle(result: FunnelResult, peer_group: str | None, shown: int) -> list[str]:
    """Who is compared, how the limits were drawn (with τ²), and which outliers are labelled."""
    count = result.by_group.height
    lines = [
        f"Compared among {peer_group}: {count} organisations."
        if peer_group
        else f"{count} organisations compared."
    ]
    lines.extend(method_lines(result))
    outliers = result.outliers.height
    if outliers > shown:
        lines.append(
            f"{outliers} outliers; the {shown} furthest from the target are labelled"
            " (the table of outliers lists them all)."
        )
    return lines


def y_axis_domain(result: FunnelResult, unit: str | None = None) -> list[float]:
    """FunnelPlotR's automatic y range, on the multiplied scale, kept within the values the
    unit can take (a proportion's axis never passes 0% or 100%)."""
    scale = result.options.multiplier
    centre = result.target * scale
    rr = result.by_group["rr"] * scale
    low = min(centre * (1 - Y_TARGET_MARGIN), float(rr.min()) * (1 - Y_DATA_MARGIN))
    high = max(centre * (1 + Y_TARGET_MARGIN), float(rr.max()) * (1 + Y_DATA_MARGIN))
    if scale == 1:
        low, high = bounded(low, high, unit)
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


def _points(result: FunnelResult, unit: str | None = None) -> pl.DataFrame:
    points = result.by_group.select(
        pl.col("group").cast(pl.String).alias("label"),
        pl.col("numerator"),
        pl.col("denominator"),
        (pl.col("rr") * result.options.multiplier).alias("value"),
        pl.when(pl.col("outlier") == 1)
        .then(pl.lit(OUTLIER))
        .otherwise(pl.lit(WITHIN))
        .alias("status"),
    )
    shown = [format_value(v, unit) for v in points.get_column("value").to_list()]
    return points.with_columns(shown=pl.Series(shown, dtype=pl.String)).with_columns(
        description=pl.format("{}: {} ({})", "label", "shown", "status")
    )


def _point_layer(
    result: FunnelResult, x: alt.X, y: alt.Y, unit: str | None, value_name: str
) -> alt.Chart:
    return (
        alt.Chart(alt.Data(values=_points(result, unit).to_dicts()))
        .mark_circle(size=60, opacity=0.9)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "status:N",
                title=None,
                scale=alt.Scale(domain=[WITHIN, OUTLIER], range=[WITHIN_COLOUR, OUTLIER_COLOUR]),
            ),
            description="description:N",
            tooltip=[
                alt.Tooltip("label:N", title="Organisation"),
                alt.Tooltip("numerator:Q", title="Numerator", format=",.0f"),
                alt.Tooltip("denominator:Q", title="Denominator", format=",.0f"),
                alt.Tooltip("shown:N", title=value_name),
                alt.Tooltip("status:N", title="Status"),
            ],
        )
    )


def label_positions(
    result: FunnelResult,
    x_domain: list[float],
    y_domain: list[float],
    width: int,
    height: int,
    max_labels: int = MAX_LABELS,
) -> pl.DataFrame:
    """The outliers to label (at most ``max_labels``, furthest from the target first), each with
    the height of its label (``label_value``, on the value scale) moved so that no two labels
    overlap: label, denominator, value, label_value."""
    table = outlier_table(result).head(max(max_labels, 0))
    if table.is_empty():
        return pl.DataFrame(
            schema={
                "label": pl.String,
                "denominator": pl.Float64,
                "value": pl.Float64,
                "label_value": pl.Float64,
            }
        )
    span_x = (x_domain[1] - x_domain[0]) or 1.0
    span_y = (y_domain[1] - y_domain[0]) or 1.0
    rows = [
        {
            "label": row["group"],
            "denominator": row["denominator"],
            "value": row["value"],
            "left": (row["denominator"] - x_domain[0]) / span_x * width + LABEL_DX,
            "top": (y_domain[1] - row["value"]) / span_y * height,
        }
        for row in table.iter_rows(named=True)
    ]
    # Labels in the upper half are stacked downwards from the top, those in the lower half
    # upwards from the bottom, so that a stack stays inside the plot.
    upper = sorted((r for r in rows if r["top"] <= height / 2), key=lambda r: r["top"])
    lower = sorted((r for r in rows if r["top"] > height / 2), key=lambda r: -r["top"])
    placed: list[dict] = []
    for stack, direction in ((upper, 1), (lower, -1)):
        for row in stack:
            right = row["left"] + LABEL_CHAR_WIDTH * len(row["label"])
            baseline = free_baseline(row["top"], row["left"], right, placed, direction)
            placed.append(dict(row, right=right, baseline=baseline))
    return pl.DataFrame(
        {
            "label": [r["label"] for r in placed],
            "denominator": [r["denominator"] for r in placed],
            "value": [r["value"] for r in placed],
            "label_value": [y_domain[1] - r["baseline"] / height * span_y for r in placed],
            "moved": [abs(r["baseline"] - r["top"]) > LEADER_MIN for r in placed],
        }
    )


def free_baseline(
    baseline: float, left: float, right: float, placed: list[dict], direction: int = 1
) -> float:
    """The first height from ``baseline`` (pixels from the top), moving down (``direction``
    1) or up (-1), where a label from ``left`` to ``right`` keeps a line's distance from every
    label already placed beside it."""
    while True:
        hit = next(
            (
                other
                for other in placed
                if other["left"] < right
                and left < other["right"]
                and abs(baseline - other["baseline"]) < LABEL_LINE - LABEL_TOLERANCE
            ),
            None,
        )
        if hit is None:
            return baseline
        baseline = hit["baseline"] + direction * LABEL_LINE


def _label_layer(labels: pl.DataFrame, x: alt.X, y_scale: alt.Scale) -> alt.Chart:
    return (
        alt.Chart(alt.Data(values=labels.to_dicts()))
        .mark_text(
            align="left",
            baseline="middle",
            dx=LABEL_DX,
            fontSize=LABEL_FONT_SIZE,
            color=OUTLIER_COLOUR,
            aria=False,
        )
        .encode(x=x, y=alt.Y("label_value:Q", scale=y_scale), text="label:N")
    )


def _leader_layer(labels: pl.DataFrame, x: alt.X, y: alt.Y) -> alt.Chart:
    """A thin line from each dot to its label when the label was moved away from it."""
    moved = labels.filter(pl.col("moved")) if "moved" in labels.columns else labels.clear()
    return (
        alt.Chart(alt.Data(values=moved.to_dicts()))
        .mark_rule(color=OUTLIER_COLOUR, strokeWidth=0.75, aria=False)
        .encode(x=x, y=y, y2="label_value:Q")
    )
