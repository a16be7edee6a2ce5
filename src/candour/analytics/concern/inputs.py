"""The inputs of :func:`candour.analytics.concern.assess`: their documented columns and checks.

Each input is checked once, as it arrives (:mod:`candour.analytics.concern.checks`); after the
checks the frames hold exactly the columns below, in this order, with defaults filled in and
periods' end dates derived. docs/reference/concern.md documents the same columns, and
``candour assess`` reads and writes observations in this format.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from candour.analytics.concern.checks import (
    DATE,
    NUMBER,
    ROW,
    TEXT,
    Column,
    choice_rule,
    conformed,
    duplicates,
    finite,
    non_negative,
    positive,
    problems_of,
    raise_if_any,
    required_rule,
)
from candour.analytics.concern.constants import (
    COMPARISONS,
    DOMAINS,
    IMPROVEMENTS,
    NEUTRAL,
    PEER_GROUPS,
    PERIOD_TYPES,
    PROPORTION,
    RATIO,
    VALUE,
)
from candour.analytics.funnel.frames import as_polars
from candour.exceptions import DataFileError, Problem

# Months in each kind of period; a period ends the day before the next one starts.
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12, "financial_year": 12}
# A measure is current while its latest period ended within one period, its publication lag and
# one more period (one late publication is tolerated) of the assessment date.
DEFAULT_PUBLICATION_LAG_DAYS = 45
PERIOD_DAYS = {"month": 31, "quarter": 92, "year": 366, "financial_year": 366}

OBSERVATION_COLUMNS = (
    Column("ods_code", TEXT, meaning="the organisation's ODS code"),
    Column("measure_id", TEXT, meaning="a measure_id of the measures"),
    Column("period_start", DATE, meaning="first day of the period, YYYY-MM-DD"),
    Column(
        "period_type",
        TEXT,
        required=False,
        meaning="month, quarter, year or financial_year; default: the measure's frequency",
    ),
    Column(
        "period_end",
        DATE,
        required=False,
        meaning="last day of the period; default: derived from period_start and period_type",
    ),
    Column("numerator", NUMBER, required=False, meaning="events counted (or observed deaths)"),
    Column("denominator", NUMBER, required=False, meaning="population (or expected deaths)"),
    Column("value", NUMBER, meaning="the published figure: a proportion as 0-1, a ratio, a score"),
)
MEASURE_COLUMNS = (
    Column("measure_id", TEXT, meaning="unique identifier of the measure"),
    Column("name", TEXT, required=False, meaning="shown in sentences; measure_id if empty"),
    Column("domain", TEXT, meaning="one of " + ", ".join(DOMAINS)),
    Column("improvement", TEXT, meaning="which way is better: " + ", ".join(IMPROVEMENTS)),
    Column("unit", TEXT, required=False, default="", meaning="proportion, ratio, score, weeks..."),
    Column(
        "comparison",
        TEXT,
        required=False,
        meaning="how peers are compared: " + ", ".join(COMPARISONS) + "; default from the unit",
    ),
    Column(
        "peer_groups",
        TEXT,
        required=False,
        default="",
        meaning="comma-separated organisation types it applies to; empty for all",
    ),
    Column("frequency", TEXT, required=False, default="month", meaning="its period type"),
    Column(
        "publication_lag_days",
        NUMBER,
        required=False,
        default=DEFAULT_PUBLICATION_LAG_DAYS,
        meaning="days from a period's end to its publication",
    ),
    Column(
        "freshness_days",
        NUMBER,
        required=False,
        meaning="data older than this at the assessment date are history; default from frequency",
    ),
    Column(
        "relevant_change",
        NUMBER,
        required=False,
        meaning="smallest clinically relevant difference, in the measure's unit",
    ),
)
ORGANISATION_COLUMNS = (
    Column("ods_code", TEXT, meaning="the organisation's ODS code"),
    Column("name", TEXT, required=False, meaning="its name; the ODS code if empty"),
    Column("org_type", TEXT, required=False, meaning="its peer group: " + ", ".join(PEER_GROUPS)),
    Column("region_code", TEXT, required=False, default=""),
    Column("close_date", DATE, required=False, meaning="the day it closed, if it has"),
    Column("successor_code", TEXT, required=False, meaning="the organisation it merged into"),
    Column("merged_on", DATE, required=False, meaning="the day it merged into its successor"),
)
TARGET_COLUMNS = (
    Column("measure_id", TEXT),
    Column("threshold", NUMBER, meaning="in the measure's unit (a proportion as 0-1)"),
    Column("comparison", TEXT, meaning="at_least or at_most"),
    Column("effective_from", DATE),
    Column("effective_to", DATE, required=False),
    Column("organisation_types", TEXT, required=False, default=""),
    Column("name", TEXT, required=False),
)
PAIR_COLUMNS = (
    Column("target_measure_id", TEXT),
    Column("balance_measure_id", TEXT),
)
BREAK_COLUMNS = (
    Column("date", DATE, meaning="the first day of the new segment"),
    Column("measure_id", TEXT, required=False, meaning="the measure it applies to; empty for all"),
    Column("ods_code", TEXT, required=False, meaning="the organisation; empty for all"),
    Column("reason", TEXT, meaning="why the series breaks here"),
)
TARGET_COMPARISONS = ("at_least", "at_most")


# --- Measures ----------------------------------------------------------------------------------


def checked_measures(frame: Any) -> pl.DataFrame:
    """The measure catalogue: comparison defaults from the unit; peer_groups becomes a list."""
    measures = conformed(frame, MEASURE_COLUMNS, "measures", allow_empty=True)
    measures = measures.with_columns(
        pl.col("name").fill_null(pl.col("measure_id")),
        pl.col("unit").fill_null(""),
        pl.col("frequency").fill_null("month"),
        pl.col("publication_lag_days").fill_null(DEFAULT_PUBLICATION_LAG_DAYS),
        pl.col("comparison").fill_null(_default_comparison(pl.col("unit"))),
        pl.col("peer_groups")
        .fill_null("")
        .str.split(",")
        .list.eval(pl.element().str.strip_chars())
        .list.filter(pl.element() != ""),
    )
    measures = measures.with_columns(
        pl.col("freshness_days").fill_null(
            2 * pl.col("frequency").replace_strict(PERIOD_DAYS, default=31, return_dtype=pl.Float64)
            + pl.col("publication_lag_days")
        )
    )
    problems = problems_of(
        measures,
        [
            required_rule("measure_id", "a measure_id"),
            *choice_rule("domain", DOMAINS),
            *choice_rule("improvement", IMPROVEMENTS),
            *choice_rule("comparison", COMPARISONS),
            *choice_rule("frequency", PERIOD_TYPES),
            (
                "publication_lag_days",
                ~non_negative(pl.col("publication_lag_days")),
                "expected a number of days, 0 or more",
            ),
            ("freshness_days", ~positive(pl.col("freshness_days")), "expected a number of days"),
            (
                "relevant_change",
                pl.col("relevant_change").is_not_null() & ~positive(pl.col("relevant_change")),
                "expected a number greater than 0, or an empty cell",
            ),
        ],
    )
    unknown = measures.explode("peer_groups").filter(
        pl.col("peer_groups").is_not_null() & ~pl.col("peer_groups").is_in(list(PEER_GROUPS))
    )
    problems += [
        Problem(
            f"expected organisation types among {', '.join(PEER_GROUPS)}; found {group!r}",
            row=row,
            column="peer_groups",
        )
        for row, group in unknown.select(ROW, "peer_groups").head(50).iter_rows()
    ]
    problems += duplicates(measures, ["measure_id"])
    raise_if_any("measures", problems)
    return measures.drop(ROW).sort("measure_id")


def _default_comparison(unit: pl.Expr) -> pl.Expr:
    return (
        pl.when(unit == PROPORTION)
        .then(pl.lit(PROPORTION))
        .when(unit == RATIO)
        .then(pl.lit(RATIO))
        .otherwise(pl.lit(VALUE))
    )


# --- Observations ------------------------------------------------------------------------------


def checked_observations(frame: Any, measures: pl.DataFrame) -> pl.DataFrame:
    """Observations with period_type and period_end filled in, checked against the catalogue."""
    observations = conformed(frame, OBSERVATION_COLUMNS, "observations", allow_empty=True)
    known = measures.select("measure_id", "frequency", "comparison")
    observations = (
        observations.join(known, on="measure_id", how="left")
        .with_columns(pl.col("period_type").fill_null(pl.col("frequency")))
        .with_columns(
            pl.col("period_end").fill_null(
                period_end(pl.col("period_start"), pl.col("period_type"))
            )
        )
        .sort(ROW)
    )
    is_proportion = pl.col("comparison") == PROPORTION
    rules = [
        required_rule("ods_code", "an ods_code"),
        required_rule("measure_id", "a measure_id"),
        (
            "measure_id",
            pl.col("measure_id").is_not_null() & pl.col("comparison").is_null(),
            "not a measure_id of the measures",
        ),
        required_rule("period_start", "a period_start"),
        *choice_rule("period_type", PERIOD_TYPES),
        ("value", ~finite(pl.col("value")), "expected a finite number"),
        (
            "numerator",
            pl.col("numerator").is_not_null() & ~non_negative(pl.col("numerator")),
            "expected a finite count of 0 or more, or an empty cell",
        ),
        (
            "denominator",
            pl.col("denominator").is_not_null() & ~non_negative(pl.col("denominator")),
            "expected a finite count of 0 or more, or an empty cell",
        ),
        (
            "numerator",
            is_proportion & (pl.col("numerator") > pl.col("denominator")),
            "the numerator exceeds the denominator",
        ),
        (
            "value",
            is_proportion & ((pl.col("value") < 0) | (pl.col("value") > 1)),
            "a proportion must be from 0 to 1",
        ),
        (
            "period_end",
            pl.col("period_end") < pl.col("period_start"),
            "the period ends before it starts",
        ),
    ]
    problems = problems_of(observations, rules)
    problems += duplicates(observations, ["ods_code", "measure_id", "period_type", "period_start"])
    raise_if_any("observations", problems)
    return observations.select(c.name for c in OBSERVATION_COLUMNS)


def period_end(start: pl.Expr, period_type: pl.Expr) -> pl.Expr:
    """The last day of a period: the day before the next period starts."""
    months = period_type.replace_strict(PERIOD_MONTHS, default=None, return_dtype=pl.Int64)
    return (
        pl.when(months == 1)
        .then(start.dt.offset_by("1mo"))
        .when(months == 3)
        .then(start.dt.offset_by("3mo"))
        .when(months == 12)
        .then(start.dt.offset_by("1y"))
        .otherwise(None)
        .dt.offset_by("-1d")
    )


# --- Organisations -----------------------------------------------------------------------------


def checked_organisations(frame: Any) -> pl.DataFrame:
    organisations = conformed(frame, ORGANISATION_COLUMNS, "organisations", allow_empty=True)
    organisations = organisations.with_columns(
        pl.col("name").fill_null(pl.col("ods_code")), pl.col("region_code").fill_null("")
    )
    problems = problems_of(
        organisations,
        [
            required_rule("ods_code", "an ods_code"),
            *choice_rule("org_type", PEER_GROUPS, optional=True),
        ],
    )
    problems += duplicates(organisations, ["ods_code"])
    raise_if_any("organisations", problems)
    return organisations.drop(ROW).sort("ods_code")


# --- Targets, pairs and breaks -----------------------------------------------------------------


def checked_targets(frame: Any, measures: pl.DataFrame) -> pl.DataFrame:
    if frame is None:
        frame = pl.DataFrame(schema={c.name: _dtype(c) for c in TARGET_COLUMNS})
    targets = conformed(frame, TARGET_COLUMNS, "targets", allow_empty=True)
    targets = targets.with_columns(
        pl.col("name").fill_null(pl.col("measure_id")),
        pl.col("organisation_types")
        .fill_null("")
        .str.split(",")
        .list.eval(pl.element().str.strip_chars())
        .list.filter(pl.element() != ""),
    )
    problems = problems_of(
        targets,
        [
            *_known_measure_rule("measure_id", measures),
            ("threshold", ~finite(pl.col("threshold")), "expected a finite number"),
            *choice_rule("comparison", TARGET_COMPARISONS),
            required_rule("effective_from", "an effective_from date"),
        ],
    )
    raise_if_any("targets", problems)
    return targets.drop(ROW)


def checked_pairs(pairs: Any, measures: pl.DataFrame) -> pl.DataFrame:
    """Pre-registered (target, balance) pairs, from a frame or a sequence of 2-tuples."""
    frame = conformed(_pairs_frame(pairs), PAIR_COLUMNS, "pairs", allow_empty=True)
    improvements = dict(measures.select("measure_id", "improvement").iter_rows())
    frame = frame.with_columns(
        target_improvement=pl.col("target_measure_id").replace_strict(improvements, default=None),
        balance_improvement=pl.col("balance_measure_id").replace_strict(improvements, default=None),
    )
    rules = [
        *_known_measure_rule("target_measure_id", measures),
        *_known_measure_rule("balance_measure_id", measures),
        (
            "balance_measure_id",
            pl.col("balance_measure_id") == pl.col("target_measure_id"),
            "a measure cannot balance itself",
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
    problems = problems_of(frame, rules)
    problems += duplicates(frame, ["target_measure_id", "balance_measure_id"])
    raise_if_any("pairs", problems)
    return frame.select(c.name for c in PAIR_COLUMNS).unique(maintain_order=True)


def checked_breaks(frame: Any, measures: pl.DataFrame) -> pl.DataFrame:
    if frame is None:
        frame = pl.DataFrame(schema={c.name: _dtype(c) for c in BREAK_COLUMNS})
    breaks = conformed(frame, BREAK_COLUMNS, "breaks", allow_empty=True)
    known = measures["measure_id"].implode()
    problems = problems_of(
        breaks,
        [
            required_rule("date", "a date"),
            required_rule("reason", "a reason"),
            (
                "measure_id",
                pl.col("measure_id").is_not_null() & ~pl.col("measure_id").is_in(known),
                "not a measure_id of the measures",
            ),
        ],
    )
    raise_if_any("breaks", problems)
    return breaks.drop(ROW)


def _known_measure_rule(column: str, measures: pl.DataFrame) -> list:
    return [
        required_rule(column, "a measure_id"),
        (
            column,
            pl.col(column).is_not_null() & ~pl.col(column).is_in(measures["measure_id"].implode()),
            "not a measure_id of the measures",
        ),
    ]


def _dtype(column: Column) -> pl.DataType:
    return {NUMBER: pl.Float64, DATE: pl.Date}.get(column.kind, pl.String)


def _pairs_frame(pairs: Any) -> pl.DataFrame:
    if pairs is None:
        pairs = ()
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
    raise_if_any("pairs", problems)
    columns = [c.name for c in PAIR_COLUMNS]
    return pl.DataFrame(
        [tuple(p) for p in pairs], schema=dict.fromkeys(columns, pl.String), orient="row"
    )
