"""The inputs of an assessment: their schemas, and the checks that make them trustworthy.

Each input is checked once, as it arrives: first that its columns exist and hold the right kind of
data, then each row. Every problem found is raised together as a
:class:`~candour.exceptions.DataFileError` named after the input ("measures", "signals", "changes",
"pairs" or "speakup"), each problem naming its column and its row (counting the frame's rows from 1). After
the checks the frames hold exactly the columns below, in this order, with defaults filled in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from candour.analytics.concern.constants import (
    ASSURANCE_ICONS,
    DEFAULT_WEIGHT,
    DOMAINS,
    ICONS_FOR_IMPROVEMENT,
    IMPROVEMENTS,
    NEUTRAL,
    ROLES,
    TARGET,
    VARIATION_ICONS,
)
from candour.analytics.funnel.frames import as_polars
from candour.exceptions import DataFileError, Problem

TEXT = "text"
NUMBER = "number"
ROW = "__row"  # the 1-based row of the frame as given
MAX_PROBLEMS_PER_CHECK = 50  # as in candour.analytics.funnel and candour.importers


@dataclass(frozen=True)
class Column:
    """One column of an input: its kind, whether it must be present, and its default if not."""

    name: str
    kind: str
    required: bool = True
    default: object = None
    meaning: str = ""


MEASURE_COLUMNS = (
    Column("measure_id", TEXT, meaning="unique identifier of the measure"),
    Column("domain", TEXT, meaning="one of " + ", ".join(DOMAINS)),
    Column("improvement", TEXT, meaning="which way is better: " + ", ".join(IMPROVEMENTS)),
    Column("role", TEXT, meaning="one of " + ", ".join(ROLES)),
    Column("weight", NUMBER, required=False, default=DEFAULT_WEIGHT, meaning="w_k > 0"),
    Column(
        "relevant_change",
        NUMBER,
        required=False,
        meaning="delta > 0, on the scale of the signals' se; empty if not set",
    ),
    Column("name", TEXT, required=False, meaning="shown in explanations; measure_id if empty"),
)
SIGNAL_COLUMNS = (
    Column("ods_code", TEXT, meaning="the organisation"),
    Column("measure_id", TEXT, meaning="a measure_id of measures"),
    Column("z", NUMBER, meaning="(value - expected) / se, + meaning above expected; may be empty"),
    Column("se", NUMBER, meaning="standard error sqrt(s^2 + tau^2) > 0; may be empty"),
    Column("value", NUMBER, required=False, meaning="the published figure, for explanations"),
    Column("spc_variation", TEXT, required=False, meaning="MDC variation icon, or empty"),
    Column("spc_assurance", TEXT, required=False, meaning="MDC assurance icon, or empty"),
)
CHANGE_COLUMNS = (
    Column("ods_code", TEXT),
    Column("measure_id", TEXT),
    Column("value_now", NUMBER),
    Column("se_now", NUMBER),
    Column("value_base", NUMBER),
    Column("se_base", NUMBER),
    Column("tau_delta", NUMBER, required=False, default=0.0),
)
PAIR_COLUMNS = (
    Column("target_measure_id", TEXT),
    Column("balance_measure_id", TEXT),
)

SPEAKUP_COLUMNS = (
    Column("ods_code", TEXT, meaning="the organisation"),
    Column("quarter", TEXT, meaning="the quarter, e.g. 2026-27-q3"),
    Column("measure_id", TEXT, meaning="a speak-up theme measure, e.g. speakup_cases"),
    Column("display", TEXT, meaning="the disclosed count as published: 0, * or a multiple of 5"),
)

Rule = tuple[str, pl.Expr, str]  # (column, failing condition, message)


# --- Whole inputs ------------------------------------------------------------------------------


def checked_measures(frame: Any) -> pl.DataFrame:
    """The measure catalogue, checked; weight defaults to 1 and name to measure_id."""
    measures = _conformed(frame, MEASURE_COLUMNS, "measures")
    measures = measures.with_columns(
        pl.col("weight").fill_null(DEFAULT_WEIGHT),
        pl.col("name").fill_null(pl.col("measure_id")),
    )
    _raise_if_any(
        "measures",
        _problems(measures, _measure_rules()) + _duplicates(measures, ["measure_id"]),
    )
    return measures.drop(ROW)


def checked_signals(frame: Any, measures: pl.DataFrame) -> pl.DataFrame:
    """One row per organisation x measure, checked against the catalogue."""
    signals = _conformed(frame, SIGNAL_COLUMNS, "signals")
    known = measures.select("measure_id", "improvement")
    joined = signals.join(known, on="measure_id", how="left").sort(ROW)
    problems = _problems(joined, _signal_rules(known["measure_id"]))
    problems += _icon_direction_problems(joined)
    problems += _duplicates(signals, ["ods_code", "measure_id"])
    _raise_if_any("signals", problems)
    return signals.drop(ROW)


def checked_changes(frame: Any, measures: pl.DataFrame) -> pl.DataFrame:
    """P3's before-and-after values, checked; tau_delta defaults to 0."""
    changes = _conformed(frame, CHANGE_COLUMNS, "changes")
    changes = changes.with_columns(pl.col("tau_delta").fill_null(0.0))
    problems = _problems(changes, _change_rules(measures["measure_id"]))
    problems += _duplicates(changes, ["ods_code", "measure_id"])
    _raise_if_any("changes", problems)
    return changes.drop(ROW)


def checked_pairs(pairs: Any, measures: pl.DataFrame) -> pl.DataFrame:
    """Pre-registered (target, balance) pairs, from a frame or a sequence of 2-tuples."""
    frame = _pairs_frame(pairs)
    frame = _conformed(frame, PAIR_COLUMNS, "pairs", allow_empty=True)
    catalogue = measures.select("measure_id", "role", "improvement")
    joined = (
        frame.join(catalogue.rename(lambda c: f"target_{c}"), on="target_measure_id", how="left")
        .join(catalogue.rename(lambda c: f"balance_{c}"), on="balance_measure_id", how="left")
        .sort(ROW)
    )
    problems = _problems(joined, _pair_rules(measures["measure_id"]))
    problems += _duplicates(frame, ["target_measure_id", "balance_measure_id"])
    _raise_if_any("pairs", problems)
    return frame.drop(ROW)


def checked_speakup(frame: Any) -> pl.DataFrame:
    """Published speak-up theme counts (disclosure-controlled), checked; may be empty."""
    speakup = _conformed(frame, SPEAKUP_COLUMNS, "speakup", allow_empty=True)
    rules = [
        (c.name, pl.col(c.name).is_null(), f"{c.meaning} is required") for c in SPEAKUP_COLUMNS
    ]
    problems = _problems(speakup, rules)
    problems += _duplicates(speakup, ["ods_code", "quarter", "measure_id"])
    _raise_if_any("speakup", problems)
    return speakup.drop(ROW)


def _pairs_frame(pairs: Any) -> pl.DataFrame:
    if isinstance(pairs, pl.DataFrame | pl.LazyFrame) or type(pairs).__module__.startswith(
        "pandas"
    ):
        return as_polars(pairs)
    if isinstance(pairs, str) or not isinstance(pairs, Sequence):
        raise DataFileError(
            "pairs",
            [Problem("expected a frame or a list of (target_measure_id, balance_measure_id)")],
        )
    problems = [
        Problem(f"expected a (target_measure_id, balance_measure_id) pair; got {p!r}", row=i)
        for i, p in enumerate(pairs, start=1)
        if isinstance(p, str) or not isinstance(p, Sequence) or len(p) != 2
    ]
    _raise_if_any("pairs", problems)
    columns = [c.name for c in PAIR_COLUMNS]
    return pl.DataFrame(
        [tuple(p) for p in pairs], schema=dict.fromkeys(columns, pl.String), orient="row"
    )


# --- Columns -----------------------------------------------------------------------------------


def _conformed(
    frame: Any, columns: tuple[Column, ...], source: str, *, allow_empty: bool = False
) -> pl.DataFrame:
    """The frame with exactly ``columns``: checked present and of their kind, absent ones filled."""
    frame = as_polars(frame)
    problems = [p for column in columns if (p := _column_problem(frame, column)) is not None]
    if not problems and frame.height == 0 and not allow_empty:
        problems.append(Problem("the frame has no rows"))
    _raise_if_any(source, problems)
    return frame.with_row_index(ROW, offset=1).select(
        ROW, *(_typed(frame, column) for column in columns)
    )


def _column_problem(frame: pl.DataFrame, column: Column) -> Problem | None:
    if column.name not in frame.columns:
        if not column.required:
            return None
        return Problem(
            f"this column is required ({column.meaning or column.kind}) and missing; the frame has: "
            + (", ".join(frame.columns) or "no columns"),
            column=column.name,
        )
    dtype = frame.schema[column.name]
    if dtype == pl.Null:
        return None
    if column.kind == NUMBER and not dtype.is_numeric():
        return Problem(f"expected numbers, found a column of {dtype}", column=column.name)
    if column.kind == TEXT and not isinstance(dtype, pl.String | pl.Categorical | pl.Enum):
        return Problem(f"expected text, found a column of {dtype}", column=column.name)
    return None


def _typed(frame: pl.DataFrame, column: Column) -> pl.Expr:
    dtype = pl.Float64 if column.kind == NUMBER else pl.String
    if column.name in frame.columns:
        return pl.col(column.name).cast(dtype)
    return pl.lit(column.default, dtype=dtype).alias(column.name)


# --- Rows --------------------------------------------------------------------------------------


def _measure_rules() -> list[Rule]:
    return [
        ("measure_id", pl.col("measure_id").is_null(), "a measure_id is required"),
        *_choice_rule("domain", DOMAINS),
        *_choice_rule("improvement", IMPROVEMENTS),
        *_choice_rule("role", ROLES),
        ("weight", ~_positive(pl.col("weight")), "expected a finite number greater than 0"),
        (
            "relevant_change",
            pl.col("relevant_change").is_not_null() & ~_positive(pl.col("relevant_change")),
            "expected a finite number greater than 0, or an empty cell",
        ),
    ]


def _signal_rules(measure_ids: pl.Series) -> list[Rule]:
    return [
        ("ods_code", pl.col("ods_code").is_null(), "an ods_code is required"),
        *_known_measure_rule("measure_id", measure_ids),
        ("z", pl.col("z").is_not_null() & ~pl.col("z").is_finite(), "expected a finite number"),
        (
            "se",
            pl.col("se").is_not_null() & ~_positive(pl.col("se")),
            "expected a finite number greater than 0, or an empty cell",
        ),
        (
            "value",
            pl.col("value").is_not_null() & ~pl.col("value").is_finite(),
            "expected a finite number, or an empty cell",
        ),
        *_choice_rule("spc_variation", VARIATION_ICONS, optional=True),
        *_choice_rule("spc_assurance", ASSURANCE_ICONS, optional=True),
    ]


def _change_rules(measure_ids: pl.Series) -> list[Rule]:
    rules: list[Rule] = [
        ("ods_code", pl.col("ods_code").is_null(), "an ods_code is required"),
        *_known_measure_rule("measure_id", measure_ids),
    ]
    for column in ("value_now", "value_base"):
        rules.append((column, ~pl.col(column).is_finite().fill_null(False), "expected a number"))
    for column in ("se_now", "se_base", "tau_delta"):
        rules.append(
            (column, ~_non_negative(pl.col(column)), "expected a finite number of at least 0")
        )
    variance = pl.col("se_now").pow(2) + pl.col("se_base").pow(2) + pl.col("tau_delta").pow(2)
    rules.append(
        (
            "se_now",
            variance == 0,
            "se_now, se_base and tau_delta are all 0, so the change has no standard error",
        )
    )
    return rules


def _pair_rules(measure_ids: pl.Series) -> list[Rule]:
    rules: list[Rule] = [
        *_known_measure_rule("target_measure_id", measure_ids),
        *_known_measure_rule("balance_measure_id", measure_ids),
        (
            "balance_measure_id",
            pl.col("balance_measure_id") == pl.col("target_measure_id"),
            "a measure cannot balance itself",
        ),
        (
            "target_measure_id",
            pl.col("target_role").is_not_null() & (pl.col("target_role") != TARGET),
            f"the target of a pair must have role {TARGET!r}",
        ),
    ]
    for side in ("target", "balance"):
        rules.append(
            (
                f"{side}_measure_id",
                pl.col(f"{side}_improvement") == NEUTRAL,
                "a measure paired for divergence needs a direction of improvement, not 'neutral'",
            )
        )
    return rules


def _choice_rule(column: str, allowed: tuple[str, ...], *, optional: bool = False) -> list[Rule]:
    shown = ", ".join(repr(a) for a in allowed)
    outside = ~pl.col(column).is_in(list(allowed))
    if optional:
        return [(column, pl.col(column).is_not_null() & outside, f"expected one of {shown}")]
    return [
        (column, pl.col(column).is_null(), f"a value is required: one of {shown}"),
        (column, pl.col(column).is_not_null() & outside, f"expected one of {shown}"),
    ]


def _known_measure_rule(column: str, measure_ids: pl.Series) -> list[Rule]:
    return [
        (column, pl.col(column).is_null(), "a measure_id is required"),
        (
            column,
            pl.col(column).is_not_null() & ~pl.col(column).is_in(measure_ids.implode()),
            "not a measure_id of measures",
        ),
    ]


def _positive(expr: pl.Expr) -> pl.Expr:
    return (expr.is_finite() & (expr > 0)).fill_null(False)


def _non_negative(expr: pl.Expr) -> pl.Expr:
    return (expr.is_finite() & (expr >= 0)).fill_null(False)


def _icon_direction_problems(joined: pl.DataFrame) -> list[Problem]:
    """An SPC variation icon must be one the measure's improvement direction can produce."""
    problems = []
    for improvement, icons in ICONS_FOR_IMPROVEMENT.items():
        wrong = joined.filter(
            (pl.col("improvement") == improvement)
            & pl.col("spc_variation").is_in(list(VARIATION_ICONS))
            & ~pl.col("spc_variation").is_in(list(icons))
        ).head(MAX_PROBLEMS_PER_CHECK)
        problems += [
            Problem(
                f"icon {icon!r} cannot come from a chart of measure {measure!r}, whose improvement"
                f" is {improvement!r}; expected one of " + ", ".join(repr(i) for i in icons),
                row=row,
                column="spc_variation",
            )
            for row, measure, icon in wrong.select(ROW, "measure_id", "spc_variation").iter_rows()
        ]
    return problems


def _problems(frame: pl.DataFrame, rules: list[Rule]) -> list[Problem]:
    problems = []
    for column, condition, message in rules:
        failing = frame.filter(condition.fill_null(False)).head(MAX_PROBLEMS_PER_CHECK)
        problems += [
            Problem(
                message if value is None else f"{message}; found {value!r}", row=row, column=column
            )
            for row, value in failing.select(ROW, column).iter_rows()
        ]
    return problems


def _duplicates(frame: pl.DataFrame, keys: list[str]) -> list[Problem]:
    """Every row after the first with the same keys."""
    repeated = (
        frame.filter(pl.all_horizontal(pl.col(keys).is_not_null()))
        .filter(pl.int_range(pl.len()).over(keys) > 0)
        .head(MAX_PROBLEMS_PER_CHECK)
    )
    named = " and ".join(keys)
    return [
        Problem(
            f"{named} " + ", ".join(repr(v) for v in values) + " appear(s) on an earlier row too",
            row=row,
            column=keys[-1],
        )
        for row, *values in repeated.select(ROW, *keys).iter_rows()
    ]


def _raise_if_any(source: str, problems: list[Problem]) -> None:
    if problems:
        raise DataFileError(source, sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
