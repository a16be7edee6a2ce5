"""New-deal starting packages (Kerr review): two-sided commitments, each tracked.

* :func:`is_overdue` - a commitment is overdue when its due date has passed and it is not done,
  whichever side made it (the centre's commitments are held to the same rule as the trust's);
* :func:`trajectory_at` - the agreed trajectory of a success measure, read at any dates: straight
  lines between the agreed points (the baseline first), nothing outside them;
* :func:`against_trajectory` - each observation of the measure beside the trajectory, and
  whether it is on or off it given the measure's direction of improvement.

The SPC itself is :func:`candour.analytics.spc.spc`; the chart is
:mod:`candour.analytics.leadership.newdeal_chart`. Pure Python and Polars; never imports Django.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, Final

import polars as pl

from candour.analytics.funnel.frames import as_polars
from candour.exceptions import DataFileError, OptionError, Problem

# A commitment's status; "done" is the only one that stops it being overdue.
NOT_STARTED: Final = "not_started"
IN_PROGRESS: Final = "in_progress"
AT_RISK: Final = "at_risk"
DONE: Final = "done"
STATUSES: Final = (NOT_STARTED, IN_PROGRESS, AT_RISK, DONE)
# Who made a commitment: the centre (NHS England's region, the integrated care board) or the
# trust (its chair and incoming chief executive). Kerr: the new deal is "between national
# bodies and the incoming chief executive".
CENTRE: Final = "centre"
TRUST: Final = "trust"
SIDES: Final = (CENTRE, TRUST)
PARTIES: Final = {"region": CENTRE, "icb": CENTRE, "chair": TRUST, "chief_executive": TRUST}
IMPROVEMENTS: Final = ("increase", "decrease", "neutral")
TRAJECTORY_SOURCE: Final = "trajectory"


def is_overdue(due_on: dt.date | None, status: str, as_of: dt.date) -> bool:
    """Past its due date and not done, on either side."""
    return due_on is not None and due_on < as_of and status != DONE


def check_trajectory(trajectory: Any) -> pl.DataFrame:
    """``date`` and ``value`` columns, at least one row, no null, no date twice; sorted."""
    frame = as_polars(trajectory)
    missing = [c for c in ("date", "value") if c not in frame.columns]
    if missing:
        raise DataFileError(
            TRAJECTORY_SOURCE,
            [Problem("column is missing; expected date, value", column=c) for c in missing],
        )
    frame = frame.select(pl.col("date").cast(pl.Date), pl.col("value").cast(pl.Float64))
    problems = [
        Problem("a value is required, found null", row=i + 1, column=column)
        for column in ("date", "value")
        for i in frame.with_row_index().filter(pl.col(column).is_null())["index"]
    ]
    problems += [
        Problem("another point has the same date", row=i + 1, column="date")
        for i in frame.with_row_index().filter(pl.col("date").is_duplicated())["index"]
    ]
    if frame.is_empty():
        problems.append(Problem("a trajectory needs at least one point"))
    if problems:
        raise DataFileError(TRAJECTORY_SOURCE, problems)
    return frame.sort("date")


def trajectory_at(trajectory: Any, dates: list[dt.date]) -> list[float | None]:
    """The trajectory's value on each of ``dates``: linear between the agreed points, the point's
    value on a point, and None before the first point or after the last."""
    points = check_trajectory(trajectory).rows()
    return [_interpolate(points, day) for day in dates]


def _interpolate(points: list[tuple[dt.date, float]], day: dt.date) -> float | None:
    if day < points[0][0] or day > points[-1][0]:
        return None
    for (start, low), (end, high) in itertools.pairwise(points):
        if start <= day <= end:
            share = (day - start).days / (end - start).days
            return low + share * (high - low)
    return points[-1][1]  # a one-point trajectory, on its day


def on_trajectory(value: float, expected: float | None, improvement: str) -> bool | None:
    """At least as good as the trajectory for the measure's direction; None when there is no
    trajectory on that day or the measure has no direction."""
    if expected is None or improvement == "neutral":
        return None
    return value >= expected if improvement == "increase" else value <= expected


def against_trajectory(observations: Any, trajectory: Any, *, improvement: str) -> pl.DataFrame:
    """Each observation (``date``, ``value``) with ``expected`` (the trajectory that day), ``gap``
    (value minus expected) and ``on_trajectory``, oldest first."""
    if improvement not in IMPROVEMENTS:
        raise OptionError(f"improvement must be one of {', '.join(IMPROVEMENTS)}")
    frame = as_polars(observations).select(
        pl.col("date").cast(pl.Date), pl.col("value").cast(pl.Float64)
    )
    frame = frame.sort("date")
    expected = trajectory_at(trajectory, frame["date"].to_list())
    return frame.with_columns(
        pl.Series("expected", expected, dtype=pl.Float64),
    ).with_columns(
        (pl.col("value") - pl.col("expected")).alias("gap"),
        pl.Series(
            "on_trajectory",
            [
                on_trajectory(v, e, improvement)
                for v, e in zip(frame["value"], expected, strict=True)
            ],
            dtype=pl.Boolean,
        ),
    )
