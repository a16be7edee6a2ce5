"""The burden of data requests: per organisation, region and requester, and the items asked most.

Definitions (docs/reference/requests.md, "Burden"):

* **requests**: for an organisation, the requests that ask it; for a region, the sum over its
  organisations (one per organisation asked); for a requester, the requests it makes.
* **items**: the items of those requests, counted the same way.
* **duplicated items**: items with an exact duplicate (the same held data,
  :mod:`~candour.analytics.datarequests.matching`) in another request that also asks that
  organisation; for a requester, in any other request. **Possible duplicates**: items with only
  a fuzzy one (near-identical wording, not yet confirmed by mapping the item to held data),
  counted apart because about two in five fuzzy matches were wrong on the test pairs.
* **estimated hours a year**: hours per return (each request's own estimate, with its source) ×
  returns a year (its frequency) × organisations asked, over the requests that have an estimate;
  the requests without one are counted beside it, never guessed.
* **hours avoided**: for each return served from held data (one organisation, one request, one
  latest period, however often downloaded), the request's hours per return × the share of its
  items that were held.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from candour.analytics.datarequests.matching import EXACT, FUZZY, Duplicate
from candour.analytics.datarequests.model import Request


@dataclass(frozen=True)
class Served:
    """One organisation's return to one request, for its latest period, served from held data."""

    request: str
    organisation: str
    period: date | None
    held_items: int
    items: int

    def __post_init__(self) -> None:
        if not 0 <= self.held_items <= self.items or self.items == 0:
            raise ValueError(f"served return {self}: held items must be within 0..items")


@dataclass
class Burden:
    """The burden figures for one organisation, region or requester."""

    requests: int = 0
    items: int = 0
    duplicated_items: int = 0
    possible_duplicates: int = 0
    hours_per_year: float = 0.0
    unestimated_requests: int = 0
    hours_avoided: float = 0.0
    organisations: int = 0

    def add(self, other: Burden) -> None:
        for name in (
            "requests",
            "items",
            "duplicated_items",
            "possible_duplicates",
            "hours_per_year",
            "unestimated_requests",
            "hours_avoided",
            "organisations",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class AskedRequest:
    """One request in a cluster of duplicated items: who asks, since when, how often."""

    key: str
    requester: str
    title: str
    asked_since: str
    frequency: str


@dataclass(frozen=True)
class DuplicatedItem:
    """Items of several requests that ask for the same thing."""

    label: str
    requests: tuple[AskedRequest, ...]
    organisations_asked_more_than_once: int
    exact: bool  # at least one pair maps to the same held data
    items: tuple[tuple[str, str], ...] = field(repr=False)  # (request key, item key)

    @property
    def requesters(self) -> tuple[str, ...]:
        return tuple(sorted({r.requester for r in self.requests}))


DuplicateIndex = dict[tuple[str, str], list[tuple[str, frozenset[str]]]]


def _duplicated_for(duplicates: list[Duplicate]) -> DuplicateIndex:
    """(request key, item key) -> (kind, organisations of the other request) per duplicate."""
    found: DuplicateIndex = defaultdict(list)
    for d in duplicates:
        found[(d.request.key, d.item.key)].append((d.kind, d.other.organisations))
    return found


def _kind_for(found: list[tuple[str, frozenset[str]]], organisation: str | None) -> str | None:
    """EXACT if any duplicate is exact, FUZZY if only fuzzy ones, None if none (those asking
    ``organisation`` only, when given)."""
    kinds = {kind for kind, asked in found if organisation is None or organisation in asked}
    if EXACT in kinds:
        return EXACT
    return FUZZY if kinds else None


def _add_estimate(burden: Burden, hours: float | None) -> None:
    """Add a request's estimated hours, or count it as not estimated."""
    if hours is None:
        burden.unestimated_requests += 1
    else:
        burden.hours_per_year += hours


def _count(burden: Burden, kind: str | None) -> None:
    if kind == EXACT:
        burden.duplicated_items += 1
    elif kind == FUZZY:
        burden.possible_duplicates += 1


def _avoided(requests: dict[str, Request], served: list[Served]) -> dict[tuple[str, str], float]:
    """(request key, organisation) -> hours avoided by the returns served for it."""
    avoided: dict[tuple[str, str], float] = defaultdict(float)
    for s in served:
        request = requests.get(s.request)
        if request is None or request.hours_per_return is None:
            continue
        avoided[(s.request, s.organisation)] += request.hours_per_return * s.held_items / s.items
    return avoided


def organisation_burden(
    requests: list[Request], duplicates: list[Duplicate], served: list[Served]
) -> dict[str, Burden]:
    """Each organisation asked by any request -> its burden."""
    by_key = {r.key: r for r in requests}
    duplicated = _duplicated_for(duplicates)
    avoided = _avoided(by_key, served)
    result: dict[str, Burden] = defaultdict(lambda: Burden(organisations=1))
    for request in requests:
        hours = request.hours_per_year(1)
        for organisation in request.organisations:
            burden = result[organisation]
            burden.requests += 1
            burden.items += len(request.items)
            for item in request.items:
                _count(burden, _kind_for(duplicated.get((request.key, item.key), []), organisation))
            _add_estimate(burden, hours)
            burden.hours_avoided += avoided.get((request.key, organisation), 0.0)
    return dict(result)


def region_burden(by_organisation: dict[str, Burden], regions: dict[str, str]) -> dict[str, Burden]:
    """Each region -> the sum of its organisations' burdens (organisations without a region are
    left out)."""
    result: dict[str, Burden] = defaultdict(Burden)
    for organisation, burden in by_organisation.items():
        region = regions.get(organisation)
        if region:
            result[region].add(burden)
    return dict(result)


def requester_burden(
    requests: list[Request], duplicates: list[Duplicate], served: list[Served]
) -> dict[str, Burden]:
    """Each requester -> the burden of the requests it makes."""
    by_key = {r.key: r for r in requests}
    duplicated = _duplicated_for(duplicates)
    avoided = _avoided(by_key, served)
    result: dict[str, Burden] = defaultdict(Burden)
    for request in requests:
        burden = result[request.requester]
        burden.requests += 1
        burden.organisations += len(request.organisations)
        burden.items += len(request.items)
        for item in request.items:
            _count(burden, _kind_for(duplicated.get((request.key, item.key), []), None))
        _add_estimate(burden, request.hours_per_year(len(request.organisations)))
        burden.hours_avoided += sum(
            hours for (key, _), hours in avoided.items() if key == request.key
        )
    return dict(result)


def _clusters(duplicates: list[Duplicate]) -> list[set[tuple[str, str]]]:
    """Items linked by duplicate pairs, grouped (connected components)."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for d in duplicates:
        parent[root((d.request.key, d.item.key))] = root((d.other.key, d.other_item.key))
    groups: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for node in list(parent):
        groups[root(node)].add(node)
    return list(groups.values())


def most_duplicated(
    requests: list[Request],
    duplicates: list[Duplicate],
    held_labels: dict[str, str] | None = None,
    *,
    organisations: frozenset[str] | None = None,
) -> list[DuplicatedItem]:
    """Items asked by more than one request, most-asked first. ``held_labels`` names held data
    (``measure:ae_4hr_all`` -> the measure's name) for the label; ``organisations`` narrows to
    duplicates asked of those organisations (a region's)."""
    held_labels = held_labels or {}
    by_key = {r.key: r for r in requests}
    if organisations is not None:
        duplicates = [d for d in duplicates if d.organisations & organisations]
    exact_pairs = {
        frozenset({(d.request.key, d.item.key), (d.other.key, d.other_item.key)})
        for d in duplicates
        if d.kind == EXACT
    }
    result = []
    for cluster in _clusters(duplicates):
        keys = sorted({request_key for request_key, _ in cluster})
        cluster_requests = [by_key[k] for k in keys]
        items = [by_key[r].item_index[i] for r, i in sorted(cluster)]
        held = next((item.held for item in items if item.held), None)
        label = held_labels.get(held, items[0].name) if held else items[0].name
        counts: dict[str, int] = defaultdict(int)
        for request in cluster_requests:
            for organisation in request.organisations:
                if organisations is None or organisation in organisations:
                    counts[organisation] += 1
        exact = any(frozenset({a, b}) in exact_pairs for a in cluster for b in cluster if a != b)
        result.append(
            DuplicatedItem(
                label=label,
                requests=tuple(
                    AskedRequest(r.key, r.requester, r.title, r.asked_since, r.frequency)
                    for r in sorted(
                        cluster_requests, key=lambda r: (r.asked_since or "9999", r.key)
                    )
                ),
                organisations_asked_more_than_once=sum(1 for n in counts.values() if n > 1),
                exact=exact,
                items=tuple(sorted(cluster)),
            )
        )
    return sorted(
        result,
        key=lambda d: (-len(d.requests), -d.organisations_asked_more_than_once, d.label),
    )
