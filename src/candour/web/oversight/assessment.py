"""The concern-first assessment of the stored data, computed once per change of data.

:func:`candour.analytics.concern.assess` is pure; this module gathers its inputs from the
database (the same columns ``candour assess --save-inputs`` writes), keeps a *data version* that
every action changing an input bumps (an import, a measure sync, publishing or withdrawing a
target, the daily speak-up job), and materialises one assessment per version: computed when the
data change, stored in the database as Parquet frames, read by every page, the API and
``candour assess`` alike, so they show the same numbers and no request recomputes it.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import zipfile
from contextlib import contextmanager
from dataclasses import fields
from datetime import date

import polars as pl
from django.db import transaction
from django.db.models import F

from candour.analytics.concern import Assessment, AssessOptions, assess
from candour.importers.assessment import breaks_frame, catalogue_frame
from candour.web.oversight.models import (
    AssessmentSnapshot,
    DataVersion,
    Measure,
    Observation,
    Organisation,
    Target,
)

logger = logging.getLogger(__name__)

FRAME_FIELDS = tuple(f.name for f in fields(Assessment) if f.name not in ("as_of", "options"))
_cache: dict[tuple, Assessment] = {}
_lock = threading.Lock()
_deferring = threading.local()
# Speak-up themes enter the picture for the last year of quarters (the NGO reports by year).
SPEAKUP_QUARTERS = 4


# --- Inputs from the database ------------------------------------------------------------------


def observations_frame(*, measure_ids=None, codes=None) -> pl.DataFrame:
    rows = Observation.objects.all()
    if measure_ids is not None:
        rows = rows.filter(measure_id__in=list(measure_ids))
    if codes is not None:
        rows = rows.filter(organisation_id__in=list(codes))
    columns = {
        "organisation_id": ("ods_code", pl.String),
        "measure_id": ("measure_id", pl.String),
        "period_type": ("period_type", pl.String),
        "period_start": ("period_start", pl.Date),
        "numerator": ("numerator", pl.Float64),
        "denominator": ("denominator", pl.Float64),
        "value": ("value", pl.Float64),
        "dataset": ("dataset", pl.String),
    }
    return pl.DataFrame(
        list(rows.values_list(*columns)),
        schema={name: dtype for name, dtype in columns.values()},
        orient="row",
    )


def measures_frame() -> pl.DataFrame:
    return catalogue_frame((m.pk, m) for m in Measure.objects.all())


def organisations_frame() -> pl.DataFrame:
    rows = Organisation.objects.values_list(
        "ods_code", "name", "org_type", "region_code", "close_date", "successor_id", "merged_on"
    )
    schema = {
        "ods_code": pl.String,
        "name": pl.String,
        "org_type": pl.String,
        "region_code": pl.String,
        "close_date": pl.Date,
        "successor_code": pl.String,
        "merged_on": pl.Date,
    }
    frame = pl.DataFrame(list(rows), schema=schema, orient="row")
    return frame.with_columns(pl.col("org_type").replace("", None))


def published_targets() -> list[Target]:
    return list(
        Target.objects.filter(status=Target.Status.PUBLISHED).prefetch_related("balancing_measures")
    )


def targets_frame(targets: list[Target]) -> pl.DataFrame:
    rows = [
        {
            "measure_id": t.measure_id,
            "threshold": t.threshold,
            "comparison": t.comparison,
            "effective_from": t.effective_from,
            "effective_to": t.effective_to,
            "organisation_types": ",".join(t.organisation_types),
            "name": t.name,
        }
        for t in targets
    ]
    schema = {
        "measure_id": pl.String,
        "threshold": pl.Float64,
        "comparison": pl.String,
        "effective_from": pl.Date,
        "effective_to": pl.Date,
        "organisation_types": pl.String,
        "name": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def target_pairs(targets: list[Target]) -> list[tuple[str, str]]:
    return sorted({(t.measure_id, m.pk) for t in targets for m in t.balancing_measures.all()})


def speakup_published() -> pl.DataFrame:
    """Every organisation's speak-up theme counts for the last :data:`SPEAKUP_QUARTERS`
    quarters (the current one included), as published: through the disclosure control only."""
    from django.utils import timezone

    from candour.web.speakup.queries import recent_quarters
    from candour.web.speakup.returns import speakup_signals

    quarters = recent_quarters(timezone.localdate(), SPEAKUP_QUARTERS)
    return pl.concat([speakup_signals(q) for q in reversed(quarters)])


def held_breaks(measures: pl.DataFrame) -> pl.DataFrame:
    """The registered breaks (data/breaks.toml) of the measures held: a database into which a
    dataset has not been imported yet has none of its measures."""
    breaks = breaks_frame()
    return breaks.filter(
        pl.col("measure_id").is_null()
        | pl.col("measure_id").is_in(measures["measure_id"].implode())
    )


def open_mortality_alerts() -> pl.DataFrame:
    """Every open mortality alert with its workflow status today (issue 13's alert workflow)."""
    from candour.web.mortality.queries import open_mortality_alerts

    return open_mortality_alerts()


def inputs(*, with_reported: bool = True) -> dict:
    """The keyword arguments of :func:`assess` (``observations`` included), from the database.
    ``with_reported=False`` leaves out the reported events (speak-up counts, open mortality
    alerts): they describe today, so a replay of a past date (the back-test) must not see them."""
    targets = published_targets()
    measures = measures_frame()
    return {
        "observations": observations_frame().drop("dataset"),
        "measures": measures,
        "organisations": organisations_frame(),
        "targets": targets_frame(targets),
        "pairs": target_pairs(targets),
        "breaks": held_breaks(measures),
        "speakup": speakup_published() if with_reported else None,
        "mortality": open_mortality_alerts() if with_reported else None,
    }


def compute(*, as_of: date | None = None, options: AssessOptions | None = None) -> Assessment:
    """A fresh assessment of the stored data (``as_of``: replay a past date)."""
    arguments = inputs()
    observations = arguments.pop("observations")
    return assess(observations, as_of=as_of, options=options, **arguments)


# --- One assessment per data version -----------------------------------------------------------


def data_version() -> int:
    return DataVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def chart_version() -> int:
    """The data version of the last change to what the charts draw: the version the chart store
    keys them on (candour.web.oversight.chart_store)."""
    return DataVersion.objects.filter(pk=1).values_list("charts_from", flat=True).first() or 0


def bump(reason: str, *, charts: bool = True) -> None:
    """Record that an input of the assessment changed (call inside the changing action's
    transaction); the new version's assessment is computed once the transaction commits (or,
    inside :func:`deferred`, once at its end). ``charts=False`` for a change no chart draws (the
    published speak-up counts, a mortality alert's workflow): the stored charts stay current."""
    changes = {"number": F("number") + 1, "reason": reason}
    if charts:
        changes["charts_from"] = F("number") + 1
    if not DataVersion.objects.filter(pk=1).update(**changes):
        DataVersion.objects.create(pk=1, number=1, reason=reason, charts_from=1 if charts else 0)
    if not getattr(_deferring, "active", False):
        transaction.on_commit(refresh)


@contextmanager
def deferred():
    """Compute the assessment once, at the end, for a run of changes (``candour import all``):
    when the changes commit (at once outside a transaction; never for changes rolled back)."""
    _deferring.active = True
    try:
        yield
    finally:
        _deferring.active = False
    transaction.on_commit(refresh)


def refresh() -> Assessment:
    """Compute and store the assessment of the current data version (idempotent)."""
    version = data_version()
    if AssessmentSnapshot.objects.filter(version=version).exists():
        return current()
    result = compute()
    snapshot, _ = AssessmentSnapshot.objects.update_or_create(
        version=version, defaults={"as_of": result.as_of, "payload": dumps(result)}
    )
    AssessmentSnapshot.objects.filter(version__lt=version).delete()
    return _remember(_key(snapshot.pk, version, snapshot.computed_at), result)


def current() -> Assessment:
    """The assessment of the current data: from this process's memory, else the stored
    snapshot, else (only when none was stored yet) computed now and stored."""
    version = data_version()
    stored = (
        AssessmentSnapshot.objects.filter(version=version).values_list("pk", "computed_at").first()
    )
    if stored is None:
        logger.warning("no stored assessment for data version %s: computing it now", version)
        return refresh()
    key = _key(stored[0], version, stored[1])
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    payload = AssessmentSnapshot.objects.values_list("payload", flat=True).get(pk=stored[0])
    return _remember(key, loads(bytes(payload)))


def _key(pk: int, version: int, computed_at) -> tuple:
    # the row's identity as well as the version: a database rolled back (a test, a restore) can
    # hold another assessment under the same version number
    return (pk, version, computed_at)


def _remember(key: tuple, result: Assessment) -> Assessment:
    with _lock:
        _cache.clear()
        _cache[key] = result
    return result


# --- Storing an assessment as Parquet frames (never pickle: the database is not trusted code) --


def dumps(result: Assessment) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        options = {f.name: getattr(result.options, f.name) for f in fields(result.options)}
        archive.writestr(
            "manifest.json", json.dumps({"as_of": result.as_of.isoformat(), "options": options})
        )
        for name in FRAME_FIELDS:
            frame_bytes = io.BytesIO()
            getattr(result, name).write_parquet(frame_bytes)
            archive.writestr(f"{name}.parquet", frame_bytes.getvalue())
    return buffer.getvalue()


def loads(payload: bytes) -> Assessment:
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        frames = {
            name: pl.read_parquet(io.BytesIO(archive.read(f"{name}.parquet")))
            for name in FRAME_FIELDS
        }
    return Assessment(
        as_of=date.fromisoformat(manifest["as_of"]),
        options=AssessOptions(**manifest["options"]),
        **frames,
    )
