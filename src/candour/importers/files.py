"""Read a user's table (CSV, Excel or Parquet) into a Polars frame of strings or native types."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from candour.exceptions import DataFileError, Problem

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".xls", ".parquet")


def read_table(path: str | Path, *, as_text: bool = True) -> pl.DataFrame:
    """Read ``path`` by its suffix. With ``as_text`` every CSV column is read as text so that the
    caller's schema, not Polars' guess, decides types (and can name the row that fails)."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(str(path), [Problem("file not found")])
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pl.read_csv(path, infer_schema=not as_text, encoding="utf8-lossy")
        if suffix in (".xlsx", ".xls"):
            frame = pl.read_excel(path)
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
