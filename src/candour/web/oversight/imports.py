"""Importing a dataset: the write path for organisations, measures, ratings and observations that
come from files. Keyword-only arguments, ``by`` the actor, one transaction that also records the
audit event.

An import replaces exactly the cells the file has rows for: for observations a cell is one
(dataset, organisation, period); for ratings, which a file gives as each organisation's ratings
in force, one (dataset, organisation). Everything else stored stays as it was. Within its cells
an import creates rows, replaces rows, and removes the rows the file no longer gives (a cell
whose values are now blank); an import that would remove a whole organisation from the dataset,
or more than :data:`MAX_SHRINK_FRACTION` of the dataset's stored rows, is refused unless the
caller allows it. :func:`plan_import` says what an import would do without doing it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl
from django.db import models, transaction

from candour.exceptions import ImportRefused
from candour.importers.catalogue import measures as measure_definitions
from candour.importers.datasets import (
    CELL_COLUMNS,
    MAX_SHRINK_FRACTION,
    ImportedData,
    load_successors,
)
from candour.web.core import audit
from candour.web.core.actions import actor_label
from candour.web.oversight import assessment
from candour.web.oversight.models import ImportRun, Measure, Observation, Organisation, Rating

BATCH_SIZE = 2000
ORGANISATION_FIELDS = (
    "name",
    "org_type",
    "region_code",
    "region_name",
    "icb_code",
    "icb_name",
    "postcode",
    "open_date",
    "close_date",
)
# What identifies a stored row within its cell: the row the file gives again replaces it.
OBSERVATION_KEY = ("ods_code", "measure_id", "period_type", "period_start")
RATING_KEY = ("ods_code", "service", "key_question")
ORGANISATIONS_LISTED = 10  # in a refusal, the first few organisations it names
Progress = Callable[[int], None]  # called with the number of rows just written


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, for a dry run, would do). Row counts are observations and
    ratings together: ``created`` + ``replaced`` is every row the file gives; ``removed`` are
    stored rows in the file's cells that the file no longer gives."""

    dataset: str
    organisations_created: int
    organisations_updated: int
    ratings: int
    observations: int
    created: int
    replaced: int
    removed: int
    stored_before: int
    organisations_removed: tuple[str, ...]
    skipped: dict[str, int]
    dry_run: bool = False


@dataclass(frozen=True)
class _Changes:
    """How the file's rows meet what is stored in its cells."""

    stale_ids: list[int]  # every stored row in the file's cells: deleted, then the file's written
    created: int
    replaced: int
    removed: int
    organisations_removed: tuple[str, ...]


@dataclass(frozen=True)
class _OrganisationChanges:
    to_create: list[Organisation]
    to_update: list[Organisation]
    fields: tuple[str, ...]


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def sync_measures(*, by) -> int:
    """Make the Measure table match ``data/measures.toml``. Returns how many changed."""
    definitions = {
        d.id: {**asdict(d), "peer_groups": list(d.peer_groups)}
        for d in measure_definitions().values()
    }
    fields = [f for f in next(iter(definitions.values())) if f != "id"]
    stored = {row.pop("id"): row for row in Measure.objects.values("id", *fields)}
    changed = 0
    for measure_id, definition in definitions.items():
        definition = {f: definition[f] for f in fields}
        if stored.get(measure_id) != definition:
            Measure.objects.update_or_create(pk=measure_id, defaults=definition)
            changed += 1
    if changed:
        audit.append(actor=actor_label(by), action="measures.sync", details={"changed": changed})
        assessment.bump("measures")
    return changed


# --- Planning: what an import would change (reads only) -----------------------------------------


def _is_unset(organisation: Organisation, field_name: str) -> bool:
    value = getattr(organisation, field_name)
    return value in (None, "") or (field_name == "name" and value == organisation.ods_code)


def _mentioned_codes(imported: ImportedData) -> list[str]:
    frames = (imported.organisations, imported.ratings, imported.observations)
    codes = {code for frame in frames if frame is not None for code in frame["ods_code"]}
    return sorted(codes)


def _organisation_changes(imported: ImportedData) -> _OrganisationChanges:
    """Organisations to create (every code the file mentions that is not yet known; a bare one
    is named by its code until a reference names it) and to fill in or, for the authoritative
    ODS reference, correct."""
    existing = Organisation.objects.in_bulk(_mentioned_codes(imported))
    to_create: dict[str, Organisation] = {}
    to_update, changed_fields = [], set()
    rows = [] if imported.organisations is None else imported.organisations.iter_rows(named=True)
    for row in rows:
        known = {f: row[f] for f in ORGANISATION_FIELDS if row[f] is not None}
        organisation = existing.get(row["ods_code"])
        if organisation is None:
            known.setdefault("name", row["ods_code"])
            to_create[row["ods_code"]] = Organisation(ods_code=row["ods_code"], **known)
            continue
        if not imported.names_authoritative:  # only fill in what no dataset has said yet
            known = {f: v for f, v in known.items() if _is_unset(organisation, f)}
        differing = {f: v for f, v in known.items() if getattr(organisation, f) != v}
        if differing:
            for field_name, value in differing.items():
                setattr(organisation, field_name, value)
            changed_fields |= differing.keys()
            to_update.append(organisation)
    for code in _mentioned_codes(imported):
        if code not in existing and code not in to_create:
            to_create[code] = Organisation(ods_code=code, name=code)
    return _OrganisationChanges(list(to_create.values()), to_update, tuple(sorted(changed_fields)))


def _stored(queryset: models.QuerySet, fields: dict[str, str]) -> pl.DataFrame:
    """``queryset``'s ids and ``fields`` (model field -> column) as a frame."""
    schema = {"id": pl.Int64, **{column: _KEY_TYPES[column] for column in fields.values()}}
    return pl.DataFrame(list(queryset.values_list("id", *fields)), schema=schema, orient="row")


_KEY_TYPES = {
    "ods_code": pl.String,
    "measure_id": pl.String,
    "period_type": pl.String,
    "period_start": pl.Date,
    "service": pl.String,
    "key_question": pl.String,
    "dataset": pl.String,
}
OBSERVATION_FIELDS = {
    "organisation_id": "ods_code",
    "measure_id": "measure_id",
    "period_type": "period_type",
    "period_start": "period_start",
}


def _changes(
    model: type[models.Model],
    dataset: str,
    stored: pl.DataFrame,
    new: pl.DataFrame,
    key: Sequence[str],
) -> _Changes:
    """Compare the stored rows of the file's cells with the file's rows, by ``key``."""
    key = list(key)
    new_keys = new.select(key).unique()
    replaced = stored.join(new_keys, on=key, how="semi").height
    removed = stored.join(new_keys, on=key, how="anti")
    created = new_keys.join(stored, on=key, how="anti")
    return _Changes(
        stale_ids=stored["id"].to_list(),
        created=created.height,
        replaced=replaced,
        removed=removed.height,
        organisations_removed=_organisations_removed(model, dataset, removed, created),
    )


def _organisations_removed(
    model: type[models.Model], dataset: str, removed: pl.DataFrame, created: pl.DataFrame
) -> tuple[str, ...]:
    """Organisations that have rows in the dataset now and would have none after."""
    losing = removed.group_by("ods_code").len("removed")
    if losing.is_empty():
        return ()
    stored = dict(
        model.objects.filter(dataset=dataset, organisation_id__in=losing["ods_code"].to_list())
        .values("organisation_id")
        .annotate(rows=models.Count("id"))
        .values_list("organisation_id", "rows")
    )
    gaining = dict(created.group_by("ods_code").len("created").iter_rows())
    return tuple(
        sorted(
            code
            for code, lost in losing.iter_rows()
            if stored.get(code, 0) - lost + gaining.get(code, 0) == 0
        )
    )


def _observation_changes(imported: ImportedData) -> _Changes:
    cells, new = imported.cells, imported.observations
    nearby = _stored(
        Observation.objects.filter(
            organisation_id__in=cells["ods_code"].unique().to_list(),
            period_start__in=cells["period_start"].unique().to_list(),
        ),
        {**OBSERVATION_FIELDS, "dataset": "dataset"},
    )
    _refuse_other_datasets_values(imported, nearby.filter(pl.col("dataset") != imported.dataset))
    stored = nearby.filter(pl.col("dataset") == imported.dataset).join(
        cells, on=list(CELL_COLUMNS), how="semi"
    )
    return _changes(Observation, imported.dataset, stored, new, OBSERVATION_KEY)


def _refuse_other_datasets_values(imported: ImportedData, others: pl.DataFrame) -> None:
    """A measure's value for an organisation and period comes from one dataset only."""
    clashes = others.join(imported.observations, on=list(OBSERVATION_KEY), how="semi")
    if clashes.is_empty():
        return
    shown = "; ".join(
        f"{row['measure_id']} for {row['ods_code']} in {row['period_type']} from "
        f"{row['period_start']} is stored from {row['dataset']}"
        for row in clashes.head(ORGANISATIONS_LISTED).iter_rows(named=True)
    )
    raise ImportRefused(
        f"{imported.dataset}: nothing was imported: {clashes.height} value(s) in the file are "
        f"already stored from another dataset ({shown}); a measure's value for an organisation "
        "and period comes from one dataset only."
    )


def _rating_changes(imported: ImportedData) -> _Changes:
    stored = _stored(
        Rating.objects.filter(
            dataset=imported.dataset,
            organisation_id__in=imported.ratings["ods_code"].unique().to_list(),
        ),
        {"organisation_id": "ods_code", "service": "service", "key_question": "key_question"},
    )
    return _changes(Rating, imported.dataset, stored, imported.ratings, RATING_KEY)


@dataclass(frozen=True)
class _Plan:
    summary: ImportSummary
    organisations: _OrganisationChanges
    observations: _Changes | None
    ratings: _Changes | None


def _plan(imported: ImportedData, *, dry_run: bool) -> _Plan:
    organisations = _organisation_changes(imported)
    observations = None if imported.observations is None else _observation_changes(imported)
    ratings = None if imported.ratings is None else _rating_changes(imported)
    changes = [c for c in (observations, ratings) if c is not None]
    stored_before = (
        Observation.objects.filter(dataset=imported.dataset).count()
        + Rating.objects.filter(dataset=imported.dataset).count()
    )
    summary = ImportSummary(
        dataset=imported.dataset,
        organisations_created=len(organisations.to_create),
        organisations_updated=len(organisations.to_update),
        ratings=0 if imported.ratings is None else imported.ratings.height,
        observations=0 if imported.observations is None else imported.observations.height,
        created=sum(c.created for c in changes),
        replaced=sum(c.replaced for c in changes),
        removed=sum(c.removed for c in changes),
        stored_before=stored_before,
        organisations_removed=tuple(sorted({o for c in changes for o in c.organisations_removed})),
        skipped=dict(imported.skipped),
        dry_run=dry_run,
    )
    return _Plan(summary, organisations, observations, ratings)


def plan_import(*, imported: ImportedData) -> ImportSummary:
    """What :func:`import_dataset` would do with ``imported``, without writing anything."""
    return _plan(imported, dry_run=True).summary


def shrink_problems(summary: ImportSummary) -> list[str]:
    """Why an import should stop unless allowed to shrink the dataset (empty: it need not)."""
    problems = []
    if summary.organisations_removed:
        codes = summary.organisations_removed
        listed = ", ".join(codes[:ORGANISATIONS_LISTED]) + (
            ", ..." if len(codes) > ORGANISATIONS_LISTED else ""
        )
        problems.append(f"it would leave {len(codes)} organisation(s) with no rows ({listed})")
    if summary.removed > MAX_SHRINK_FRACTION * summary.stored_before:
        problems.append(
            f"it would remove {summary.removed} of the {summary.stored_before} stored rows "
            f"({summary.removed / summary.stored_before:.1%}; at most "
            f"{MAX_SHRINK_FRACTION:.0%} may be removed without --allow-shrink)"
        )
    return problems


def _refuse_shrink(summary: ImportSummary) -> None:
    problems = shrink_problems(summary)
    if problems:
        raise ImportRefused(
            f"{summary.dataset}: nothing was imported: {'; and '.join(problems)}. Rows are "
            "removed where the file has a row for an organisation and period but no value where "
            "one is stored. Check the file (--dry-run shows what would change); if the removal "
            "is intended, import it again with --allow-shrink."
        )


# --- Writing ------------------------------------------------------------------------------------


def _write_organisations(changes: _OrganisationChanges) -> None:
    Organisation.objects.bulk_create(changes.to_create, batch_size=BATCH_SIZE)
    if changes.to_update:
        Organisation.objects.bulk_update(
            changes.to_update, list(changes.fields), batch_size=BATCH_SIZE
        )


def _link_successors() -> None:
    """Point merged trusts at their successors (data/ods_successors.csv)."""
    successors = load_successors()
    codes = {*successors["predecessor_code"], *successors["successor_code"]}
    linked = {
        row["ods_code"]: (row["successor_id"], row["merged_on"])
        for row in Organisation.objects.filter(pk__in=codes).values(
            "ods_code", "successor_id", "merged_on"
        )
    }
    for predecessor, successor, merged_on in successors.select(
        "predecessor_code", "successor_code", "effective_date"
    ).iter_rows():
        both_known = predecessor in linked and successor in linked
        if both_known and linked[predecessor] != (successor, merged_on):
            Organisation.objects.filter(pk=predecessor).update(
                successor_id=successor, merged_on=merged_on
            )


def _replace(
    model: type[models.Model],
    dataset: str,
    changes: _Changes,
    frame: pl.DataFrame,
    progress: Progress | None,
) -> None:
    """Delete the stored rows of the file's cells; write the file's rows."""
    for offset in range(0, len(changes.stale_ids), BATCH_SIZE):
        model.objects.filter(pk__in=changes.stale_ids[offset : offset + BATCH_SIZE]).delete()
    for offset in range(0, len(frame), BATCH_SIZE):
        batch = frame.slice(offset, BATCH_SIZE)
        model.objects.bulk_create(
            [
                model(organisation_id=r.pop("ods_code"), dataset=dataset, **r)
                for r in batch.iter_rows(named=True)
            ]
        )
        if progress:
            progress(len(batch))


@transaction.atomic
def import_dataset(
    *,
    imported: ImportedData,
    by,
    allow_shrink: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Persist one validated dataset. All or nothing: a failure leaves earlier data intact.
    Replaces exactly the cells the file has rows for, never duplicates, and refuses (raising
    :class:`~candour.exceptions.ImportRefused`) to shrink the dataset beyond
    :data:`MAX_SHRINK_FRACTION` or remove an organisation from it unless ``allow_shrink``."""
    plan = _plan(imported, dry_run=False)
    if not allow_shrink:
        _refuse_shrink(plan.summary)
    sync_measures(by=by)
    _write_organisations(plan.organisations)
    _link_successors()
    if plan.ratings is not None:
        _replace(Rating, imported.dataset, plan.ratings, imported.ratings, progress)
    if plan.observations is not None:
        _replace(Observation, imported.dataset, plan.observations, imported.observations, progress)
    summary = plan.summary
    run = ImportRun.objects.create(
        dataset=imported.dataset,
        source_file=imported.path,
        sha256=file_sha256(imported.path),
        rows=imported.rows,
        replaced=summary.replaced,
        imported_by=actor_label(by),
    )
    audit.append(
        actor=actor_label(by),
        action="dataset.import",
        target_type="import_run",
        target_id=run.pk,
        details={
            "file": Path(imported.path).name,
            "sha256": run.sha256,
            "allow_shrink": allow_shrink,
            **asdict(summary),
        },
    )
    assessment.bump(f"import {imported.dataset}")
    return summary
