"""Small, readable inputs for tests of the concern-first assessment: organisations, measures and
observations built from a few numbers, in the columns of candour.analytics.concern.inputs."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from candour.analytics.concern import AssessOptions, assess

# Fewer calibration draws than the default, so that unit tests stay quick; thresholds move by
# about 0.02 in z.
FAST = AssessOptions(calibration_draws=2000)


def codes(n: int, prefix: str = "R") -> list[str]:
    return [f"{prefix}{i:02d}" for i in range(n)]


def organisations(groups: dict[str, list[str]], **columns) -> pl.DataFrame:
    """One row per code: its peer group from ``groups`` (type -> codes); extra columns as
    {column: {code: value}}."""
    rows = []
    for group, members in groups.items():
        for code in members:
            row = {"ods_code": code, "name": f"Trust {code}", "org_type": group}
            row.update({column: values.get(code) for column, values in columns.items()})
            rows.append(row)
    schema = {"ods_code": pl.String, "name": pl.String, "org_type": pl.String}
    schema.update({c: pl.Date if c in ("close_date", "merged_on") else pl.String for c in columns})
    return pl.DataFrame(rows, schema=schema)


def measure(measure_id: str = "m", **overrides) -> dict:
    row = {
        "measure_id": measure_id,
        "name": f"Measure {measure_id}",
        "domain": "safe",
        "improvement": "increase",
        "unit": "proportion",
        "peer_groups": "",
        "frequency": "month",
        "relevant_change": 0.05,
    }
    row.update(overrides)
    return row


def measures(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema_overrides={"relevant_change": pl.Float64})


def month(start: date, offset: int) -> date:
    total = start.year * 12 + start.month - 1 + offset
    return date(total // 12, total % 12 + 1, 1)


def monthly(
    members: list[str],
    measure_id: str = "m",
    *,
    months: int = 24,
    start: date = date(2023, 1, 1),
    value: float = 0.8,
    denominator: float = 2000.0,
    spread: float = 0.02,
    seed: int = 1,
    overrides: dict[tuple[str, int], float] | None = None,
) -> pl.DataFrame:
    """Monthly proportions: each organisation its own level (value +/- spread) with binomial-sized
    noise; ``overrides`` sets (code, month index) to a value."""
    rng = np.random.default_rng(seed)
    levels = dict(zip(members, value + spread * rng.standard_normal(len(members)), strict=True))
    rows = []
    for code in members:
        for i in range(months):
            p = levels[code] + rng.standard_normal() * np.sqrt(0.16 / denominator)
            p = float(np.clip((overrides or {}).get((code, i), p), 0.001, 0.999))
            rows.append(
                {
                    "ods_code": code,
                    "measure_id": measure_id,
                    "period_start": month(start, i),
                    "period_type": "month",
                    "numerator": round(p * denominator),
                    "denominator": denominator,
                    "value": round(p * denominator) / denominator,
                }
            )
    return pl.DataFrame(rows)


def run(observations: pl.DataFrame, measure_rows: pl.DataFrame, orgs: pl.DataFrame, **kwargs):
    kwargs.setdefault("options", FAST)
    return assess(observations, measures=measure_rows, organisations=orgs, **kwargs)


def status(result, code: str) -> str:
    return result.status(code)


def by_measure(result, code: str, measure_id: str = "m") -> dict:
    rows = result.by_measure.filter(
        (pl.col("ods_code") == code) & (pl.col("measure_id") == measure_id)
    )
    return rows.row(0, named=True) if rows.height else {}
