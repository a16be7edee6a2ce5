"""Storing observed and expected deaths (``candour import shmi_monthly FILE``): the same
discipline as the other imports (:mod:`candour.web.oversight.imports`). Keyword-only arguments,
``by`` the actor, one transaction that also records the audit event; all or nothing.

A file replaces exactly the cells it has rows for. A cell is one organisation and month (a
publication gives every diagnosis group of a trust's month): within it, the file's rows create
or replace stored rows, and stored rows of groups the file no longer gives are removed. Every
other stored row stays as it was. An import that would remove more than
:data:`~candour.importers.datasets.MAX_SHRINK_FRACTION` of the stored rows, or leave a series
(a trust's diagnosis group) with no rows, is refused unless the caller allows it.
:func:`plan_import` says what an import would do without doing it. Organisations must already be
known (``candour import ods_trusts``): an alert needs someone at the trust to answer it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl
from django.db import models, transaction

from candour.exceptions import DataFileError, ImportRefused, Problem
from candour.importers.datasets import MAX_SHRINK_FRACTION
from candour.importers.schema import FIRST_DATA_ROW
from candour.web.core import audit
from candour.web.core.actions import actor_label
from candour.web.mortality.models import MonthlyDeaths
from candour.web.oversight.imports import file_sha256
from candour.web.oversight.models import ImportRun, Organisation

DATASET = "shmi_monthly"
BATCH_SIZE = 2000
CELL = ("ods_code", "month")
KEY = ("ods_code", "group", "month")
SERIES = ("ods_code", "group")
LISTED = 10  # in a refusal, the first few series it names
STORED_FIELDS = ("spells", "observed", "expected", "banding", "synthetic")


@dataclass(frozen=True)
class MonthlyDeathsFile:
    """A checked file: ``rows`` as :func:`candour.importers.mortality.read_monthly_deaths`
    gives them, in the file's order."""

    path: str
    rows: pl.DataFrame


@dataclass(frozen=True)
class DeathsImportSummary:
    """What an import did (or, for a dry run, would do). ``created`` + ``replaced`` is every
    row of the file; ``removed`` are stored rows in the file's cells that it no longer gives."""

    dataset: str
    rows: int
    organisations: int
    created: int
    replaced: int
    removed: int
    stored_before: int
    series_removed: tuple[str, ...]
    synthetic_rows: int
    dry_run: bool = False


@dataclass(frozen=True)
class _Plan:
    summary: DeathsImportSummary
    stale_ids: list[int]


def _stored_in_cells(rows: pl.DataFrame) -> pl.DataFrame:
    """The stored rows in the file's cells: id, ods_code, group, month."""
    nearby = MonthlyDeaths.objects.filter(
        organisation_id__in=rows["ods_code"].unique().to_list(),
        month__in=rows["month"].unique().to_list(),
    ).values_list("id", "organisation_id", "group", "month")
    stored = pl.DataFrame(
        list(nearby),
        schema={"id": pl.Int64, "ods_code": pl.String, "group": pl.String, "month": pl.Date},
        orient="row",
    )
    return stored.join(rows.select(CELL).unique(), on=list(CELL), how="semi")


def _series_removed(removed: pl.DataFrame, created: pl.DataFrame) -> tuple[str, ...]:
    """Series (trust and group) that have stored rows now and would have none after."""
    losing = removed.group_by(SERIES).len("removed")
    if losing.is_empty():
        return ()
    counts = (
        MonthlyDeaths.objects.filter(organisation_id__in=losing["ods_code"].unique().to_list())
        .values("organisation_id", "group")
        .annotate(rows=models.Count("id"))
        .values_list("organisation_id", "group", "rows")
    )
    stored = {(code, group): rows for code, group, rows in counts}
    gaining = {(c, g): n for c, g, n in created.group_by(SERIES).len("created").iter_rows()}
    return tuple(
        sorted(
            f"{code} {group}"
            for code, group, lost in losing.iter_rows()
            if stored.get((code, group), 0) - lost + gaining.get((code, group), 0) == 0
        )
    )


def _check_organisations(imported: MonthlyDeathsFile) -> None:
    codes = imported.rows["ods_code"].unique().to_list()
    known = set(Organisation.objects.filter(pk__in=codes).values_list("pk", flat=True))
    unknown = (
        imported.rows.with_row_index("row", FIRST_DATA_ROW)
        .filter(~pl.col("ods_code").is_in(list(known)))
        .group_by("ods_code")
        .agg(pl.col("row").min())
        .sort("row")
    )
    if unknown.is_empty():
        return
    raise DataFileError(
        imported.path,
        [
            Problem(
                f"organisation {code!r} is not known; import the ODS reference first "
                "(candour import ods_trusts)",
                row=row,
                column="PROVIDER_CODE",
            )
            for code, row in unknown.head(LISTED).iter_rows()
        ],
        consequence="nothing was imported",
        rows_in_file=True,
    )


def _plan(imported: MonthlyDeathsFile, *, dry_run: bool) -> _Plan:
    _check_organisations(imported)
    rows = imported.rows
    stored = _stored_in_cells(rows)
    new_keys = rows.select(KEY)
    removed = stored.join(new_keys, on=list(KEY), how="anti")
    created = new_keys.join(stored, on=list(KEY), how="anti")
    summary = DeathsImportSummary(
        dataset=DATASET,
        rows=rows.height,
        organisations=rows["ods_code"].n_unique(),
        created=created.height,
        replaced=stored.join(new_keys, on=list(KEY), how="semi").height,
        removed=removed.height,
        stored_before=MonthlyDeaths.objects.count(),
        series_removed=_series_removed(removed, created),
        synthetic_rows=int(rows["synthetic"].sum()),
        dry_run=dry_run,
    )
    return _Plan(summary, stored["id"].to_list())


def plan_import(*, imported: MonthlyDeathsFile) -> DeathsImportSummary:
    """What :func:`import_monthly_deaths` would do with ``imported``, writing nothing."""
    return _plan(imported, dry_run=True).summary


def shrink_problems(summary: DeathsImportSummary) -> list[str]:
    """Why an import should stop unless allowed to shrink the stored data (empty: it need
    not)."""
    problems = []
    if summary.series_removed:
        named = summary.series_removed
        listed = ", ".join(named[:LISTED]) + (", ..." if len(named) > LISTED else "")
        problems.append(f"it would leave {len(named)} series with no rows ({listed})")
    if summary.removed > MAX_SHRINK_FRACTION * summary.stored_before:
        problems.append(
            f"it would remove {summary.removed} of the {summary.stored_before} stored rows "
            f"(at most {MAX_SHRINK_FRACTION:.0%} may be removed without --allow-shrink)"
        )
    return problems


@transaction.atomic
def import_monthly_deaths(
    *, imported: MonthlyDeathsFile, by, allow_shrink: bool = False
) -> DeathsImportSummary:
    """Store a checked file, replacing exactly its cells; all or nothing. Raises
    :class:`~candour.exceptions.ImportRefused` rather than shrink the stored data beyond
    :func:`shrink_problems` unless ``allow_shrink``."""
    plan = _plan(imported, dry_run=False)
    problems = shrink_problems(plan.summary)
    if problems and not allow_shrink:
        raise ImportRefused(
            f"{DATASET}: nothing was imported: {'; and '.join(problems)}. Rows are removed "
            "where the file has a trust's month but not one of its diagnosis groups that is "
            "stored. Check the file (--dry-run shows what would change); if the removal is "
            "intended, import it again with --allow-shrink."
        )
    for offset in range(0, len(plan.stale_ids), BATCH_SIZE):
        MonthlyDeaths.objects.filter(pk__in=plan.stale_ids[offset : offset + BATCH_SIZE]).delete()
    MonthlyDeaths.objects.bulk_create(
        [
            MonthlyDeaths(
                organisation_id=row["ods_code"],
                group=row["group"],
                month=row["month"],
                **{name: row[name] for name in STORED_FIELDS},
            )
            for row in imported.rows.iter_rows(named=True)
        ],
        batch_size=BATCH_SIZE,
    )
    run = ImportRun.objects.create(
        dataset=DATASET,
        source_file=imported.path,
        sha256=file_sha256(imported.path),
        rows=imported.rows.height,
        replaced=plan.summary.replaced,
        imported_by=actor_label(by),
    )
    audit.append(
        actor=actor_label(by),
        action="mortality.import",
        target_type="import_run",
        target_id=run.pk,
        details={
            "file": Path(imported.path).name,
            "sha256": run.sha256,
            "allow_shrink": allow_shrink,
            **asdict(plan.summary),
        },
    )
    return plan.summary


def load(path: str | Path) -> MonthlyDeathsFile:
    """Read and check a file (no database), ready for :func:`plan_import` or
    :func:`import_monthly_deaths`."""
    from candour.importers.mortality import read_monthly_deaths

    return MonthlyDeathsFile(path=str(path), rows=read_monthly_deaths(path))
