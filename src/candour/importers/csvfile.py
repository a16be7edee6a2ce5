"""Read a CSV file strictly: every byte decoded, every row as wide as the header, nothing cut short.

A CSV file says nothing about its encoding, and a reader that guesses (or replaces what it cannot
decode) stores text nobody wrote. So a file is read as UTF-8 (a leading byte-order mark is
allowed) unless the caller names its encoding, and bytes that do not decode are an error naming
the row and column. A row with fewer or more fields than the header is an error: a short row is
what a file cut short, or a value with an unquoted comma, looks like, and reading its missing
cells as empty would quietly change what is stored. For the same reason the last row must end
with a line break: RFC 4180 allows it not to, but then a file cut short inside its last value
cannot be told from a complete one.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import polars as pl

from candour.exceptions import DataFileError, OptionError, Problem
from candour.importers.schema import FIRST_DATA_ROW, MAX_PROBLEMS_PER_CHECK

DEFAULT_ENCODING = "utf-8"
UTF8_CODEC = codecs.lookup("utf-8").name
LINE_BREAKS = ("\n", "\r")
HEADER_ROW = 1


def read_csv(path: Path, *, encoding: str | None = None) -> pl.DataFrame:
    """Every column as text (empty cells null), in the order of the header."""
    raw = path.read_bytes()
    text = decode(raw, str(path), encoding=encoding)
    if not text.strip():
        raise DataFileError(str(path), [Problem("the file is empty; expected a header row")])
    header, rows = _parse(text, str(path))
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    frame = pl.DataFrame(
        [
            pl.Series(name, values, dtype=pl.String)
            for name, values in zip(header, columns, strict=True)
        ]
    )
    return frame.with_columns(pl.all().replace("", None))


def decode(raw: bytes, path: str, *, encoding: str | None = None) -> str:
    """``raw`` as text in ``encoding`` (default UTF-8, with or without a byte-order mark)."""
    codec = _codec(encoding or DEFAULT_ENCODING)
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        raise DataFileError(
            path, _undecodable(raw, codec, named=encoding), rows_in_file=True
        ) from None


def _codec(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise OptionError(
            f"unknown encoding {encoding!r}; give a Python codec name such as utf-8, cp1252 "
            "or latin-1"
        ) from None
    return "utf-8-sig" if name == UTF8_CODEC else name


def _undecodable(raw: bytes, codec: str, *, named: str | None) -> list[Problem]:
    """One problem for each run of bytes that does not decode, located by row and column."""
    header = next(csv.reader([raw.split(b"\n", 1)[0].decode(codec, errors="replace")]), [])
    hint = (
        f"the file is not {named}"
        if named
        else "the file is read as UTF-8 unless you give its encoding (e.g. --encoding cp1252)"
    )
    problems, position = [], 0
    while len(problems) < MAX_PROBLEMS_PER_CHECK:
        try:
            raw[position:].decode(codec)
            break
        except UnicodeDecodeError as error:
            start, end = position + error.start, position + error.end
        line_start = raw.rfind(b"\n", 0, start) + 1
        before = raw[line_start:start].decode(codec, errors="replace")
        field = len(next(csv.reader([before]), [""])) - 1 if before else 0
        row = raw.count(b"\n", 0, start) + 1
        in_data = row > HEADER_ROW and 0 <= field < len(header)
        problems.append(
            Problem(
                f"bytes {raw[start:end]!r} cannot be decoded ({hint})",
                row=row,
                column=header[field] if in_data else None,
            )
        )
        position = end
    return problems


def _parse(text: str, path: str) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows, each checked to be exactly as wide as the header."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    header: list[str] = []
    rows: list[list[str]] = []
    blank_rows: list[int] = []  # empty lines: allowed at the end of the file only
    number = HEADER_ROW - 1
    try:
        header = next(reader)
        number = HEADER_ROW
        problems += _header_problems(header)
        if problems:
            raise DataFileError(path, problems, rows_in_file=True)
        width = len(header)
        for number, record in enumerate(reader, start=FIRST_DATA_ROW):
            if len(record) == width:
                rows.append(record)
                if blank_rows:
                    problems += [Problem("the row is empty", row=r) for r in blank_rows]
                    blank_rows = []
            elif not record:
                blank_rows.append(number)
            else:
                problems += _width_problems(record, header, number)
            if len(problems) >= MAX_PROBLEMS_PER_CHECK:
                break
    except csv.Error as error:
        problems.append(Problem(f"the row is not valid CSV ({error})", row=number + 1))
    if not problems and not rows:
        problems.append(Problem("the file has a header but no data rows", row=FIRST_DATA_ROW))
    if not problems and not text.endswith(LINE_BREAKS):
        problems.append(
            Problem(
                "the last row does not end with a line break, so the file may have been cut "
                "short; if the file is complete, end it with a line break",
                row=number,
            )
        )
    if problems:
        raise DataFileError(path, problems, rows_in_file=True)
    return header, rows


def _header_problems(header: list[str]) -> list[Problem]:
    if not header:
        return [Problem("the first row is empty; expected a header naming the columns", row=1)]
    seen: set[str] = set()
    problems = []
    for name in header:
        if name in seen:
            problems.append(
                Problem("the header names this column twice", row=HEADER_ROW, column=name)
            )
        seen.add(name)
    return problems


def _width_problems(record: list[str], header: list[str], number: int) -> list[Problem]:
    if len(record) < len(header):
        return [
            Problem(
                f"the row ends after {len(record)} of the header's {len(header)} fields, "
                "before this column (was the file cut short?)",
                row=number,
                column=header[len(record)],
            )
        ]
    if len(record) > len(header):
        extra = record[len(header)]
        return [
            Problem(
                f"the row has {len(record)} fields but the header names {len(header)}; "
                f"an extra field {extra!r} follows this column (an unquoted comma?)",
                row=number,
                column=header[-1],
            )
        ]
    return []
