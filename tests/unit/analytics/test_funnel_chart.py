"""The funnel chart: limits in effect, the target, and outliers labelled by name in the SVG;
units, the denominator, the peer group, the method and the table of outliers (issue 11)."""

from __future__ import annotations

import itertools

import polars as pl
import pytest

from candour.analytics.funnel import funnel
from candour.analytics.funnel.chart import funnel_chart, funnel_svg, limit_series, y_axis_domain
from candour.analytics.funnel.outliers import outlier_table, z_scores

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
    assert ">Trust 01<" not in svg  # described for screen readers, not labelled


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
    assert marks == ["line", "rule", "circle", "rule", "text"]
    target = spec["layer"][1]
    assert target["data"]["values"] == [{"value": 100.0}]
    labels = spec["layer"][4]["data"]["values"]
    assert {row["label"] for row in labels} == {"Trust 03", "Trust 11"}
    assert spec["title"]["text"] == "SHMI x 100"


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


# Issue 11's findings on the funnels: a y-axis above 1.0 for a proportion, an x-axis titled "n",
# overlapping outlier labels, no peer group, no method, no table of outliers.

# A hundred trusts seeing about 2,000 patients each, about 80% within the target time; ten of
# them far out, in two tight clusters (five at about 93%, five at about 53%), at nearly the same
# denominator, so that their labels would fall on top of each other.
SEEN = [2000 + i for i in range(100)]
WITHIN = [1600 + (i % 5) * 10 for i in range(90)]
WITHIN += [1950, 1952, 1954, 1956, 1958, 1100, 1102, 1104, 1106, 1108]
CROWDED = pl.DataFrame({"trust": [f"R{i:02d}" for i in range(100)], "within": WITHIN, "seen": SEEN})


def crowded(**options):
    return funnel(
        CROWDED, numerator="within", denominator="seen", group="trust", data_type="PR", **options
    )


@pytest.fixture(scope="module")
def crowded_svg() -> str:
    return funnel_svg(
        crowded(),
        title="Seen within 4 hours, June 2025",
        y_label="Patients seen within 4 hours",
        denominator_label="Patients seen",
        peer_group="acute trusts",
    )


def test_a_proportion_is_drawn_in_percent_never_above_100(crowded_svg: str) -> None:
    spec = funnel_chart(crowded(), title="t").to_dict()
    y = spec["layer"][2]["encoding"]["y"]
    assert y["axis"]["format"] in (".0%", ".1%")
    assert y["title"] == "Proportion (%)"
    low, high = y_axis_domain(crowded(), "proportion")
    assert low >= 0
    assert high <= 1.0
    assert ">100%<" in crowded_svg
    assert ">1.0<" not in crowded_svg
    assert ">1.1<" not in crowded_svg
    assert "Patients seen within 4 hours (%)" in crowded_svg


def test_the_x_axis_says_what_the_denominator_counts(crowded_svg: str) -> None:
    assert ">Patients seen (denominator)<" in crowded_svg
    default = funnel_chart(crowded(), title="t").to_dict()
    assert default["layer"][2]["encoding"]["x"]["title"] == "Denominator"
    assert ">n<" not in crowded_svg


def test_the_subtitle_names_the_peer_group_and_the_method_with_tau2(crowded_svg: str) -> None:
    result = crowded()
    assert result.draw_adjusted_effective
    subtitle = funnel_chart(result, title="t", peer_group="acute trusts").to_dict()["title"][
        "subtitle"
    ]
    text = " ".join(subtitle)
    assert "Compared among acute trusts: 100 organisations." in text
    assert "additive random-effects model (Spiegelhalter 2005)" in text
    assert f"τ² = {result.tau2:.3g} on the arcsine square root scale" in text
    assert "Winsorised at 10% in each tail" in text
    assert "acute trusts" in crowded_svg
    assert "τ²" in crowded_svg


def test_the_subtitle_says_when_limits_were_not_widened() -> None:
    calm = FRAME.with_columns(observed=pl.col("expected").round(0))
    fallback = funnel(calm, numerator="observed", denominator="expected", group="trust")
    text = " ".join(funnel_chart(fallback, title="t").to_dict()["title"]["subtitle"])
    assert "No overdispersion was found" in text
    assert "τ² = 0" in text


def test_outlier_labels_do_not_overlap() -> None:
    result = crowded()
    assert result.outliers.height == 10
    spec = funnel_chart(result, title="t", width=640, height=420).to_dict()
    labels = spec["layer"][4]["data"]["values"]
    assert len(labels) == 8  # at most MAX_LABELS; the subtitle points to the table
    assert "10 outliers; the 8 furthest from the target are labelled" in " ".join(
        spec["title"]["subtitle"]
    )
    low, high = spec["layer"][2]["encoding"]["y"]["scale"]["domain"]
    heights = sorted((high - row["label_value"]) / (high - low) * 420 for row in labels)
    gaps = [b - a for a, b in itertools.pairwise(heights)]
    assert min(gaps) >= 14 - 1e-9  # a line apart: these labels all sit side by side
    # On main every label sat at its dot: the clustered labels were drawn over each other.
    moved = [row for row in labels if row["moved"]]
    assert moved
    assert spec["layer"][3]["data"]["values"] == moved  # leader lines to the moved labels


def test_the_table_of_outliers_has_their_z_scores() -> None:
    result = crowded()
    table = outlier_table(result)
    assert table.columns == [
        "group", "numerator", "denominator", "value", "shown", "target_shown", "z", "side"
    ]  # fmt: skip
    assert set(table["group"]) == set(result.outlier_groups)
    z = table["z"].abs().to_list()
    assert z == sorted(z, reverse=True)
    assert min(z) > 3.090232  # outside the 99.8% limits, with tau2
    assert table.filter(pl.col("side") == "above")["shown"].to_list()[0] == "93.5%"
    assert set(table["side"]) == {"above", "below"}
    assert table["target_shown"][0] == f"{result.target * 100:.1f}%"


def test_every_outlier_and_no_other_group_is_beyond_the_flagging_z() -> None:
    result = funnel(FRAME, numerator="observed", denominator="expected", group="trust")
    z = z_scores(result).abs()
    flagged = result.by_group["outlier"] == 1
    assert (z.filter(flagged) > 3.090232).all()
    assert (z.filter(~flagged) <= 3.090232).all()
