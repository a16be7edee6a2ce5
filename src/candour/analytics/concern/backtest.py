"""Back-testing the assessment against later outcomes (issue 9 item 11; §7 "back-test everything").

The assessment is replayed as of each outcome's date, from data whose period ended by then only,
and scored against the outcome (for example a CQC rating of "requires improvement" or
"inadequate"): the headline's AUC with a DeLong 95% interval, the sensitivity and specificity of
each status, and how many organisations each status flags; and the same for the simple baselines
any composite must beat: its best single measure (the peer comparison's z of one measure) and a
plain mean of the z-scores.

Missing data are not imputed: each score is judged on the organisations it has a value for, and
the best single measure is also judged on the headline's organisations with a missing z counted as
0 (no different from peers), so that it cannot look better by dropping the hard cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import polars as pl
from scipy.special import ndtri

from candour.analytics.concern.constants import CONCERN_LEVELS, ELEVATED_RISK
from candour.analytics.concern.core import Assessment
from candour.analytics.funnel.frames import as_polars
from candour.exceptions import DataFileError, Problem

CONFIDENCE = 0.95
TABLE_SCHEMA = {
    "score": pl.String,
    "organisations": pl.Int64,
    "positives": pl.Int64,
    "auc": pl.Float64,
    "auc_low": pl.Float64,
    "auc_high": pl.Float64,
}
STATUS_SCHEMA = {
    "flagged_at": pl.String,
    "organisations": pl.Int64,
    "flagged": pl.Int64,
    "flag_rate": pl.Float64,
    "sensitivity": pl.Float64,
    "specificity": pl.Float64,
}


@dataclass(frozen=True, eq=False)
class Backtest:
    """``scores``: AUC per score (headline and baselines); ``statuses``: each status threshold's
    sensitivity, specificity and flag rate; ``organisations``: per organisation its outcome,
    as-of date, status, headline and baseline scores; ``best_measure``: the best single measure."""

    scores: pl.DataFrame
    statuses: pl.DataFrame
    organisations: pl.DataFrame
    best_measure: str | None


def checked_outcomes(
    frame: Any, *, code: str, outcome: str, positive: tuple[str, ...], as_of_column: str | None
) -> pl.DataFrame:
    """``ods_code``, ``positive`` (bool) and ``as_of`` (date or null) per organisation."""
    frame = as_polars(frame).with_row_index("row", offset=2)  # as a spreadsheet numbers rows
    needed = [code, outcome] + ([as_of_column] if as_of_column else [])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        shown = ", ".join(c for c in frame.columns if c != "row")
        raise DataFileError(
            "outcomes",
            [Problem(f"this column is missing; the file has: {shown}", column=c) for c in missing],
        )
    given = pl.col(as_of_column).cast(pl.String) if as_of_column else pl.lit(None, pl.String)
    result = frame.select(
        "row",
        ods_code=pl.col(code).cast(pl.String),
        outcome=pl.col(outcome).cast(pl.String),
        given=given,
        as_of=given.str.to_date("%Y-%m-%d", strict=False),
    )
    problems = [
        Problem(f"expected a date as YYYY-MM-DD; found {value!r}", row=row, column=as_of_column)
        for row, value in result.filter(pl.col("given").is_not_null() & pl.col("as_of").is_null())
        .select("row", "given")
        .head(20)
        .iter_rows()
    ]
    problems += [
        Problem(f"{what} is required", row=row, column=column)
        for what, column, name in (
            ("an ODS code", code, "ods_code"),
            ("an outcome", outcome, "outcome"),
        )
        for (row,) in result.filter(pl.col(name).is_null()).select("row").head(20).iter_rows()
    ]
    if problems:
        raise DataFileError("outcomes", problems)
    return result.select("ods_code", "as_of", positive=pl.col("outcome").is_in(list(positive)))


def backtest(
    outcomes: pl.DataFrame,
    assess_as_of: Callable[[date | None], Assessment],
    *,
    as_of: date | None = None,
) -> Backtest:
    """Replay the assessment (``assess_as_of(date)``) as of ``as_of``, or as of each outcome's own
    date, and score it against ``outcomes`` (from :func:`checked_outcomes`)."""
    if as_of is not None or outcomes["as_of"].null_count():
        replays = [(as_of, outcomes)]  # one moment for every outcome
    else:
        replays = [
            (day, outcomes.filter(pl.col("as_of") == day))
            for day in sorted(set(outcomes["as_of"].to_list()))
        ]
    rows = []
    for day, wanted in replays:
        assessment = assess_as_of(day)
        rows.append(
            organisation_scores(assessment, wanted).with_columns(
                assessed_as_of=pl.lit(assessment.as_of)
            )
        )
    table = pl.concat(rows, how="diagonal_relaxed")
    measure_columns = [c for c in table.columns if c.startswith("z:")]
    best = best_single_measure(table, measure_columns)
    return Backtest(
        scores=score_table(table, best),
        statuses=status_table(table),
        organisations=table.drop(measure_columns).with_columns(
            best_measure_z=table[f"z:{best}"] if best else pl.lit(None, dtype=pl.Float64)
        ),
        best_measure=best,
    )


def organisation_scores(assessment: Assessment, outcomes: pl.DataFrame) -> pl.DataFrame:
    """Per organisation with an outcome and an assessment: status, headline, mean z and each
    measure's z (columns ``z:<measure>``)."""
    z = assessment.compared.filter(pl.col("z").is_not_null())
    mean_z = z.group_by("ods_code").agg(mean_z=pl.col("z").mean())
    wide = (
        z.select("ods_code", "measure_id", "z")
        .with_columns(measure_id=pl.lit("z:") + pl.col("measure_id"))
        .pivot(on="measure_id", index="ods_code", values="z")
    )
    return (
        outcomes.select("ods_code", "positive")
        .join(
            assessment.organisations.select("ods_code", "status", "headline", "headline_domain"),
            on="ods_code",
            how="inner",
        )
        .join(mean_z, on="ods_code", how="left")
        .join(wide, on="ods_code", how="left")
    )


def best_single_measure(table: pl.DataFrame, measure_columns: list[str]) -> str | None:
    """The measure whose z alone ranks the outcome best (on the organisations it covers), among
    measures covering at least a fifth of them."""
    best, best_auc = None, -1.0
    for column in sorted(measure_columns):
        covered = table.filter(pl.col(column).is_not_null())
        if covered.height < max(10, table.height // 5):
            continue
        value = auc(covered[column].to_numpy(), covered["positive"].to_numpy())
        if value is not None and value > best_auc:
            best, best_auc = column.removeprefix("z:"), value
    return best


def score_table(table: pl.DataFrame, best: str | None) -> pl.DataFrame:
    headline = table.filter(pl.col("headline").is_not_null())
    scores = [("headline", headline, "headline")]
    scores.append(
        ("plain mean of the z-scores", table.filter(pl.col("mean_z").is_not_null()), "mean_z")
    )
    if best:
        column = f"z:{best}"
        scores.append(
            (f"best single measure: {best}", table.filter(pl.col(column).is_not_null()), column)
        )
        same = headline.with_columns(pl.col(column).fill_null(0.0))
        scores.append(
            (
                f"best single measure: {best}, on the headline's organisations (missing as 0)",
                same,
                column,
            )
        )
    rows = []
    for name, frame, column in scores:
        y = frame["positive"].to_numpy()
        value, low, high = auc_interval(frame[column].to_numpy().astype(float), y)
        rows.append(
            {
                "score": name,
                "organisations": frame.height,
                "positives": int(y.sum()),
                "auc": value,
                "auc_low": low,
                "auc_high": high,
            }
        )
    return pl.DataFrame(rows, schema=TABLE_SCHEMA)


def status_table(table: pl.DataFrame) -> pl.DataFrame:
    levels = {"elevated risk": (ELEVATED_RISK,), "risk or worse": CONCERN_LEVELS}
    rows = []
    for name, flagged_levels in levels.items():
        flagged = table["status"].is_in(list(flagged_levels)).to_numpy()
        y = table["positive"].to_numpy()
        rows.append(
            {
                "flagged_at": name,
                "organisations": table.height,
                "flagged": int(flagged.sum()),
                "flag_rate": float(flagged.mean()) if table.height else None,
                "sensitivity": float(flagged[y].mean()) if y.any() else None,
                "specificity": float(1 - flagged[~y].mean()) if (~y).any() else None,
            }
        )
    return pl.DataFrame(rows, schema=STATUS_SCHEMA)


# --- AUC ---------------------------------------------------------------------------------------


def auc(score: np.ndarray, positive: np.ndarray) -> float | None:
    """P(score of a positive > score of a negative), ties counting a half (Mann-Whitney)."""
    return auc_interval(score, positive)[0]


def auc_interval(
    score: np.ndarray, positive: np.ndarray
) -> tuple[float | None, float | None, float | None]:
    """AUC with its DeLong 95% confidence interval (DeLong, DeLong & Clarke-Pearson 1988)."""
    score = np.asarray(score, dtype=float)
    positive = np.asarray(positive, dtype=bool)
    x, y = score[positive], score[~positive]
    if x.size < 2 or y.size < 2:
        return None, None, None
    # psi(x_i, y_j) = 1 if x_i > y_j, 1/2 if equal, 0 otherwise
    psi = (x[:, None] > y[None, :]) + 0.5 * (x[:, None] == y[None, :])
    value = float(psi.mean())
    v10 = psi.mean(axis=1)  # per positive
    v01 = psi.mean(axis=0)  # per negative
    variance = v10.var(ddof=1) / x.size + v01.var(ddof=1) / y.size
    half = ndtri(0.5 + CONFIDENCE / 2) * np.sqrt(variance)
    return value, max(0.0, value - half), min(1.0, value + half)
