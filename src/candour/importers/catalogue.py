"""The bundled data: where it is, where it came from, and the measure definitions."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

DOMAINS = ("safe", "effective", "caring", "responsive", "well_led", "staff_voice", "performance")
IMPROVEMENT_DIRECTIONS = ("increase", "decrease", "neutral")
UNITS = ("proportion", "count", "ratio", "score", "weeks")
FREQUENCIES = ("month", "quarter", "year", "financial_year")
COMPARISONS = ("proportion", "ratio", "value")
# The organisation types measures are compared within (the importers' vocabulary).
PEER_GROUPS = ("Acute", "Acute specialist", "Mental health", "Community", "Ambulance")


@dataclass(frozen=True)
class Source:
    id: str
    file: str
    title: str
    publisher: str
    period: str
    licence_name: str
    licence_url: str
    attribution: str
    original_location: str
    readme: str

    @property
    def path(self) -> Path:
        return DATA_DIR / self.file


@dataclass(frozen=True)
class MeasureDefinition:
    id: str
    name: str
    description: str
    unit: str
    improvement: str
    domain: str
    source: str
    numerator: str
    denominator: str
    authored_by: str
    checked_by: str
    next_review: date
    relevant_change: float | None = None
    frequency: str = "month"
    publication_lag_days: int = 45
    peer_groups: tuple[str, ...] = ()
    comparison: str | None = None
    freshness_days: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "peer_groups", tuple(self.peer_groups))
        checks = {
            "unit": (self.unit, UNITS),
            "improvement": (self.improvement, IMPROVEMENT_DIRECTIONS),
            "domain": (self.domain, DOMAINS),
            "frequency": (self.frequency, FREQUENCIES),
        }
        if self.comparison is not None:
            checks["comparison"] = (self.comparison, COMPARISONS)
        for group in self.peer_groups:
            if group not in PEER_GROUPS:
                raise ValueError(f"measure {self.id}: peer group {group!r} not in {PEER_GROUPS}")
        if not isinstance(self.publication_lag_days, int) or self.publication_lag_days < 0:
            raise ValueError(f"measure {self.id}: publication_lag_days must be a whole number >= 0")
        for field_name, (value, allowed) in checks.items():
            if value not in allowed:
                raise ValueError(f"measure {self.id}: {field_name} {value!r} not in {allowed}")
        if self.relevant_change is not None and not self.relevant_change > 0:
            raise ValueError(f"measure {self.id}: relevant_change must be positive")
        if not self.authored_by:
            raise ValueError(f"measure {self.id}: authored_by is required")


@cache
def sources() -> dict[str, Source]:
    raw = tomllib.loads((DATA_DIR / "sources.toml").read_text(encoding="utf-8"))
    licences = raw["licence"]
    result = {}
    for source_id, entry in raw["sources"].items():
        licence = licences[entry["licence"]]
        result[source_id] = Source(
            id=source_id,
            file=entry["file"],
            title=entry["title"],
            publisher=entry["publisher"],
            period=entry["period"],
            licence_name=licence["name"],
            licence_url=licence["url"],
            attribution=licence["attribution"],
            original_location=entry["original_location"],
            readme=entry["readme"],
        )
    return result


@cache
def measures() -> dict[str, MeasureDefinition]:
    raw = tomllib.loads((DATA_DIR / "measures.toml").read_text(encoding="utf-8"))
    known_sources = sources()
    result = {}
    for measure_id, entry in raw.items():
        entry = dict(entry)
        entry["next_review"] = date.fromisoformat(entry["next_review"])
        measure = MeasureDefinition(id=measure_id, **entry)
        if measure.source not in known_sources:
            raise ValueError(f"measure {measure_id}: unknown source {measure.source!r}")
        result[measure_id] = measure
    return result
