"""Disclosure control: the one function every published count passes through.

The rule
--------
NHS Digital's rule for Hospital Episode Statistics (HES analysis guide; also ECDS and SRHAD):
below national level, counts of **1 to 7 are shown as** ``*`` and **every other count is rounded to
the nearest 5**; percentages are calculated from the rounded figures. Our reading of "others":
0 is not in 1-7, and 0 rounded to the nearest 5 is 0, so **0 is shown as 0**; 8 and 9 become 10,
12 becomes 10, 13 becomes 15 (no count is ever exactly half-way, so there is no tie rule).
Totals are rounded from their true values, so a shown total need not equal the sum of the shown
cells.

Secondary suppression
---------------------
A table is published with its totals (every margin: row totals, column totals, the grand total,
and for more dimensions every sub-total). Along any *line* of the table (the cells of one
dimension with the others fixed, together with the line's total), the total equals the sum of the
cells. If exactly one cell of a line is hidden, it is the total minus the others - so hiding it
alone achieves nothing. :func:`disclose` therefore:

1. hides every count of 1-7 (*primary* suppression, reason ``"small count"``), and, with
   ``min_group_size``, every cell of a group (``group_by``) whose total is between 1 and
   ``min_group_size - 1`` (reason ``"small group"``);
2. repeats until nothing changes: for each line with exactly one hidden cell, hides the line's
   smallest shown non-total cell (non-zero cells first, since a hidden zero is easily guessed;
   the line's total only when no other cell is left) - reason ``"secondary"``;
3. checks the whole table at once: treating every shown value as exact, solves the linear
   system of all line totals for the hidden cells (rank of the constraint matrix, by SVD) and
   finds any hidden cell the system pins down exactly (this catches combinations of lines that
   step 2, line by line, cannot see). If there is one, it hides the smallest shown cell on a line
   through it and goes back to step 2.

The loop ends because each round hides at least one more cell, and a fully hidden table pins
nothing down. The result: no hidden cell can be recovered exactly from the published figures by
any combination of totals (even if they were not rounded), and no line has exactly one hidden
cell. Rounding adds further protection but bounds (a hidden cell is known to be 1-7 and non-
negative) can still narrow an interval; that is the accepted residual risk of the HES rule.

A table published without totals (``totals=False``) has no lines, so only step 1 applies: do not
then publish its totals elsewhere.

Step 3 is a dense SVD per round: instant for board-pack tables (hundreds of cells), a few seconds
for a three-way table of a few thousand cells with many small counts.

Single numbers use :func:`disclose_count`; percentages of disclosed counts use
:func:`disclosed_percentage`. Pure Python and Polars; never imports Django.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import polars as pl

from candour.exceptions import DataFileError, OptionError, Problem

# NHS Digital, "Hospital Episode Statistics (HES) analysis guide", small-number suppression.
SMALL_COUNT_MIN: Final = 1
SMALL_COUNT_MAX: Final = 7
ROUNDING_BASE: Final = 5
SUPPRESSED_SYMBOL: Final = "*"
UNDEFINED_PERCENT: Final = "-"  # a share of a total of 0
DEFAULT_TOTAL_LABEL: Final = "Total"

REASON_SMALL_COUNT: Final = "small count"
REASON_SMALL_GROUP: Final = "small group"
REASON_SECONDARY: Final = "secondary"

# A hidden cell counts as pinned down when its projection onto the row space of the constraint
# matrix has squared length 1 within this tolerance (entries are 0 and +-1, so well conditioned).
DETERMINED_TOLERANCE: Final = 1e-9
MAX_PROBLEMS: Final = 20
SOURCE: Final = "table to disclose"

Cell = tuple[int, ...]  # one coordinate per dimension; the last index of each axis is its total


@dataclass(frozen=True)
class DisclosedCount:
    """A count as it may be published: ``value`` is the rounded number, ``None`` when hidden;
    ``display`` is what to print (``"*"``, ``"0"``, ``"10"``, ``"1,235"``)."""

    value: int | None
    display: str
    suppressed: bool


def disclose_count(count: int) -> DisclosedCount:
    """One count published on its own (no related totals): 1-7 hidden, others rounded to 5."""
    _check_count(count)
    if is_small_count(count):
        return DisclosedCount(value=None, display=SUPPRESSED_SYMBOL, suppressed=True)
    value = round_to_base(int(count))
    return DisclosedCount(value=value, display=format_count(value), suppressed=False)


def disclosed_percentage(part: DisclosedCount, whole: DisclosedCount, *, decimals: int = 0) -> str:
    """``part`` as a percentage of ``whole``, from the rounded figures (the HES rule)."""
    _check_decimals(decimals)
    if part.suppressed or whole.suppressed:
        return SUPPRESSED_SYMBOL
    if not whole.value:
        return UNDEFINED_PERCENT
    return format_percent(100 * part.value / whole.value, decimals)


def is_small_count(count: int) -> bool:
    return SMALL_COUNT_MIN <= count <= SMALL_COUNT_MAX


def round_to_base(count: int) -> int:
    """To the nearest multiple of 5 (remainders 0-2 down, 3-4 up)."""
    return ROUNDING_BASE * ((count + ROUNDING_BASE // 2) // ROUNDING_BASE)


def format_count(value: int) -> str:
    return f"{value:,}"


def format_percent(percent: float, decimals: int) -> str:
    return f"{percent:.{decimals}f}%"


# ------------------------------------------------------------------------------------- options


@dataclass(frozen=True)
class DisclosureOptions:
    """How a table is disclosed, validated on its own before the data is looked at."""

    count: str = "count"
    dimensions: tuple[str, ...] | None = None
    totals: bool = True
    total_label: str = DEFAULT_TOTAL_LABEL
    min_group_size: int | None = None
    group_by: tuple[str, ...] = ()
    share_of: str | None = None
    decimals: int = 0

    def __post_init__(self) -> None:
        _check_name("count", self.count)
        if self.dimensions is not None:
            object.__setattr__(self, "dimensions", _check_names("dimensions", self.dimensions))
            if self.count in self.dimensions:
                raise OptionError(f"count={self.count!r} cannot also be one of the dimensions")
        object.__setattr__(self, "group_by", _check_names("group_by", self.group_by))
        if not isinstance(self.totals, bool):
            raise OptionError(f"totals must be True or False, not {self.totals!r}")
        _check_name("total_label", self.total_label)
        self._check_min_group_size()
        if self.share_of is not None:
            _check_name("share_of", self.share_of)
            if not self.totals:
                raise OptionError("share_of needs totals=True (a share is of a total)")
        _check_decimals(self.decimals)

    def _check_min_group_size(self) -> None:
        size = self.min_group_size
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
            raise OptionError(f"min_group_size must be a whole number of at least 1, not {size!r}")
        if (size is None) != (not self.group_by):
            raise OptionError("min_group_size and group_by go together: give both or neither")

    def dimensions_of(self, frame: pl.DataFrame) -> tuple[str, ...]:
        """The dimensions given, or every column except the count."""
        if self.dimensions is not None:
            return self.dimensions
        return tuple(column for column in frame.columns if column != self.count)


# ---------------------------------------------------------------------------------------- table


def disclose(
    frame: Any,
    *,
    count: str = "count",
    dimensions: Sequence[str] | None = None,
    totals: bool = True,
    total_label: str = DEFAULT_TOTAL_LABEL,
    min_group_size: int | None = None,
    group_by: Sequence[str] = (),
    share_of: str | None = None,
    decimals: int = 0,
) -> pl.DataFrame:
    """Disclose a table of counts given in long format (one row per cell, no total rows).

    ``frame`` has the ``dimensions`` columns (default: every column but ``count``) and a
    whole-number ``count`` column. Missing combinations of dimension values count as 0. The
    result has one row per cell *and per total* (labelled ``total_label``), with the dimension
    columns as text and:

    * ``value`` - the published number (rounded), null when hidden;
    * ``display`` - what to print (``"*"`` when hidden);
    * ``suppressed`` - whether it is hidden;
    * ``reason`` - ``"small count"``, ``"small group"``, ``"secondary"`` or null;
    * with ``share_of`` (a dimension): ``percent`` and ``percent_display``, each cell as a share of
      its total along that dimension, computed from the rounded figures.

    The true counts are deliberately not in the result. See the module docstring for the rules.
    """
    options = DisclosureOptions(
        count=count,
        dimensions=dimensions,
        totals=totals,
        total_label=total_label,
        min_group_size=min_group_size,
        group_by=group_by,
        share_of=share_of,
        decimals=decimals,
    )
    table = _Table.from_frame(_as_polars(frame), options)
    table.suppress()
    return table.to_frame()


class _Table:
    """A table of counts with every margin, indexed by integer coordinates.

    Each axis holds its labels sorted, so the coordinates (and so every tie-break) depend only on
    the cells given, never on the order of the rows; the output lists labels in the order they
    first appear.
    """

    def __init__(
        self, options: DisclosureOptions, dims: tuple[str, ...], first_seen: list[list[str]]
    ):
        self.options, self.dims = options, dims
        self.axes = [sorted(labels) for labels in first_seen]
        extra = 1 if options.totals else 0
        self.sizes = [len(axis) + extra for axis in self.axes]
        self.display_order = [
            [axis.index(label) for label in labels] + ([len(axis)] if options.totals else [])
            for axis, labels in zip(self.axes, first_seen, strict=True)
        ]
        self.values: dict[Cell, int] = {}
        self.hidden: dict[Cell, str] = {}

    @classmethod
    def from_frame(cls, frame: pl.DataFrame, options: DisclosureOptions) -> _Table:
        dims = options.dimensions_of(frame)
        _check_frame(frame, options, dims)
        labels = frame.select(pl.col(dim).cast(pl.String) for dim in dims)
        _check_labels(labels, options.total_label)
        first_seen = [labels[dim].unique(maintain_order=True).to_list() for dim in dims]
        table = cls(options, dims, first_seen)
        index = [{label: i for i, label in enumerate(axis)} for axis in table.axes]
        interior = {
            tuple(index[d][label] for d, label in enumerate(row[:-1])): row[-1]
            for row in labels.with_columns(frame[options.count]).iter_rows()
        }
        table._fill(interior)
        return table

    def _fill(self, interior: Mapping[Cell, int]) -> None:
        """True values of every cell, margins summed from the interior (missing cells are 0)."""
        self.values = dict.fromkeys(itertools.product(*map(range, self.sizes)), 0)
        for cell, count in interior.items():
            for general in self._generalisations(cell):
                self.values[general] += count

    def _generalisations(self, cell: Cell) -> list[Cell]:
        """The cell and every margin it is summed into."""
        if not self.options.totals:
            return [cell]
        choices = [(c, self.sizes[d] - 1) for d, c in enumerate(cell)]
        return list(itertools.product(*choices))

    def is_total(self, cell: Cell) -> bool:
        return self.options.totals and any(
            c == size - 1 for c, size in zip(cell, self.sizes, strict=True)
        )

    # ----------------------------------------------------------------------- suppression steps

    def suppress(self) -> None:
        for cell, value in self.values.items():
            if is_small_count(value):
                self.hidden[cell] = REASON_SMALL_COUNT
        if self.options.min_group_size is not None:
            self._suppress_small_groups()
        self.hidden = protect(self.values, self.hidden, self.lines())

    def _suppress_small_groups(self) -> None:
        positions = [self.dims.index(dim) for dim in self.options.group_by]
        group_totals: dict[Cell, int] = {}
        for cell, value in self.values.items():
            if not self.is_total(cell):
                key = tuple(cell[p] for p in positions)
                group_totals[key] = group_totals.get(key, 0) + value
        small = {
            key for key, total in group_totals.items() if 0 < total < self.options.min_group_size
        }
        for cell in self.values:
            if tuple(cell[p] for p in positions) in small:
                self.hidden.setdefault(cell, REASON_SMALL_GROUP)

    def lines(self) -> list[tuple[Cell, ...]]:
        """Every line: the cells along one dimension with the others fixed, its total last."""
        if not self.options.totals:
            return []
        lines = []
        for d, size in enumerate(self.sizes):
            others = [range(s) for s in self.sizes[:d] + self.sizes[d + 1 :]]
            for fixed in itertools.product(*others):
                lines.append(tuple((*fixed[:d], c, *fixed[d:]) for c in range(size)))
        return lines

    # ----------------------------------------------------------------------------------- output

    def to_frame(self) -> pl.DataFrame:
        columns: dict[str, list] = {dim: [] for dim in self.dims}
        columns |= {"value": [], "display": [], "suppressed": [], "reason": []}
        for cell in self.cells_in_display_order():
            for d, c in enumerate(cell):
                axis = self.axes[d]
                columns[self.dims[d]].append(axis[c] if c < len(axis) else self.options.total_label)
            value = self.published(cell)
            columns["value"].append(value)
            columns["display"].append(SUPPRESSED_SYMBOL if value is None else format_count(value))
            columns["suppressed"].append(value is None)
            columns["reason"].append(self.hidden.get(cell))
        schema = {dim: pl.String for dim in self.dims}
        schema |= {"value": pl.Int64, "display": pl.String, "suppressed": pl.Boolean}
        schema["reason"] = pl.String
        frame = pl.DataFrame(columns, schema=schema)
        return self._with_shares(frame) if self.options.share_of else frame

    def cells_in_display_order(self) -> itertools.product:
        return itertools.product(*self.display_order)

    def published(self, cell: Cell) -> int | None:
        return None if cell in self.hidden else round_to_base(self.values[cell])

    def _with_shares(self, frame: pl.DataFrame) -> pl.DataFrame:
        d = self.dims.index(self.options.share_of)
        percents, displays = [], []
        for cell in self.cells_in_display_order():
            whole_cell = (*cell[:d], self.sizes[d] - 1, *cell[d + 1 :])
            part, whole = self.published(cell), self.published(whole_cell)
            as_count = DisclosedCount(part, "", part is None)
            of_count = DisclosedCount(whole, "", whole is None)
            displays.append(
                disclosed_percentage(as_count, of_count, decimals=self.options.decimals)
            )
            percents.append(None if part is None or not whole else 100 * part / whole)
        return frame.with_columns(
            pl.Series("percent", percents, dtype=pl.Float64),
            pl.Series("percent_display", displays, dtype=pl.String),
        )


# ------------------------------------------------------------------ secondary suppression core


def protect(
    values: Mapping[Cell, int], hidden: Mapping[Cell, str], lines: Sequence[tuple[Cell, ...]]
) -> dict[Cell, str]:
    """Secondary suppression to a fixed point (steps 2 and 3 of the module docstring).

    ``lines`` are tuples of cells whose last cell is the sum of the others. Returns the hidden
    cells (with reasons) after protection; ``hidden`` itself is not changed.
    """
    hidden = dict(hidden)
    lines_through: dict[Cell, list[tuple[Cell, ...]]] = {}
    for line in lines:
        for cell in line:
            lines_through.setdefault(cell, []).append(line)
    while True:
        _protect_lines(values, hidden, lines)
        determined = determined_cells(hidden, lines)
        if not determined:
            return hidden
        hidden[_widen(determined[0], values, hidden, lines_through)] = REASON_SECONDARY


def _protect_lines(
    values: Mapping[Cell, int], hidden: dict[Cell, str], lines: Sequence[tuple[Cell, ...]]
) -> None:
    """Until no line has exactly one hidden cell, hide the best other cell of such a line."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(cell in hidden for cell in line) == 1:
                hidden[_next_to_hide([line], values, hidden)] = REASON_SECONDARY
                changed = True


def _next_to_hide(
    lines: Sequence[tuple[Cell, ...]], values: Mapping[Cell, int], hidden: Mapping[Cell, str]
) -> Cell:
    """The shown cell of these lines that costs least to hide: not a line's total if possible,
    then non-zero before zero, then smallest, then first in table order."""
    candidates = [
        (position == len(line) - 1, values[cell] == 0, values[cell], cell)
        for line in lines
        for position, cell in enumerate(line)
        if cell not in hidden
    ]
    if not candidates:
        raise LookupError("no shown cell left on these lines")
    return min(candidates)[3]


def _widen(
    cell: Cell,
    values: Mapping[Cell, int],
    hidden: Mapping[Cell, str],
    lines_through: Mapping[Cell, list[tuple[Cell, ...]]],
) -> Cell:
    """A cell to hide so that ``cell`` is no longer pinned down: on a line through it if any
    cell there is still shown, otherwise the best shown cell anywhere."""
    try:
        return _next_to_hide(lines_through.get(cell, []), values, hidden)
    except LookupError:
        everywhere = [line for lines in lines_through.values() for line in lines]
        return _next_to_hide(everywhere, values, hidden)


def determined_cells(hidden: Mapping[Cell, str], lines: Sequence[tuple[Cell, ...]]) -> list[Cell]:
    """Hidden cells whose value follows exactly from the shown cells and the line totals.

    Unknowns are the hidden cells; each line gives one equation (cells minus total = 0). A hidden
    cell is determined exactly when its unit vector lies in the row space of the equations'
    coefficient matrix, i.e. its projection onto that row space has length 1.
    """
    unknowns = sorted(hidden)
    column = {cell: i for i, cell in enumerate(unknowns)}
    rows = []
    for line in lines:
        row = np.zeros(len(unknowns))
        for position, cell in enumerate(line):
            if cell in column:
                row[column[cell]] = -1.0 if position == len(line) - 1 else 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return []
    _, singular, vt = np.linalg.svd(np.array(rows), full_matrices=False)
    rank = int((singular > singular.max() * max(len(rows), len(unknowns)) * 1e-12).sum())
    projection = (vt[:rank] ** 2).sum(axis=0)
    return [
        cell
        for cell, length in zip(unknowns, projection, strict=True)
        if length > 1 - DETERMINED_TOLERANCE
    ]


# ---------------------------------------------------------------------------------- validation


def _as_polars(frame: Any) -> pl.DataFrame:
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if type(frame).__module__.split(".")[0] == "pandas":
        return pl.from_pandas(frame)
    raise TypeError(f"expected a Polars or pandas DataFrame, got {type(frame).__name__}")


def _check_frame(frame: pl.DataFrame, options: DisclosureOptions, dims: tuple[str, ...]) -> None:
    problems = _column_problems(frame, options, dims)
    if not problems:
        problems = _value_problems(frame, options.count, dims)
    if problems:
        raise DataFileError(SOURCE, problems[:MAX_PROBLEMS])


def _column_problems(
    frame: pl.DataFrame, options: DisclosureOptions, dims: tuple[str, ...]
) -> list[Problem]:
    columns = ", ".join(frame.columns)
    problems = [
        Problem(f"column given as {role}= is missing; the frame has: {columns}", column=column)
        for role, column in [("count", options.count), *(("dimensions", dim) for dim in dims)]
        if column not in frame.columns
    ]
    named = [("group_by", dim) for dim in options.group_by]
    named += [("share_of", options.share_of)] if options.share_of is not None else []
    problems += [
        Problem(f"{role}= must name one of the dimensions ({', '.join(dims)})", column=column)
        for role, column in named
        if column not in dims
    ]
    if not dims:
        problems.append(Problem("the table needs at least one dimension column besides the count"))
    if not problems and not frame.schema[options.count].is_integer():
        problems.append(
            Problem(
                f"expected whole-number counts, found a column of {frame.schema[options.count]}",
                column=options.count,
            )
        )
    if not problems and frame.height == 0:
        problems.append(Problem("the table has no rows"))
    return problems


def _value_problems(frame: pl.DataFrame, count: str, dims: tuple[str, ...]) -> list[Problem]:
    numbered = frame.with_row_index("__row", offset=1)
    problems = []
    rules = [(count, pl.col(count).is_null(), "a count is required, found an empty cell")]
    rules.append((count, pl.col(count) < 0, "counts cannot be negative"))
    rules += [(dim, pl.col(dim).is_null(), "found an empty cell") for dim in dims]
    for column, condition, message in rules:
        for row in numbered.filter(condition)["__row"].head(MAX_PROBLEMS):
            problems.append(Problem(message, row=row, column=column))
    if dims and not problems:
        duplicated = numbered.filter(pl.struct(dims).is_duplicated())["__row"]
        for row in duplicated.head(MAX_PROBLEMS):
            problems.append(
                Problem(
                    "another row has the same " + ", ".join(dims) + "; give each cell once",
                    row=row,
                )
            )
    return problems


def _check_labels(labels: pl.DataFrame, total_label: str) -> None:
    problems = [
        Problem(f"the value {total_label!r} is reserved for totals", row=row, column=dim)
        for dim in labels.columns
        for row in labels.with_row_index("__row", offset=1)
        .filter(pl.col(dim) == total_label)["__row"]
        .head(MAX_PROBLEMS)
    ]
    if problems:
        raise DataFileError(SOURCE, problems[:MAX_PROBLEMS])


def _check_count(count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 0:
        raise OptionError(f"a count is a whole number of 0 or more, not {count!r}")


def _check_decimals(decimals: int) -> None:
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 3:
        raise OptionError(f"decimals must be 0, 1, 2 or 3, not {decimals!r}")


def _check_name(option: str, value: str) -> None:
    if not isinstance(value, str) or not value:
        raise OptionError(f"{option} must be a non-empty column name, not {value!r}")


def _check_names(option: str, values: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise OptionError(f"{option} takes a list of column names, not one string {values!r}")
    names = tuple(values)
    for name in names:
        _check_name(option, name)
    if len(set(names)) != len(names):
        raise OptionError(f"{option} names a column twice: {list(names)}")
    return names
