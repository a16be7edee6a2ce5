"""What the data-request registry reasons about: requests, their items, and what a return is.

A *request* is one body's ask of a set of organisations (NHS England's monthly A&E collection, an
integrated care board's urgent-care return). Each *item* is one figure it asks for, described by
its name, definition, unit and period, and, where Candour holds the same figure, by the held data
it maps to (:attr:`Item.held`). A *return* is one organisation's answer to one request for one
reporting period. Frozen dataclasses, checked when built; no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

# How often a request asks, and how many returns that makes in a year for each organisation
# asked. "irregular" (CQC inspections, ad hoc asks) has no yearly count, so hours per year
# cannot be estimated for it.
RETURNS_PER_YEAR: dict[str, int | None] = {
    "weekly": 52,
    "monthly": 12,
    "quarterly": 4,
    "yearly": 1,
    "one_off": 1,
    "irregular": None,
}
FREQUENCIES = tuple(RETURNS_PER_YEAR)
FREQUENCY_WORDS = {
    "weekly": "weekly",
    "monthly": "monthly",
    "quarterly": "quarterly",
    "yearly": "yearly",
    "one_off": "once",
    "irregular": "irregularly",
}
# The units an item can be in: the measure units of data/measures.toml, then units a new item
# may need (a CQC rating is a word; money in pounds; times in days, hours or minutes).
MEASURE_UNITS = ("proportion", "count", "ratio", "score", "weeks")
ITEM_UNITS = (*MEASURE_UNITS, "days", "hours", "minutes", "pounds", "rating", "text")
# The periods an item describes: the observation period types Candour stores, then a value as at
# a date (a rating, a headcount on 31 March).
OBSERVATION_PERIODS = ("month", "quarter", "year", "financial_year")
ITEM_PERIODS = (*OBSERVATION_PERIODS, "point_in_time")
# How an item maps to held data: "measure:<measure id>" (observations of a Candour measure) or
# "cqc_rating:<key question>" (the CQC's published rating for the trust).
HELD_KINDS = ("measure", "cqc_rating")
# When a request began asking: a year, a year and month, or a date (as precisely as known).
PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def held_key(kind: str, name: str) -> str:
    """The key an item mapped to held data carries, e.g. ``measure:ae_4hr_all``."""
    if kind not in HELD_KINDS:
        raise ValueError(f"held data is one of {HELD_KINDS}, not {kind!r}")
    return f"{kind}:{name}"


def split_held(key: str) -> tuple[str, str]:
    kind, _, name = key.partition(":")
    if kind not in HELD_KINDS or not name:
        raise ValueError(f"not a held-data key: {key!r}")
    return kind, name


def returns_per_year(frequency: str) -> int | None:
    return RETURNS_PER_YEAR[frequency]


@dataclass(frozen=True)
class Item:
    """One figure a request asks for."""

    key: str
    name: str
    definition: str = ""
    unit: str = "count"
    period_type: str = "month"
    held: str | None = None  # "measure:<id>" or "cqc_rating:<key question>"; None: a new item

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError(f"item {self.key}: a name is required")
        if self.unit not in ITEM_UNITS:
            raise ValueError(f"item {self.key}: unit {self.unit!r} not in {ITEM_UNITS}")
        if self.period_type not in ITEM_PERIODS:
            raise ValueError(f"item {self.key}: period {self.period_type!r} not in {ITEM_PERIODS}")
        if self.held is not None:
            split_held(self.held)


@dataclass(frozen=True)
class Request:
    """One body's ask of a set of organisations.

    ``periods_from`` and ``periods_to`` bound the reporting periods it asks about (``None``: open
    at that end, as an ongoing national collection is); ``asked_since`` is when it began asking,
    as precisely as known ("2001", "2011-10", "2026-03-01"; empty when not recorded)."""

    key: str
    requester: str
    title: str
    frequency: str
    organisations: frozenset[str]
    items: tuple[Item, ...]
    periods_from: date | None = None
    periods_to: date | None = None
    asked_since: str = ""
    hours_per_return: float | None = None
    item_index: dict[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.frequency not in RETURNS_PER_YEAR:
            raise ValueError(
                f"request {self.key}: frequency {self.frequency!r} not in {FREQUENCIES}"
            )
        if self.periods_from and self.periods_to and self.periods_to < self.periods_from:
            raise ValueError(f"request {self.key}: its periods end before they start")
        if self.asked_since and not PARTIAL_DATE.match(self.asked_since):
            raise ValueError(
                f"request {self.key}: asked_since {self.asked_since!r} is not YYYY, YYYY-MM or "
                "YYYY-MM-DD"
            )
        if self.hours_per_return is not None and not self.hours_per_return >= 0:
            raise ValueError(f"request {self.key}: hours per return cannot be negative")
        keys = [item.key for item in self.items]
        if len(set(keys)) != len(keys):
            raise ValueError(f"request {self.key}: two items share a key")
        object.__setattr__(self, "item_index", {item.key: item for item in self.items})

    def hours_per_year(self, organisations: int = 1) -> float | None:
        """Estimated preparation hours in a year for ``organisations`` organisations; None when
        the request has no estimate or asks irregularly."""
        per_year = returns_per_year(self.frequency)
        if self.hours_per_return is None or per_year is None:
            return None
        return self.hours_per_return * per_year * organisations


def periods_overlap(a: Request, b: Request) -> bool:
    """Whether the reporting periods two requests ask about overlap (open ends reach forever)."""
    a_starts_after_b_ends = a.periods_from and b.periods_to and a.periods_from > b.periods_to
    b_starts_after_a_ends = b.periods_from and a.periods_to and b.periods_from > a.periods_to
    return not (a_starts_after_b_ends or b_starts_after_a_ends)
