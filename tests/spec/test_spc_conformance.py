"""Conformance of candour.analytics.spc with NHSRplotthedots 0.2.2 (tests/conformance/spc_cases.json).

Every case must match: mean, lpl and upl within 1e-9, every other field exactly, nulls where the
reference has NA. The two cases the reference rejects must be rejected with a UserError. A
second test runs every case through one vectorised call (the cases stacked, one series each,
options given per series) and expects the same answers.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest

from candour.analytics.spc import SPCResult, spc
from candour.exceptions import UserError

CASES_FILE = Path(__file__).parents[1] / "conformance" / "spc_cases.json"
CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]
VALID = [c for c in CASES if c["expected"]["error"] is None]
REJECTED = [c for c in CASES if c["expected"]["error"] is not None]
TOLERANCE = 1e-9
NUMERIC_FIELDS = {"mean", "lpl", "upl"}
SUMMARY_FIELDS = ("variation_type", "variation_icon", "assurance_type", "assurance_icon")
CASE = "case"


def case_frame(case: dict) -> pl.DataFrame:
    return pl.DataFrame(
        {"date": case["input"]["dates"], "value": case["input"]["values"]},
        schema={"date": pl.String, "value": pl.Float64},
    )


def run_case(case: dict) -> SPCResult:
    options = case["options"]
    return spc(
        case_frame(case),
        value="value",
        date="date",
        improvement=options["improvement_direction"],
        target=options["target"],
        rebase=options["rebase"],
        fix_after_n_points=options["fix_after_n_points"],
        screen_outliers=options["screen_outliers"],
    )


def close(actual: float | None, expected: float | None) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return math.isclose(actual, expected, rel_tol=0, abs_tol=TOLERANCE)


def assert_field(name: str, actual: list, expected: list) -> None:
    assert len(actual) == len(expected), f"{name}: {len(actual)} values, expected {len(expected)}"
    if name in NUMERIC_FIELDS:
        wrong = [
            (i, a, e)
            for i, (a, e) in enumerate(zip(actual, expected, strict=True))
            if not close(a, e)
        ]
        assert not wrong, f"{name}: (row, got, expected) {wrong}"
    else:
        assert actual == expected, f"{name}: {actual} != {expected}"


def assert_matches(result: SPCResult, expected: dict) -> None:
    points = result.points.with_columns(pl.col("date").cast(pl.String))
    for name, values in expected["points"].items():
        assert_field(name, points.get_column(name).to_list(), values)
    summary = result.summary.row(0, named=True)
    for name in SUMMARY_FIELDS:
        assert summary[name] == expected[name], f"{name}: {summary[name]} != {expected[name]}"
    groups = result.groups.drop(result.group)
    assert groups.height == len(expected["groups"])
    for name in expected["groups"][0]:
        assert_field(
            f"groups.{name}",
            groups.get_column(name).to_list(),
            [g[name] for g in expected["groups"]],
        )
    assert list(result.warnings) == expected["warnings"]


@pytest.mark.parametrize("case", VALID, ids=[c["id"] for c in VALID])
def test_case_matches_reference(case):
    assert_matches(run_case(case), case["expected"])


@pytest.mark.parametrize("case", REJECTED, ids=[c["id"] for c in REJECTED])
def test_case_rejected_as_reference(case):
    with pytest.raises(UserError) as raised:
        run_case(case)
    assert str(raised.value).strip()


def test_file_holds_73_cases():
    assert len(CASES) == 73
    assert len(REJECTED) == 2


def stacked(cases: list[dict]) -> pl.DataFrame:
    return pl.concat(case_frame(c).with_columns(pl.lit(c["id"]).alias(CASE)) for c in cases)


def per_case(cases: list[dict], option: str) -> dict:
    return {c["id"]: c["options"][option] for c in cases}


def run_stacked(cases: list[dict]) -> SPCResult:
    return spc(
        stacked(cases),
        value="value",
        date="date",
        group=CASE,
        improvement=per_case(cases, "improvement_direction"),
        target=per_case(cases, "target"),
        rebase=per_case(cases, "rebase"),
        fix_after_n_points=per_case(cases, "fix_after_n_points"),
        screen_outliers=per_case(cases, "screen_outliers"),
        chunk_rows=256,  # several batches, so that batch boundaries are exercised too
    )


def test_all_cases_in_one_vectorised_call():
    result = run_stacked(VALID)
    assert result.n_series == len(VALID)
    for case in VALID:
        one = result.series(case["id"])
        assert_matches(one, case["expected"])


@pytest.mark.parametrize("case", REJECTED, ids=[c["id"] for c in REJECTED])
def test_rejected_case_rejects_a_stacked_call(case):
    with pytest.raises(UserError):
        run_stacked([*VALID[:5], case])
