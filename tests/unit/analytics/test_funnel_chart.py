"""The funnel chart: limits in effect, the target, and outliers labelled by name in the SVG."""

from __future__ import annotations

import polars as pl
import pytest

from candour.analytics.funnel import funnel
from candour.analytics.funnel.chart import funnel_chart, funnel_svg, limit_series, y_axis_domain

# Twenty trusts (the conformance file's sr_shmi_20 input): trusts 03 and 11 are outliers.
OBSERVED = [582, 581, 1289, 596, 422, 705, 334, 699, 337, 735]
OBSERVED += [94, 131, 937, 674, 742, 152, 710, 730, 464, 172]
EXPECTED = [572.71, 591.87, 888.79, 497.09, 392.4, 596, 325.39, 699.51, 303.2, 660.05]
EXPECTED += [151.88, 139.56, 841.67, 605.23, 816.94, 152.38, 810.51, 583.62, 430.33, 188.57]
FRAME = pl.DataFrame(
    {
        "trust": [f"Trust {i:02d}" for i in range(1, 21)],
        "observed": OBSERVED,
        "expected": EXPECTED,
    }
)


def result(**options):
    return funnel(FRAME, numerator="observed", denominator="expected", group="trust", **options)


@pytest.fixture(scope="module")
def svg() -> str:
    return funnel_svg(result(), title="Mortality (SHMI), 2019")


def test_the_svg_labels_each_outlier_by_name(svg: str) -> None:
    assert result().outlier_groups == ("Trust 03", "Trust 11")
    assert ">Trust 03<" in svg
    assert ">Trust 11<" in svg


def test_groups_within_the_limits_are_not_labelled(svg: str) -> None:
    assert "Trust 01" not in svg


def test_the_svg_is_self_contained(svg: str) -> None:
    assert svg.lstrip().startswith("<svg")
    assert "Mortality (SHMI), 2019" in svg
    assert "<script" not in svg
    assert "<image" not in svg


def test_adjusted_limits_are_drawn_when_in_effect() -> None:
    series = set(limit_series(result())["series"])
    assert series == {
        "95% limits, adjusted for overdispersion",
        "99.8% limits, adjusted for overdispersion",
    }


def test_unadjusted_limits_are_drawn_after_the_fallback() -> None:
    calm = FRAME.with_columns(observed=pl.col("expected").round(0))
    fallback = funnel(calm, numerator="observed", denominator="expected", group="trust")
    assert not fallback.draw_adjusted_effective
    assert set(limit_series(fallback)["series"]) == {"95% limits", "99.8% limits"}


def test_both_sets_are_drawn_when_both_are_asked_for() -> None:
    assert len(set(limit_series(result(draw_unadjusted=True))["series"])) == 4


def test_the_chart_has_points_target_limits_and_labels() -> None:
    spec = funnel_chart(result(multiplier=100), title="SHMI x 100").to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["line", "rule", "circle", "text"]
    target = spec["layer"][1]
    assert target["data"]["values"] == [{"value": 100.0}]
    labels = spec["layer"][3]["data"]["values"]
    assert [row["label"] for row in labels] == ["Trust 03", "Trust 11"]
    assert spec["title"] == "SHMI x 100"


def test_axis_titles_default_by_data_type_and_can_be_given() -> None:
    spec = funnel_chart(result(), title="t").to_dict()
    points = spec["layer"][2]["encoding"]
    assert points["x"]["title"] == "Expected"
    assert points["y"]["title"] == "Standardised ratio"
    spec = funnel_chart(result(), title="t", x_label="Expected deaths", y_label="SHMI").to_dict()
    assert spec["layer"][2]["encoding"]["x"]["title"] == "Expected deaths"
    assert spec["layer"][2]["encoding"]["y"]["title"] == "SHMI"


def test_the_y_axis_spans_the_target_and_every_point() -> None:
    low, high = y_axis_domain(result(multiplier=100))
    ratios = result().by_group["rr"] * 100
    assert low <= 70
    assert high >= 130
    assert low < ratios.min()
    assert high > ratios.max()
