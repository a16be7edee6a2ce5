"""Invariants of the concern engine over generated catalogues and signals (Hypothesis).

The Francis test, as properties: good news never lowers concern and never offsets it; bad news
never lowers it; the headline is the worst domain; the order of the rows does not matter.
"""

from __future__ import annotations

import sys

import polars as pl
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from candour.analytics.concern import assess
from candour.analytics.concern.constants import (
    CONCERN_LEVELS,
    DOMAINS,
    IMPROVEMENTS,
    NEUTRAL,
    NO_EVIDENCE,
    ROLES,
)

SETTINGS = settings(max_examples=60, deadline=None)
WEIGHTS = st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0])
SIGNAL_SCHEMA = {"ods_code": pl.String, "measure_id": pl.String, "z": pl.Float64, "se": pl.Float64}


@st.composite
def catalogues(draw: st.DrawFn) -> pl.DataFrame:
    """1 to 8 measures in the first four domains (the others are left for new measures)."""
    size = draw(st.integers(1, 8))

    def column(values: st.SearchStrategy) -> list:
        return draw(st.lists(values, min_size=size, max_size=size))

    return pl.DataFrame(
        {
            "measure_id": [f"m{k}" for k in range(size)],
            "domain": column(st.sampled_from(DOMAINS[:4])),
            "improvement": column(st.sampled_from(IMPROVEMENTS)),
            "role": column(st.sampled_from(ROLES)),
            "weight": column(WEIGHTS),
            "relevant_change": column(st.none() | st.floats(0.05, 3.0)),
        },
        schema_overrides={"relevant_change": pl.Float64},
    )


@st.composite
def inputs(draw: st.DrawFn, *, complete: bool = False) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A catalogue and signals for 1 to 4 organisations, on every measure or on some (some of
    them untested) when not ``complete``."""
    measures = draw(catalogues())
    z_values = st.floats(-5.0, 5.0) if complete else st.none() | st.floats(-5.0, 5.0)
    rows = [
        (f"O{i}", measure_id, draw(z_values), draw(st.floats(0.05, 2.0)))
        for i in range(draw(st.integers(1, 4)))
        for measure_id in measures["measure_id"]
        if complete or draw(st.booleans())
    ]
    assume(rows)
    return measures, pl.DataFrame(rows, schema=SIGNAL_SCHEMA, orient="row")


def raw_z(improvement: str, z_concern: float) -> float:
    """The input z whose oriented value is z_concern (for neutral, the positive one)."""
    return -z_concern if improvement == "increase" else z_concern


def headlines(result) -> dict[str, float]:
    return dict(result.by_organisation.select("ods_code", "headline").iter_rows())


def domain_concern(result) -> dict[tuple[str, str], float]:
    return {
        (o, d): k
        for o, d, k in result.by_domain.select("ods_code", "domain", "concern").iter_rows()
    }


def with_z(signals: pl.DataFrame, row: int, z: float) -> pl.DataFrame:
    index = pl.int_range(pl.len())
    return signals.with_columns(z=pl.when(index == row).then(pl.lit(z)).otherwise(pl.col("z")))


def improvement_of(measures: pl.DataFrame) -> dict[str, str]:
    return dict(measures.select("measure_id", "improvement").iter_rows())


@SETTINGS
@given(inputs(complete=True), st.data())
def test_improving_a_favourable_measure_never_lowers_concern(case, data) -> None:
    measures, signals = case
    improvement = improvement_of(measures)
    one_sided = [i for i, m in enumerate(signals["measure_id"]) if improvement[m] != NEUTRAL]
    assume(one_sided)
    row = data.draw(st.sampled_from(one_sided))
    kind = improvement[signals["measure_id"][row]]
    favourable = data.draw(st.floats(0.0, 5.0))
    better = favourable + data.draw(st.floats(0.0, 50.0))
    before = assess(measures, with_z(signals, row, raw_z(kind, -favourable)))
    after = assess(measures, with_z(signals, row, raw_z(kind, -better)))
    for code, headline in headlines(before).items():
        assert headlines(after)[code] >= headline
    assert domain_concern(after) == domain_concern(before)


def favourable_z(improvement: str, amount: float) -> float:
    """An input z on the good side (a neutral measure's only harmless z is 0)."""
    return 0.0 if improvement == NEUTRAL else raw_z(improvement, -amount)


@st.composite
def new_measures(draw: st.DrawFn) -> pl.DataFrame:
    """Measures in domains the generated catalogues never use, none of them a target (a target
    could raise staff-voice weights, P6)."""
    size = draw(st.integers(0, 4))
    return pl.DataFrame(
        {
            "measure_id": [f"new{k}" for k in range(size)],
            "domain": draw(st.lists(st.sampled_from(DOMAINS[4:]), min_size=size, max_size=size)),
            "improvement": draw(
                st.lists(st.sampled_from(IMPROVEMENTS), min_size=size, max_size=size)
            ),
            "role": draw(
                st.lists(st.sampled_from(["balance", "other"]), min_size=size, max_size=size)
            ),
            "weight": draw(st.lists(WEIGHTS, min_size=size, max_size=size)),
            "relevant_change": [1.0] * size,
        },
        schema_overrides={
            "measure_id": pl.String,
            "domain": pl.String,
            "improvement": pl.String,
            "role": pl.String,
            "weight": pl.Float64,
            "relevant_change": pl.Float64,
        },
    )


@SETTINGS
@given(inputs(), new_measures(), st.data())
def test_adding_favourable_measures_never_lowers_the_headline(case, extra, data) -> None:
    """No amount of good news offsets a concern: favourable results for measures an
    organisation had not reported, and for new measures in new domains, change nothing."""
    measures, signals = case
    catalogue = pl.concat([measures, extra])
    improvement = improvement_of(catalogue)
    present = set(signals.select("ods_code", "measure_id").iter_rows())
    organisations = sorted(set(signals["ods_code"]))
    missing = [
        (o, m) for o in organisations for m in catalogue["measure_id"] if (o, m) not in present
    ]
    assume(missing)
    added = data.draw(st.lists(st.sampled_from(missing), min_size=1, unique=True))
    good_news = pl.DataFrame(
        [
            (o, m, favourable_z(improvement[m], data.draw(st.floats(0.0, 10.0))), 0.5)
            for o, m in added
        ],
        schema=SIGNAL_SCHEMA,
        orient="row",
    )
    before = assess(measures, signals)
    after = assess(catalogue, pl.concat([signals, good_news]))
    for code, headline in headlines(before).items():
        assert headlines(after)[code] >= headline
    concern_after = domain_concern(after)
    for pair, concern in domain_concern(before).items():
        assert concern_after[pair] == concern
    assert all(concern_after[pair] == 0.0 for pair in concern_after.keys() - domain_concern(before))


@SETTINGS
@given(inputs(complete=True), st.data())
def test_worsening_any_measure_never_lowers_concern(case, data) -> None:
    measures, signals = case
    improvement = improvement_of(measures)
    row = data.draw(st.integers(0, signals.height - 1))
    measure_id, code = signals["measure_id"][row], signals["ods_code"][row]
    z = signals["z"][row]
    kind = improvement[measure_id]
    worse = data.draw(st.floats(0.001, 10.0))
    if kind == NEUTRAL:
        worsened = z + worse if z >= 0 else z - worse  # further from expected, either side
    else:
        worsened = raw_z(kind, raw_z(kind, z) + worse)
    before = assess(measures, signals)
    after = assess(measures, with_z(signals, row, worsened))
    assert headlines(after)[code] >= headlines(before)[code]
    key = (code, measure_id)
    contribution = {
        (o, m): c
        for o, m, c in before.by_measure.select(
            "ods_code", "measure_id", "contribution"
        ).iter_rows()
    }
    contribution_after = {
        (o, m): c
        for o, m, c in after.by_measure.select("ods_code", "measure_id", "contribution").iter_rows()
    }
    assert contribution_after[key] >= contribution[key]
    for pair, concern in domain_concern(before).items():
        assert domain_concern(after)[pair] >= concern
    # Benjamini-Hochberg is monotone: a smaller p-value never raises any q-value.
    q_before, q_after = before.by_measure["q"].to_list(), after.by_measure["q"].to_list()
    assert all(a <= b * (1 + 1e-12) for a, b in zip(q_after, q_before, strict=True))


@SETTINGS
@given(inputs())
def test_the_headline_is_the_worst_domain(case) -> None:
    measures, signals = case
    result = assess(measures, signals)
    for row in result.by_organisation.iter_rows(named=True):
        domains = result.by_domain.filter(pl.col("ods_code") == row["ods_code"])
        assert all(row["headline"] >= scaled for scaled in domains["scaled"])
        assert row["headline"] == domains["scaled"].max()
        if row["headline_domain"] is not None:
            worst = domains.filter(pl.col("domain") == row["headline_domain"])
            assert worst["scaled"][0] == row["headline"]
        else:
            assert row["headline"] == 0.0


@SETTINGS
@given(inputs())
def test_favourable_results_contribute_exactly_zero(case) -> None:
    measures, signals = case
    by_measure = assess(measures, signals).by_measure
    favourable = by_measure.filter((pl.col("z_concern") <= 0) | pl.col("z").is_null())
    assert (favourable["contribution"] == 0.0).all()
    concerns = by_measure.filter(pl.col("z_concern") > 0)
    expected = concerns["weight_used"] * concerns["z_concern"] ** 2
    # relative to the value, and absolute below the smallest normal float, where a tiny z squared
    # is subnormal and keeps only a few significant bits
    tolerance = 1e-14 * expected + sys.float_info.min
    assert ((concerns["contribution"] - expected).abs() <= tolerance).all()


@SETTINGS
@given(inputs())
def test_no_reassurance_beside_a_flag_or_a_gap(case) -> None:
    measures, signals = case
    result = assess(measures, signals)
    for row in result.by_organisation.iter_rows(named=True):
        if row["n_flags"]:
            assert row["status"] in CONCERN_LEVELS
        if row["status"] == NO_EVIDENCE:
            statuses = result.by_domain.filter(pl.col("ods_code") == row["ods_code"])["status"]
            assert (statuses == NO_EVIDENCE).all()
    uninformative = result.by_measure.filter(~pl.col("informative"))
    assert (uninformative["level"] != NO_EVIDENCE).all()


@SETTINGS
@given(inputs(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(case, random) -> None:
    measures, signals = case
    measure_order = list(range(measures.height))
    signal_order = list(range(signals.height))
    random.shuffle(measure_order)
    random.shuffle(signal_order)
    original = assess(measures, signals)
    shuffled = assess(measures[measure_order], signals[signal_order])
    for name in ("measures", "domain_nulls", "by_measure", "by_domain", "by_organisation", "flags"):
        assert getattr(shuffled, name).equals(getattr(original, name)), name
