"""Targets as reviewed data: a TOML file of target definitions, parsed and checked for shape.

Whether a target may be *published* (the three Francis qualifications) is decided in one place,
the Target model in the web layer; this module only checks that each entry is well formed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from candour.exceptions import DataFileError, Problem
from candour.importers.catalogue import DATA_DIR

DEFAULT_TARGETS_FILE = DATA_DIR / "targets.toml"
COMPARISONS = ("at_least", "at_most")
REQUIRED = ("name", "measure", "comparison", "threshold", "set_by", "effective_from")
OPTIONAL = (
    "effective_to",
    "organisation_types",
    "balancing_measures",
    "resources_and_support",
    "consequence_policy",
    "consequence_notes",
    "rationale",
)


@dataclass(frozen=True)
class TargetDefinition:
    id: str
    name: str
    measure: str
    comparison: str
    threshold: float
    set_by: str
    effective_from: date
    effective_to: date | None = None
    organisation_types: tuple[str, ...] = ()
    balancing_measures: tuple[str, ...] = ()
    resources_and_support: str = ""
    consequence_policy: str = ""
    consequence_notes: str = ""
    rationale: str = ""


def _problems_in(target_id: str, entry: dict) -> list[Problem]:
    problems = [
        Problem(f"{key!r} is required", column=f"{target_id}.{key}")
        for key in REQUIRED
        if key not in entry
    ]
    unknown = set(entry) - set(REQUIRED) - set(OPTIONAL)
    problems += [Problem("unknown key", column=f"{target_id}.{key}") for key in sorted(unknown)]
    if "comparison" in entry and entry["comparison"] not in COMPARISONS:
        problems.append(
            Problem(f"expected one of {', '.join(COMPARISONS)}", column=f"{target_id}.comparison")
        )
    if "threshold" in entry and not isinstance(entry["threshold"], int | float):
        problems.append(Problem("expected a number", column=f"{target_id}.threshold"))
    for key in ("effective_from", "effective_to"):
        if key in entry:
            try:
                date.fromisoformat(str(entry[key]))
            except ValueError:
                problems.append(
                    Problem("expected a date (YYYY-MM-DD)", column=f"{target_id}.{key}")
                )
    for key in ("organisation_types", "balancing_measures"):
        if key in entry and not (
            isinstance(entry[key], list) and all(isinstance(v, str) for v in entry[key])
        ):
            problems.append(Problem("expected a list of text", column=f"{target_id}.{key}"))
    return problems


def load_targets(path: str | Path | None = None) -> list[TargetDefinition]:
    path = Path(path or DEFAULT_TARGETS_FILE)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataFileError(str(path), [Problem("file not found")]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(str(path), [Problem(f"not valid TOML: {exc}")]) from exc
    problems = [p for target_id, entry in raw.items() for p in _problems_in(target_id, entry)]
    if problems:
        raise DataFileError(str(path), problems)
    definitions = []
    for target_id, entry in raw.items():
        fields = dict(entry)
        fields["effective_from"] = date.fromisoformat(str(fields["effective_from"]))
        if "effective_to" in fields:
            fields["effective_to"] = date.fromisoformat(str(fields["effective_to"]))
        for key in ("organisation_types", "balancing_measures"):
            fields[key] = tuple(fields.get(key, ()))
        fields["threshold"] = float(fields["threshold"])
        definitions.append(TargetDefinition(id=target_id, **fields))
    return definitions
