"""Read a user's table (CSV, Excel or Parquet) into a Polars frame of strings or native types.

The file's suffix says what it should be, and its first bytes say what it is; when they disagree
(a CSV renamed .xlsx, a workbook renamed .csv) the file is refused before any reader sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import fastexcel
import polars as pl

from candour.exceptions import DataFileError, OptionError, Problem
from candour.importers.csvfile import read_csv

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".xls", ".parquet")
EXCEL_SUFFIXES = (".xlsx", ".xls")
# How each binary format begins. An .xlsx workbook is a zip package (ECMA-376 Part 2, Open
# Packaging Conventions); an .xls workbook an OLE2 compound file (MS-CFB 2.2); a Parquet file
# starts and ends with "PAR1" (Apache Parquet file format).
SIGNATURES = {
    "an Excel workbook (.xlsx, a zip package)": b"PK\x03\x04",
    "an Excel 97-2003 workbook (.xls)": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "a Parquet file": b"PAR1",
}
EXPECTED_SIGNATURE = {
    ".xlsx": "an Excel workbook (.xlsx, a zip package)",
    ".xls": "an Excel 97-2003 workbook (.xls)",
    ".parquet": "a Parquet file",
}
# Errors the Excel and Parquet readers raise for a file they cannot read.
READER_ERRORS = (pl.exceptions.PolarsError, fastexcel.FastExcelError, OSError)


def read_table(
    path: str | Path, *, encoding: str | None = None, sheet: str | int | None = None
) -> pl.DataFrame:
    """Read ``path`` by its suffix, every column as text (so that the caller's schema, not a
    guess, decides types and can name the row that fails), except Parquet's native types.
    ``encoding`` is for CSV files only; by default they are read as UTF-8. An Excel workbook
    is read by :func:`read_sheet` (``sheet`` is for workbooks only)."""
    path = Path(path)
    if not path.is_file():
        found = "is a directory, not a file" if path.is_dir() else "file not found"
        raise DataFileError(str(path), [Problem(found)])
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DataFileError(
            str(path),
            [
                Problem(
                    f"unsupported file type {suffix!r}; expected one of "
                    f"{', '.join(SUPPORTED_SUFFIXES)}"
                )
            ],
        )
    if sheet is not None and suffix not in EXCEL_SUFFIXES:
        raise OptionError(f"a sheet can be chosen only in an Excel workbook; {path} is not one")
    if encoding and suffix != ".csv":
        raise OptionError(f"an encoding can be given only for a CSV file, not {suffix}")
    _check_content_matches_suffix(path, suffix)
    if suffix == ".csv":
        return read_csv(path, encoding=encoding)
    try:
        if suffix == ".parquet":
            return pl.read_parquet(path)
        return read_sheet(path, sheet).with_columns(pl.all().cast(pl.String))
    except READER_ERRORS as exc:
        reason = " ".join(str(exc).split())  # some readers' messages span lines
        raise DataFileError(
            str(path), [Problem(f"could not be read as {suffix[1:]}: {reason}")]
        ) from exc


def _content_kind(head: bytes) -> str:
    for kind, signature in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return "text (perhaps CSV) or another format"


def _check_content_matches_suffix(path: Path, suffix: str) -> None:
    with path.open("rb") as handle:
        head = handle.read(8)
    kind = _content_kind(head)
    expected = EXPECTED_SIGNATURE.get(suffix)
    if expected is None and kind in SIGNATURES:
        problem = f"its name says CSV text but it is {kind}; save it as CSV, or name it to match"
    elif expected is not None and kind != expected:
        problem = (
            f"its name says {expected} but its content is {kind}; "
            "name it to match its content (a CSV file ends in .csv)"
        )
    else:
        return
    raise DataFileError(str(path), [Problem(problem)])


def read_sheet(path: Path, sheet: str | int | None = None) -> pl.DataFrame:
    """One sheet of an Excel workbook: the one named ``sheet``, or numbered ``sheet`` counting
    from 1 as the tabs show (a name is matched first). Without ``sheet`` the workbook must have
    exactly one sheet with anything in it; otherwise the error lists them (never the first)."""
    try:
        workbook = fastexcel.read_excel(path)
        names = workbook.sheet_names
        filled = [n for n in names if workbook.load_sheet(n, n_rows=1, header_row=None).height]
    except fastexcel.FastExcelError as exc:
        first_line = str(exc).splitlines()[0]
        problem = Problem(f"could not be read as an Excel workbook: {first_line}")
        raise DataFileError(str(path), [problem]) from exc
    chosen = choose_sheet(str(path), names, filled, sheet)
    if chosen not in filled:
        raise DataFileError(str(path), [Problem(f"sheet {chosen!r} is empty")])
    return pl.read_excel(path, sheet_name=chosen)


def choose_sheet(path: str, names: Sequence[str], filled: Sequence[str], sheet: object) -> str:
    """The sheet name that ``sheet`` (a name, a number from 1, or None) chooses."""
    numbered = ", ".join(f"{i} {n!r}" for i, n in enumerate(names, start=1) if n in filled)
    if sheet is None:
        if len(filled) == 1:
            return filled[0]
        if not filled:
            raise DataFileError(path, [Problem("no sheet of the workbook has data")])
        raise OptionError(
            f"{path}: {len(filled)} sheets have data ({numbered}); choose one by name or number"
            " with --sheet (sheet= in Python)"
        )
    if isinstance(sheet, str) and sheet in names:
        return sheet
    number = sheet if isinstance(sheet, int) else int(sheet) if str(sheet).isdigit() else None
    if number is not None and not isinstance(number, bool) and 1 <= number <= len(names):
        return names[number - 1]
    listed = ", ".join(f"{i} {n!r}" for i, n in enumerate(names, start=1))
    raise OptionError(f"{path}: no sheet {sheet!r}; the workbook has {listed}")
