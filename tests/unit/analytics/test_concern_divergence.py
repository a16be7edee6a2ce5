"""P3: target/balance divergence flags exactly the organisations constructed to diverge."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from candour.analytics.concern import ConcernOptions, assess
from candour.exceptions import DataFileError, OptionError

MEASURES = pl.DataFrame(
    {
        "measure_id": ["ae4h", "ae12h", "waitlist", "followup", "shmi"],
        "name": [
            "4-hour standard",
            "12 hours from arrival",
            "Waiting list",
            "Follow-ups on time",
            "SHMI",
        ],
        "domain": ["performance", "safe", "performance", "safe", "safe"],
        # 4-hour: higher is better; 12-hour waits: lower is better. The waiting list is a target to
        # bring DOWN, balanced by the share of follow-ups on time, where higher is better.
        "improvement": ["increase", "decrease", "decrease", "increase", "decrease"],
        "role": ["target", "balance", "target", "balance", "other"],
    }
)
PAIRS = [("ae4h", "ae12h"), ("waitlist", "followup")]
SE = 0.01
ORGANISATIONS = [f"O{i:02d}" for i in range(1, 51)]

# Each case: (pair, raw change z of the target, raw change z of the balance, tau_delta). "Raw" is
# (now - base) / sd, + meaning the value went up; the engine orients it.
DIVERGING = {
    "O07": (0, 3.0, 2.5, 0.0),  # 4-hour up, 12-hour waits up: D = 2.5
    "O19": (0, 1.70, 4.0, 0.0),  # just over the line: D = 1.70
    "O33": (1, -2.2, -1.9, 0.0),  # waiting list down (improved), follow-ups down (worse): D = 1.9
}
NEAR_MISSES = {
    "O02": (0, 4.0, 0.5, 0.0),  # only the target moved
    "O03": (0, 0.3, 4.0, 0.0),  # only the balance moved
    "O04": (0, 1.60, 1.60, 0.0),  # both just short
    "O05": (0, 3.0, -3.0, 0.0),  # the balance improved too
    "O06": (0, -3.0, 3.0, 0.0),  # the target got worse
    # Follow-ups ROSE (improved): unoriented, min(2.5, 2.5) would flag.
    "O08": (1, -2.5, 2.5, 0.0),
    # 2.5 SE each on the within-unit error alone, but tau_delta = 4 SE / 3 brings both to 1.5.
    "O09": (0, 2.5, 2.5, 4 * SE / 3),
    "O11": (0, 1.64, 5.0, 0.0),  # 1.64 < 1.6449
}
ONLY_TARGET = "O10"  # a change for the target but none for its balance: no comparison


def change_rows(ods_code: str, pair: int, target_z: float, balance_z: float, tau: float):
    """Both measures of a pair, moved by the given multiples of sqrt(se_now^2 + se_base^2)."""
    target, balance = PAIRS[pair]
    rows = []
    base, sd = 0.5, math.sqrt(2) * SE
    for measure, raw in ((target, target_z), (balance, balance_z)):
        rows.append(
            {
                "ods_code": ods_code,
                "measure_id": measure,
                "value_now": base + raw * sd,
                "se_now": SE,
                "value_base": base,
                "se_base": SE,
                "tau_delta": tau,
            }
        )
    return rows


def constructed_changes() -> pl.DataFrame:
    rng = np.random.default_rng(2005)
    rows = []
    for ods_code in ORGANISATIONS:
        for pair in (0, 1):
            case = DIVERGING.get(ods_code) or NEAR_MISSES.get(ods_code)
            if case is not None and case[0] == pair:
                rows += change_rows(ods_code, *case)
            else:  # ordinary noise: neither side moves by 1.5 SE
                rows += change_rows(ods_code, pair, *rng.uniform(-1.5, 1.5, size=2), 0.0)
    changes = pl.DataFrame(rows)
    return changes.filter(
        ~((pl.col("ods_code") == ONLY_TARGET) & (pl.col("measure_id") == "ae12h"))
    )


def signals() -> pl.DataFrame:
    return pl.DataFrame(
        {"ods_code": ORGANISATIONS, "measure_id": "shmi", "z": 0.0, "se": 0.05},
        schema_overrides={"measure_id": pl.String},
    )


@pytest.fixture(scope="module")
def result():
    return assess(MEASURES, signals(), changes=constructed_changes(), pairs=PAIRS)


def test_exactly_the_constructed_organisations_diverge(result):
    flagged = result.divergence.filter(pl.col("flagged"))
    assert sorted(flagged["ods_code"]) == sorted(DIVERGING)
    divergence_flags = result.flags.filter(pl.col("kind") == "divergence")
    assert sorted(divergence_flags["ods_code"]) == sorted(DIVERGING)


def test_every_pair_with_changes_on_both_sides_is_compared(result):
    assert result.divergence.height == 2 * len(ORGANISATIONS) - 1
    missing = result.divergence.filter(
        (pl.col("ods_code") == ONLY_TARGET) & (pl.col("target_measure_id") == "ae4h")
    )
    assert missing.height == 0


@pytest.mark.parametrize("ods_code", sorted(DIVERGING | NEAR_MISSES))
def test_change_scores_are_oriented_and_d_is_their_minimum(result, ods_code):
    pair, target_z, balance_z, _tau = (DIVERGING | NEAR_MISSES)[ods_code]
    row = result.divergence.filter(
        (pl.col("ods_code") == ods_code) & (pl.col("target_measure_id") == PAIRS[pair][0])
    ).row(0, named=True)
    # Pair 0: target higher-is-better, balance lower-is-better: both raw signs are kept.
    # Pair 1: target lower-is-better, balance higher-is-better: both are flipped.
    sign = 1 if pair == 0 else -1
    shrink = 1.5 / 2.5 if ods_code == "O09" else 1.0
    assert row["dz_target"] == pytest.approx(sign * target_z * shrink, abs=1e-9)
    assert row["dz_balance"] == pytest.approx(sign * balance_z * shrink, abs=1e-9)
    assert row["divergence"] == min(row["dz_target"], row["dz_balance"])
    assert row["flagged"] is (ods_code in DIVERGING)


def test_levels_and_the_intersection_union_p_value(result):
    rows = {
        r["ods_code"]: r for r in result.divergence.filter(pl.col("flagged")).iter_rows(named=True)
    }
    assert rows["O07"]["level"] == "elevated risk"  # D = 2.5 >= 2.326
    assert rows["O19"]["level"] == "risk"
    assert rows["O33"]["level"] == "risk"
    assert rows["O19"]["p"] == pytest.approx(0.5 * math.erfc(1.70 / math.sqrt(2)), rel=1e-9)
    statuses = dict(result.by_organisation.select("ods_code", "status").iter_rows())
    assert statuses["O07"] == "elevated risk"
    assert statuses["O19"] == "risk"


def test_divergence_explains_itself(result):
    text = result.divergence.filter(pl.col("ods_code") == "O33").filter(pl.col("flagged"))[
        "explanation"
    ][0]
    assert text == (
        "Waiting list improved by 2.20 SE (0.5 → 0.4689) while its balancing measure Follow-ups"
        " on time worsened by 1.90 SE (0.5 → 0.4731): D = min(2.20, 1.90) = 1.90 ≥ 1.645"
        " (intersection–union test, p=0.029) — risk"
    )


def test_formula_with_unequal_standard_errors_and_tau():
    changes = pl.DataFrame(
        {
            "ods_code": ["A", "A"],
            "measure_id": ["ae4h", "ae12h"],
            "value_now": [0.80, 0.10],
            "se_now": [0.01, 0.02],
            "value_base": [0.74, 0.05],
            "se_base": [0.02, 0.01],
            "tau_delta": [0.005, 0.0],
        }
    )
    result = assess(MEASURES, signals(), changes=changes, pairs=PAIRS[:1])
    row = result.divergence.row(0, named=True)
    assert row["dz_target"] == pytest.approx(0.06 / math.sqrt(0.01**2 + 0.02**2 + 2 * 0.005**2))
    assert row["dz_balance"] == pytest.approx(0.05 / math.sqrt(0.02**2 + 0.01**2))


def test_the_threshold_follows_the_option():
    changes = pl.DataFrame(change_rows("A", 0, 1.5, 1.5, 0.0))
    loose = ConcernOptions(divergence_alpha=0.1, divergence_elevated_alpha=0.01)
    assert assess(MEASURES, signals(), changes=changes, pairs=PAIRS, options=loose).divergence[
        "flagged"
    ].to_list() == [True]
    assert assess(MEASURES, signals(), changes=changes, pairs=PAIRS).divergence[
        "flagged"
    ].to_list() == [False]


def test_pairs_may_be_a_frame():
    frame = pl.DataFrame(PAIRS, schema=["target_measure_id", "balance_measure_id"], orient="row")
    changes = constructed_changes()
    from_list = assess(MEASURES, signals(), changes=changes, pairs=PAIRS)
    from_frame = assess(MEASURES, signals(), changes=changes, pairs=frame)
    assert from_frame.divergence.equals(from_list.divergence)


def test_no_pairs_no_divergence():
    result = assess(MEASURES, signals(), changes=constructed_changes())
    assert result.divergence.height == 0
    assert result.divergence.columns[:3] == ["ods_code", "target_measure_id", "balance_measure_id"]


# --- Validation ----------------------------------------------------------------------------------


def test_pairs_need_changes():
    with pytest.raises(OptionError, match="pairs were given without changes"):
        assess(MEASURES, signals(), pairs=PAIRS)


@pytest.mark.parametrize(
    ("pairs", "row", "column", "message"),
    [
        ([("ae4h", "nope")], 1, "balance_measure_id", "not a measure_id of measures"),
        ([("ae12h", "ae4h")], 1, "target_measure_id", "must have role 'target'"),
        ([("ae4h", "ae4h")], 1, "balance_measure_id", "cannot balance itself"),
        ([("ae4h", "ae12h"), ("ae4h", "ae12h")], 2, "balance_measure_id", "earlier row"),
        ([("ae4h", "ae12h", "shmi")], 1, None, "expected a (target_measure_id"),
        ([("ae4h", None)], 1, "balance_measure_id", "a measure_id is required"),
    ],
)
def test_pairs_are_validated(pairs, row, column, message):
    with pytest.raises(DataFileError) as error:
        assess(MEASURES, signals(), changes=constructed_changes(), pairs=pairs)
    assert [(p.row, p.column) for p in error.value.problems] == [(row, column)]
    assert message in error.value.problems[0].message
    assert error.value.path == "pairs"


def test_a_paired_measure_needs_a_direction():
    measures = MEASURES.with_columns(
        improvement=pl.when(pl.col("measure_id") == "ae12h")
        .then(pl.lit("neutral"))
        .otherwise(pl.col("improvement"))
    )
    with pytest.raises(DataFileError) as error:
        assess(measures, signals(), changes=constructed_changes(), pairs=PAIRS)
    assert [(p.row, p.column) for p in error.value.problems] == [(1, "balance_measure_id")]
    assert "not 'neutral'" in error.value.problems[0].message


def test_pairs_must_be_a_list_or_frame():
    with pytest.raises(DataFileError, match="expected a frame or a list"):
        assess(MEASURES, signals(), changes=constructed_changes(), pairs="ae4h,ae12h")


@pytest.mark.parametrize(
    ("change", "row", "column", "message"),
    [
        (lambda f: f.drop("se_base"), None, "se_base", "required"),
        (lambda f: f.with_columns(se_now=pl.lit(-0.01)), 1, "se_now", "at least 0"),
        (lambda f: f.with_columns(value_now=pl.lit(None, dtype=pl.Float64)), 1, "value_now", ""),
        (lambda f: f.with_columns(tau_delta=pl.lit(math.nan)), 1, "tau_delta", "finite"),
        (
            lambda f: f.with_columns(se_now=pl.lit(0.0), se_base=pl.lit(0.0)),
            1,
            "se_now",
            "no standard error",
        ),
        (lambda f: f.with_columns(measure_id=pl.lit("zz")), 1, "measure_id", "not a measure_id"),
    ],
)
def test_changes_are_validated(change, row, column, message):
    changes = change(pl.DataFrame(change_rows("A", 0, 1.0, 1.0, 0.0)).head(1))
    with pytest.raises(DataFileError) as error:
        assess(MEASURES, signals(), changes=changes, pairs=PAIRS)
    assert [(p.row, p.column) for p in error.value.problems] == [(row, column)]
    assert message in error.value.problems[0].message
    assert error.value.path == "changes"


def test_duplicate_changes_are_refused():
    changes = pl.DataFrame(change_rows("A", 0, 1.0, 1.0, 0.0) * 2)
    with pytest.raises(DataFileError) as error:
        assess(MEASURES, signals(), changes=changes, pairs=PAIRS)
    assert [(p.row, p.column) for p in error.value.problems] == [
        (3, "measure_id"),
        (4, "measure_id"),
    ]


def test_tau_delta_is_optional():
    changes = pl.DataFrame(change_rows("A", 0, 2.0, 2.0, 0.0)).drop("tau_delta")
    row = assess(MEASURES, signals(), changes=changes, pairs=PAIRS).divergence.row(0, named=True)
    assert row["divergence"] == pytest.approx(2.0)
