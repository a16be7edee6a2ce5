"""The burden view's numbers (issue 15, item 4), worked by hand on a small registry."""

from __future__ import annotations

from datetime import date

import pytest

from candour.analytics.datarequests import (
    Item,
    Request,
    Served,
    all_duplicates,
    most_duplicated,
    organisation_burden,
    region_burden,
    requester_burden,
)

FOUR_HOUR = "measure:ae_4hr_all"


def make(key, requester, organisations, items, *, hours=None, frequency="monthly", since=""):
    return Request(
        key=key,
        requester=requester,
        title=f"{requester} {key}",
        frequency=frequency,
        organisations=frozenset(organisations),
        items=tuple(items),
        hours_per_return=hours,
        asked_since=since,
    )


# NHS England asks A and B monthly (two items, no estimate); the ICB asks B and C monthly (the
# same held 4-hour item, plus a new item worded like NHS England's new item), 6 hours a return;
# the college asks C yearly, 10 hours, an unrelated item.
NATIONAL = make(
    "n",
    "NHS England",
    {"A", "B"},
    [
        Item("n1", "A&E 4-hour performance", held=FOUR_HOUR),
        Item("n2", "Emergency admissions", unit="count"),
    ],
    since="2001",
)
ICB = make(
    "i",
    "ICB",
    {"B", "C"},
    [
        Item("i1", "Four hour A&E performance", held=FOUR_HOUR),
        Item("i2", "Number of emergency admissions", unit="count"),
    ],
    hours=6,
    since="2024-08",
)
COLLEGE = make(
    "c",
    "College",
    {"C"},
    [Item("c1", "Consultant vacancies", unit="count")],
    hours=10,
    frequency="yearly",
)
REQUESTS = [NATIONAL, ICB, COLLEGE]
DUPLICATES = all_duplicates(REQUESTS)


def test_the_duplicates_of_the_small_registry():
    pairs = {(d.item.key, d.other_item.key, d.kind) for d in DUPLICATES}
    assert pairs == {
        ("n1", "i1", "exact"),
        ("i1", "n1", "exact"),
        ("n2", "i2", "fuzzy"),
        ("i2", "n2", "fuzzy"),
    }


def test_each_organisation_counts_only_duplicates_asked_of_it():
    served = [Served("i", "B", date(2025, 7, 1), held_items=1, items=2)]
    burden = organisation_burden(REQUESTS, DUPLICATES, served)
    a, b, c = burden["A"], burden["B"], burden["C"]
    # A is asked only by NHS England: nothing repeats for A.
    assert (a.requests, a.items, a.duplicated_items, a.possible_duplicates) == (1, 2, 0, 0)
    assert (a.hours_per_year, a.unestimated_requests) == (0, 1)
    # B is asked by both: each request's two items repeat the other's (one exact, one fuzzy).
    assert (b.requests, b.items, b.duplicated_items, b.possible_duplicates) == (2, 4, 2, 2)
    assert b.hours_per_year == 6 * 12
    assert b.unestimated_requests == 1
    assert b.hours_avoided == pytest.approx(6 * 1 / 2)  # half the ICB's items were held
    # C: the ICB's items repeat NHS England's, but NHS England does not ask C.
    assert (c.requests, c.items, c.duplicated_items, c.possible_duplicates) == (2, 3, 0, 0)
    assert c.hours_per_year == 6 * 12 + 10


def test_a_region_adds_up_its_organisations():
    by_organisation = organisation_burden(REQUESTS, DUPLICATES, [])
    regions = region_burden(by_organisation, {"A": "Y63", "B": "Y63", "C": "Y56"})
    assert (regions["Y63"].organisations, regions["Y63"].requests, regions["Y63"].items) == (
        2,
        3,
        6,
    )
    assert regions["Y63"].hours_per_year == 72
    assert regions["Y56"].hours_per_year == 82


def test_each_requester_counts_every_organisation_it_asks():
    served = [Served("i", "B", date(2025, 7, 1), 1, 2), Served("i", "C", date(2025, 7, 1), 2, 2)]
    burden = requester_burden(REQUESTS, DUPLICATES, served)
    icb = burden["ICB"]
    assert (icb.requests, icb.organisations, icb.items) == (1, 2, 2)
    assert (icb.duplicated_items, icb.possible_duplicates) == (1, 1)
    assert icb.hours_per_year == 6 * 12 * 2
    assert icb.hours_avoided == pytest.approx(3 + 6)
    assert burden["NHS England"].unestimated_requests == 1


def test_the_most_duplicated_items_say_who_asks_since_when_and_how_often():
    table = most_duplicated(REQUESTS, DUPLICATES, {FOUR_HOUR: "A&E 4-hour performance, all types"})
    first = table[0]
    assert first.exact
    assert first.label == "A&E 4-hour performance, all types"
    assert [(r.requester, r.asked_since, r.frequency) for r in first.requests] == [
        ("NHS England", "2001", "monthly"),
        ("ICB", "2024-08", "monthly"),
    ]
    assert first.organisations_asked_more_than_once == 1  # B
    assert not table[1].exact  # the emergency admissions pair: similar wording only
    assert most_duplicated(REQUESTS, DUPLICATES, organisations=frozenset({"A"})) == []


def test_a_served_return_cannot_hold_more_items_than_it_has():
    with pytest.raises(ValueError, match="held items"):
        Served("i", "B", None, held_items=3, items=2)
