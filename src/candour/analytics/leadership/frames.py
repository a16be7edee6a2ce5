"""Check the ledger frames given to the leadership functions, once, before any computing.

Every problem is reported at once as a :class:`~candour.exceptions.DataFileError` whose path is
the input's name (``posts`` or ``holdings``) and whose problems name the 1-based row of the
frame as given and the column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from candour.analytics.funnel.frames import as_polars
from candour.analytics.leadership.constants import (
    BASES,
    EXECUTIVE_ONLY_ROLES,
    NON_EXECUTIVE_ROLES,
    ROLES,
)
from candour.exceptions import DataFileError, Problem

ROW = "__row"
FIRST_ROW = 1  # a frame's rows are numbered from 1 (exceptions.Problem)
MAX_PROBLEMS_PER_CHECK = 20


@dataclass(frozen=True)
class Spec:
    """One column an input must have: its kind of value, and whether it may be null."""

    name: str
    kind: str  # "text", "bool", "date"
    nullable: bool = False

    def accepts(self, dtype: pl.DataType) -> bool:
        return {
            "text": dtype in (pl.String, pl.Categorical, pl.Enum) or dtype == pl.Null,
            "bool": dtype == pl.Boolean or dtype == pl.Null,
            # pandas holds dates as datetimes: those are taken to the day
            "date": dtype == pl.Date or isinstance(dtype, pl.Datetime) or dtype == pl.Null,
        }[self.kind]


POSTS = (
    Spec("ods_code", "text"),
    Spec("post_id", "text"),
    Spec("role", "text"),
    Spec("executive", "bool"),
    Spec("voting", "bool"),
)
HOLDINGS = (
    Spec("post_id", "text"),
    Spec("person_id", "text"),
    Spec("start", "date"),
    Spec("end", "date", nullable=True),
    Spec("basis", "text"),
)
POSTS_SOURCE = "posts"
HOLDINGS_SOURCE = "holdings"


def check_ledger(posts: Any, holdings: Any) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return ``posts`` and ``holdings`` with only their declared columns, after checking every
    column exists with the right type, every value is allowed, and every holding names a post."""
    posts, holdings = as_polars(posts), as_polars(holdings)
    posts = _checked(posts, POSTS, POSTS_SOURCE, _post_rules())
    holdings = _checked(holdings, HOLDINGS, HOLDINGS_SOURCE, _holding_rules(posts))
    return posts, holdings


def _checked(
    frame: pl.DataFrame,
    specs: tuple[Spec, ...],
    source: str,
    rules: Callable[[pl.DataFrame], list[Problem]],
) -> pl.DataFrame:
    problems = _column_problems(frame, specs)
    if problems:
        raise DataFileError(source, problems)
    frame = frame.select([pl.col(s.name).cast(_dtype(s)) for s in specs])
    problems = _null_problems(frame, specs) or rules(frame)
    if problems:
        raise DataFileError(source, sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    return frame


def _dtype(spec: Spec) -> pl.DataType:
    return {"text": pl.String, "bool": pl.Boolean, "date": pl.Date}[spec.kind]


def _column_problems(frame: pl.DataFrame, specs: tuple[Spec, ...]) -> list[Problem]:
    problems = []
    for spec in specs:
        if spec.name not in frame.columns:
            problems.append(
                Problem(
                    f"column is missing; expected columns: {', '.join(s.name for s in specs)}",
                    column=spec.name,
                )
            )
        elif not spec.accepts(frame.schema[spec.name]):
            expected = {"text": "text", "bool": "true/false (Boolean)", "date": "dates (Date)"}
            problems.append(
                Problem(
                    f"expected {expected[spec.kind]}, found a column of {frame.schema[spec.name]}",
                    column=spec.name,
                )
            )
    return problems


def _null_problems(frame: pl.DataFrame, specs: tuple[Spec, ...]) -> list[Problem]:
    return [
        problem
        for spec in specs
        if not spec.nullable
        for problem in rows_where(
            frame, pl.col(spec.name).is_null(), spec.name, "a value is required, found null"
        )
    ]


def rows_where(frame: pl.DataFrame, condition: pl.Expr, column: str, message: str) -> list[Problem]:
    """One problem per row of ``frame`` (1-based) where ``condition`` holds."""
    numbered = frame.with_row_index(ROW, offset=FIRST_ROW)
    failing = numbered.filter(condition.fill_null(False)).head(MAX_PROBLEMS_PER_CHECK)
    values = failing[column].cast(pl.String) if column in failing.columns else None
    return [
        Problem(
            f"{message}; found {value!r}" if value is not None else message,
            row=row,
            column=column,
        )
        for row, value in zip(
            failing[ROW], values if values is not None else [None] * failing.height, strict=True
        )
    ]


def _post_rules() -> Callable[[pl.DataFrame], list[Problem]]:
    def rules(posts: pl.DataFrame) -> list[Problem]:
        role, executive = pl.col("role"), pl.col("executive")
        problems = rows_where(
            posts, ~role.is_in(ROLES), "role", f"expected one of {', '.join(ROLES)}"
        )
        problems += rows_where(
            posts,
            role.is_in(list(NON_EXECUTIVE_ROLES)) & executive,
            "executive",
            "a chair or non-executive post cannot be executive",
        )
        problems += rows_where(
            posts,
            role.is_in(list(EXECUTIVE_ONLY_ROLES)) & ~executive,
            "executive",
            "a chief executive post is always executive",
        )
        problems += rows_where(
            posts,
            pl.col("post_id").is_duplicated(),
            "post_id",
            "each post_id may appear only once",
        )
        problems += rows_where(
            posts,
            (role == "chief_executive") & pl.struct("ods_code", "role").is_duplicated(),
            "role",
            "an organisation has at most one chief_executive post",
        )
        return problems

    return rules


def _holding_rules(posts: pl.DataFrame) -> Callable[[pl.DataFrame], list[Problem]]:
    known = posts["post_id"].implode()

    def rules(holdings: pl.DataFrame) -> list[Problem]:
        problems = rows_where(
            holdings,
            ~pl.col("post_id").is_in(known),
            "post_id",
            "no post with this post_id in posts",
        )
        problems += rows_where(
            holdings, ~pl.col("basis").is_in(BASES), "basis", f"expected one of {', '.join(BASES)}"
        )
        problems += rows_where(
            holdings,
            pl.col("end") < pl.col("start"),
            "end",
            "a holding cannot end before it starts",
        )
        problems += rows_where(
            holdings,
            pl.struct("post_id", "person_id", "start").is_duplicated(),
            "start",
            "another holding has the same post_id, person_id and start",
        )
        return problems

    return rules
