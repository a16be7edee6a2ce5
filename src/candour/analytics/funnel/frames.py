"""Input frames: accept Polars or pandas, check them against the options, sum rows by group.

Every problem found is reported at once as a :class:`~candour.exceptions.DataFileError` naming the
column and the 1-based data row (the row of the frame as given, counting from 1), or the group.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from candour.analytics.funnel.constants import (
    MAX_PROBLEMS_PER_CHECK,
    MIN_GROUPS_FOR_ADJUSTMENT,
    PROPORTION,
    RATIO_OF_COUNTS,
    SHMI_EXPECTED_DECIMALS,
)
from candour.analytics.funnel.options import FunnelOptions
from candour.exceptions import DataFileError, Problem

ROW = "__row"  # 1-based data row of the frame as given
FIRST_DATA_ROW = 1


def as_polars(frame: Any) -> pl.DataFrame:
    """Return ``frame`` as a Polars DataFrame; pandas frames are converted, lazy ones collected."""
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if type(frame).__module__.split(".")[0] == "pandas":
        return pl.from_pandas(frame)
    raise TypeError(f"expected a Polars or pandas DataFrame, got {type(frame).__name__}")


def check_columns(frame: pl.DataFrame, options: FunnelOptions, source: str) -> None:
    """Each named column exists; the numerator and denominator hold numbers."""
    problems = []
    for option in ("numerator", "denominator", "group"):
        column = getattr(options, option)
        if column not in frame.columns:
            problems.append(
                Problem(
                    f"column given as {option}= is missing; the frame has: "
                    + ", ".join(frame.columns),
                    column=column,
                )
            )
        elif option != "group" and not frame.schema[column].is_numeric():
            problems.append(
                Problem(
                    f"expected numbers, found a column of {frame.schema[column]}", column=column
                )
            )
    if not problems and frame.height == 0:
        problems.append(Problem("the frame has no rows"))
    if problems:
        raise DataFileError(source, problems)


def check_values(frame: pl.DataFrame, options: FunnelOptions, source: str) -> None:
    """Every row has a group, a finite non-negative numerator and a positive denominator."""
    numbered = frame.with_row_index(ROW, offset=FIRST_DATA_ROW)
    problems: list[Problem] = []
    for column, condition, message in _row_rules(options):
        problems += _rows_failing(numbered, column, condition, message)
    if problems:
        raise DataFileError(source, sorted(problems, key=lambda p: (p.row or 0, p.column or "")))


def _row_rules(options: FunnelOptions) -> list[tuple[str, pl.Expr, str]]:
    numerator, denominator = pl.col(options.numerator), pl.col(options.denominator)
    rules = [
        (
            options.group,
            pl.col(options.group).is_null(),
            "a group is required, found an empty cell",
        ),
        (options.numerator, numerator.is_null(), "a number is required, found an empty cell"),
        (options.denominator, denominator.is_null(), "a number is required, found an empty cell"),
        (options.numerator, ~numerator.cast(pl.Float64).is_finite(), "expected a finite number"),
        (
            options.denominator,
            ~denominator.cast(pl.Float64).is_finite(),
            "expected a finite number",
        ),
        (options.numerator, numerator < 0, "expected a number of at least 0"),
        (options.denominator, denominator <= 0, "expected a number greater than 0"),
    ]
    if options.data_type == PROPORTION:
        rules.append(
            (
                options.numerator,
                numerator > denominator,
                f"a proportion's numerator cannot exceed its denominator ({options.denominator})",
            )
        )
    return rules


def _rows_failing(
    frame: pl.DataFrame, column: str, condition: pl.Expr, message: str
) -> list[Problem]:
    bad = frame.filter(condition.fill_null(False)).head(MAX_PROBLEMS_PER_CHECK)
    return [
        Problem(
            f"{message}; found {value!r}" if value is not None else message, row=row, column=column
        )
        for row, value in zip(bad[ROW], bad[column], strict=True)
    ]


def aggregate(frame: pl.DataFrame, options: FunnelOptions) -> pl.DataFrame:
    """Sum numerator and denominator by group, sorted by group, with ``rr`` = their ratio.

    ``rr`` is taken before any rounding of the denominator, as FunnelPlotR's aggregate_func does.
    """
    return (
        frame.group_by(options.group)
        .agg(
            pl.col(options.numerator).cast(pl.Float64).sum().alias("numerator"),
            pl.col(options.denominator).cast(pl.Float64).sum().alias("denominator"),
        )
        .rename({options.group: "group"})
        .sort("group")
        .with_columns(rr=pl.col("numerator") / pl.col("denominator"))
    )


def round_like_r(values: np.ndarray, digits: int) -> np.ndarray:
    """R's ``round(x, digits)`` for x >= 0: the nearer of the two candidates, ties to even.

    R (>= 4.0.0, src/nmath/fround.c) compares the distances from x to floor(x * 10^d) / 10^d and
    ceiling(x * 10^d) / 10^d in double precision and keeps the nearer, so a value stored just below
    a half rounds down; an exact tie goes to the candidate with an even last digit. NumPy, not
    Polars: Polars divides a column by a constant by multiplying by its reciprocal, which is not
    exact (49709 / 100 would give 497.09000000000003).
    """
    scale = 10.0**digits
    scaled = np.asarray(values, dtype=float) * scale
    down, up = np.floor(scaled) / scale, np.ceil(scaled) / scale
    below, above = values - down, up - values
    take_up = (above < below) | ((above == below) & (np.floor(scaled) % 2 == 1))
    return np.where(take_up, up, down)


def round_expected(groups: pl.DataFrame) -> pl.DataFrame:
    """Round SHMI expected deaths to 2 decimal places (NHS Digital; FunnelPlotR SHMI_rounding)."""
    rounded = round_like_r(groups["denominator"].to_numpy(), SHMI_EXPECTED_DECIMALS)
    return groups.with_columns(denominator=pl.Series(rounded))


def check_groups(groups: pl.DataFrame, options: FunnelOptions, source: str) -> None:
    """The summed groups can be transformed: enough groups, and no log of zero."""
    problems = []
    if groups.height < MIN_GROUPS_FOR_ADJUSTMENT:
        problems.append(
            Problem(
                f"a funnel plot compares groups, but the data has {groups.height};"
                f" at least {MIN_GROUPS_FOR_ADJUSTMENT} are needed",
                column=options.group,
            )
        )
    problems += _group_problems(groups, options)
    if problems:
        raise DataFileError(source, problems)


def _group_problems(groups: pl.DataFrame, options: FunnelOptions) -> list[Problem]:
    problems = []
    if options.truncates:
        zero = groups.filter(pl.col("numerator") == 0).head(MAX_PROBLEMS_PER_CHECK)
        problems += [
            Problem(
                f"group {g!r} has a total of 0: the SHMI method takes log(observed / expected),"
                " which is undefined at 0; use sr_method='CQC'",
                column=options.numerator,
            )
            for g in zero["group"]
        ]
    if options.rounds_expected:
        tiny = groups.filter(pl.col("denominator") == 0).head(MAX_PROBLEMS_PER_CHECK)
        problems += [
            Problem(
                f"group {g!r} has a total that rounds to 0.00 at 2 decimal places;"
                " pass shmi_rounding=False",
                column=options.denominator,
            )
            for g in tiny["group"]
        ]
    if options.data_type == RATIO_OF_COUNTS and groups["numerator"].sum() == 0:
        problems.append(
            Problem(
                "every numerator is 0, so the overall ratio (the target) is 0 and its log undefined",
                column=options.numerator,
            )
        )
    return problems
