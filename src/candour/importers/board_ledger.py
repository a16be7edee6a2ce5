"""The board posts ledger file: one table of posts, holdings and vacancy episodes.

``candour import board_ledger FILE`` reads a CSV, Excel (.xlsx) or Parquet file with one row per
*entry*; each row repeats its post's columns. See docs/reference/leadership.md for the schema:

==================== ========================================================================
column               meaning
==================== ========================================================================
ods_code             the organisation's ODS code
post_id              the post's identifier, unique across the file (for example ``RX1-CEO``)
role                 chief_executive, finance, nursing, medical, operations, people, chair,
                     non_executive or other
title                optional: the post's title (for example "Director of Strategy")
executive, voting    yes or no (true or false)
entry                post (a post with nothing else on the row, for example one never
                     filled), holding, or vacancy
person_id            holdings: the holder's identifier (for example an ESR number)
start, end           holdings: first and last day in post (end empty: still in post);
                     vacancies: the day the vacancy opened and the day it was filled (empty:
                     still open). Dates as YYYY-MM-DD
basis                holdings: substantive, interim, acting or joint
leaving_reason       holdings, optional: why the holder left
recruitment_rounds   vacancies, optional: recruitment rounds so far (a whole number, 1 or more)
recruitment_route    vacancies, optional: talent_pool, internal, agency, other_sector or other
synthetic            optional: yes for generated (demo) data; shown as "synthetic" wherever
                     the ledger appears
==================== ========================================================================

Every row of one post must agree on the post's columns. Reading is pure (no Django): the web
layer stores the result, replacing the ledger of every organisation in the file at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from candour.analytics.leadership.constants import BASES, ROLES
from candour.analytics.leadership.frames import check_ledger
from candour.exceptions import DataFileError, Problem
from candour.importers.files import read_table
from candour.importers.schema import FIRST_DATA_ROW, ODS_CODE_PATTERN, Column, Schema, validate

DATASET = "board_ledger"
ENTRIES = ("post", "holding", "vacancy")
ROUTES = ("talent_pool", "internal", "agency", "other_sector", "other")
YES, NO = ("yes", "true"), ("no", "false")
BOOLEAN_CHOICES = (*YES, *NO)
POST_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$"
PERSON_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$"
ROW = "row"  # the file row each entry came from (the header is row 1)
MAX_PROBLEMS = 50

POST_COLUMNS = ("ods_code", "role", "title", "executive", "voting", "synthetic")
HOLDING_ONLY = ("person_id", "basis", "leaving_reason")
VACANCY_ONLY = ("recruitment_rounds", "recruitment_route")

SCHEMA = Schema(
    columns=(
        Column("ods_code", pattern=ODS_CODE_PATTERN, description="the organisation's ODS code"),
        Column("post_id", pattern=POST_ID_PATTERN, description="the post, unique in the file"),
        Column("role", choices=ROLES, description="the board role"),
        Column("title", may_be_blank=True, description="the post's title"),
        Column("executive", choices=BOOLEAN_CHOICES, description="an executive post"),
        Column("voting", choices=BOOLEAN_CHOICES, description="a voting member of the board"),
        Column("entry", choices=ENTRIES, description="what the row records"),
        Column("person_id", may_be_blank=True, pattern=PERSON_ID_PATTERN, description="holder"),
        Column("start", "date", may_be_blank=True, description="holding start / vacancy opened"),
        Column("end", "date", may_be_blank=True, description="holding end / vacancy filled"),
        Column("basis", may_be_blank=True, choices=BASES, description="how the post is held"),
        Column("leaving_reason", may_be_blank=True, description="why the holder left"),
        Column(
            "recruitment_rounds", "int", may_be_blank=True, minimum=1, description="rounds so far"
        ),
        Column("recruitment_route", may_be_blank=True, choices=ROUTES, description="how filled"),
        Column("synthetic", may_be_blank=True, choices=BOOLEAN_CHOICES, description="generated"),
    ),
)
REQUIRED_COLUMNS = tuple(c.name for c in SCHEMA.columns if not c.may_be_blank)
LOWER_CASED = ("executive", "voting", "synthetic", "entry")


@dataclass(frozen=True)
class BoardLedger:
    """A validated ledger file. ``posts`` (``row, ods_code, post_id, role, title, executive,
    voting, synthetic``), ``holdings`` (``row, post_id, person_id, start, end, basis,
    leaving_reason``) and ``vacancies`` (``row, post_id, opened, filled, rounds, route``)."""

    path: str
    posts: pl.DataFrame
    holdings: pl.DataFrame
    vacancies: pl.DataFrame

    @property
    def organisations(self) -> list[str]:
        return sorted(self.posts["ods_code"].unique().to_list())

    @property
    def rows(self) -> int:
        return self.posts.height + self.holdings.height + self.vacancies.height


def load_board_ledger(path: str | Path) -> BoardLedger:
    """Read and check a ledger file; raise DataFileError naming file, row and column."""
    path = str(path)
    raw = read_table(path)
    missing_required = [name for name in REQUIRED_COLUMNS if name not in raw.columns]
    raw = raw.with_columns(
        [
            pl.lit(None, dtype=pl.String).alias(c.name)
            for c in SCHEMA.columns
            if c.may_be_blank and c.name not in raw.columns
        ]
    )
    if not missing_required:
        raw = raw.with_columns(
            [pl.col(c).cast(pl.String).str.strip_chars().str.to_lowercase() for c in LOWER_CASED]
        )
    frame = validate(raw, SCHEMA, path).with_row_index(ROW, FIRST_DATA_ROW)
    problems = _entry_problems(frame) + _post_problems(frame) + _duplicate_problems(frame)
    if problems:
        raise DataFileError(path, _sorted(problems))
    ledger = _split(frame, path)
    _check_rules(ledger)
    return ledger


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.row or 0, p.column or ""))[:MAX_PROBLEMS]


def _rows(frame: pl.DataFrame, condition: pl.Expr, column: str, message: str) -> list[Problem]:
    failing = frame.filter(condition.fill_null(False)).head(MAX_PROBLEMS)
    return [Problem(message, row=row, column=column) for row in failing[ROW]]


def _entry_problems(frame: pl.DataFrame) -> list[Problem]:
    """Each kind of entry has the columns it needs, and none that belong to another kind."""
    entry = pl.col("entry")
    problems = []
    needs = {"holding": ("person_id", "start", "basis"), "vacancy": ("start",)}
    for kind, columns in needs.items():
        for column in columns:
            problems += _rows(
                frame,
                (entry == kind) & pl.col(column).is_null(),
                column,
                f"a {kind} needs a value here, found an empty cell",
            )
    forbidden = {
        "post": ("person_id", "start", "end", "basis", "leaving_reason", *VACANCY_ONLY),
        "holding": VACANCY_ONLY,
        "vacancy": HOLDING_ONLY,
    }
    for kind, columns in forbidden.items():
        for column in columns:
            problems += _rows(
                frame,
                (entry == kind) & pl.col(column).is_not_null(),
                column,
                f"a {kind} row leaves this column empty (it belongs to another kind of entry)",
            )
    problems += _rows(
        frame,
        pl.col("end") < pl.col("start"),
        "end",
        "the end date is before the start date",
    )
    return problems


def _post_problems(frame: pl.DataFrame) -> list[Problem]:
    """Every row of a post agrees with the post's first row on the post's columns."""
    problems = []
    frame = frame.sort(ROW)
    firsts = frame.group_by("post_id").agg(pl.col(ROW).min().alias("first_row"))
    for column in POST_COLUMNS:
        differs = ~pl.col(column).eq_missing(pl.col(column).first().over("post_id"))
        failing = frame.filter(differs).head(MAX_PROBLEMS)
        for row, post_id, first_row in (
            failing.join(firsts, on="post_id").select(ROW, "post_id", "first_row").iter_rows()
        ):
            problems.append(
                Problem(
                    f"post {post_id!r} has a different {column} on row {first_row}; every row "
                    "of a post gives the same post columns",
                    row=row,
                    column=column,
                )
            )
    return problems


def _duplicate_problems(frame: pl.DataFrame) -> list[Problem]:
    entry = pl.col("entry")
    holding_key = pl.struct("post_id", "person_id", "start")
    vacancy_key = pl.struct("post_id", "start")
    holdings = frame.filter(entry == "holding")
    vacancies = frame.filter(entry == "vacancy")
    return _rows(
        holdings,
        holding_key.is_duplicated(),
        "start",
        "another holding has the same post_id, person_id and start",
    ) + _rows(
        vacancies,
        vacancy_key.is_duplicated(),
        "start",
        "another vacancy of this post opened on the same day",
    )


def _split(frame: pl.DataFrame, path: str) -> BoardLedger:
    yes = list(YES)
    posts = (
        frame.sort(ROW)
        .unique("post_id", keep="first", maintain_order=True)
        .select(
            ROW,
            "ods_code",
            "post_id",
            "role",
            pl.col("title").fill_null(""),
            pl.col("executive").is_in(yes).alias("executive"),
            pl.col("voting").is_in(yes).alias("voting"),
            pl.col("synthetic").is_in(yes).fill_null(False).alias("synthetic"),
        )
    )
    holdings = frame.filter(pl.col("entry") == "holding").select(
        ROW,
        "post_id",
        "person_id",
        "start",
        "end",
        "basis",
        pl.col("leaving_reason").fill_null(""),
    )
    vacancies = frame.filter(pl.col("entry") == "vacancy").select(
        ROW,
        "post_id",
        pl.col("start").alias("opened"),
        pl.col("end").alias("filled"),
        pl.col("recruitment_rounds").alias("rounds"),
        pl.col("recruitment_route").fill_null("").alias("route"),
    )
    return BoardLedger(path=path, posts=posts, holdings=holdings, vacancies=vacancies)


def _check_rules(ledger: BoardLedger) -> None:
    """The ledger rules that the analytics enforce (roles against the executive flag, one chief
    executive post per organisation), reported with the file's row numbers."""
    try:
        check_ledger(ledger.posts.drop(ROW), ledger.holdings.drop(ROW))
    except DataFileError as error:
        rows = (ledger.posts if error.path == "posts" else ledger.holdings)[ROW]
        raise DataFileError(
            ledger.path,
            [
                Problem(
                    p.message,
                    row=None if p.row is None else int(rows[p.row - 1]),
                    column=p.column,
                )
                for p in error.problems
            ],
        ) from error
