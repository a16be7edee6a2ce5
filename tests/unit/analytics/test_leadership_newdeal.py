"""New-deal commitments: overdue on either side; success measures against their trajectory;
the SPC chart with the trajectory drawn over it."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from candour.analytics.leadership.newdeal import (
    against_trajectory,
    is_overdue,
    trajectory_at,
)
from candour.analytics.leadership.newdeal_chart import trajectory_chart
from candour.analytics.spc import spc
from candour.analytics.spc.chart import spc_chart
from candour.exceptions import DataFileError

D = dt.date
TODAY = D(2026, 6, 1)


@pytest.mark.parametrize(
    ("due_on", "status", "overdue"),
    [
        (D(2026, 5, 31), "in_progress", True),
        (D(2026, 5, 31), "not_started", True),
        (D(2026, 5, 31), "at_risk", True),
        (D(2026, 5, 31), "done", False),
        (D(2026, 6, 1), "not_started", False),  # due today: not yet overdue
        (D(2026, 7, 1), "at_risk", False),
    ],
)
def test_overdue_is_past_due_and_not_done(due_on, status, overdue):
    assert is_overdue(due_on, status, TODAY) is overdue


TRAJECTORY = pl.DataFrame(
    {"date": [D(2026, 1, 1), D(2026, 1, 11), D(2026, 1, 31)], "value": [0.5, 0.6, 0.4]}
)


def test_trajectory_is_linear_between_points_and_absent_outside():
    got = trajectory_at(
        TRAJECTORY,
        [
            D(2025, 12, 31),
            D(2026, 1, 1),
            D(2026, 1, 6),
            D(2026, 1, 11),
            D(2026, 1, 21),
            D(2026, 1, 31),
            D(2026, 2, 1),
        ],
    )
    assert got[0] is None
    assert got[-1] is None
    assert got[1:-1] == pytest.approx([0.5, 0.55, 0.6, 0.5, 0.4])


def test_a_trajectory_is_checked():
    with pytest.raises(DataFileError, match="row 2, column 'date': another point"):
        trajectory_at(pl.DataFrame({"date": [D(2026, 1, 1)] * 2, "value": [1.0, 2.0]}), [])
    with pytest.raises(DataFileError, match="at least one point"):
        trajectory_at(pl.DataFrame(schema={"date": pl.Date, "value": pl.Float64}), [])


def test_observations_against_the_trajectory_follow_the_direction():
    observations = pl.DataFrame(
        {"date": [D(2026, 1, 6), D(2026, 1, 21), D(2026, 3, 1)], "value": [0.56, 0.45, 0.9]}
    )
    up = against_trajectory(observations, TRAJECTORY, improvement="increase")
    assert up["on_trajectory"].to_list() == [True, False, None]
    assert up["gap"].to_list()[:2] == pytest.approx([0.01, -0.05])
    down = against_trajectory(observations, TRAJECTORY, improvement="decrease")
    assert down["on_trajectory"].to_list() == [False, True, None]
    assert against_trajectory(observations, TRAJECTORY, improvement="neutral")[
        "on_trajectory"
    ].to_list() == [None, None, None]


def test_the_chart_keeps_the_spc_layers_and_adds_the_trajectory():
    dates = [D(2024, m, 1) for m in range(1, 13)]
    series = pl.DataFrame({"date": dates, "value": [0.7 + 0.002 * i for i in range(12)]})
    result = spc(series, value="value", date="date", improvement="increase")
    trajectory = pl.DataFrame({"date": [D(2024, 1, 1), D(2025, 1, 1)], "value": [0.7, 0.75]})
    spec = trajectory_chart(result, None, trajectory, title="RTT").to_dict()
    text = json.dumps(spec)
    spc_layers = spc_chart(result, title="RTT").to_dict()["layer"]
    assert len(spec["layer"]) == len(spc_layers) + 1  # the SPC chart's layers, and the trajectory
    assert spec["resolve"] == {"scale": {"color": "independent", "strokeDash": "independent"}}
    low, high = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert low <= 0.7
    assert high >= 0.75  # the whole trajectory is on the scale
    dots = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "circle")
    assert dots["data"]["values"][0]["value"] == pytest.approx(0.7)  # the SPC points are there
    assert '"trajectory": 0.75' in text
