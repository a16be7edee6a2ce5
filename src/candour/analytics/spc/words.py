"""The variation and assurance of a series in words, including why an icon is missing."""

from __future__ import annotations

from candour.analytics.spc.constants import (
    ASSURANCE_WORDS,
    NO_DIRECTION_WORDS,
    NO_TARGET_WORDS,
    TOO_FEW_POINTS_WORDS,
    VARIATION_WORDS,
)


def variation_words(summary: dict) -> str:
    """The variation icon in words; a missing icon means there were too few points to show one
    (``icons_from_n_points``)."""
    return VARIATION_WORDS.get(summary.get("variation_icon"), TOO_FEW_POINTS_WORDS)


def assurance_words(summary: dict) -> str:
    """The assurance icon in words, or why there is none: no target, no better direction, or
    too few points (the icons were held back)."""
    icon = summary.get("assurance_icon")
    if icon in ASSURANCE_WORDS:
        return ASSURANCE_WORDS[icon]
    if summary.get("target") is None:
        return NO_TARGET_WORDS
    if summary.get("improvement") == "neutral":
        return NO_DIRECTION_WORDS
    return TOO_FEW_POINTS_WORDS


def icon_sentence(summary: dict) -> str:
    """The icons as a sentence, e.g. "Variation: special cause concern (low). Assurance:
    consistently failing the target."."""
    return f"Variation: {variation_words(summary)}. Assurance: {assurance_words(summary)}."
