"""Trust mergers: each predecessor's successor and the date it took over."""

from __future__ import annotations

import polars as pl

from candour.importers.catalogue import sources
from candour.importers.files import read_table
from candour.importers.schema import ODS_CODE_PATTERN, Column, Schema, validate

SUCCESSORS_SCHEMA = Schema(
    columns=(
        Column("predecessor_code", pattern=ODS_CODE_PATTERN),
        Column("successor_code", pattern=ODS_CODE_PATTERN),
        Column("effective_date", "date"),
        Column("note"),
    ),
    key=("predecessor_code",),
)


def load_successors() -> pl.DataFrame:
    """The predecessor -> successor map for merged trusts."""
    path = str(sources()["ods_successors"].path)
    return validate(read_table(path), SUCCESSORS_SCHEMA, path)
