"""The fuzzy matcher on item pairs a person labelled duplicate or not (issue 15, item 2): at least
40 pairs, duplicates and near misses, kept as data files; its precision and recall on each file
are what docs/reference/requests.md says."""

from __future__ import annotations

from pathlib import Path

import pytest

from candour.analytics.datarequests import evaluate
from candour.importers.datarequests import (
    CALIBRATION_PAIRS_FILE,
    DEVELOPMENT_PAIRS_FILE,
    TEST_PAIRS_FILE,
    load_labelled_pairs,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "reference" / "requests.md"
FILES = {
    "calibration": CALIBRATION_PAIRS_FILE,
    "development": DEVELOPMENT_PAIRS_FILE,
    "test": TEST_PAIRS_FILE,
}
MINIMUM_PAIRS = 40  # issue 15: "tested on at least 40 labelled item pairs"


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}% ({part}/{whole})"


def row(name: str, pairs) -> str:
    """The docs table row for one file of pairs."""
    scores = evaluate(pairs)
    called = scores.true_positives + scores.false_positives
    actual = scores.true_positives + scores.false_negatives
    return (
        f"| {name} | `{FILES[name].name}` | {scores.pairs} | {actual} | "
        f"{percent(scores.true_positives, called)} | {percent(scores.true_positives, actual)} |"
    )


def test_there_are_enough_labelled_pairs_of_both_kinds():
    pairs = [p for path in FILES.values() for p in load_labelled_pairs(path)]
    assert len(pairs) >= MINIMUM_PAIRS
    assert sum(p.duplicate for p in pairs) >= MINIMUM_PAIRS // 4
    assert sum(not p.duplicate for p in pairs) >= MINIMUM_PAIRS // 4
    calibration = load_labelled_pairs(CALIBRATION_PAIRS_FILE)
    assert len(calibration) >= MINIMUM_PAIRS


@pytest.mark.parametrize("name", list(FILES))
def test_the_docs_give_the_precision_and_recall_measured(name):
    expected = row(name, load_labelled_pairs(FILES[name]))
    assert expected in DOC.read_text(encoding="utf-8"), (
        f"docs/reference/requests.md should have the row:\n{expected}"
    )


def test_the_docs_give_the_precision_and_recall_over_every_pair():
    pairs = [p for path in FILES.values() for p in load_labelled_pairs(path)]
    scores = evaluate(pairs)
    called = scores.true_positives + scores.false_positives
    actual = scores.true_positives + scores.false_negatives
    expected = (
        f"| all | | {scores.pairs} | {actual} | {percent(scores.true_positives, called)} | "
        f"{percent(scores.true_positives, actual)} |"
    )
    assert expected in DOC.read_text(encoding="utf-8")


def test_the_calibration_pairs_are_matched_well():
    """On the pairs the rules were chosen on, the matcher should be nearly right; a change that
    breaks this is a change to the rules, to be measured on new test pairs."""
    scores = evaluate(load_labelled_pairs(CALIBRATION_PAIRS_FILE))
    assert scores.precision >= 0.9
    assert scores.recall >= 0.9
