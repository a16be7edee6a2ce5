"""Invariants of disclosure control, over generated tables (Hypothesis).

The checks read only the published frame (plus the true counts where a property compares with
them) and re-derive the table's lines themselves, so they do not trust the module's own notion of
a line. The exact-recovery check solves the published system with exact fractions, independently
of the module's SVD.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from candour.analytics.disclosure import disclose, disclose_count

SETTINGS = settings(max_examples=120, deadline=None)
TOTAL = "Total"

# Small counts are over-represented on purpose: they are where disclosure goes wrong.
COUNTS = st.one_of(
    st.just(0), st.integers(1, 7), st.integers(8, 12), st.integers(13, 80), st.integers(0, 2000)
)


@st.composite
def tables(draw: st.DrawFn, counts: st.SearchStrategy[int] = COUNTS) -> pl.DataFrame:
    """Long-format tables of 1 to 3 dimensions, 1 to 5 categories each, at most 48 cells;
    some combinations left out (they count as 0)."""
    shape = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    while len(shape) == 3 and shape[0] * shape[1] * shape[2] > 48:
        shape[draw(st.integers(0, 2))] = 2
    rows = []
    for cell in itertools.product(*map(range, shape)):
        if draw(st.integers(0, 9)) == 0:
            continue  # missing combination
        row = {f"d{d}": f"v{c}" for d, c in enumerate(cell)}
        rows.append({**row, "count": draw(counts)})
    if not rows:
        rows.append({**{f"d{d}": "v0" for d in range(len(shape))}, "count": draw(counts)})
    return pl.DataFrame(rows)


def dims_of(frame: pl.DataFrame) -> list[str]:
    return [column for column in frame.columns if column.startswith("d")]


def lines_of(published: pl.DataFrame, dims: list[str]) -> list[pl.DataFrame]:
    """Each line: the cells along one dimension with the others fixed, including its total."""
    lines = []
    for dim in dims:
        others = [d for d in dims if d != dim]
        if others:
            lines += [group for _, group in published.group_by(others, maintain_order=True)]
        else:
            lines.append(published)
    return lines


def true_counts(frame: pl.DataFrame, published: pl.DataFrame) -> dict[tuple, int]:
    """The true value of every published cell and total, computed here from the input."""
    dims = dims_of(frame)
    truth = {}
    for row in published.select(dims).iter_rows():
        condition = pl.lit(True)
        for dim, label in zip(dims, row, strict=True):
            if label != TOTAL:
                condition &= pl.col(dim) == label
        truth[row] = int(frame.filter(condition)["count"].sum())
    return truth


def determined(published: pl.DataFrame, dims: list[str]) -> list[int]:
    """Rows of hidden cells that the published line totals pin down exactly (exact RREF)."""
    hidden = [i for i, flag in enumerate(published["suppressed"]) if flag]
    column = {row: j for j, row in enumerate(hidden)}
    indexed = published.with_row_index("__i")
    equations = []
    for line in lines_of(indexed, dims):
        dim_values = line.select(dims).rows()
        coefficients = [Fraction(0)] * len(hidden)
        for i, labels in zip(line["__i"], dim_values, strict=True):
            if i in column:
                is_total = any(
                    label == TOTAL and len(set(line[d])) > 1
                    for d, label in zip(dims, labels, strict=True)
                )
                coefficients[column[i]] = Fraction(-1 if is_total else 1)
        if any(coefficients):
            equations.append(coefficients)
    pivots = _rref(equations, len(hidden))
    return [hidden[j] for j, row in pivots.items() if sum(1 for x in row if x) == 1]


def _rref(rows: list[list[Fraction]], width: int) -> dict[int, list[Fraction]]:
    """Reduced row echelon form; returns {pivot column: its row}."""
    rows = [list(r) for r in rows]
    pivots: dict[int, list[Fraction]] = {}
    r = 0
    for col in range(width):
        pivot = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][col]
        rows[r] = [x / lead for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col] != 0:
                factor = rows[i][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots[col] = rows[r]
        r += 1
    return {col: rows[i] for i, col in enumerate(pivots)}


@SETTINGS
@given(tables())
def test_no_published_cell_shows_a_count_of_1_to_7(frame):
    published = disclose(frame)
    shown = published.filter(~pl.col("suppressed"))
    assert not shown["value"].is_between(1, 7).any()
    truth = true_counts(frame, published)
    for row, flag in zip(
        published.select(dims_of(frame)).rows(), published["suppressed"], strict=True
    ):
        if 1 <= truth[row] <= 7:
            assert flag, row


@SETTINGS
@given(tables())
def test_every_shown_count_is_a_multiple_of_5_or_0(frame):
    published = disclose(frame)
    for value, display, suppressed in published.select("value", "display", "suppressed").rows():
        if suppressed:
            assert (value, display) == (None, "*")
        else:
            assert value % 5 == 0
            assert display == f"{value:,}"


@SETTINGS
@given(tables())
def test_no_line_has_exactly_one_hidden_cell(frame):
    published = disclose(frame)
    for line in lines_of(published, dims_of(frame)):
        assert line["suppressed"].sum() != 1, line


@SETTINGS
@given(tables())
def test_no_hidden_cell_can_be_recovered_exactly_from_the_totals(frame):
    published = disclose(frame)
    assert determined(published, dims_of(frame)) == []


@SETTINGS
@given(tables())
def test_rounding_error_is_at_most_2(frame):
    published = disclose(frame)
    truth = true_counts(frame, published)
    for row, value in zip(published.select(dims_of(frame)).rows(), published["value"], strict=True):
        if value is not None:
            assert abs(value - truth[row]) <= 2


@SETTINGS
@given(st.integers(0, 10**6))
def test_single_count_is_idempotent(count):
    once = disclose_count(count)
    if not once.suppressed:
        assert disclose_count(once.value) == once
        assert abs(once.value - count) <= 2


@SETTINGS
@given(tables(counts=st.one_of(st.just(0), st.integers(2, 400).map(lambda n: 5 * n))))
def test_disclosing_published_figures_changes_nothing(frame):
    # Counts that are already publishable (0 or multiples of 5 from 10) come back unchanged,
    # nothing hidden: the rule is idempotent.
    published = disclose(frame)
    truth = true_counts(frame, published)
    assert not published["suppressed"].any()
    assert published["value"].to_list() == [
        truth[r] for r in published.select(dims_of(frame)).rows()
    ]


@SETTINGS
@given(tables(), st.randoms(use_true_random=False))
def test_row_order_does_not_change_what_is_hidden(frame, random):
    order = list(range(frame.height))
    random.shuffle(order)
    dims = dims_of(frame)
    original = disclose(frame).sort(dims)
    shuffled = disclose(frame[order]).sort(dims)
    assert original.equals(shuffled)


@SETTINGS
@given(tables(), st.integers(2, 60))
def test_min_group_size_hides_every_small_group(frame, min_size):
    group = dims_of(frame)[:1]
    published = disclose(frame, min_group_size=min_size, group_by=group)
    sizes = frame.group_by(group).agg(pl.col("count").sum())
    small = sizes.filter(pl.col("count").is_between(1, min_size - 1))[group[0]].to_list()
    assert published.filter(pl.col(group[0]).is_in(small))["suppressed"].all()
    for line in lines_of(published, dims_of(frame)):
        assert line["suppressed"].sum() != 1


@SETTINGS
@given(tables())
def test_shares_come_from_published_figures(frame):
    dim = dims_of(frame)[0]
    published = disclose(frame, share_of=dim)
    others = [d for d in dims_of(frame) if d != dim]
    totals = published.filter(pl.col(dim) == TOTAL).select(*others, pl.col("value").alias("whole"))
    joined = (
        published.join(totals, on=others)
        if others
        else published.with_columns(whole=pl.lit(totals["whole"].item()))
    )
    for value, whole, percent, shown in joined.select(
        "value", "whole", "percent", "percent_display"
    ).rows():
        if value is None or whole is None:
            assert (percent, shown) == (None, "*")
        elif whole == 0:
            assert (percent, shown) == (None, "-")
        else:
            assert percent == 100 * value / whole
            assert shown == f"{100 * value / whole:.0f}%"
