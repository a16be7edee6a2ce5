"""Benchmark: the vectorised risk-adjusted (Bernoulli) CUSUM against a straightforward
per-patient Python loop, in the same run, on the same unsorted national-sized input.

Workload: ``--patients`` patients (default 5,000,000) in ``--series`` series (default 2,000:
500 trusts x 4 groups, text keys), dates over three years, Parsonnet-like risks
p = logistic(-3.68 + 0.077 score) with score min(71, NegBin(1.1, mean 9)), outcomes
Bernoulli(p); rows shuffled (unsorted input), fixed seed. R = 2, h = 4.5.

Both sides start from the same Polars frame and end with the statistic and signal per input row,
so the sort into series and time order is included in both: Candour's ``bernoulli_cusum``
(validation, sort, weights, recursion, output frame); the loop converts the columns to Python
lists, sorts the row numbers by (trust, group, date), then walks the patients computing
W = y ln R - ln(1 - p + R p) and S = max(0, S + W), with and without reset. The two outputs are
compared. Each timing is repeated (the vectorised runs interleaved with the loop's); the median
wall and CPU times are reported. With --write, writes RESULTS.md.

Reproduce: .venv/bin/python benchmarks/cusum/bench_cusum.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import resource
import statistics
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import polars as pl

from candour.analytics.cusum import bernoulli_cusum

HERE = Path(__file__).resolve().parent
SEED = 20261203
ODDS_RATIO, H = 2.0, 4.5
GROUPS = ("Cardiac surgery", "Hip fracture", "Stroke", "Pneumonia")
START = dt.date(2022, 4, 1)
DAYS = 3 * 365
KIB = 1024


def workload(n_patients: int, n_series: int, seed: int = SEED) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n_trusts = n_series // len(GROUPS)
    series = rng.integers(0, n_trusts * len(GROUPS), n_patients)
    trusts = np.array([f"T{i:04d}" for i in range(n_trusts)])
    score = np.minimum(rng.negative_binomial(1.1, 1.1 / 10.1, n_patients), 71)
    risk = 1 / (1 + np.exp(3.68 - 0.077 * score))
    epoch = (START - dt.date(1970, 1, 1)).days
    return pl.DataFrame(
        {
            "trust": trusts[series // len(GROUPS)],
            "group": np.array(GROUPS)[series % len(GROUPS)],
            "date": pl.Series(rng.integers(0, DAYS, n_patients) + epoch, dtype=pl.Int32).cast(
                pl.Date
            ),
            "outcome": (rng.random(n_patients) < risk).astype(np.int8),
            "risk": risk,
        }
    )


def vectorised(frame: pl.DataFrame, reset: bool) -> pl.DataFrame:
    return bernoulli_cusum(
        frame,
        outcome="outcome",
        risk="risk",
        odds_ratio=ODDS_RATIO,
        h=H,
        group=["trust", "group"],
        order="date",
        reset=reset,
    )


def python_loop(frame: pl.DataFrame, reset: bool) -> pl.DataFrame:
    """The straightforward version: Python lists, a sort of row numbers, one loop."""
    trust = frame["trust"].to_list()
    group = frame["group"].to_list()
    date = frame["date"].to_list()
    outcome = frame["outcome"].to_list()
    risk = frame["risk"].to_list()
    rows = sorted(range(len(trust)), key=lambda i: (trust[i], group[i], date[i]))
    statistic = [0.0] * len(rows)
    signal = [False] * len(rows)
    log_r = math.log(ODDS_RATIO)
    previous = None
    s = 0.0
    for i in rows:
        key = (trust[i], group[i])
        if key != previous:
            s, previous = 0.0, key
        w = outcome[i] * log_r - math.log(1 - risk[i] + ODDS_RATIO * risk[i])
        s = max(0.0, s + w)
        statistic[i] = s
        alarm = s > H
        signal[i] = alarm
        if reset and alarm:
            s = 0.0
    return frame.with_columns(
        pl.Series("cusum", statistic, dtype=pl.Float64),
        pl.Series("signal", signal, dtype=pl.Boolean),
    )


def timed(function, *args) -> tuple[float, float, pl.DataFrame]:
    """Wall time and CPU time of this process (all its threads) for one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def interleaved(frame: pl.DataFrame, reset: bool, repeats: int, loop_repeats: int) -> dict:
    """The loop's runs with the vectorised runs spread between them, so that both meet the
    same load from other people's work on the shared machine."""
    fast_wall, fast_cpu, slow_wall, slow_cpu = [], [], [], []
    per_loop = -(-repeats // loop_repeats)
    for _ in range(loop_repeats):
        for _ in range(per_loop):
            wall, cpu, fast_result = timed(vectorised, frame, reset)
            fast_wall.append(wall)
            fast_cpu.append(cpu)
        wall, cpu, slow_result = timed(python_loop, frame, reset)
        slow_wall.append(wall)
        slow_cpu.append(cpu)
    difference = np.abs(fast_result["cusum"].to_numpy() - slow_result["cusum"].to_numpy())
    return {
        "reset": reset,
        "vectorised": statistics.median(fast_wall),
        "vectorised_cpu": statistics.median(fast_cpu),
        "vectorised_times": fast_wall,
        "loop": statistics.median(slow_wall),
        "loop_cpu": statistics.median(slow_cpu),
        "loop_times": slow_wall,
        "max_difference": float(difference.max()),
        "same_signals": fast_result["signal"].equals(slow_result["signal"]),
        "signals": int(fast_result["signal"].sum()),
    }


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=5_000_000)
    parser.add_argument("--series", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loop-repeats", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="write RESULTS.md")
    args = parser.parse_args()

    load_before = os.getloadavg()
    frame = workload(args.patients, args.series)
    n_series = frame.select("trust", "group").unique().height
    started = time.perf_counter()
    vectorised(frame.head(1000), True)  # first call compiles the reset loop (numba, cached)
    first_call = time.perf_counter() - started

    rows = []
    for reset in (True, False):
        row = interleaved(frame, reset, args.repeats, args.loop_repeats)
        rows.append(row)
        print(
            f"reset={reset}: vectorised {row['vectorised']:.3f} s wall, {row['vectorised_cpu']:.3f}"
            f" s CPU; loop {row['loop']:.2f} s wall, {row['loop_cpu']:.2f} s CPU;"
            f" {row['loop'] / row['vectorised']:.0f}x wall, {row['loop_cpu'] / row['vectorised_cpu']:.0f}x"
            f" CPU; max |difference| {row['max_difference']:.1e}, signals identical:"
            f" {row['same_signals']}"
        )
    load_after = os.getloadavg()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * KIB / 2**30
    if args.write:
        write_results(args, rows, n_series, first_call, load_before, load_after, peak)


def write_results(args, rows, n_series, first_call, load_before, load_after, peak) -> None:
    machine = (
        f"{cpu_name()}, {os.cpu_count()} logical cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM; "
        f"Linux {platform.release()}; Python {platform.python_version()}, "
        f"polars {version('polars')}, numpy {version('numpy')}, numba {version('numba')}"
    )
    lines = [
        "# Risk-adjusted CUSUM benchmark: vectorised against a per-patient Python loop",
        "",
        f"Machine: {machine}. The 2 cores are shared with other people's work: load average "
        f"{load_before[0]:.1f} / {load_before[1]:.1f} / {load_before[2]:.1f} (1, 5, 15 min) "
        f"before the run and {load_after[0]:.1f} / {load_after[1]:.1f} / {load_after[2]:.1f} "
        "after, so single timings vary; each is the median of the repeats shown.",
        "",
        f"Workload: {args.patients:,} patients in {n_series:,} series (trust × group, text keys), "
        "dates over three years, Parsonnet-like risks, outcomes drawn from them; rows shuffled "
        f"(unsorted input). R = {ODDS_RATIO:g}, h = {H:g}. Both sides go from the same Polars "
        "frame to the statistic and signal per input row, the sort into series and date order "
        "included; the loop was run on the whole input (no scaling). The vectorised runs are spread "
        "between the loop's runs so both meet the same load. Wall time is what a user waits; CPU "
        "time (this process, all its threads) is less disturbed by other people's work.",
        "",
        "| reset | Candour wall (s) | rows/s | CPU (s) | Python loop wall (s) | rows/s | CPU (s) |"
        " speed-up, wall | speed-up, CPU | max abs difference | signals identical |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {'yes' if row['reset'] else 'no (Lindley)'} | {row['vectorised']:.3f} | "
            f"{args.patients / row['vectorised']:,.0f} | {row['vectorised_cpu']:.3f} | "
            f"{row['loop']:.2f} | {args.patients / row['loop']:,.0f} | {row['loop_cpu']:.2f} | "
            f"{row['loop'] / row['vectorised']:.0f}× | "
            f"{row['loop_cpu'] / row['vectorised_cpu']:.0f}× | "
            f"{row['max_difference']:.1e} | {'yes' if row['same_signals'] else 'NO'} |"
        )
    lines += [
        "",
        "Repeats (s): "
        + "; ".join(
            f"reset={'yes' if r['reset'] else 'no'}: vectorised "
            + ", ".join(f"{t:.3f}" for t in r["vectorised_times"])
            + ", loop "
            + ", ".join(f"{t:.2f}" for t in r["loop_times"])
            for r in rows
        )
        + ".",
        "",
        f"The first call in a fresh process also compiles the reset loop with numba ({first_call:.1f} s"
        " here, including imports; the compiled code is cached on disk for later processes). "
        f"Peak resident memory of the whole run: {peak:.1f} GiB.",
        "",
        "Goal (issue 13): at least 50× the per-patient loop on 5 million patients in 2,000 series,"
        " unsorted input, sort included.",
        "",
        "Reproduce (from the repository root):",
        "",
        "```",
        "make install",
        f".venv/bin/python benchmarks/cusum/bench_cusum.py --repeats {args.repeats}"
        f" --loop-repeats {args.loop_repeats} --write",
        "```",
        "",
    ]
    (HERE / "RESULTS.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
