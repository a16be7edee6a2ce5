"""Duplicate detection in the data-request registry (issue 15, item 2): exact duplicates are the
same held data for overlapping organisations and periods; fuzzy ones near-identical wording whose
facts agree."""

from __future__ import annotations

from datetime import date

import pytest

from candour.analytics.datarequests import (
    EXACT,
    FUZZY,
    Item,
    Request,
    duplicates_of,
    is_fuzzy_match,
)
from candour.analytics.datarequests import text as words


def item(
    key="1",
    name="A&E 4-hour performance",
    definition="",
    unit="proportion",
    period="month",
    held=None,
):
    return Item(key=key, name=name, definition=definition, unit=unit, period_type=period, held=held)


def request(key, *items, organisations=("R0B",), start=None, end=None, frequency="monthly"):
    return Request(
        key=key,
        requester=f"body {key}",
        title=f"request {key}",
        frequency=frequency,
        organisations=frozenset(organisations),
        items=items,
        periods_from=start,
        periods_to=end,
    )


HELD = "measure:ae_4hr_all"


def kinds(found):
    return [(d.item.key, d.other_item.key, d.kind) for d in found]


def test_the_same_held_data_for_the_same_organisation_is_an_exact_duplicate():
    mine = request("a", item("1", "Four-hour performance", held=HELD))
    theirs = request("b", item("9", "Something worded otherwise entirely", held=HELD))
    assert kinds(duplicates_of(mine, [theirs])) == [("1", "9", EXACT)]


@pytest.mark.parametrize(
    ("other_item", "other_kwargs"),
    [
        (item("9", held=HELD, period="quarter"), {}),  # another period type
        (item("9", held=HELD), {"organisations": ("RJ1",)}),  # nobody asked by both
        (item("9", held=HELD), {"start": date(2025, 1, 1)}),  # periods that do not overlap
        (item("9", held="measure:ae_4hr_type1"), {}),  # other held data: not fuzzy either
    ],
)
def test_not_an_exact_duplicate(other_item, other_kwargs):
    mine = request("a", item("1", held=HELD), end=date(2024, 12, 1))
    theirs = request("b", other_item, **other_kwargs)
    assert duplicates_of(mine, [theirs]) == []


def test_a_request_is_not_its_own_duplicate():
    mine = request("a", item("1", held=HELD), item("2", held=HELD))
    assert duplicates_of(mine, [mine]) == []


def test_a_new_item_worded_like_a_held_one_is_a_fuzzy_duplicate_from_both_sides():
    held = request(
        "a",
        item(
            "1",
            "Emergency admissions waiting over 12 hours from decision to admit",
            "Share of emergency admissions via A&E that waited more than 12 hours from the "
            "decision to admit to admission.",
            held="measure:ae_12hr_waits",
        ),
    )
    new = request("b", item("5", "12-hour waits from decision to admit"))
    assert kinds(duplicates_of(new, [held])) == [("5", "1", FUZZY)]
    assert kinds(duplicates_of(held, [new])) == [("1", "5", FUZZY)]


def test_open_ended_periods_overlap_everything():
    mine = request("a", item("1", held=HELD))
    theirs = request("b", item("9", held=HELD), start=date(2030, 1, 1))
    assert len(duplicates_of(mine, [theirs])) == 1


# Each guard: wording alike, one fact different -> not a duplicate.
@pytest.mark.parametrize(
    ("first", "second"),
    [
        (item(name="Patients waiting over 18 weeks"), item(name="Patients waiting over 52 weeks")),
        (
            item(name="Patients waiting within 18 weeks"),
            item(name="Patients waiting over 18 weeks"),
        ),
        (
            item(name="Type 1 attendances", unit="count"),
            item(name="Type 3 attendances", unit="count"),
        ),
        (item(name="Bullying from managers"), item(name="Bullying from colleagues")),
        (
            item(name="Cases raised anonymously", unit="count"),
            item(name="Cases raised confidentially", unit="count"),
        ),
        (item(name="Sickness absence rate"), item(name="Sickness absence rate", period="quarter")),
        (item(name="Sickness absence rate"), item(name="Sickness absence rate", unit="count")),
    ],
)
def test_a_fact_that_differs_stops_a_fuzzy_match(first, second):
    assert not is_fuzzy_match(first, second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            item(name="A&E four-hour performance"),
            item(name="Accident and emergency 4 hour performance"),
        ),
        (
            item(name="Staff bullied by managers"),
            item(name="Staff experiencing bullying from managers"),
        ),
        (item(name="Sickness absence rate"), item(name="Staff sickness absence percentage")),
    ],
)
def test_the_same_figure_worded_differently_matches(first, second):
    assert is_fuzzy_match(first, second)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A&E 4-hour performance", "ae 4 hour performanc"),
        ("Accident and Emergency four hours", "ae 4 hour"),
        ("Percentage of staff bullied", "bully"),
        ("RTT waits", "rtt wait"),
    ],
)
def test_normalised_wording(text, expected):
    assert words.normalise(text) == expected


def test_thresholds_and_directions_are_read_from_the_text():
    assert words.time_thresholds("within 62 days of an urgent referral") == {("62", "days")}
    assert words.time_thresholds("sixty-two days") == {("62", "days")}
    assert words.direction("waiting more than 52 weeks") == "over"
    assert words.direction("seen within four hours") == "within"
    assert words.direction("attendances") is None
