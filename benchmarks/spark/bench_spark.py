"""Benchmark: the risk-adjusted CUSUM in-process (Polars) against local Spark
(``candour.spark.cusum``), on the same synthetic national patient rows, Parquet in and out.

Workload: ``--rows`` patients (default 1,000,000 and 10,000,000) in 2,000 series (500 trusts x 4
groups), dates over three years with many ties, Parquet-like risks p = logistic(-3.68 + 0.077
score), outcomes Bernoulli(p), rows shuffled, fixed seed: the CUSUM benchmark's workload
(benchmarks/cusum) plus a ``row`` number. Written once to one Parquet file. Chart: Bernoulli
CUSUM, R = 2, h = 4.5, with reset.

Each measurement runs in its own Python process (so its peak memory is its own), timed from
reading the Parquet input to having written the Parquet output:

* in-process: ``pl.read_parquet``, ``bernoulli_cusum``, ``write_parquet``;
* Spark: ``spark.read.parquet``, ``candour.spark.cusum``, ``.write.parquet`` (the Spark session
  is started first and its start-up reported apart);
* Spark identity: the same plan (row numbers, repartition by series, sort within partitions,
  ``mapInArrow``) with a function that returns its batches unchanged: the engine's own cost;
* Spark copy: read and write the Parquet, nothing else: the floor.

Each Spark process starts its session and runs the same plan once on 20,000 rows before the
timed run (a new JVM's first job loads and compiles Spark's classes); both are reported apart.

Peak memory is the largest sum of resident memory over the process and all its descendants
(the JVM and Spark's Python workers), sampled every 0.1 s. The Spark output is compared with
the in-process output row by row (bit for bit). The load average is recorded before and after
each run: the machine's cores may be shared.

Reproduce: .venv/bin/python benchmarks/spark/bench_spark.py --write
On a Databricks cluster, see docs/how-to/spark.md ("Benchmark on a cluster").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
SEED = 20261203
SERIES = 2_000
GROUPS = ("Cardiac surgery", "Hip fracture", "Stroke", "Pneumonia")
START = dt.date(2022, 4, 1)
DAYS = 3 * 365
OPTIONS = {
    "outcome": "outcome",
    "risk": "risk",
    "odds_ratio": 2.0,
    "h": 4.5,
    "group": ["trust", "group"],
    "order": "date",
}
MIB = 1 << 20
SAMPLE_SECONDS = 0.1
WARM_UP_ROWS = 20_000
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def workload(n_rows: int, seed: int = SEED) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n_trusts = SERIES // len(GROUPS)
    series = rng.integers(0, SERIES, n_rows)
    trusts = np.array([f"T{i:04d}" for i in range(n_trusts)])
    score = np.minimum(rng.negative_binomial(1.1, 1.1 / 10.1, n_rows), 71)
    risk = 1 / (1 + np.exp(3.68 - 0.077 * score))
    epoch = (START - dt.date(1970, 1, 1)).days
    return pl.DataFrame(
        {
            "row": np.arange(n_rows, dtype=np.int64),
            "trust": trusts[series // len(GROUPS)],
            "group": np.array(GROUPS)[series % len(GROUPS)],
            "date": pl.Series(rng.integers(0, DAYS, n_rows) + epoch, dtype=pl.Int32).cast(pl.Date),
            "outcome": (rng.uniform(size=n_rows) < risk).astype(np.int64),
            "risk": risk,
        }
    )


# --- Peak memory of a process tree ---------------------------------------------------------------


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and every process descended from it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry), int(fields[1])
        children.setdefault(parent, []).append(pid)
        rss[pid] = int(fields[21]) * PAGE
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


class PeakMemory:
    """Samples the resident memory of this process tree in a thread; ``peak`` in bytes."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(os.getpid()))
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> PeakMemory:
        self.peak = tree_rss(os.getpid())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss(os.getpid()))


# --- One measurement (run in its own process) ----------------------------------------------------


def measure_in_process(source: str, target: str) -> dict:
    from candour.analytics.cusum import bernoulli_cusum

    bernoulli_cusum(workload(1000), **OPTIONS)  # compile the kernels outside the timing
    with PeakMemory() as memory:
        start = time.perf_counter()
        frame = pl.read_parquet(source)
        bernoulli_cusum(frame, **OPTIONS).write_parquet(target)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mib": memory.peak / MIB}


def identity(batches):
    yield from batches


def measure_spark(source: str, target: str, kind: str, partitions: int, cores: str) -> dict:
    from candour.spark import cusum, local_session
    from candour.spark.engine import ROW_ID, quiet_pandas_notice

    def plan(sdf):
        if kind == "spark":
            return cusum(sdf, chart="bernoulli", partitions=partitions, **OPTIONS)
        if kind == "identity":
            from pyspark.sql import functions as F

            numbered = sdf.withColumn(ROW_ID, F.monotonically_increasing_id())
            spread = numbered.repartition(partitions, "trust", "group")
            ordered = spread.sortWithinPartitions("trust", "group", ROW_ID).select(*sdf.columns)
            with quiet_pandas_notice():
                return ordered.mapInArrow(identity, sdf.schema)
        return sdf

    started = time.perf_counter()
    spark = local_session(cores, config={"spark.driver.memory": "4g"}, log_level="ERROR")
    session_seconds = time.perf_counter() - started
    # A first job in a new JVM loads and compiles Spark's classes: done once, apart, on a
    # small sample (a long-running cluster has done it long before).
    started = time.perf_counter()
    sample = spark.read.parquet(source).limit(WARM_UP_ROWS)
    plan(sample).write.mode("overwrite").parquet(target + ".warm-up")
    warm_up_seconds = time.perf_counter() - started
    with PeakMemory() as memory:
        start = time.perf_counter()
        sdf = spark.read.parquet(source)
        plan(sdf).write.mode("overwrite").parquet(target)
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "peak_mib": memory.peak / MIB,
        "startup_seconds": session_seconds,
        "warm_up_seconds": warm_up_seconds,
        "spark": spark.version,
        "input_partitions": sdf.rdd.getNumPartitions(),
    }


def run_measurement(kind: str, source: str, target: str, partitions: int, cores: str) -> dict:
    """Run one measurement in a fresh Python process; its result with the load around it."""
    before = os.getloadavg()[0]
    command = [sys.executable, __file__, "--measure", kind, "--source", source]
    command += ["--target", target, "--partitions", str(partitions), "--cores", cores]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{kind} failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result | {"load_before": before, "load_after": os.getloadavg()[0]}


def same_output(in_process: str, spark: str) -> bool:
    want = pl.read_parquet(in_process).sort("row")
    got = pl.read_parquet(Path(spark) / "*.parquet").sort("row").select(want.columns)
    return got.equals(want)


# --- The whole benchmark -------------------------------------------------------------------------


def benchmark(sizes: list[int], repeats: int, cores: str, rows_per_partition: int, work: Path):
    results = []
    for n_rows in sizes:
        source = str(work / f"patients-{n_rows}.parquet")
        workload(n_rows).write_parquet(source)
        partitions = max(2, -(-n_rows // rows_per_partition))
        runs: dict[str, list[dict]] = {}
        for _ in range(repeats):
            for kind in ("in_process", "spark", "identity", "copy"):
                target = str(work / f"out-{kind}-{n_rows}.parquet")
                runs.setdefault(kind, []).append(
                    run_measurement(kind, source, target, partitions, cores)
                )
                print(kind, n_rows, runs[kind][-1], file=sys.stderr)
        identical = same_output(
            str(work / f"out-in_process-{n_rows}.parquet"),
            str(work / f"out-spark-{n_rows}.parquet"),
        )
        results.append(
            {"rows": n_rows, "partitions": partitions, "identical": identical, "runs": runs}
        )
    return results


def median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def report(results: list[dict], args: argparse.Namespace) -> str:
    lines = [
        "# Spark benchmark: the CUSUM in-process and on local Spark",
        "",
        f"Command: `.venv/bin/python benchmarks/spark/bench_spark.py --write"
        f" --repeats {args.repeats}`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with other users:"
        " see the load averages), "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / (1 << 30):.0f} GiB;"
        f" Python {platform.python_version()}, Polars {version('polars')},"
        f" PySpark {version('pyspark')}, Java 17, Spark local[{args.cores}]."
        f" Run on {dt.date.today().isoformat()}.",
        "",
        "Workload: synthetic patients in 2,000 series, unsorted, one Parquet file; Bernoulli"
        " CUSUM (R = 2, h = 4.5, reset). Each time is the median of the runs, from reading the"
        " Parquet input to having written the Parquet output; each run in its own process.",
        "",
        "| rows | engine | partitions | seconds | rows/s | peak memory (MiB) | load before/after |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    names = {
        "in_process": "in-process (Polars)",
        "spark": "Spark: candour.spark.cusum",
        "identity": "Spark: identity mapInArrow (same plan)",
        "copy": "Spark: read and write only",
    }
    for result in results:
        for kind, runs in result["runs"].items():
            seconds = median(runs, "seconds")
            loads = ", ".join(f"{r['load_before']:.1f}/{r['load_after']:.1f}" for r in runs)
            partitions = "-" if kind in ("in_process", "copy") else str(result["partitions"])
            lines.append(
                f"| {result['rows']:,} | {names[kind]} | {partitions} | {seconds:.1f} |"
                f" {result['rows'] / seconds:,.0f} | {median(runs, 'peak_mib'):,.0f} | {loads} |"
            )
    lines += ["", "Derived:", ""]
    for result in results:
        runs = result["runs"]
        chart, ident = median(runs["spark"], "seconds"), median(runs["identity"], "seconds")
        copy, local = median(runs["copy"], "seconds"), median(runs["in_process"], "seconds")
        startup = median(runs["spark"], "startup_seconds")
        warm_up = median(runs["spark"], "warm_up_seconds")
        lines.append(
            f"- {result['rows']:,} rows: Spark takes {chart / local:.1f}x the in-process time;"
            f" the identity mapInArrow plan takes {ident:.1f} s of Spark's {chart:.1f} s"
            f" ({ident / chart:.0%}; the read and write alone {copy:.1f} s), so the kernels add"
            f" {chart - ident:.1f} s. Not in the times: session start-up {startup:.1f} s and"
            f" a first job on {WARM_UP_ROWS:,} rows {warm_up:.1f} s. Spark's output equals the in-process output bit for bit:"
            f" {'yes' if result['identical'] else 'NO'}."
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--cores", default="2", help="local Spark cores (default 2)")
    parser.add_argument("--rows-per-partition", type=int, default=1_250_000)
    parser.add_argument("--work", help="directory for the Parquet files (default: a temporary)")
    parser.add_argument("--write", action="store_true", help="write RESULTS.md")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--partitions", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        if args.measure == "in_process":
            found = measure_in_process(args.source, args.target)
        else:
            found = measure_spark(
                args.source, args.target, args.measure, args.partitions, args.cores
            )
        print(json.dumps(found))
        return
    with tempfile.TemporaryDirectory(dir=args.work) as work:
        results = benchmark(
            args.rows, args.repeats, args.cores, args.rows_per_partition, Path(work)
        )
    text = report(results, args)
    print(text)
    if args.write:
        (HERE / "RESULTS.md").write_text(text + "\n" + DATABRICKS_NOTE, encoding="utf-8")


DATABRICKS_NOTE = """## On a Databricks cluster

The same measurement runs on a cluster: see docs/how-to/spark.md ("Benchmark on a cluster").
`measure_spark` uses the cluster's session (`local_session` returns the active one) and a
`--work` directory on a Unity Catalog volume or DBFS that the workers can read.
"""


if __name__ == "__main__":
    main()
