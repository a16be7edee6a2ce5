"""What every dataset importer shares: the canonical frames, the Dataset record and its helpers.

Each importer is a pure function ``(frame, path) -> ImportedData``: it takes the file's rows,
already checked against the dataset's declared :class:`~candour.importers.schema.Schema`, and
reshapes them into up to three canonical frames (organisations, ratings, observations), plus the
cells (organisation and period) the file speaks for. Nothing here touches a database; the web
layer persists the frames in one transaction and replaces exactly those cells.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from candour.importers.catalogue import sources
from candour.importers.files import read_table
from candour.importers.schema import FIRST_DATA_ROW, NHS_FOUNDED, ROW, Schema, validate

PERIOD_TYPES = ("month", "quarter", "year", "financial_year")
# A re-import that would remove more than 1 in 100 of a dataset's stored rows is far more likely
# a wrong or damaged file than a publisher's revision (revisions change values and seldom blank
# them), so it stops unless allowed; so does one that leaves any organisation with no rows in the
# dataset. Enforced in candour.web.oversight.imports; documented in docs/reference/data.md.
MAX_SHRINK_FRACTION = 0.01
# No count of people in these datasets (patients, pathways, attendances, staff) for one trust
# and period can exceed the population of England: 56,489,800 usual residents (ONS, Census
# 2021, first results, 28 June 2022). The bound catches huge and mistyped numbers.
MAX_COUNT = 56_489_800
# The longest organisation fields Candour stores (the Organisation model's max_length; a test
# keeps them equal). A longer cell is an error in the file, not a database failure.
NAME_MAX_LENGTH = 200
ICB_NAME_MAX_LENGTH = 120
POSTCODE_MAX_LENGTH = 10
# No wait for treatment can be longer than the NHS has existed (founded 5 July 1948).
MAX_WAIT_WEEKS = (date.today() - NHS_FOUNDED).days // 7
# The CQC file's trust types, and the staff survey's benchmark groups, mapped to one vocabulary.
ORGANISATION_TYPES = {
    "Acute": "Acute",
    "Mental Health": "Mental health",
    "Community Provider Trust": "Community",
    "Ambulance": "Ambulance",
    "Acute Trusts": "Acute",
    "Combined Acute and Community Trusts": "Acute",
    "Acute Specialist Trusts": "Acute specialist",
    "Mental Health / Learning Disability Trusts": "Mental health",
    "Combined Mental Health / Learning Disability and Community Trusts": "Mental health",
    "Community Trusts": "Community",
    "Ambulance Trusts": "Ambulance",
}
# NHS trust codes start with R or T; other providers (independent sector, GP-led walk-in
# centres) are skipped by the A&E and cancer importers and counted.
NHS_TRUST_CODE_PATTERN = r"^[RT][A-Z0-9]{2}$"

ORGANISATION_COLUMNS = {
    "ods_code": pl.String,
    "name": pl.String,
    "org_type": pl.String,
    "region_code": pl.String,
    "region_name": pl.String,
    "icb_code": pl.String,
    "icb_name": pl.String,
    "postcode": pl.String,
    "open_date": pl.Date,
    "close_date": pl.Date,
}
RATING_COLUMNS = {
    "ods_code": pl.String,
    "service": pl.String,
    "key_question": pl.String,
    "rating": pl.String,
    "published": pl.Date,
}
OBSERVATION_COLUMNS = {
    "ods_code": pl.String,
    "measure_id": pl.String,
    "period_start": pl.Date,
    "period_type": pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "value": pl.Float64,
}
# A cell: one organisation and period. A file speaks for the cells it has rows for, and
# re-importing replaces exactly those.
CELL_COLUMNS = {"ods_code": pl.String, "period_type": pl.String, "period_start": pl.Date}


@dataclass(frozen=True)
class ImportedData:
    """Canonical frames from one dataset file. Organisation columns that are null are unknown to
    this dataset and leave what is already stored unchanged. ``cells`` are the (organisation,
    period) pairs the file has rows for, with or without values: importing replaces this
    dataset's observations in exactly those cells."""

    dataset: str
    path: str
    organisations: pl.DataFrame | None = None
    ratings: pl.DataFrame | None = None
    observations: pl.DataFrame | None = None
    cells: pl.DataFrame | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    # True for the ODS reference: what it says replaces what is stored. Other datasets only
    # fill in organisation fields that no dataset has set yet.
    names_authoritative: bool = False

    def __post_init__(self) -> None:
        if self.observations is None:
            return
        if self.cells is None:
            raise ValueError(f"{self.dataset}: observations without the cells they replace")
        outside = self.observations.join(self.cells, on=list(CELL_COLUMNS), how="anti")
        if outside.height:
            raise ValueError(f"{self.dataset}: observations outside the file's cells: {outside}")
        if not self.observations["value"].is_finite().all():
            raise ValueError(f"{self.dataset}: an observation's value is not a finite number")

    @property
    def rows(self) -> int:
        return sum(
            len(f) for f in (self.organisations, self.ratings, self.observations) if f is not None
        )


@dataclass(frozen=True)
class Dataset:
    name: str
    source_id: str
    schema: Schema
    transform: Callable[[pl.DataFrame, str], ImportedData]
    description: str

    @property
    def default_path(self) -> Path:
        return sources()[self.source_id].path

    def load(self, path: str | Path | None = None, *, encoding: str | None = None) -> ImportedData:
        """Read, validate and reshape ``path`` (default: the bundled file). ``encoding`` is for a
        CSV file that is not UTF-8."""
        path = str(path or self.default_path)
        raw = read_table(path, encoding=encoding).with_row_index(ROW, FIRST_DATA_ROW)
        # Rows repeated exactly (every cell equal) carry no new information; some published
        # files have them. They are dropped and counted. Rows that share a key but differ
        # in any cell are an error (see Schema.key).
        data_columns = [c for c in raw.columns if c != ROW]
        unique = raw.unique(subset=data_columns, keep="first", maintain_order=True)
        exact_repeats = raw.height - unique.height
        imported = self.transform(validate(unique, self.schema, path), path)
        if exact_repeats:
            imported.skipped["rows repeated exactly (kept once)"] = exact_repeats
        return imported


def organisations(frame: pl.DataFrame) -> pl.DataFrame:
    """Give ``frame`` every organisation column (missing ones null) in canonical order."""
    return frame.select(
        [
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in ORGANISATION_COLUMNS.items()
        ]
    ).unique("ods_code", keep="first", maintain_order=True)


def canonical(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    return frame.select([pl.col(name).cast(dtype) for name, dtype in columns.items()])


def cells(frame: pl.DataFrame, period_type: str) -> pl.DataFrame:
    """The (organisation, period) cells of ``frame``'s rows, each once."""
    return canonical(
        frame.select("ods_code", "period_start", pl.lit(period_type).alias("period_type")),
        CELL_COLUMNS,
    ).unique(maintain_order=True)


def observations(
    frame: pl.DataFrame, measures: dict[str, dict[str, pl.Expr]], period_type: str
) -> pl.DataFrame:
    """Melt ``frame`` into observations: one per row and measure whose value is not null (a
    blank cell, or a ratio whose denominator is zero, gives no observation)."""
    parts = []
    for measure_id, exprs in measures.items():
        parts.append(
            frame.select(
                pl.col("ods_code"),
                pl.lit(measure_id).alias("measure_id"),
                pl.col("period_start"),
                pl.lit(period_type).alias("period_type"),
                exprs.get("numerator", pl.lit(None)).cast(pl.Float64).alias("numerator"),
                exprs.get("denominator", pl.lit(None)).cast(pl.Float64).alias("denominator"),
                exprs["value"].cast(pl.Float64).alias("value"),
            )
        )
    result = pl.concat(parts).filter(pl.col("value").is_not_null())
    return canonical(result, OBSERVATION_COLUMNS)


def ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then(numerator / denominator).otherwise(None)


def title_case_name(name: pl.Expr) -> pl.Expr:
    """ODS names are upper case; show them as the trusts write them ("NHS" stays upper case)."""
    titled = name.str.to_titlecase()
    for word, fixed in (
        ("Nhs", "NHS"),
        ("And", "and"),
        ("Of", "of"),
        ("The", "the"),
        ("For", "for"),
    ):
        titled = titled.str.replace_all(rf"\b{word}\b", fixed)
    return titled.str.replace(r"^the ", "The ").str.replace_all(r"'S\b", "'s")


def measured(
    name: str,
    path: str,
    frame: pl.DataFrame,
    measures: dict[str, dict[str, pl.Expr]],
    period_type: str,
    *,
    orgs: pl.DataFrame | None = None,
) -> ImportedData:
    """The import of a file whose rows are one organisation and period each: its organisations
    (``orgs``, default the frame's ``ods_code``), the ``measures`` observed per row, and the
    (organisation, period) cells the file covers."""
    return ImportedData(
        name,
        path,
        organisations=organisations(frame.select("ods_code") if orgs is None else orgs),
        observations=observations(frame, measures, period_type),
        cells=cells(frame, period_type),
    )
