"""Item text as the fuzzy matcher compares it: normalised words, and the facts that must agree.

Two requests seldom word an item alike ("A&E 4-hour performance", "percentage of patients seen
within four hours in the emergency department"). Before comparing, :func:`normalise` lower-cases
the text, expands the abbreviations and synonyms below to one spelling, writes number words as
digits and time thresholds as "<n> <unit>", drops words that carry no meaning here, and removes
word endings (:func:`stem`).

Then the facts a near-identical wording can still disagree on are read out of the text, each by
one small function: the time thresholds (:func:`time_thresholds`: 18 weeks is not 52 weeks), the
direction of a threshold (:func:`direction`: within 18 weeks is not over 18 weeks), the other
numbers of a name (:func:`name_numbers`: type 1 is not type 3), and the terms that name one of a
set of alternatives (:func:`contrasts`: bullying from managers is not bullying from colleagues).
"""

from __future__ import annotations

import re
from functools import cache

# Phrases written one way before comparing: abbreviations NHS requests use and the names they
# stand for (NHS Data Model and Dictionary), and words that mean the same in an item's name.
# Longer phrases first, so "accident and emergency department" is read before "emergency".
SYNONYMS: tuple[tuple[str, str], ...] = (
    (r"accident (?:and|&) emergency(?: departments?)?", "ae"),
    (r"a ?(?:&|and) ?e(?: departments?)?", "ae"),
    (r"emergency departments?", "ae"),
    (r"\beds?\b", "ae"),
    (r"referral to treatment", "rtt"),
    (r"summary hospital[- ]level mortality indicator", "shmi"),
    (r"hospital standardised mortality ratio", "hsmr"),
    (r"freedom to speak up", "ftsu"),
    (r"care quality commission", "cqc"),
    (r"staff survey", "staffsurvey"),
    (r"faster diagnosis standard", "fds"),
    (r"decision to admit", "dta"),
    (r"whole[- ]time equivalents?", "wte"),
    (r"full[- ]time equivalents?", "wte"),
    (r"bloodstream infections?", "bacteraemia"),
    (r"\bpercentages?\b|\bper ?cent\b|%|\bproportions?\b|\bshares?\b", "proportion"),
    (r"\borganisations?\b|\btrusts?\b|\bproviders?\b", "organisation"),
    (r"harassment,? bullying (?:or|and) abuse", "bullying"),
    (r"bullying (?:or|and) harassment", "bullying"),
    (r"\bharassment\b", "bullying"),
    (r"\bexpenditure\b|\bspending\b", "spend"),
    (r"\banonymously\b", "anonymous"),
    (r"\bconfidentially\b", "confidential"),
    (r"\bopenly\b", "open"),
)
NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "six": "6",
    "twelve": "12",
    "thirteen": "13",
    "eighteen": "18",
    "twenty-eight": "28",
    "thirty": "30",
    "thirty-one": "31",
    "fifty-two": "52",
    "sixty": "60",
    "sixty-two": "62",
}
# Units of time a threshold is written in, by their spellings.
TIME_UNITS = {
    "minutes": ("minutes", "minute", "mins", "min"),
    "hours": ("hours", "hour", "hrs", "hr", "h"),
    "days": ("days", "day"),
    "weeks": ("weeks", "week", "wks", "wk"),
}
# Words that put a count on one side of a threshold (RTT, A&E and cancer standards are written
# both ways: "within 18 weeks" counts those who met it, "over 52 weeks" those who did not).
WITHIN = ("within", "under", "less than", "no more than", "up to", "or less", "or fewer")
OVER = ("over", "more than", "longer than", "exceeding", "in excess of", "beyond", "at least")
# Sets of alternatives: an item naming one of a set asks something else than an item naming
# another of the same set, however alike the rest of the wording. From the NHS vocabularies
# these items come from: who bullied staff (NHS Staff Survey q13a-c), how a speak-up case was
# raised (National Guardian's Office), the CQC's key questions, staff groups, infections under
# mandatory surveillance (UKHSA), what was received, which statistic of a distribution, and which
# service (the Friends and Family Test asks each), and which harm a staff member met (the Staff
# Survey asks about violence, bullying and discrimination apart). Compared stemmed (:func:`stem`).
CONTRASTS: tuple[frozenset[str], ...] = (
    frozenset({"managers", "colleagues", "patients", "public"}),
    frozenset({"anonymous", "confidential", "open"}),
    frozenset({"overall", "safe", "effective", "caring", "responsive", "well-led"}),
    frozenset({"nursing", "nurse", "medical", "doctor", "midwifery", "allied"}),
    frozenset({"mrsa", "mssa", "difficile", "coli", "klebsiella", "pseudomonas"}),
    frozenset({"complaints", "compliments"}),
    frozenset({"agency", "bank"}),
    frozenset({"work", "treatment", "care"}),
    frozenset({"arrival", "dta"}),
    frozenset({"median", "mean", "average", "percentile", "centile"}),
    frozenset({"inpatient", "outpatient", "ae", "maternity"}),
    frozenset({"bullying", "discrimination", "violence"}),
)
# Words that carry no meaning for matching: grammar, counting words, periods (the period is
# compared on its own), and words nearly every item of an NHS request uses, which would make
# unrelated items look alike ("staff who would recommend the organisation" and "staff confident
# the organisation would address their concern" share only these).
GRAMMAR = (
    "a an and the of in on for to at by with from who whose which that this their its is are was "
    "were be been as or than during each per any all"
)
COUNTING = "number count total figure rate proportion"
PERIODS = "month monthly quarter quarterly year yearly annual"
COMMON = "staff patients people organisation would reported reporting recorded"
STOPWORDS = frozenset(f"{GRAMMAR} {COUNTING} {PERIODS} {COMMON}".split())
# Word endings removed before comparing, so that "bullied", "bullying" and "bullies" compare
# equal (a light suffix rule, not a full stemmer): the first that fits, then a final "e".
SUFFIXES = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))
SHORTEST_STEM = 3
WORD = re.compile(r"[a-z0-9][a-z0-9-]*")
NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")


@cache
def _time_pattern() -> re.Pattern:
    spellings = "|".join(
        sorted((s for names in TIME_UNITS.values() for s in names), key=len, reverse=True)
    )
    return re.compile(rf"\b(\d+(?:\.\d+)?)\s*-?\s*({spellings})\b")


def _unit_of(spelling: str) -> str:
    return next(unit for unit, names in TIME_UNITS.items() if spelling in names)


def _number_words(text: str) -> str:
    for word, digits in sorted(NUMBER_WORDS.items(), key=lambda pair: -len(pair[0])):
        text = re.sub(rf"\b{word}\b", digits, text)
    return text


def canonical(text: str) -> str:
    """Lower case, abbreviations and synonyms written one way, numbers as digits, thresholds as
    "<n> <unit>" ("4-hour" and "four hours" are both "4 hours")."""
    text = _number_words(text.lower().replace("’", "'"))
    for pattern, replacement in SYNONYMS:
        text = re.sub(pattern, f" {replacement} ", text)
    text = _time_pattern().sub(lambda m: f" {m.group(1)} {_unit_of(m.group(2))} ", text)
    return re.sub(r"\s+", " ", text).strip()


def stem(word: str) -> str:
    """``word`` without its ending (:data:`SUFFIXES`): "bullied" and "bullying" are "bully"."""
    for ending, replacement in SUFFIXES:
        if word.endswith(ending) and len(word) - len(ending) >= SHORTEST_STEM:
            word = word[: -len(ending)] + replacement
            break
    return word[:-1] if word.endswith("e") and len(word) > SHORTEST_STEM + 1 else word


def normalise(text: str) -> str:
    """The words of ``text`` that matter for matching, stemmed, in order, separated by spaces."""
    return " ".join(stem(w) for w in WORD.findall(canonical(text)) if w not in STOPWORDS)


def time_thresholds(text: str) -> frozenset[tuple[str, str]]:
    """Every time threshold in ``text``, as (number, unit): "within 18 weeks" -> ("18", "weeks")."""
    found = _time_pattern().findall(canonical(text))
    return frozenset((number, _unit_of(unit)) for number, unit in found)


def direction(text: str) -> str | None:
    """ "within" or "over" for the first threshold word in ``text``, or None."""
    lowered = canonical(text)
    positions = [
        (match.start(), side)
        for side, phrases in (("within", WITHIN), ("over", OVER))
        for phrase in phrases
        for match in re.finditer(rf"\b{re.escape(phrase)}\b", lowered)
    ]
    return min(positions)[1] if positions else None


def name_numbers(text: str) -> frozenset[str]:
    """Every number in ``text`` (a name): type 1, 92nd percentile, 62 days."""
    return frozenset(NUMBER.findall(canonical(text)))


@cache
def _stemmed_contrasts() -> tuple[frozenset[str], ...]:
    return tuple(frozenset(stem(word) for word in alternatives) for alternatives in CONTRASTS)


def contrasts(text: str) -> tuple[frozenset[str], ...]:
    """For each set of :data:`CONTRASTS`, the members ``text`` names (stemmed)."""
    words = {stem(word) for word in WORD.findall(canonical(text))}
    return tuple(frozenset(words & alternatives) for alternatives in _stemmed_contrasts())
