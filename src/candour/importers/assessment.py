"""The concern-first assessment's inputs from the bundled files, without a database.

``candour assess --observations FILE`` and the back-test run the assessment outside the web app:
the measure catalogue (data/measures.toml), the national targets and their balancing measures
(data/targets.toml), the registered breaks (data/breaks.toml) and the organisations (the ODS
reference, each organisation's type from the staff surveys and the CQC, and the successor map)
come from here, in the columns :mod:`candour.analytics.concern.inputs` documents. The web app
builds the same frames from its database (candour.web.oversight.monitoring).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import Any

import polars as pl

from candour.importers.catalogue import DATA_DIR, measures
from candour.importers.datasets import DATASETS, load_successors
from candour.importers.targets import load_targets

BREAKS_FILE = DATA_DIR / "breaks.toml"


CATALOGUE_SCHEMA = {
    "measure_id": pl.String,
    "name": pl.String,
    "domain": pl.String,
    "improvement": pl.String,
    "unit": pl.String,
    "comparison": pl.String,
    "peer_groups": pl.String,
    "frequency": pl.String,
    "publication_lag_days": pl.Float64,
    "freshness_days": pl.Float64,
    "relevant_change": pl.Float64,
}


def measures_frame() -> pl.DataFrame:
    """The catalogue in the columns of the assessment's ``measures`` input."""
    return catalogue_frame((m.id, m) for m in measures().values())


def catalogue_frame(definitions: Iterable[tuple[str, Any]]) -> pl.DataFrame:
    """(measure id, definition) pairs as the assessment's ``measures`` input: a definition is the
    catalogue's (``MeasureDefinition``) or the database's (``Measure``), with the same fields."""
    rows = [
        {
            "measure_id": measure_id,
            "name": m.name,
            "domain": m.domain,
            "improvement": m.improvement,
            "unit": m.unit,
            "comparison": m.comparison,
            "peer_groups": ",".join(m.peer_groups),
            "frequency": m.frequency,
            "publication_lag_days": float(m.publication_lag_days),
            "freshness_days": None if m.freshness_days is None else float(m.freshness_days),
            "relevant_change": m.relevant_change,
        }
        for measure_id, m in definitions
    ]
    return pl.DataFrame(rows, schema=CATALOGUE_SCHEMA)


def targets_frame() -> pl.DataFrame:
    """The national targets (data/targets.toml) as the assessment's ``targets`` input."""
    rows = [
        {
            "measure_id": t.measure,
            "threshold": t.threshold,
            "comparison": t.comparison,
            "effective_from": t.effective_from,
            "effective_to": t.effective_to,
            "organisation_types": ",".join(t.organisation_types),
            "name": t.name,
        }
        for t in load_targets()
    ]
    return pl.DataFrame(rows, schema_overrides={"effective_to": pl.Date})


def target_pairs() -> list[tuple[str, str]]:
    """(target measure, balancing measure) for every target of data/targets.toml."""
    return sorted({(t.measure, b) for t in load_targets() for b in t.balancing_measures})


@cache
def breaks_frame() -> pl.DataFrame:
    """The registered breaks: one row per break and measure (a null measure: every measure)."""
    raw = tomllib.loads(BREAKS_FILE.read_text(encoding="utf-8"))
    rows = []
    for entry in raw.values():
        for measure_id in entry["measures"] or [None]:
            rows.append(
                {
                    "date": date.fromisoformat(entry["date"]),
                    "measure_id": measure_id,
                    "ods_code": None,
                    "reason": entry["reason"],
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "date": pl.Date,
            "measure_id": pl.String,
            "ods_code": pl.String,
            "reason": pl.String,
        },
    )


def observations_frame() -> pl.DataFrame:
    """Every bundled dataset's observations, with the dataset each came from."""
    parts = []
    for name, dataset in DATASETS.items():
        imported = dataset.load()
        if imported.observations is not None and imported.observations.height:
            parts.append(imported.observations.with_columns(dataset=pl.lit(name)))
    return pl.concat(parts)


def organisations_frame() -> pl.DataFrame:
    """Every organisation any bundled dataset names, with its type (peer group), region, closure
    and successor, as the assessment's ``organisations`` input: each field from the first dataset
    of ``candour import all`` that gives it, as the database fills them in."""
    parts = [
        dataset.load().organisations.with_columns(priority=pl.lit(rank))
        for rank, dataset in enumerate(DATASETS.values())
        if dataset.load().organisations is not None
    ]
    columns = ("name", "org_type", "region_code", "close_date")
    merged = (
        pl.concat(
            [p.select("ods_code", "priority", *columns) for p in parts], how="diagonal_relaxed"
        )
        .sort("priority")
        .group_by("ods_code")
        .agg([pl.col(c).drop_nulls().first() for c in columns])
    )
    successors = load_successors().select(
        ods_code="predecessor_code", successor_code="successor_code", merged_on="effective_date"
    )
    return merged.join(successors, on="ods_code", how="left").sort("ods_code")
