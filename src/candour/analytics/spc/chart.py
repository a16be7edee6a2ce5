"""Making Data Count style charts of one series: Altair (Vega-Lite) specs, SVG, PNG and
self-contained HTML (the Vega JavaScript is inlined from vl-convert's bundle; nothing is fetched
from a CDN). Web pages should embed :func:`chart_svg`, which needs no script at all.

Drawn: the values as a grey line with dots, dots coloured by point type in MDC's colours
(improvement blue, concern orange, neutral purple, common cause grey), the mean (solid) and
process limits (dashed) of each segment, the target (red, dotted), MDC's variation and
assurance icons right of the plot (drawn by :mod:`candour.analytics.spc.icons`) and the same in
words in the subtitle. Everything a reader sees is in plain words and in the
measure's unit: percentages for proportions, months with their years, legends such as
"Special cause: concern" and "Target 95%". A rebased series is drawn as separate segments, with
a dotted rule where the limits were recalculated. The y-scale always includes the target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from pathlib import Path

import altair as alt
import polars as pl
import vl_convert

from candour.analytics.spc.constants import COLOURS, POINT_LABELS, POINT_TYPES
from candour.analytics.spc.icons import icon_data_url, summary_icons
from candour.analytics.spc.result import SPCResult
from candour.analytics.spc.words import icon_sentence
from candour.analytics.units import (
    PROPORTION,
    axis_format,
    axis_title,
    bounded,
    checked_unit,
    format_value,
)
from candour.exceptions import OptionError

DEFAULT_WIDTH = 640
DEFAULT_HEIGHT = 320
CHART_FORMATS = (".html", ".svg", ".png")
POINT_SIZE = 40
LIMIT_DASH = [6, 4]
TARGET_DASH = [2, 2]
BREAK_DASH = [1, 3]
X_PADDING = 8  # pixels either side, so that the first and last dots are whole
Y_PADDING = 0.05  # of the span of values, limits and target, above and below
SYNTHETIC_NOTE = "Synthetic data for demonstration: not real NHS figures."
BREAK_LABEL = "Limits recalculated"
ICON_SIZE = 44  # pixels: MDC's icons, right of the plot, variation above assurance
ICON_GAP = 12

MEAN, LIMITS = "Mean", "Process limits"
LINE_STYLES = {  # legend name: (colour, dash)
    MEAN: (COLOURS["mean_line"], []),
    LIMITS: (COLOURS["limits"], LIMIT_DASH),
}

# How each kind of period is written: on the x-axis (Vega's time format) and in text.
PERIOD_KINDS = {
    "month": ("Month", "%b %Y", "%b %Y"),
    "year": ("Year", "%Y", "%Y"),
    "day": ("Date", "%d %b %Y", "%-d %b %Y"),
}
MONTHS_PER_TICK = ((13, 1), (25, 3), (61, 6))  # (fewer months than, months per tick)
YEARLY_TICK = 12


def series_title(result: SPCResult) -> str:
    """The series key (``org_code = RXX``), or the value column's name for a single series."""
    keys = result.summary.select(result.group).row(0) if result.group else ()
    named = ", ".join(f"{name} = {key}" for name, key in zip(result.group, keys, strict=True))
    return f"{result.value_name}: {named}" if named else result.value_name


def icon_subtitle(summary: dict) -> str:
    """The variation and assurance icons, in words (and why one is missing)."""
    return icon_sentence(summary)


def target_label(target: float, unit: str | None) -> str:
    """ "Target 95%" (a proportion), "Target 18.0 weeks", "Target 1.00" (a ratio)."""
    if unit == PROPORTION:
        percent = f"{target * 100:.1f}".rstrip("0").rstrip(".")
        return f"Target {percent}%"
    return f"Target {format_value(target, unit)}"


def period_kind(dates: list[dt.date]) -> str:
    """ "year" for dates a year apart, "month" for first-of-month dates, else "day"."""
    if dates and all(d.day == 1 for d in dates):
        if len(dates) > 1 and all(d.month == dates[0].month for d in dates):
            return "year"
        return "month"
    return "day"


def _as_dates(column: pl.Series) -> list[dt.date]:
    return [d.date() if isinstance(d, dt.datetime) else d for d in column.to_list()]


def chart_frame(result: SPCResult, unit: str | None = None) -> pl.DataFrame:
    """The columns the chart draws, with dates as ISO text for Vega-Lite, and each point's
    period, value and status in words (for tooltips and screen readers)."""
    dates = _as_dates(result.points.get_column("date"))
    text_format = PERIOD_KINDS[period_kind(dates)][2]
    points = result.points.select(
        pl.col("date").cast(pl.Date).cast(pl.String),
        "value",
        "mean",
        "lpl",
        "upl",
        "rebase_group",
        pl.col("point_type").cast(pl.String).replace_strict(POINT_LABELS).alias("status"),
    )
    period = pl.Series("period", [d.strftime(text_format) for d in dates], dtype=pl.String)
    shown = pl.Series(
        "shown", [format_value(v, unit) for v in points.get_column("value").to_list()]
    )
    return points.with_columns(period, shown).with_columns(
        description=pl.format("{}: {} ({})", "period", "shown", "status")
    )


def reference_lines(frame: pl.DataFrame, target: float | None, unit: str | None) -> pl.DataFrame:
    """Mean, process limits and target, long: date, y, line (legend name), part (one line
    each, so that segments are drawn apart)."""
    segment = pl.col("rebase_group").cast(pl.String)
    parts = [
        frame.select("date", pl.col(column).alias("y"), line=pl.lit(name), part=segment + suffix)
        for column, name, suffix in (
            ("mean", MEAN, "-mean"),
            ("lpl", LIMITS, "-lower"),
            ("upl", LIMITS, "-upper"),
        )
    ]
    if target is not None:
        ends = frame.select(pl.col("date").min()).vstack(frame.select(pl.col("date").max()))
        parts.append(
            ends.select(
                "date",
                y=pl.lit(float(target)),
                line=pl.lit(target_label(target, unit)),
                part=pl.lit("target"),
            )
        )
    return pl.concat(parts).drop_nulls("y")


def y_domain(
    frame: pl.DataFrame,
    target: float | None,
    unit: str | None,
    extra_values: Sequence[float] = (),
) -> list[float]:
    """Every value, limit, the target and ``extra_values`` (e.g. a trajectory drawn over the
    chart), padded, and kept within the unit's bounds."""
    shown = [frame.get_column(c).drop_nulls() for c in ("value", "lpl", "upl")]
    numbers = [float(x) for column in shown for x in column.to_list()]
    data = [float(x) for x in frame.get_column("value").drop_nulls().to_list()]
    data += [float(x) for x in extra_values]
    if target is not None:
        data.append(float(target))
    numbers += data
    low, high = min(numbers), max(numbers)
    padding = (high - low) * Y_PADDING or abs(high) * Y_PADDING or 1.0
    low, high = bounded(low - padding, high + padding, unit)
    # Limits may be clipped by the unit's bounds; values and the target never are.
    return [min(low, *data), max(high, *data)]


def x_axis(dates: list[dt.date], title: str | None) -> alt.X:
    kind = period_kind(dates)
    name, axis_time_format, _ = PERIOD_KINDS[kind]
    tick_count: dict | None = None
    if kind == "month":
        months = (dates[-1].year - dates[0].year) * 12 + dates[-1].month - dates[0].month + 1
        step = next((s for limit, s in MONTHS_PER_TICK if months < limit), YEARLY_TICK)
        tick_count = {"interval": "month", "step": step}
    elif kind == "year":
        tick_count = {"interval": "year", "step": 1}
    axis = alt.Axis(
        format=axis_time_format,
        labelAngle=0,
        labelOverlap=True,
        grid=False,
        **({"tickCount": tick_count} if tick_count else {}),
    )
    return alt.X(
        "date:T", title=title or name, scale=alt.Scale(type="utc", padding=X_PADDING), axis=axis
    )


def spc_chart(
    result: SPCResult,
    series: Hashable | None = None,
    *,
    title: str | None = None,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    unit: str | None = None,
    value_label: str | None = None,
    x_label: str | None = None,
    synthetic: bool = False,
    extra_values: Sequence[float] = (),
) -> alt.LayerChart:
    """The chart of one series of ``result`` (choose it by key when there are several).

    ``unit`` is the measure's unit ("proportion", "ratio", "count", "score" or "weeks"; None for
    plain numbers): proportions are drawn as percentages. ``value_label`` names the values on
    the y-axis (the unit is added: "A&E 4-hour performance (%)"); by default the value column's
    name. ``x_label`` names the periods (by default "Month", "Year" or "Date"). ``synthetic``
    says in the subtitle that the data are made up for a demonstration. ``extra_values`` are
    values the y-scale must also include (a trajectory another layer draws over the chart).
    """
    unit = checked_unit(unit)
    one = result.series(series)
    summary = one.summary.row(0, named=True)
    target = summary["target"]
    frame = chart_frame(one, unit)
    dates = _as_dates(one.points.get_column("date"))
    domain = y_domain(frame, target, unit, extra_values)
    label = axis_title(value_label or one.value_name, unit)
    y_scale = alt.Scale(domain=domain, nice=False, zero=False)
    number_format = axis_format(unit, domain[1] - domain[0])
    y_axis = alt.Axis(
        description=f"{label}, from {format_value(domain[0], unit)}"
        f" to {format_value(domain[1], unit)}",
        **({"format": number_format} if number_format else {}),
    )
    y = alt.Y("value:Q", title=label, scale=y_scale, axis=y_axis)
    x = x_axis(dates, x_label)
    data = alt.Data(values=frame.to_dicts())
    layers = [
        *break_rules(one, frame),
        line_layer(
            reference_lines(frame, target, unit),
            x,
            alt.Y("y:Q", title=label, scale=y_scale, axis=y_axis),
            target,
            unit,
        ),
        alt.Chart(data)
        .mark_line(color=COLOURS["value_line"], clip=True, aria=False)
        .encode(x=x, y=y, detail="rebase_group:N"),
        point_layer(data, frame, x, y, label),
        *icon_layers(summary, width),
    ]
    subtitle: str | list[str] = icon_subtitle(summary)
    if synthetic:
        subtitle = [subtitle, SYNTHETIC_NOTE]
    return (
        alt.layer(*layers)
        .resolve_scale(color="independent", strokeDash="independent")
        .properties(
            width=width,
            height=height,
            title=alt.TitleParams(title or series_title(one), subtitle=subtitle),
        )
    )


def point_layer(data: alt.Data, frame: pl.DataFrame, x: alt.X, y: alt.Y, label: str) -> alt.Chart:
    """The dots, coloured by point type, with a legend in words."""
    present = set(frame.get_column("status").to_list())
    shown = [t for t in POINT_TYPES if POINT_LABELS[t] in present]
    return (
        alt.Chart(data)
        .mark_circle(size=POINT_SIZE, opacity=1, clip=True)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=[POINT_LABELS[t] for t in shown], range=[COLOURS[t] for t in shown]
                ),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            description="description:N",
            tooltip=[
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("shown:N", title=label),
                alt.Tooltip("status:N", title="Variation"),
            ],
        )
    )


def line_layer(
    lines: pl.DataFrame, x: alt.X, y: alt.Y, target: float | None, unit: str | None
) -> alt.Chart:
    """Mean, process limits and target, each segment's lines apart, with one legend."""
    styles = dict(LINE_STYLES)
    if target is not None:
        styles[target_label(target, unit)] = (COLOURS["target"], TARGET_DASH)
    names = list(styles)
    return (
        alt.Chart(alt.Data(values=lines.to_dicts()))
        .mark_line(clip=True, aria=False)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "line:N",
                scale=alt.Scale(domain=names, range=[styles[n][0] for n in names]),
                legend=alt.Legend(title=None, orient="bottom", symbolType="stroke"),
            ),
            strokeDash=alt.StrokeDash(
                "line:N",
                scale=alt.Scale(domain=names, range=[styles[n][1] for n in names]),
                legend=alt.Legend(title=None, orient="bottom", symbolType="stroke"),
            ),
            detail="part:N",
        )
    )


def icon_layers(summary: dict, width: int) -> list[alt.Chart]:
    """MDC's variation and assurance icons, right of the plot, each named in words. Placed by
    mark properties in pixels (encoding channels cost Altair far more time to build)."""
    return [
        alt.Chart(alt.Data(values=[{}])).mark_image(
            url=icon_data_url(icon),
            width=ICON_SIZE,
            height=ICON_SIZE,
            x=width + ICON_GAP + ICON_SIZE / 2,
            y=ICON_SIZE / 2 + index * (ICON_SIZE + ICON_GAP / 2),
            aria=True,
            description=icon.label,
        )
        for index, icon in enumerate(summary_icons(summary))
    ]


def break_rules(result: SPCResult, frame: pl.DataFrame) -> list[alt.Chart]:
    """A dotted rule, labelled, where each new segment starts (the limits were recalculated)."""
    starts = (
        frame.group_by("rebase_group", maintain_order=True)
        .agg(pl.col("date").min())
        .slice(1)
        .select("date", label=pl.lit(BREAK_LABEL))
    )
    if starts.is_empty():
        return []
    base = alt.Chart(alt.Data(values=starts.to_dicts()))
    x = alt.X("date:T", scale=alt.Scale(type="utc"))
    rule = base.mark_rule(color=COLOURS["limits"], strokeDash=BREAK_DASH, aria=False).encode(x=x)
    text = base.mark_text(
        align="left", baseline="bottom", dx=3, y=-2, fontSize=10, color="#425563", aria=False
    ).encode(x=x, text="label:N")
    return [rule, text]


def chart_spec(result: SPCResult, series: Hashable | None = None, **options: object) -> dict:
    """The Vega-Lite spec to render. Altair's schema check is skipped here (it costs about a
    third of the rendering time); the tests check the spec against the schema."""
    return spc_chart(result, series, **options).to_dict(validate=False)


def chart_svg(result: SPCResult, series: Hashable | None = None, **options: object) -> str:
    """The chart as a standalone SVG document (no script; safe under a strict CSP)."""
    return vl_convert.vegalite_to_svg(chart_spec(result, series, **options), allowed_base_urls=[])


def chart_png(result: SPCResult, series: Hashable | None = None, **options: object) -> bytes:
    return vl_convert.vegalite_to_png(
        chart_spec(result, series, **options), scale=2, allowed_base_urls=[]
    )


def chart_html(result: SPCResult, series: Hashable | None = None, **options: object) -> str:
    """A self-contained HTML page: the Vega libraries are inlined, nothing loads from a CDN."""
    return vl_convert.vegalite_to_html(chart_spec(result, series, **options), bundle=True)


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
