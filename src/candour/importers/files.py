"""Read a user's table (CSV, Excel or Parquet) into a Polars frame of strings or native types."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import fastexcel
import polars as pl

from candour.exceptions import DataFileError, OptionError, Problem

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".xls", ".parquet")
EXCEL_SUFFIXES = (".xlsx", ".xls")


def read_table(
    path: str | Path, *, as_text: bool = True, sheet: str | int | None = None
) -> pl.DataFrame:
    """Read ``path`` by its suffix. With ``as_text`` every CSV column is read as text so that the
    caller's schema, not Polars' guess, decides types (and can name the row that fails). An
    Excel workbook is read by :func:`read_sheet` (``sheet`` is for workbooks only)."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(str(path), [Problem("file not found")])
    suffix = path.suffix.lower()
    if sheet is not None and suffix not in EXCEL_SUFFIXES:
        raise OptionError(f"a sheet can be chosen only in an Excel workbook; {path} is not one")
    try:
        if suffix == ".csv":
            return pl.read_csv(path, infer_schema=not as_text, encoding="utf8-lossy")
        if suffix in EXCEL_SUFFIXES:
            frame = read_sheet(path, sheet)
            if as_text:
                frame = frame.with_columns(pl.all().cast(pl.String))
            return frame
        if suffix == ".parquet":
            return pl.read_parquet(path)
    except pl.exceptions.PolarsError as exc:
        raise DataFileError(
            str(path), [Problem(f"could not be read as {suffix[1:]}: {exc}")]
        ) from exc
    raise DataFileError(
        str(path),
        [
            Problem(
                f"unsupported file type {suffix!r}; expected one of {', '.join(SUPPORTED_SUFFIXES)}"
            )
        ],
    )


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
