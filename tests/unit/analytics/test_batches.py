"""The engine-neutral Arrow core (candour.analytics.batches) and the kernels it relies on: each
series' result is the same bit for bit whichever other series share a call, so any split of the
data into batches of whole series gives the in-process result. No Spark here: the Spark tests
(tests/spark) run the same core on Spark's workers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from polars.testing import assert_frame_equal

from candour.analytics.batches import as_arrow, last_series_start, map_series
from candour.analytics.cusum import ChartSpec
from candour.analytics.spc.spec import SpcSpec
from candour.exceptions import DataFileError, OptionError

N_SERIES = 40

CHARTS = {
    "bernoulli reset": ChartSpec(
        "bernoulli", {"outcome": "y", "risk": "p", "odds_ratio": 2.0, "h": 2.5}
    ),
    "bernoulli no reset": ChartSpec(
        "bernoulli", {"outcome": "y", "risk": "p", "odds_ratio": 0.5, "h": 2.5, "reset": False}
    ),
    "poisson": ChartSpec(
        "poisson", {"observed": "deaths", "expected": "e", "rate_ratio": 1.5, "h": 3.0}
    ),
    "standardised": ChartSpec(
        "standardised", {"observed": "deaths", "expected": "e", "k": 0.5, "h": 4.0}
    ),
    "vlad": ChartSpec("vlad", {"outcome": "y", "risk": "p"}),
}


def patients(seed: int = 7, n: int = 6000) -> pl.DataFrame:
    """Unsorted patients of N_SERIES series (trust, group) with tied dates."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.01, 0.6, n)
    return pl.DataFrame(
        {
            "trust": pl.Series([f"T{i:02d}" for i in rng.integers(0, N_SERIES // 2, n)]),
            "group": rng.choice(["hip", "stroke"], n),
            "day": pl.Series(rng.integers(0, 200, n)).cast(pl.Int32).cast(pl.Date),
            "y": (rng.uniform(size=n) < p).astype(np.int64),
            "p": p,
            "deaths": rng.poisson(3.0, n),
            "e": rng.uniform(1.0, 5.0, n),
        }
    )


def with_options(spec: ChartSpec) -> ChartSpec:
    return ChartSpec(spec.chart, {**spec.options, "group": ["trust", "group"], "order": "day"})


def sorted_by_series(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows grouped by series, in input order within each (as an engine's sort gives)."""
    return frame.with_row_index("row").sort("trust", "group", "row").drop("row")


@pytest.mark.parametrize("name", CHARTS)
def test_each_series_alone_gives_the_same_bits_as_among_all(name):
    """Fails on the NumPy cumulative sums the kernels had: a series' CUSUM without reset and its
    VLAD carried rounding from the series before it in the batch (1e-14, where 0 was exact)."""
    spec = with_options(CHARTS[name])
    frame = patients()
    together = spec.run(frame).with_row_index("row")
    for (trust, group), rows in together.group_by("trust", "group"):
        alone = spec.run(frame[rows.get_column("row").to_list()])
        assert_frame_equal(alone, rows.drop("row"), check_exact=True), (trust, group)


@pytest.mark.parametrize("name", CHARTS)
@pytest.mark.parametrize("min_rows", [1, 500, 100_000])
def test_map_series_equals_one_call_for_any_piece_size(name, min_rows):
    spec = with_options(CHARTS[name])
    frame = sorted_by_series(patients())
    want = spec.run(frame)
    batches = frame.to_arrow().to_batches(max_chunksize=333)
    schema = as_arrow(want, arrow_schema(want)).schema
    got = pa.Table.from_batches(
        map_series(batches, spec, group=("trust", "group"), schema=schema, min_rows=min_rows),
        schema=schema,
    )
    assert_frame_equal(pl.from_arrow(got), want, check_exact=True)


def arrow_schema(frame: pl.DataFrame) -> pa.Schema:
    """Plain Arrow types (string, list) for ``frame``'s columns, as Spark declares them."""
    plain = {pl.String: pa.string(), pl.Float64: pa.float64(), pl.Int64: pa.int64()}
    fields = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Enum | pl.Categorical):
            fields.append(pa.field(name, pa.string()))
        elif isinstance(dtype, pl.List):
            fields.append(pa.field(name, pa.list_(pa.string())))
        elif dtype in plain:
            fields.append(pa.field(name, plain[dtype]))
        else:
            fields.append(frame.select(name).to_arrow().schema.field(name))
    return pa.schema(fields)


def test_spc_tables_through_map_series_equal_one_call():
    rng = np.random.default_rng(3)
    dates = pl.date_range(dt.date(2020, 1, 1), dt.date(2022, 12, 1), "1mo", eager=True)
    frame = pl.DataFrame(
        {
            "trust": np.repeat([f"T{i:02d}" for i in range(25)], len(dates)),
            "month": pl.concat([dates] * 25),
            "rate": rng.normal(50, 5, 25 * len(dates)),
        }
    ).with_columns(pl.when(pl.int_range(pl.len()) % 11 == 5).then(None).otherwise("rate"))
    options = {
        "value": "rate",
        "date": "month",
        "group": "trust",
        "rebase": {"T03": [dates[18]], "T20": [dates[10]]},
        "improvement": {f"T{i:02d}": "decrease" if i % 3 else "increase" for i in range(25)},
        "tolerate_missing": True,
    }
    for table in ("points", "summary", "groups"):
        spec = SpcSpec(options, table)
        want = spec.run(frame)
        schema = arrow_schema(want)
        batches = frame.to_arrow().to_batches(max_chunksize=50)
        got = pa.Table.from_batches(
            map_series(batches, spec, group=("trust",), schema=schema, min_rows=100),
            schema=schema,
        )
        assert_frame_equal(
            pl.from_arrow(got), want.with_columns(pl.col(pl.Enum).cast(pl.String)), check_exact=True
        )
        assert spec.output_schema(frame.schema) == want.schema


def test_spc_spec_checks_mapping_keys_against_all_series():
    spec = SpcSpec({"value": "v", "date": "d", "group": "g", "target": {"nowhere": 1.0}})
    keys = pl.DataFrame({"g": ["a", "b"]})
    with pytest.raises(OptionError, match="not in the data: 'nowhere'"):
        spec.check_keys(keys)


def test_spc_spec_checks_options_before_any_data():
    with pytest.raises(OptionError, match="shift_length"):
        SpcSpec({"value": "v", "date": "d", "shift_length": 5})
    with pytest.raises(OptionError, match="table must be one of"):
        SpcSpec({"value": "v", "date": "d"}, "charts")


def test_no_rows_give_no_batches():
    spec = with_options(CHARTS["vlad"])
    empty = patients().clear()
    schema = arrow_schema(spec.run(empty))
    assert list(map_series([], spec, group=("trust", "group"), schema=schema)) == []
    batches = empty.to_arrow().to_batches() or [
        pa.RecordBatch.from_pylist([], empty.to_arrow().schema)
    ]
    assert list(map_series(batches, spec, group=("trust", "group"), schema=schema)) == []


def test_a_data_error_names_the_series_and_order_not_a_row_of_the_piece():
    spec = with_options(CHARTS["bernoulli reset"])
    frame = sorted_by_series(patients()).with_columns(
        p=pl.when(pl.int_range(pl.len()) == 4321).then(1.5).otherwise("p")
    )
    bad = frame.row(4321, named=True)
    schema = arrow_schema(spec.run(patients()))
    with pytest.raises(DataFileError) as raised:
        list(
            map_series(
                frame.to_arrow().to_batches(max_chunksize=1000),
                spec,
                group=("trust", "group"),
                locate=("day",),
                schema=schema,
                min_rows=2000,
            )
        )
    (problem,) = raised.value.problems
    assert problem.row is None
    assert problem.column == "p"
    assert problem.message.startswith(
        f"at trust {bad['trust']!r}, group {bad['group']!r}, day {bad['day']}: a predicted risk"
    )


def test_last_series_start():
    frame = pl.DataFrame({"a": [1, 1, 2, 2, 2], "b": ["x", "x", "x", "y", "y"]})
    assert last_series_start(frame, ("a",)) == 2
    assert last_series_start(frame, ("a", "b")) == 3
    assert last_series_start(frame.head(2), ("a", "b")) == 0
    assert last_series_start(frame, ()) == 0


def test_as_arrow_writes_enums_and_large_types_as_plain_arrow():
    frame = pl.DataFrame(
        {
            "kind": pl.Series(["a", "b"], dtype=pl.Enum(["a", "b"])),
            "text": ["x", None],
            "notes": [["one"], []],
        }
    )
    schema = pa.schema(
        [("notes", pa.list_(pa.string())), ("kind", pa.string()), ("text", pa.string())]
    )
    table = as_arrow(frame, schema)
    assert table.schema == schema
    assert table.to_pylist()[0] == {"notes": ["one"], "kind": "a", "text": "x"}
