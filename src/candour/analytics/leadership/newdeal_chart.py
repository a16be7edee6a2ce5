"""A success measure's SPC chart with its agreed trajectory drawn over it.

The chart is the Making Data Count chart of :mod:`candour.analytics.spc.chart` (values, mean,
process limits, point types, icons), with one more layer: the trajectory agreed in the new-deal
package, as a dashed line through its points (the baseline first). Pure Python; never imports
Django.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Final

import altair as alt
import vl_convert

from candour.analytics.leadership.newdeal import check_trajectory
from candour.analytics.spc.chart import spc_chart
from candour.analytics.spc.result import SPCResult
from candour.analytics.units import axis_title

# Not one of Making Data Count's point colours (blue, orange, purple, grey) nor its target red.
TRAJECTORY_COLOUR: Final = "#007f3b"  # NHS green
TRAJECTORY_DASH: Final = [8, 3]


def trajectory_chart(
    result: SPCResult, series: Hashable | None, trajectory: Any, *, title: str, **options: Any
) -> alt.LayerChart:
    """The SPC chart of one series of ``result`` with ``trajectory`` (``date``, ``value``)."""
    points = [
        {"date": day.isoformat(), "trajectory": value}
        for day, value in check_trajectory(trajectory).rows()
    ]
    # The y-scale includes the trajectory, so that none of it falls off the chart.
    extra = [point["trajectory"] for point in points]
    chart = spc_chart(result, series, title=title, extra_values=extra, **options)
    line = (
        alt.Chart(alt.Data(values=points))
        .mark_line(color=TRAJECTORY_COLOUR, strokeDash=TRAJECTORY_DASH, point=True)
        .encode(
            x="date:T",
            y=alt.Y("trajectory:Q", title=value_title(result, options)),
            tooltip=[alt.Tooltip("date:T", title="Date"), alt.Tooltip("trajectory:Q")],
        )
    )
    # alt.layer moves data its layers share up to the layered chart: keep it there, and keep the
    # SPC chart's separate legends (lines, points).
    return alt.layer(*chart.layer, line, data=chart.data, resolve=chart.resolve).properties(
        width=chart.width, height=chart.height, title=chart.title
    )


def value_title(result: SPCResult, options: dict[str, Any]) -> str:
    """The SPC chart's y-axis title, so that the trajectory's layer adds nothing to it."""
    label = options.get("value_label") or result.value_name
    return axis_title(label, options.get("unit"))


def trajectory_chart_svg(
    result: SPCResult, series: Hashable | None, trajectory: Any, *, title: str, **options: Any
) -> str:
    """The chart as a standalone SVG document (no script)."""
    chart = trajectory_chart(result, series, trajectory, title=title, **options)
    return vl_convert.vegalite_to_svg(chart.to_dict())
