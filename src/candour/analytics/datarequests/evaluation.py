"""How well the fuzzy matcher does on item pairs a person has labelled duplicate or not."""

from __future__ import annotations

from dataclasses import dataclass

from candour.analytics.datarequests.matching import is_fuzzy_match
from candour.analytics.datarequests.model import Item


@dataclass(frozen=True)
class LabelledPair:
    pair: str
    first: Item
    second: Item
    duplicate: bool
    why: str = ""


@dataclass(frozen=True)
class Scores:
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    wrong: tuple[str, ...]  # the pairs the matcher got wrong

    @property
    def pairs(self) -> int:
        return (
            self.true_positives + self.false_positives + self.false_negatives + self.true_negatives
        )

    @property
    def precision(self) -> float | None:
        """Of the pairs it called duplicates, the share that are (None when it called none)."""
        called = self.true_positives + self.false_positives
        return self.true_positives / called if called else None

    @property
    def recall(self) -> float | None:
        """Of the duplicates, the share it found (None when there are none)."""
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else None


def evaluate(pairs: list[LabelledPair]) -> Scores:
    """The fuzzy rule (:func:`~candour.analytics.datarequests.matching.is_fuzzy_match`) against
    each pair's label."""
    counts = {(True, True): 0, (True, False): 0, (False, True): 0, (False, False): 0}
    wrong = []
    for pair in pairs:
        called = is_fuzzy_match(pair.first, pair.second)
        counts[(called, pair.duplicate)] += 1
        if called != pair.duplicate:
            wrong.append(pair.pair)
    return Scores(
        true_positives=counts[(True, True)],
        false_positives=counts[(True, False)],
        false_negatives=counts[(False, True)],
        true_negatives=counts[(False, False)],
        wrong=tuple(wrong),
    )
