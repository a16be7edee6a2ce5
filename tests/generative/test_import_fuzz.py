"""Importer fuzz test: seeded mutations of a sample of every bundled file (import_mutations.py).

For every dataset and every mutation, ``candour import`` either rejects the file cleanly (exit
status 2, the file named and, for damage inside a row, the row; nothing stored changes) or
accepts it and stores exactly what it contained: the dataset's rows outside the file's cells as
they were, its cells holding exactly the file's rows, every other dataset untouched. Nothing
raises. Mutations that keep the file's meaning must be accepted with the same rows as the
unmutated sample; damaged files must be rejected.
"""

from __future__ import annotations

import random
from collections import Counter

import polars as pl
import polars.testing
import pytest
from django.db import transaction
from django.db.models import Count, Max
from tests.generative.import_mutations import SEED, Variant, sample, variants

from candour.cli import main
from candour.importers.datasets import CELL_COLUMNS, DATASETS, ImportedData
from candour.web.core.models import AuditEvent
from candour.web.oversight.models import ImportRun, Observation, Organisation, Rating

pytestmark = pytest.mark.django_db

OBSERVATION_FIELDS = {
    "organisation_id": ("ods_code", pl.String),
    "measure_id": ("measure_id", pl.String),
    "period_type": ("period_type", pl.String),
    "period_start": ("period_start", pl.Date),
    "numerator": ("numerator", pl.Float64),
    "denominator": ("denominator", pl.Float64),
    "value": ("value", pl.Float64),
}
RATING_FIELDS = {
    "organisation_id": ("ods_code", pl.String),
    "service": ("service", pl.String),
    "key_question": ("key_question", pl.String),
    "rating": ("rating", pl.String),
    "published": ("published", pl.Date),
}
FLOAT_TOLERANCE = 1e-12  # rows in another order may sum weighted values in another order


def _stored(model, dataset: str, fields: dict[str, tuple]) -> pl.DataFrame:
    rows = list(model.objects.filter(dataset=dataset).values_list(*fields))
    return _sorted(pl.DataFrame(rows, schema=dict(fields.values()), orient="row"))


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    keys = [c for c in frame.columns if frame.schema[c] != pl.Float64]
    return frame.sort(keys)


def _snapshot(dataset: str) -> dict:
    return {
        "observations": _stored(Observation, dataset, OBSERVATION_FIELDS),
        "ratings": _stored(Rating, dataset, RATING_FIELDS),
        "other datasets": (
            Observation.objects.exclude(dataset=dataset).count(),
            Rating.objects.exclude(dataset=dataset).count(),
        ),
    }


def _expected_after(before: dict, imported: ImportedData) -> dict:
    """What the database must hold after importing ``imported``: outside its cells as before,
    inside them exactly its rows."""
    observations = before["observations"]
    if imported.observations is not None:
        kept = observations.join(imported.cells, on=list(CELL_COLUMNS), how="anti")
        observations = pl.concat([kept, imported.observations.select(kept.columns)])
    ratings = before["ratings"]
    if imported.ratings is not None:
        kept = ratings.join(imported.ratings.select("ods_code"), on="ods_code", how="anti")
        ratings = pl.concat([kept, imported.ratings.select(kept.columns)])
    return {
        "observations": _sorted(observations.cast(before["observations"].schema)),
        "ratings": _sorted(ratings.cast(before["ratings"].schema)),
        "other datasets": before["other datasets"],
    }


def _rows(imported: ImportedData) -> dict[str, pl.DataFrame | None]:
    return {
        "observations": None if imported.observations is None else _sorted(imported.observations),
        "ratings": None if imported.ratings is None else _sorted(imported.ratings),
        "cells": None if imported.cells is None else _sorted(imported.cells),
    }


def _same_rows(got: dict, want: dict) -> bool:
    for name, frame in want.items():
        if frame is None or got[name] is None:
            if frame is not got[name]:
                return False
            continue
        try:
            polars.testing.assert_frame_equal(got[name], frame, rel_tol=FLOAT_TOLERANCE)
        except AssertionError:
            return False
    return True


def _fingerprint() -> tuple:
    """Enough to tell whether anything was written: every import writes rows (new ids), an
    ImportRun and an audit event."""
    return tuple(
        tuple(model.objects.aggregate(rows=Count("pk"), last=Max("pk")).values())
        for model in (Observation, Rating, Organisation, ImportRun, AuditEvent)
    )


def _try(dataset: str, variant: Variant, path, capsys, before, baseline) -> tuple[str, str]:
    """Import ``variant`` in a savepoint rolled back afterwards; return (outcome, failure).
    ``before`` is the dataset's snapshot, the same before every variant."""
    try:
        with transaction.atomic():
            unchanged = _fingerprint()
            code = main(["import", dataset, str(path), *variant.args])
            out, err = capsys.readouterr()
            written = _fingerprint() != unchanged
            after = _snapshot(dataset) if code == 0 else None
            transaction.set_rollback(True)
    except Exception as error:  # a traceback: the failure this test exists to find
        return "traceback", f"raised {type(error).__name__}: {error}"
    if code == 2:
        if variant.expect == "same":
            return "rejected", f"a file meaning the same as the sample was rejected: {err}"
        named = str(path) in err and (variant.where == "file" or f"{path}, row " in err)
        if variant.expect == "reject" and not named:
            return "rejected", f"the rejection does not name the file and row: {err}"
        if written:
            return "rejected", "a rejected file changed what is stored"
        return "rejected", ""
    if code != 0:
        return "other", f"exit status {code}: {err}"
    if variant.expect == "reject":
        return "accepted", f"a damaged file was accepted: {out}"
    encoding = variant.args[1] if variant.args else None
    imported = DATASETS[dataset].load(path, encoding=encoding)
    expected = _expected_after(before, imported)
    if not all(_equal(after[k], expected[k]) for k in expected):
        return "accepted", "what is stored is not exactly the file's rows"
    if variant.expect == "same" and not _same_rows(_rows(imported), baseline):
        return "accepted", "the file's rows differ from the unmutated sample's"
    return "accepted", ""


def _equal(a, b) -> bool:
    if isinstance(a, pl.DataFrame):
        return a.equals(b)
    return a == b


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_every_mutation_is_rejected_cleanly_or_stored_exactly(dataset, tmp_path, capsys):
    rng = random.Random(f"{SEED}-{dataset}")
    table = sample(dataset, rng)
    baseline_path = tmp_path / "sample.csv"
    baseline_path.write_bytes(table.csv())
    baseline = _rows(DATASETS[dataset].load(baseline_path))
    before = _snapshot(dataset)
    outcomes: Counter[str] = Counter()
    failures = []
    for n, variant in enumerate(variants(dataset, table, rng)):
        path = tmp_path / f"variant{n}{variant.suffix}"
        path.write_bytes(variant.data)
        outcome, failure = _try(dataset, variant, path, capsys, before, baseline)
        outcomes[outcome] += 1
        if failure:
            failures.append(f"{variant.kind}: {failure}")
    print(f"{dataset}: {sum(outcomes.values())} variants, {dict(outcomes)}")
    assert not failures, "\n".join(failures)
