"""Mortality monitoring inputs: a patient-level file, and observed/expected deaths per trust,
diagnosis group and month in NHS Digital's SHMI layout. No Django.

Both are checked against a declared :class:`~candour.importers.schema.Schema`, then against the
rules the charts need that a schema cannot say (a risk strictly between 0 and 1, expected deaths
above 0, no more deaths than spells). Every problem names the file, the row as a spreadsheet
shows it (the header is row 1), the column and the value found.

Patient-level layout (one row per admission or operation; other columns are kept):

=========  ===========================================================
trust      provider ODS code (3 to 6 letters or digits)
group      diagnosis or procedure group
date       admission or procedure date (YYYY-MM-DD)
outcome    1 died, 0 survived
risk       predicted risk of death from the case-mix model, in (0, 1)
=========  ===========================================================

Observed/expected layout (NHS Digital SHMI column names; one row per trust, group and month):
``PROVIDER_CODE``, ``DIAGNOSIS_GROUP``, ``MONTH`` (YYYY-MM), ``SPELLS``, ``OBSERVED``,
``EXPECTED``; optionally ``PROVIDER_NAME`` and ``SHMI_BANDING`` (1 higher than expected, 2 as
expected, 3 lower than expected: NHS Digital's banding codes), kept as given.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from candour.exceptions import DataFileError, Problem
from candour.importers.files import read_table
from candour.importers.schema import FIRST_DATA_ROW, ODS_CODE_PATTERN, Column, Schema, validate

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
# NHS Digital SHMI banding codes (SHMI methodology): 1 higher, 2 as expected, 3 lower.
SHMI_BANDINGS = ("1", "2", "3")
MAX_PROBLEMS = 50
ROW = "__row"

PATIENT_SCHEMA = Schema(
    columns=(
        Column("trust", pattern=ODS_CODE_PATTERN, description="provider ODS code"),
        Column("group", description="diagnosis or procedure group"),
        Column("date", "date", description="admission or procedure date"),
        Column("outcome", choices=("0", "1"), description="1 died, 0 survived"),
        Column("risk", "float", minimum=0, maximum=1, description="predicted risk of death"),
    ),
    description="one row per patient: trust, group, date, outcome and predicted risk",
)
OBSERVED_EXPECTED_SCHEMA = Schema(
    columns=(
        Column("PROVIDER_CODE", pattern=ODS_CODE_PATTERN, description="provider ODS code"),
        Column("DIAGNOSIS_GROUP", description="SHMI diagnosis group"),
        Column("MONTH", pattern=MONTH_PATTERN, description="month (YYYY-MM)"),
        Column("SPELLS", "int", minimum=0, description="finished provider spells"),
        Column("OBSERVED", "int", minimum=0, description="observed deaths"),
        Column("EXPECTED", "float", minimum=0, description="expected deaths (SHMI model)"),
    ),
    key=("PROVIDER_CODE", "DIAGNOSIS_GROUP", "MONTH"),
    description="observed and expected deaths per trust, diagnosis group and month",
)
OPTIONAL_OBSERVED_EXPECTED = ("PROVIDER_NAME", "SHMI_BANDING")


def bad_rows(frame: pl.DataFrame, condition: pl.Expr, column: str, message: str) -> list[Problem]:
    """A problem for each row (file numbering) where ``condition`` holds, naming the value."""
    found = (
        frame.with_row_index(ROW, FIRST_DATA_ROW)
        .filter(condition.fill_null(False))
        .head(MAX_PROBLEMS)
    )
    return [
        Problem(f"{message}; found {value!r}", row=row, column=column)
        for row, value in zip(found[ROW], found[column], strict=True)
    ]


def check_patient_level(frame: pl.DataFrame, path: str | Path) -> pl.DataFrame:
    """The patient-level file's rows, typed (outcome Int8, risk Float64, date Date), other
    columns kept; a :class:`DataFileError` for anything a chart could not use."""
    typed = validate(frame, PATIENT_SCHEMA, str(path))
    risk = pl.col("risk")
    problems = bad_rows(
        typed, (risk <= 0) | (risk >= 1), "risk", "a risk must be strictly between 0 and 1"
    )
    if problems:
        raise DataFileError(str(path), problems)
    extra = [c for c in frame.columns if c not in typed.columns]
    return typed.with_columns(pl.col("outcome").cast(pl.Int8)).hstack(frame.select(extra))


def check_observed_expected(frame: pl.DataFrame, path: str | Path) -> pl.DataFrame:
    """The SHMI-layout rows, typed (MONTH as the first day of the month), optional and other
    columns kept; a :class:`DataFileError` for anything a chart could not use."""
    typed = validate(frame, OBSERVED_EXPECTED_SCHEMA, str(path))
    problems = bad_rows(
        typed, pl.col("EXPECTED") <= 0, "EXPECTED", "expected deaths must be above 0"
    )
    problems += bad_rows(
        typed,
        pl.col("OBSERVED") > pl.col("SPELLS"),
        "OBSERVED",
        "there cannot be more deaths than spells",
    )
    if "SHMI_BANDING" in frame.columns:
        banding = frame.select(pl.col("SHMI_BANDING").cast(pl.String).str.strip_chars())
        given = pl.col("SHMI_BANDING").is_not_null() & (pl.col("SHMI_BANDING") != "")
        problems += bad_rows(
            banding,
            given & ~pl.col("SHMI_BANDING").is_in(list(SHMI_BANDINGS)),
            "SHMI_BANDING",
            "a SHMI banding is 1 (higher), 2 (as expected) or 3 (lower)",
        )
    if problems:
        raise DataFileError(str(path), sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    month = (pl.col("MONTH") + "-01").str.to_date("%Y-%m-%d")
    extra = [c for c in frame.columns if c not in typed.columns]
    return typed.with_columns(month).hstack(frame.select(extra))


def read_patient_level(path: str | Path) -> pl.DataFrame:
    """Read and check a patient-level file (CSV, Excel or Parquet)."""
    return check_patient_level(read_table(path), path)


def read_observed_expected(path: str | Path) -> pl.DataFrame:
    """Read and check an observed/expected deaths file in the SHMI layout."""
    return check_observed_expected(read_table(path), path)


def has_columns(frame: pl.DataFrame, schema: Schema) -> bool:
    """Whether ``frame`` has every column of ``schema`` (so is meant to be in that layout)."""
    return all(column.name in frame.columns for column in schema.columns)


# --- For storing: the observed/expected file under the names the database uses -----------------

# How a SYNTHETIC column may mark generated rows (blank: not synthetic).
SYNTHETIC_VALUES = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
SYNTHETIC = "SYNTHETIC"
MAX_GROUP_LENGTH = 200  # characters: the stored diagnosis group's column
STORED_NAMES = {
    "PROVIDER_CODE": "ods_code",
    "DIAGNOSIS_GROUP": "group",
    "MONTH": "month",
    "SPELLS": "spells",
    "OBSERVED": "observed",
    "EXPECTED": "expected",
}


def synthetic_flags(frame: pl.DataFrame, path: str | Path) -> pl.Series:
    """Each row's SYNTHETIC mark as a boolean (no column: none is synthetic); a
    :class:`DataFileError` for a value that is not one of :data:`SYNTHETIC_VALUES` or blank."""
    if SYNTHETIC not in frame.columns:
        return pl.Series(SYNTHETIC, [False] * frame.height, dtype=pl.Boolean)
    text = frame.select(
        pl.col(SYNTHETIC).cast(pl.String).str.strip_chars().str.to_lowercase().fill_null("")
    )
    known = pl.col(SYNTHETIC).is_in([*SYNTHETIC_VALUES, ""])
    problems = bad_rows(
        text, ~known, SYNTHETIC, f"SYNTHETIC is one of {', '.join(SYNTHETIC_VALUES)} or blank"
    )
    if problems:
        raise DataFileError(str(path), problems)
    return text[SYNTHETIC].replace_strict({**SYNTHETIC_VALUES, "": False}, return_dtype=pl.Boolean)


def read_monthly_deaths(path: str | Path) -> pl.DataFrame:
    """An observed/expected file in the SHMI layout, checked, as the rows to store: ``ods_code,
    group, month`` (first day), ``spells, observed, expected, banding`` ("" when not given) and
    ``synthetic``."""
    frame = read_table(path)
    typed = check_observed_expected(frame, path)
    problems = bad_rows(
        typed,
        pl.col("DIAGNOSIS_GROUP").str.len_chars() > MAX_GROUP_LENGTH,
        "DIAGNOSIS_GROUP",
        f"a diagnosis group has at most {MAX_GROUP_LENGTH} characters",
    )
    if problems:
        raise DataFileError(str(path), problems)
    banding = (
        typed["SHMI_BANDING"].cast(pl.String).str.strip_chars().fill_null("")
        if "SHMI_BANDING" in typed.columns
        else pl.Series([""] * typed.height, dtype=pl.String)
    )
    return typed.select(
        *(pl.col(given).alias(stored) for given, stored in STORED_NAMES.items())
    ).with_columns(banding.alias("banding"), synthetic_flags(frame, path).alias("synthetic"))
