"""Seeded mutations of a sample of each bundled dataset file, for the importer fuzz test.

A sample is the header and every row of a few organisations (chosen by a seeded generator), so
that importing it unchanged replaces stored cells with what they already hold. Each mutation
says what a correct importer must do with it:

* ``same``: the file means what the sample means (a byte-order mark, CRLF line ends, a row
  repeated exactly, columns in another order, the same table as Excel or Parquet): accepted, and
  exactly the sample's rows stored;
* ``reject``: the file is damaged (cut short, text or infinity in a number, a NUL byte, bytes in
  another encoding, a short or long row, a content that does not match the extension, ...):
  exit status 2 naming the file and, where the damage is in a row, the row;
* ``either``: the file may be valid (columns' values swapped, a name in Latin-1 read with
  ``--encoding latin-1``, a long name): whichever the importer decides, it is exit 2 or exactly
  the file's rows stored.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from candour.importers.datasets import DATASETS
from candour.importers.schema import Column

SEED = 20261203
SAMPLE_CELLS = 12
# The columns of each bundled file that name a cell (organisation and period): a sample takes
# every row of the cells it picks, so that importing it unchanged gives each cell what it holds.
CELL_OF_ROW = {
    "ods_trusts": ("organisation_code",),
    "cqc_ratings": ("org_code",),
    "staff_survey_2019": ("org_code",),  # R1F1..R1F4 are sectors of one trust, R1F
    "rtt_ae_monthly": ("trust_code", "period"),
    "ae_attendances": ("org_code", "period"),
    "shmi": ("Code", "Year.Index"),
    "cancer_waiting_times": ("org_code", "period"),
    "staff_survey_2021_2024": ("ODS code", "Year"),
    "staff_survey_indices": ("Code", "Year.Index"),
    "staff_survey_management": ("ORG_CODE", "YEAR"),
    "rtt_year_end": ("org_code", "fin_year_start"),
}
NOT_NUMBERS = ("n/a", "ten", "1,000", "12%", "-", "0x10")
IMPOSSIBLE_NUMBERS = ("inf", "-inf", "NaN", "1e400", "123456789012345678901234567890", "-1")
NAME_IN_LATIN_1 = "Hôpital Général"
LONG_TEXT = "X" * 300


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]

    def csv(self, *, line_end: str = "\n") -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=line_end)
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return out.getvalue().encode("utf-8")

    def frame(self) -> pl.DataFrame:
        columns = list(zip(*self.rows, strict=True))
        return pl.DataFrame(
            [
                pl.Series(name, [v or None for v in values], dtype=pl.String)
                for name, values in zip(self.header, columns, strict=True)
            ]
        )

    def with_cell(self, row: int, column: str, value: str) -> Table:
        rows = [list(r) for r in self.rows]
        rows[row][self.header.index(column)] = value
        return Table(self.header, rows)


@dataclass(frozen=True)
class Variant:
    kind: str
    data: bytes
    expect: str  # same, reject or either
    suffix: str = ".csv"
    args: tuple[str, ...] = ()
    where: str = "row"  # a rejection names the row ("row") or only the file ("file")


def sample(dataset: str, rng: random.Random) -> Table:
    """The header and every row of a few cells of the bundled file, in file order."""
    text = DATASETS[dataset].default_path.read_text(encoding="utf-8")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    at = [header.index(c) for c in CELL_OF_ROW[dataset]]

    def cell(row: list[str]) -> tuple[str, ...]:
        return (row[at[0]][:3], *(row[i] for i in at[1:]))

    chosen = set(rng.sample(sorted({cell(r) for r in rows}), SAMPLE_CELLS))
    return Table(header, [r for r in rows if cell(r) in chosen])


def _columns(dataset: str, wanted: Callable[[Column], bool]) -> list[str]:
    return [c.name for c in DATASETS[dataset].schema.columns if wanted(c)]


def _a_date_that_does_not_exist(column: Column) -> str:
    return "2023-02-30" if "-" in column.date_formats[0] else "20230230"


def _cut_inside_a_row(data: bytes, rng: random.Random) -> bytes:
    """``data`` cut at a byte that is not the end of a line (nor before the first data row)."""
    first_row = data.index(b"\n") + 1
    while True:
        at = rng.randrange(first_row + 1, len(data))
        if data[at - 1 : at] != b"\n":
            return data[:at]


def _swap_values(table: Table, a: str, b: str) -> Table:
    i, j = table.header.index(a), table.header.index(b)
    rows = [list(r) for r in table.rows]
    for r in rows:
        r[i], r[j] = r[j], r[i]
    return Table(table.header, rows)


def _reorder_columns(table: Table, rng: random.Random) -> Table:
    order = list(range(len(table.header)))
    rng.shuffle(order)
    return Table([table.header[i] for i in order], [[r[i] for i in order] for r in table.rows])


def _excel(table: Table) -> bytes:
    out = io.BytesIO()
    table.frame().write_excel(out)
    return out.getvalue()


def _parquet(table: Table) -> bytes:
    out = io.BytesIO()
    table.frame().write_parquet(out)
    return out.getvalue()


def variants(dataset: str, table: Table, rng: random.Random) -> list[Variant]:
    """Every mutation of ``table`` for ``dataset``, seeded by ``rng``."""
    schema = DATASETS[dataset].schema
    data = table.csv()
    numbers = _columns(dataset, lambda c: c.numeric) or _columns(
        dataset, lambda c: c.dtype == "date"
    )
    dates = [schema.by_name[c] for c in _columns(dataset, lambda c: c.dtype == "date")]
    required = _columns(dataset, lambda c: not c.may_be_blank)
    names = _columns(
        dataset, lambda c: c.dtype == "str" and c.pattern is None and c.choices is None
    )
    declared = [c.name for c in schema.columns]

    def row() -> int:
        return rng.randrange(len(table.rows))

    def cell(value: str, columns: list[str]) -> bytes:
        return table.with_cell(row(), rng.choice(columns), value).csv()

    repeated = rng.randrange(len(table.rows))
    changed = list(table.rows[repeated])
    # a cell outside the key, so that the row repeats its key with another value
    other = next(n for n in [*names, *numbers] if n not in schema.key)
    at = table.header.index(other)
    changed[at] = (
        "Another name" if schema.by_name[other].dtype == "str" else str(float(changed[at] or 0) + 1)
    )
    nul_row, nul_column = row(), rng.choice(declared)
    nul_value = table.rows[nul_row][table.header.index(nul_column)]
    out = [
        Variant("unchanged", data, "same"),
        Variant("byte-order mark", b"\xef\xbb\xbf" + data, "same"),
        Variant("CRLF line ends", table.csv(line_end="\r\n"), "same"),
        Variant("blank line at the end", data + b"\n", "same"),
        Variant(
            "a row repeated exactly",
            Table(table.header, [*table.rows, table.rows[repeated]]).csv(),
            "same",
        ),
        Variant(
            "rows in another order",
            Table(table.header, rng.sample(table.rows, len(table.rows))).csv(),
            "same",
        ),
        Variant("columns in another order", _reorder_columns(table, rng).csv(), "same"),
        Variant("as an Excel workbook", _excel(table), "same", suffix=".xlsx"),
        Variant("as a Parquet file", _parquet(table), "same", suffix=".parquet"),
        *(
            Variant(f"cut short inside a row ({n})", _cut_inside_a_row(data, rng), "reject")
            for n in (1, 2, 3)
        ),
        Variant("no line break after the last row", data.rstrip(b"\n"), "reject"),
        *(
            Variant(f"text in a number: {v!r}", cell(v, numbers), "reject")
            for v in rng.sample(NOT_NUMBERS, 2)
        ),
        *(
            Variant(f"impossible number: {v!r}", cell(v, numbers), "reject")
            for v in IMPOSSIBLE_NUMBERS
        ),
        *(
            Variant(
                "a date that does not exist",
                cell(_a_date_that_does_not_exist(c), [c.name]),
                "reject",
            )
            for c in dates[:1]
        ),
        Variant("a required cell empty", cell("", required), "reject"),
        Variant(
            "a NUL byte in a cell",
            table.with_cell(nul_row, nul_column, nul_value[:1] + "\x00" + nul_value[1:]).csv(),
            "reject",
        ),
        Variant("a row with a field missing", _drop_last_field(data, rng), "reject"),
        Variant("a row with an extra field", _add_field(data, rng), "reject"),
        Variant("an unclosed quote", _open_quote(data, rng), "reject"),
        Variant(
            "a key repeated with another value",
            Table(table.header, [*table.rows, changed]).csv(),
            "reject",
        ),
        Variant("as UTF-16", data.decode("utf-8").encode("utf-16"), "reject"),
        Variant("CSV named .xlsx", data, "reject", suffix=".xlsx", where="file"),
        Variant("workbook named .csv", _excel(table), "reject", where="file"),
        Variant("workbook cut short", _excel(table)[:1500], "reject", suffix=".xlsx", where="file"),
        Variant(
            "parquet cut short", _parquet(table)[:-20], "reject", suffix=".parquet", where="file"
        ),
        Variant("empty file", b"", "reject", where="file"),
        Variant("header only", data.split(b"\n", 1)[0] + b"\n", "reject"),
    ]
    if len(numbers) >= 2:
        a, b = rng.sample(numbers, 2)
        out.append(
            Variant(f"values of {a} and {b} swapped", _swap_values(table, a, b).csv(), "either")
        )
    if names:
        latin = table.with_cell(row(), rng.choice(names), NAME_IN_LATIN_1).csv()
        in_latin_1 = latin.replace(NAME_IN_LATIN_1.encode(), NAME_IN_LATIN_1.encode("latin-1"))
        out += [
            Variant("a name in Latin-1", in_latin_1, "reject"),
            Variant(
                "a name in Latin-1, --encoding latin-1",
                in_latin_1,
                "either",
                args=("--encoding", "latin-1"),
            ),
            Variant("a 300-character name", cell(LONG_TEXT, names), "either"),
        ]
    blankable = _columns(dataset, lambda c: c.may_be_blank)
    if blankable:
        out.append(Variant("a cell that may be blank emptied", cell("", blankable), "either"))
    return out


def _data_lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _drop_last_field(data: bytes, rng: random.Random) -> bytes:
    lines = _data_lines(data)
    i = rng.randrange(1, len(lines) - 1)
    lines[i] = lines[i].rsplit(b",", 1)[0]
    return b"\n".join(lines)


def _add_field(data: bytes, rng: random.Random) -> bytes:
    lines = _data_lines(data)
    i = rng.randrange(1, len(lines) - 1)
    lines[i] += b",extra"
    return b"\n".join(lines)


def _open_quote(data: bytes, rng: random.Random) -> bytes:
    lines = _data_lines(data)
    i = rng.randrange(1, len(lines) - 1)
    lines[i] = b'"' + lines[i]
    return b"\n".join(lines)
