"""Arrow record batches in, Arrow record batches out: the engine-neutral core that lets a
distributed engine run the SPC and CUSUM kernels on its own workers.

An engine (Spark's ``mapInArrow``, or any other that hands a Python function a stream of Arrow
batches) partitions the rows by series key and sorts each partition so that every series' rows
are contiguous. :func:`map_series` then gathers the stream into pieces of at least
``min_rows`` rows that end on a series boundary, runs the kernel on each piece (a Polars frame
of whole series, many at a time), and yields the results cast to the Arrow schema the engine
declared. The kernels' output depends only on the rows of each series, so the result is the
same as one in-process call on all the data.

A data error names a row of the piece, which means nothing to the user, so it is raised again
naming the series and the row's date or order values instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl

from candour.exceptions import DataFileError, Problem

if TYPE_CHECKING:  # pyarrow comes with the engines (candour[spark]), not with candour itself
    import pyarrow as pa

# Rows gathered before the kernel runs: large enough that each call sees many series (the
# kernels' fixed cost per call is small against it), small enough to keep a worker's memory low.
MIN_ROWS = 1 << 18
# Rows per output batch (Spark's default spark.sql.execution.arrow.maxRecordsPerBatch).
OUTPUT_BATCH_ROWS = 10_000


class Kernel(Protocol):
    """Anything with ``run(frame) -> frame``: a CUSUM ``ChartSpec`` or an ``SpcSpec``."""

    def run(self, frame: pl.DataFrame) -> pl.DataFrame: ...


def map_series(
    batches: Iterable[pa.RecordBatch],
    kernel: Kernel,
    *,
    group: Sequence[str],
    locate: Sequence[str] = (),
    schema: pa.Schema,
    min_rows: int = MIN_ROWS,
) -> Iterator[pa.RecordBatch]:
    """Run ``kernel`` over ``batches`` (each series' rows contiguous) in pieces of whole series
    of at least ``min_rows`` rows (the last may be smaller), yielding its output as batches of
    ``schema``. ``group`` names the series key columns; ``locate`` the columns (dates, order)
    that, with the key, name a row in error messages. Yields nothing for no rows."""
    pending: list[pl.DataFrame] = []
    held = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        frame = pl.from_arrow(batch)
        pending.append(frame)
        held += frame.height
        if held < min_rows:
            continue
        gathered = pl.concat(pending, rechunk=True)
        cut = last_series_start(gathered, group)
        if cut == 0:  # one series so far: keep gathering
            pending, held = [gathered], gathered.height
            continue
        yield from run_piece(gathered.slice(0, cut), kernel, group, locate, schema)
        rest = gathered.slice(cut)
        pending, held = [rest], rest.height
    if held:
        piece = pl.concat(pending, rechunk=True)
        yield from run_piece(piece, kernel, group, locate, schema)


def last_series_start(frame: pl.DataFrame, group: Sequence[str]) -> int:
    """The first row of the last series in ``frame`` (0 when it holds one series)."""
    if not group or frame.height < 2:
        return 0
    changed = pl.lit(False)
    for name in group:
        changed = changed | pl.col(name).ne_missing(pl.col(name).shift(1))
    starts = frame.select(changed.slice(1).arg_true() + 1).to_series()
    return int(starts[-1]) if len(starts) else 0


def run_piece(
    piece: pl.DataFrame,
    kernel: Kernel,
    group: Sequence[str],
    locate: Sequence[str],
    schema: pa.Schema,
) -> Iterator[pa.RecordBatch]:
    try:
        result = kernel.run(piece)
    except DataFileError as error:
        raise located(error, piece, [*group, *locate]) from None
    yield from as_arrow(result, schema).to_batches(max_chunksize=OUTPUT_BATCH_ROWS)


def located(error: DataFileError, piece: pl.DataFrame, columns: Sequence[str]) -> DataFileError:
    """``error`` with each problem's row replaced by the values of ``columns`` on that row."""
    shown = [c for c in dict.fromkeys(columns) if c in piece.columns]
    problems = []
    for problem in error.problems:
        if problem.row is None or not shown:
            problems.append(problem)
            continue
        values = piece.row(problem.row - 1, named=True)
        where = ", ".join(f"{name} {describe(values[name])}" for name in shown)
        problems.append(Problem(f"at {where}: {problem.message}", column=problem.column))
    return DataFileError(error.path, problems, consequence=error.consequence, rows_in_file=True)


def describe(value: Any) -> str:
    return repr(value) if isinstance(value, str) or value is None else str(value)


def as_arrow(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    """``frame``'s columns in ``schema``'s order and types: Polars' Enum and Categorical
    (dictionary) columns and large strings and lists become the plain Arrow types engines read,
    and field metadata is dropped."""
    table = frame.select(schema.names).to_arrow()
    return table.cast(schema)
