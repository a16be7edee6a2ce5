"""P and U charts against limits worked out by hand from the binomial and Poisson formulas."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from candour.analytics.spc import p_chart, u_chart
from candour.exceptions import DataFileError


def frame(numerators, denominators, group=None) -> pl.DataFrame:
    dates = pl.date_range(dt.date(2022, 1, 1), dt.date(2030, 1, 1), "1mo", eager=True)
    data = pl.DataFrame(
        {"month": dates[: len(numerators)], "events": numerators, "exposure": denominators},
        schema={"month": pl.Date, "events": pl.Float64, "exposure": pl.Float64},
    )
    return data.with_columns(unit=pl.lit(group)) if group else data


def approx(values):
    return pytest.approx(values, rel=1e-12, abs=1e-15)


def test_p_chart_limits_vary_with_the_denominator():
    events, exposure = [5, 10, 8, 20, 12], [50, 100, 80, 200, 60]
    p_bar = 55 / 490
    sigma = [math.sqrt(p_bar * (1 - p_bar) / n) for n in exposure]
    result = p_chart(
        frame(events, exposure), numerator="events", denominator="exposure", date="month"
    )
    points = result.points
    assert points.get_column("value").to_list() == approx(
        [e / n for e, n in zip(events, exposure, strict=True)]
    )
    assert points.get_column("mean").to_list() == approx([p_bar] * 5)
    assert points.get_column("lpl").to_list() == approx([max(0.0, p_bar - 3 * s) for s in sigma])
    assert points.get_column("upl").to_list() == approx([p_bar + 3 * s for s in sigma])
    assert points.get_column("numerator").to_list() == events
    assert result.chart_type == "p"


def test_p_chart_point_above_the_limit_and_a_shift():
    # p-bar = 160/1300 = 0.1231, sigma = 0.0329: limits 0.0245 and 0.2216. The twelve 0.10s are
    # one run below the centre; 0.40 is above the upper limit.
    result = p_chart(
        frame([10] * 12 + [40], [100] * 13),
        numerator="events",
        denominator="exposure",
        date="month",
        improvement="decrease",
        target=0.30,
    )
    types = result.points.get_column("special_cause_type").cast(pl.String).to_list()
    assert types == ["7 Points Below CL"] * 12 + ["Above UCL"]
    assert result.points.get_column("lpl")[0] == pytest.approx(0.024519277673557133, rel=1e-12)
    summary = result.summary.row(0, named=True)
    assert summary["variation_icon"] == "concern_high"
    assert summary["latest_value"] == pytest.approx(0.40)
    assert summary["assurance_type"] == "consistent_pass"  # lower is better; 0.30 > UPL


def test_p_chart_lower_limit_clipped_at_zero():
    result = p_chart(
        frame([1, 0, 2, 1], [20] * 4), numerator="events", denominator="exposure", date="month"
    )
    p_bar = 4 / 80
    upper = p_bar + 3 * math.sqrt(p_bar * (1 - p_bar) / 20)
    assert result.points.get_column("lpl").to_list() == [0.0] * 4
    assert result.points.get_column("upl").to_list() == approx([upper] * 4)


def test_p_chart_centre_fixed_after_n_points():
    events = [10] * 12 + [30] * 3
    result = p_chart(
        frame(events, [100] * 15),
        numerator="events",
        denominator="exposure",
        date="month",
        fix_after_n_points=12,
    )
    assert result.points.get_column("mean").to_list() == approx([0.10] * 15)


def test_u_chart_limits():
    events, exposure = [3, 5, 2, 8], [1.0, 2.0, 0.5, 4.0]
    u_bar = 18 / 7.5
    result = u_chart(
        frame(events, exposure), numerator="events", denominator="exposure", date="month"
    )
    points = result.points
    assert points.get_column("value").to_list() == approx([3.0, 2.5, 4.0, 2.0])
    assert points.get_column("mean").to_list() == approx([u_bar] * 4)
    lower = [max(0.0, u_bar - 3 * math.sqrt(u_bar / n)) for n in exposure]
    assert points.get_column("lpl").to_list() == approx(lower)
    assert points.get_column("upl").to_list() == approx(
        [u_bar + 3 * math.sqrt(u_bar / n) for n in exposure]
    )
    assert lower[2] == 0.0  # clipped: 2.4 - 3 sqrt(4.8) < 0


def test_u_chart_many_series_at_once():
    data = pl.concat(
        [frame([3, 5, 2, 8], [1.0, 2.0, 0.5, 4.0], "A"), frame([1, 1, 1, 1], [1.0] * 4, "B")]
    )
    result = u_chart(data, numerator="events", denominator="exposure", date="month", group="unit")
    means = result.groups.select("unit", "mean").rows()
    assert means == [("A", pytest.approx(2.4)), ("B", pytest.approx(1.0))]


@pytest.mark.parametrize(
    ("events", "exposure", "message", "row"),
    [
        ([1, 30, 2], [20, 20, 20], "the numerator exceeds the denominator", 2),
        ([1, -1, 2], [20, 20, 20], "the numerator must not be negative", 2),
        ([1, 1, 2], [20, 0, 20], "the denominator must be more than 0", 2),
    ],
)
def test_impossible_counts_named_by_row(events, exposure, message, row):
    with pytest.raises(DataFileError) as raised:
        p_chart(frame(events, exposure), numerator="events", denominator="exposure", date="month")
    problem = raised.value.problems[0]
    assert (problem.message, problem.row) == (message, row)


def test_missing_counts_are_missing_points():
    result = p_chart(
        frame([10, None, 12], [100, 100, None]),
        numerator="events",
        denominator="exposure",
        date="month",
    )
    assert result.points.get_column("value").to_list() == [0.10, None, None]
    assert result.points.get_column("mean").to_list() == approx([0.10] * 3)
