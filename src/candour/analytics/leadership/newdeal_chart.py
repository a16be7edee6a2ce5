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

# Not one of Making Data Count's point colours (blue, orange, purple, grey) nor its target red.
TRAJECTORY_COLOUR: Final = "#007f3b"  # NHS green
TRAJECTORY_DASH: Final = [8, 3]


def trajectory_chart(
    result: SPCResult, series: Hashable | None, trajectory: Any, *, title: str, **options: Any
) -> alt.LayerChart:
    """The SPC chart of one series of ``result`` with ``trajectory`` (``date``, ``value``)."""
    chart = spc_chart(result, series, title=title, **options)
    points = [
        {"date": day.isoformat(), "trajectory": value}
        for day, value in check_trajectory(trajectory).rows()
    ]
    line = (
        alt.Chart(alt.Data(values=points))
        .mark_line(color=TRAJECTORY_COLOUR, strokeDash=TRAJECTORY_DASH, point=True)
        .encode(x="date:T", y="trajectory:Q", tooltip=["date:T", "trajectory:Q"])
    )
    # alt.layer moves data its layers share up to the layered chart: keep it there.
    return alt.layer(*chart.layer, line, data=chart.data).properties(
        width=chart.width, height=chart.height, title=chart.title
    )


def trajectory_chart_svg(
    result: SPCResult, series: Hashable | None, trajectory: Any, *, title: str, **options: Any
) -> str:
    """The chart as a standalone SVG document (no script)."""
    chart = trajectory_chart(result, series, trajectory, title=title, **options)
    return vl_convert.vegalite_to_svg(chart.to_dict())
