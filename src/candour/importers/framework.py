"""A leadership competency framework as reviewed data: a TOML file of domains, competencies and a
rating scale (``data/leadership_competency_framework_2024.toml`` is the bundled one), read and
checked here into frozen dataclasses; the web app stores it (``candour leadership framework``).

Each problem names the file and the entry, as ``domains[2].competencies[1].key``. No Django.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from candour.exceptions import DataFileError, Problem
from candour.importers.catalogue import DATA_DIR

DEFAULT_FRAMEWORK_FILE: Final = DATA_DIR / "leadership_competency_framework_2024.toml"
KEY_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
FRAMEWORK_FIELDS: Final = {
    "key": "key",
    "name": "text",
    "version": "text",
    "publisher": "text",
    "source_url": "text",
    "in_force_from": "date",
    "authored_by": "text",
    "checked_by": "optional",
    "next_review": "date",
}
MIN_SCORED_LEVELS: Final = 2


@dataclass(frozen=True)
class Level:
    key: str
    label: str
    score: int | None  # None: not a rating ("no chance to demonstrate")


@dataclass(frozen=True)
class CompetencyDefinition:
    key: str
    statement: str


@dataclass(frozen=True)
class DomainDefinition:
    key: str
    number: int
    name: str
    summary: str
    competencies: tuple[CompetencyDefinition, ...]


@dataclass(frozen=True)
class FrameworkDefinition:
    key: str
    name: str
    version: str
    publisher: str
    source_url: str
    in_force_from: date
    authored_by: str
    checked_by: str
    next_review: date
    scale: tuple[Level, ...]
    domains: tuple[DomainDefinition, ...]
    path: str = ""

    @property
    def competencies(self) -> tuple[CompetencyDefinition, ...]:
        return tuple(c for d in self.domains for c in d.competencies)


def load_framework(path: str | Path | None = None) -> FrameworkDefinition:
    """Read and check a framework file (default: the bundled 2024 framework)."""
    path = Path(path or DEFAULT_FRAMEWORK_FILE)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataFileError(str(path), [Problem("file not found")]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(str(path), [Problem(f"not valid TOML: {exc}")]) from exc
    problems = framework_problems(raw)
    if problems:
        raise DataFileError(str(path), problems, consequence="nothing was loaded")
    return _definition(raw, str(path))


def framework_problems(raw: dict[str, Any]) -> list[Problem]:
    problems = _unknown(raw, {"framework", "scale", "domains"}, "")
    header = raw.get("framework")
    if not isinstance(header, dict):
        return [*problems, Problem("a [framework] table is required", column="framework")]
    problems += _unknown(header, set(FRAMEWORK_FIELDS), "framework.")
    for name, kind in FRAMEWORK_FIELDS.items():
        problems += _field_problems(header, name, kind, f"framework.{name}")
    problems += _scale_problems(raw.get("scale"))
    problems += _domain_problems(raw.get("domains"))
    return problems


def _field_problems(entry: dict, name: str, kind: str, where: str) -> list[Problem]:
    value = entry.get(name)
    if kind == "optional":
        return [] if isinstance(value, str | None) else [Problem("expected text", column=where)]
    if value is None or value == "":
        return [Problem("a value is required", column=where)]
    if kind == "date":
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return [Problem(f"expected a date (YYYY-MM-DD), found {value!r}", column=where)]
    elif kind == "key" and not (isinstance(value, str) and KEY_PATTERN.match(value)):
        return [
            Problem(
                f"expected lower-case letters, digits and . _ - (up to 40), found {value!r}",
                column=where,
            )
        ]
    elif kind in ("text", "key") and not isinstance(value, str):
        return [Problem(f"expected text, found {value!r}", column=where)]
    elif kind == "number" and (isinstance(value, bool) or not isinstance(value, int)):
        return [Problem(f"expected a whole number, found {value!r}", column=where)]
    return []


def _scale_problems(scale: Any) -> list[Problem]:
    if not isinstance(scale, list) or not scale:
        return [Problem("at least one [[scale]] level is required", column="scale")]
    problems = []
    for i, level in enumerate(scale, start=1):
        where = f"scale[{i}]"
        problems += _unknown(level, {"key", "label", "score"}, f"{where}.")
        problems += _field_problems(level, "key", "key", f"{where}.key")
        problems += _field_problems(level, "label", "text", f"{where}.label")
        if "score" in level:
            problems += _field_problems(level, "score", "number", f"{where}.score")
    problems += _duplicates([level.get("key") for level in scale], "scale[{}].key")
    scores = [level.get("score") for level in scale if isinstance(level.get("score"), int)]
    problems += _duplicates(scores, "scale.score", indexed=False)
    if len(scores) < MIN_SCORED_LEVELS:
        problems.append(
            Problem(f"at least {MIN_SCORED_LEVELS} levels need a score", column="scale")
        )
    return problems


def _domain_problems(domains: Any) -> list[Problem]:
    if not isinstance(domains, list) or not domains:
        return [Problem("at least one [[domains]] entry is required", column="domains")]
    problems, competency_keys = [], []
    for i, domain in enumerate(domains, start=1):
        where = f"domains[{i}]"
        problems += _unknown(
            domain, {"key", "number", "name", "summary", "competencies"}, f"{where}."
        )
        problems += _field_problems(domain, "key", "key", f"{where}.key")
        problems += _field_problems(domain, "number", "number", f"{where}.number")
        problems += _field_problems(domain, "name", "text", f"{where}.name")
        problems += _field_problems(domain, "summary", "text", f"{where}.summary")
        competencies = domain.get("competencies")
        if not isinstance(competencies, list) or not competencies:
            problems.append(
                Problem("at least one competency is required", column=f"{where}.competencies")
            )
            continue
        for j, competency in enumerate(competencies, start=1):
            inner = f"{where}.competencies[{j}]"
            problems += _unknown(competency, {"key", "statement"}, f"{inner}.")
            problems += _field_problems(competency, "key", "key", f"{inner}.key")
            problems += _field_problems(competency, "statement", "text", f"{inner}.statement")
            competency_keys.append(competency.get("key"))
    problems += _duplicates([d.get("key") for d in domains], "domains[{}].key")
    problems += _duplicates([d.get("number") for d in domains], "domains.number", indexed=False)
    problems += _duplicates(competency_keys, "competency key", indexed=False)
    return problems


def _unknown(entry: Any, allowed: set[str], prefix: str) -> list[Problem]:
    if not isinstance(entry, dict):
        return [Problem("expected a table", column=prefix.rstrip(".") or None)]
    return [Problem("unknown key", column=f"{prefix}{key}") for key in sorted(set(entry) - allowed)]


def _duplicates(values: list, where: str, *, indexed: bool = True) -> list[Problem]:
    seen: set = set()
    problems = []
    for i, value in enumerate(values, start=1):
        if value is None:
            continue
        if value in seen:
            column = where.format(i) if indexed else where
            problems.append(Problem(f"{value!r} is used twice", column=column))
        seen.add(value)
    return problems


def _definition(raw: dict[str, Any], path: str) -> FrameworkDefinition:
    header = raw["framework"]
    return FrameworkDefinition(
        key=header["key"],
        name=header["name"],
        version=header["version"],
        publisher=header["publisher"],
        source_url=header["source_url"],
        in_force_from=date.fromisoformat(str(header["in_force_from"])),
        authored_by=header["authored_by"],
        checked_by=header.get("checked_by") or "",
        next_review=date.fromisoformat(str(header["next_review"])),
        scale=tuple(Level(s["key"], s["label"], s.get("score")) for s in raw["scale"]),
        domains=tuple(
            DomainDefinition(
                key=d["key"],
                number=d["number"],
                name=d["name"],
                summary=d["summary"],
                competencies=tuple(
                    CompetencyDefinition(c["key"], c["statement"]) for c in d["competencies"]
                ),
            )
            for d in sorted(raw["domains"], key=lambda d: d["number"])
        ),
        path=path,
    )
