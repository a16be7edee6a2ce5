"""The data-request registry's files: requests as reviewed data (TOML), and labelled item pairs.

``data/data_requests.toml`` holds the national collections whose data Candour already holds,
each with its public name, publisher, mandate, standard number (or none recorded), frequency,
the organisations it asks, its items (mapped to a Candour measure or a CQC rating where one fits)
and the source of each fact. ``data/data_requests_demo.toml`` holds SYNTHETIC requests for the
demo, marked ``synthetic = true``. Both are read by :func:`load_registry`; every problem names the
file and the key (``requests.ae_monthly.items[2].unit``) and what was expected, and nothing is
stored unless the whole file is right. No Django.

``data/request_item_pairs*.csv`` are item pairs a person labelled duplicate or not, read by
:func:`load_labelled_pairs` (docs/reference/requests.md).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from candour.analytics.datarequests.evaluation import LabelledPair
from candour.analytics.datarequests.model import (
    FREQUENCIES,
    ITEM_PERIODS,
    ITEM_UNITS,
    PARTIAL_DATE,
    Item,
    held_key,
)
from candour.exceptions import DataFileError, Problem
from candour.importers.catalogue import DATA_DIR, measures, sources
from candour.importers.csvfile import read_csv
from candour.importers.datasets.cqc import CQC_KEY_QUESTIONS
from candour.importers.schema import Column, Schema, validate

DEFAULT_REGISTRY_FILE = DATA_DIR / "data_requests.toml"
DEMO_REGISTRY_FILE = DATA_DIR / "data_requests_demo.toml"
# Labelled item pairs: the calibration pairs the rules and threshold were chosen on; the
# development pairs, held out at first and then used to revise the rules; the test pairs, written
# before the revised rules ran on them and not used to change them (docs/reference/requests.md).
CALIBRATION_PAIRS_FILE = DATA_DIR / "request_item_pairs.csv"
DEVELOPMENT_PAIRS_FILE = DATA_DIR / "request_item_pairs_development.csv"
TEST_PAIRS_FILE = DATA_DIR / "request_item_pairs_test.csv"

REQUESTER_KINDS = ("national_body", "regulator", "icb", "royal_college", "other")
# How a request is mandated (issue 15): by statute, by the NHS Standard Contract, as an approved
# national collection (with its information standard number where it has one), or voluntarily.
MANDATES = ("statutory", "contract", "national_collection", "voluntary")
# The longest texts the registry's columns hold (candour.web.datarequests.models; a test keeps
# them equal).
NAME_MAX_LENGTH = 200
STANDARD_MAX_LENGTH = 40
SHORT_TEXT_MAX_LENGTH = 300

REQUESTER_KEYS = {"name": True, "kind": True, "website": False}
REQUEST_KEYS = {
    "requester": True,
    "title": True,
    "description": False,
    "mandate": True,
    "standard_number": False,
    "mandate_note": False,
    "frequency": True,
    "due": False,
    "asked_since": False,
    "periods_from": False,
    "periods_to": False,
    "asked": True,
    "hours_per_return": False,
    "estimate_source": False,
    "source": True,
    "source_note": False,
    "authored_by": True,
    "checked_by": False,
    "synthetic": False,
    "items": True,
}
ITEM_KEYS = {
    "name": True,
    "definition": False,
    "unit": True,
    "period": True,
    "measure": False,
    "cqc_rating": False,
}
# Who a request asks: the organisations with data in these datasets (those who make the return),
# every open organisation, or every open organisation of these regions.
ASKED_KEYS = ("datasets", "open_organisations", "regions")


@dataclass(frozen=True)
class RequesterDefinition:
    id: str
    name: str
    kind: str
    website: str = ""


@dataclass(frozen=True)
class Asked:
    datasets: tuple[str, ...] = ()
    open_organisations: bool = False
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequestDefinition:
    key: str
    requester: str
    title: str
    mandate: str
    frequency: str
    asked: Asked
    items: tuple[Item, ...]
    source: str
    authored_by: str
    description: str = ""
    standard_number: str = ""
    mandate_note: str = ""
    due: str = ""
    asked_since: str = ""
    periods_from: date | None = None
    periods_to: date | None = None
    hours_per_return: float | None = None
    estimate_source: str = ""
    source_note: str = ""
    checked_by: str = ""
    synthetic: bool = False


@dataclass(frozen=True)
class RegistryFile:
    path: str
    requesters: tuple[RequesterDefinition, ...]
    requests: tuple[RequestDefinition, ...]


def _keys(where: str, entry: object, allowed: dict[str, bool]) -> list[Problem]:
    if not isinstance(entry, dict):
        return [Problem("expected a table", column=where)]
    problems = [
        Problem("is required", column=f"{where}.{key}")
        for key, required in allowed.items()
        if required and key not in entry
    ]
    return problems + [
        Problem(f"unknown key; expected one of {', '.join(allowed)}", column=f"{where}.{key}")
        for key in sorted(set(entry) - set(allowed))
    ]


def _text(where: str, value: object, *, max_length: int | None = None) -> list[Problem]:
    if not isinstance(value, str) or not value.strip():
        return [Problem("expected text", column=where)]
    if max_length is not None and len(value) > max_length:
        return [Problem(f"expected at most {max_length} characters", column=where)]
    return []


def _choice(where: str, value: object, allowed: tuple[str, ...]) -> list[Problem]:
    if value not in allowed:
        return [Problem(f"expected one of {', '.join(allowed)}; found {value!r}", column=where)]
    return []


def _date(where: str, value: object) -> list[Problem]:
    if isinstance(value, date):
        return []
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return [Problem(f"expected a date (YYYY-MM-DD); found {value!r}", column=where)]
    return []


def _requester_problems(requester_id: str, entry: dict) -> list[Problem]:
    where = f"requesters.{requester_id}"
    problems = _keys(where, entry, REQUESTER_KEYS)
    if problems:
        return problems
    problems += _text(f"{where}.name", entry["name"], max_length=NAME_MAX_LENGTH)
    problems += _choice(f"{where}.kind", entry["kind"], REQUESTER_KINDS)
    if "website" in entry and not str(entry["website"]).startswith("https://"):
        problems.append(Problem("expected an https:// address", column=f"{where}.website"))
    return problems


def _asked_problems(where: str, asked: object) -> list[Problem]:
    if not isinstance(asked, dict) or len(asked) != 1 or next(iter(asked)) not in ASKED_KEYS:
        return [Problem(f"expected a table with one of {', '.join(ASKED_KEYS)}", column=where)]
    kind, value = next(iter(asked.items()))
    if kind == "open_organisations":
        return [] if value is True else [Problem("expected true", column=f"{where}.{kind}")]
    if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
        return [Problem("expected a list of text", column=f"{where}.{kind}")]
    if kind == "datasets":
        unknown = [v for v in value if v not in sources()]
        return [
            Problem(
                f"unknown dataset {v!r}; expected an id in sources.toml", column=f"{where}.{kind}"
            )
            for v in unknown
        ]
    return []


def _item_problems(where: str, entry: object) -> list[Problem]:
    problems = _keys(where, entry, ITEM_KEYS)
    if problems:
        return problems
    problems += _text(f"{where}.name", entry["name"], max_length=NAME_MAX_LENGTH)
    problems += _choice(f"{where}.unit", entry["unit"], ITEM_UNITS)
    problems += _choice(f"{where}.period", entry["period"], ITEM_PERIODS)
    if "measure" in entry and "cqc_rating" in entry:
        problems.append(Problem("give measure or cqc_rating, not both", column=where))
    if "measure" in entry:
        definition = measures().get(entry["measure"])
        if definition is None:
            problems.append(
                Problem(
                    f"unknown measure {entry['measure']!r}; expected an id in measures.toml",
                    column=f"{where}.measure",
                )
            )
        elif definition.unit != entry["unit"]:
            problems.append(
                Problem(
                    f"the measure {definition.id} is in {definition.unit}, not {entry['unit']}",
                    column=f"{where}.unit",
                )
            )
    if "cqc_rating" in entry:
        problems += _choice(f"{where}.cqc_rating", entry["cqc_rating"], CQC_KEY_QUESTIONS)
        if entry["unit"] != "rating" or entry["period"] != "point_in_time":
            problems.append(
                Problem("a CQC rating is unit rating, period point_in_time", column=where)
            )
    return problems


def _request_problems(key: str, entry: dict, requester_ids: set[str]) -> list[Problem]:
    where = f"requests.{key}"
    problems = _keys(where, entry, REQUEST_KEYS)
    if problems:
        return problems
    if entry["requester"] not in requester_ids:
        problems.append(
            Problem(f"unknown requester {entry['requester']!r}", column=f"{where}.requester")
        )
    problems += _text(f"{where}.title", entry["title"], max_length=NAME_MAX_LENGTH)
    problems += _choice(f"{where}.mandate", entry["mandate"], MANDATES)
    problems += _choice(f"{where}.frequency", entry["frequency"], FREQUENCIES)
    problems += _text(f"{where}.source", entry["source"])
    problems += _text(f"{where}.authored_by", entry["authored_by"])
    if len(str(entry.get("standard_number", ""))) > STANDARD_MAX_LENGTH:
        problems.append(
            Problem(
                f"expected at most {STANDARD_MAX_LENGTH} characters",
                column=f"{where}.standard_number",
            )
        )
    for name in ("due", "estimate_source"):
        if len(str(entry.get(name, ""))) > SHORT_TEXT_MAX_LENGTH:
            problems.append(
                Problem(
                    f"expected at most {SHORT_TEXT_MAX_LENGTH} characters", column=f"{where}.{name}"
                )
            )
    since = entry.get("asked_since", "")
    if since and not (isinstance(since, str) and PARTIAL_DATE.match(since)):
        problems.append(
            Problem(
                f"expected YYYY, YYYY-MM or YYYY-MM-DD; found {since!r}",
                column=f"{where}.asked_since",
            )
        )
    for name in ("periods_from", "periods_to"):
        if name in entry:
            problems += _date(f"{where}.{name}", entry[name])
    hours = entry.get("hours_per_return")
    if hours is not None:
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours < 0:
            problems.append(
                Problem("expected a number of hours, 0 or more", column=f"{where}.hours_per_return")
            )
        if not str(entry.get("estimate_source", "")).strip():
            problems.append(
                Problem("an estimate needs its source", column=f"{where}.estimate_source")
            )
    if "synthetic" in entry and not isinstance(entry["synthetic"], bool):
        problems.append(Problem("expected true or false", column=f"{where}.synthetic"))
    problems += _asked_problems(f"{where}.asked", entry["asked"])
    items = entry["items"]
    if not isinstance(items, list) or not items:
        return [*problems, Problem("expected at least one item", column=f"{where}.items")]
    for position, item in enumerate(items, start=1):
        problems += _item_problems(f"{where}.items[{position}]", item)
    return problems


def _item(key: str, position: int, entry: dict) -> Item:
    held = None
    if "measure" in entry:
        held = held_key("measure", entry["measure"])
    elif "cqc_rating" in entry:
        held = held_key("cqc_rating", entry["cqc_rating"])
    return Item(
        key=f"{key}.{position}",
        name=entry["name"].strip(),
        definition=entry.get("definition", "").strip(),
        unit=entry["unit"],
        period_type=entry["period"],
        held=held,
    )


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _request(key: str, entry: dict) -> RequestDefinition:
    kind, value = next(iter(entry["asked"].items()))
    asked = Asked(
        datasets=tuple(value) if kind == "datasets" else (),
        open_organisations=kind == "open_organisations",
        regions=tuple(value) if kind == "regions" else (),
    )
    hours = entry.get("hours_per_return")
    return RequestDefinition(
        key=key,
        requester=entry["requester"],
        title=entry["title"].strip(),
        mandate=entry["mandate"],
        frequency=entry["frequency"],
        asked=asked,
        items=tuple(_item(key, i, item) for i, item in enumerate(entry["items"], start=1)),
        source=entry["source"].strip(),
        authored_by=entry["authored_by"].strip(),
        description=entry.get("description", "").strip(),
        standard_number=entry.get("standard_number", "").strip(),
        mandate_note=entry.get("mandate_note", "").strip(),
        due=entry.get("due", "").strip(),
        asked_since=entry.get("asked_since", ""),
        periods_from=_as_date(entry.get("periods_from")),
        periods_to=_as_date(entry.get("periods_to")),
        hours_per_return=None if hours is None else float(hours),
        estimate_source=entry.get("estimate_source", "").strip(),
        source_note=entry.get("source_note", "").strip(),
        checked_by=entry.get("checked_by", "").strip(),
        synthetic=entry.get("synthetic", False),
    )


def load_registry(path: str | Path | None = None) -> RegistryFile:
    """Read and check a registry file (default: the bundled national collections)."""
    path = Path(path or DEFAULT_REGISTRY_FILE)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataFileError(str(path), [Problem("file not found")]) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(str(path), [Problem(f"not valid TOML: {exc}")]) from exc
    problems = [
        Problem("unknown table; expected requesters and requests", column=key)
        for key in sorted(set(raw) - {"requesters", "requests"})
    ]
    requesters = raw.get("requesters", {})
    requests = raw.get("requests", {})
    for requester_id, entry in requesters.items():
        problems += _requester_problems(requester_id, entry)
    for key, entry in requests.items():
        problems += _request_problems(key, entry, set(requesters))
    if not requests:
        problems.append(Problem("expected at least one request", column="requests"))
    if problems:
        raise DataFileError(str(path), problems)
    return RegistryFile(
        path=str(path),
        requesters=tuple(
            RequesterDefinition(
                id=i, name=e["name"].strip(), kind=e["kind"], website=e.get("website", "")
            )
            for i, e in requesters.items()
        ),
        requests=tuple(_request(key, entry) for key, entry in requests.items()),
    )


PAIR_SCHEMA = Schema(
    columns=(
        Column("pair", description="the pair's number"),
        *(
            column
            for side in ("a", "b")
            for column in (
                Column(f"name_{side}", description="the item's name"),
                Column(f"definition_{side}", may_be_blank=True, description="its definition"),
                Column(f"unit_{side}", choices=ITEM_UNITS, description="its unit"),
                Column(f"period_{side}", choices=ITEM_PERIODS, description="its period"),
            )
        ),
        Column("duplicate", choices=("yes", "no"), description="the person's label"),
        Column("why", may_be_blank=True, description="why, in a few words"),
    ),
    key=("pair",),
    description="item pairs labelled duplicate (yes) or not (no)",
)


def load_labelled_pairs(path: str | Path) -> list[LabelledPair]:
    """Read and check a file of labelled item pairs (CSV, strict)."""
    frame = validate(read_csv(Path(path)), PAIR_SCHEMA, str(path))

    def item(row: dict, side: str) -> Item:
        return Item(
            key=f"{row['pair']}{side}",
            name=row[f"name_{side}"],
            definition=row[f"definition_{side}"] or "",
            unit=row[f"unit_{side}"],
            period_type=row[f"period_{side}"],
        )

    return [
        LabelledPair(
            pair=row["pair"],
            first=item(row, "a"),
            second=item(row, "b"),
            duplicate=row["duplicate"] == "yes",
            why=row["why"] or "",
        )
        for row in frame.iter_rows(named=True)
    ]
