"""Per-call cost of the speak-up cryptography, and the submissions per second it allows.

Run from the repository root:

    .venv/bin/python benchmarks/speakup/crypto_costs.py            # about 30 seconds
    .venv/bin/python benchmarks/speakup/crypto_costs.py --quick    # about 5 seconds

Each operation is timed over several rounds and the median per call is reported (the machine may
be shared, so the median is steadier than the mean). "Submission" is the whole crypto part of one
anonymous web submission as the web layer will do it (see ``candour.crypto``'s docstring); the
throughput line runs it in one process per core at once and counts.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nacl
import nacl.bindings as sodium

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from candour import crypto
from candour.crypto.constants import LIGHT_ARGON2_MEMLIMIT, LIGHT_ARGON2_OPSLIMIT

PEPPER = os.urandom(32)
CONTEXT = "candour:RX1"
GUARDIANS = 3  # assigned guardians per case (the reporter gets one more sealed copy)
NARRATIVE = os.urandom(2048).hex()  # 4 KiB of text
SMALL_FIELDS = {"site": "Ward 7", "worker_group": "Nursing", "anything_else": "x" * 200}
ATTACHMENT = os.urandom(1024 * 1024)
GLOBALEAKS_SECONDS = 1.04  # Argon2 at GlobaLeaks' settings, 2-core machine (reference doc, 1.)
GLOBALEAKS_MIB = 128


def timed(function: Callable[[], object], *, rounds: int, per_round: int) -> float:
    """Median seconds per call over ``rounds`` rounds of ``per_round`` calls."""
    function()  # warm up
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(per_round):
            function()
        samples.append((time.perf_counter() - start) / per_round)
    return statistics.median(samples)


def submission(guardian_keys: list[bytes]) -> None:
    """The crypto of one anonymous submission, without attachment."""
    receipt = crypto.new_receipt()
    case_key = crypto.new_case_key("00000000-0000-4000-8000-000000000000")
    crypto.receipt_lookup(receipt, PEPPER)
    crypto.encrypt_field(case_key, "narrative", NARRATIVE)
    for name, value in SMALL_FIELDS.items():
        crypto.encrypt_field(case_key, name, value)
    for public_key in guardian_keys:
        crypto.seal_case_key(case_key, public_key)
    reporter = crypto.reporter_keypair(receipt, context=CONTEXT)
    crypto.seal_case_key(case_key, reporter.public_key)


def _count_submissions(seconds: float) -> int:
    keys = [crypto.KeyPair.generate().public_key for _ in range(GUARDIANS)]
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        submission(keys)
        done += 1
    return done


def parallel_throughput(processes: int, seconds: float) -> float:
    """Submissions per second with one busy process per core."""
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        counts = pool.map(_count_submissions, [seconds] * processes)
    return sum(counts) / seconds


def measure(quick: bool) -> list[tuple[str, float]]:
    rounds = 3 if quick else 7
    fast, slow = (200, 2) if quick else (2000, 5)
    receipt = crypto.new_receipt()
    case_key = crypto.new_case_key("case")
    reader = crypto.KeyPair.generate()
    sealed = crypto.seal_case_key(case_key, reader.public_key)
    field = crypto.encrypt_field(case_key, "narrative", NARRATIVE)
    keyring, _ = crypto.create_guardian_keys("correct horse battery staple")
    guardian_keys = [crypto.KeyPair.generate().public_key for _ in range(GUARDIANS)]
    salt = os.urandom(16)
    encrypted_file = io.BytesIO()
    crypto.encrypt_attachment(case_key, "file", ATTACHMENT, encrypted_file)

    def light_argon2() -> bytes:
        return sodium.crypto_pwhash_alg(
            32, b"ABCDEFGHJKMNPQRSTVWX", salt, LIGHT_ARGON2_OPSLIMIT, LIGHT_ARGON2_MEMLIMIT,
            sodium.crypto_pwhash_ALG_ARGON2ID13,
        )  # fmt: skip

    operations: list[tuple[str, Callable[[], object], int]] = [
        ("receipt generation", crypto.new_receipt, fast),
        ("receipt lookup hash (keyed BLAKE2b)", lambda: crypto.receipt_lookup(receipt, PEPPER), fast),
        ("receipt key derivation (BLAKE2b)", lambda: crypto.receipt_key(receipt, context=CONTEXT), fast),
        ("reporter key pair from receipt", lambda: crypto.reporter_keypair(receipt, context=CONTEXT), fast),
        ("light Argon2id 19 MiB, 2 passes (not used)", light_argon2, slow * 4),
        ("guardian key unwrap (Argon2id 64 MiB)", lambda: crypto.unlock_with_password(keyring, "correct horse battery staple"), slow),
        ("SealedBox seal (case key)", lambda: crypto.seal_case_key(case_key, reader.public_key), fast),
        ("SealedBox open (case key)", lambda: crypto.open_case_key(sealed, reader, case_id="case"), fast),
        ("4 KiB field encrypt", lambda: crypto.encrypt_field(case_key, "narrative", NARRATIVE), fast),
        ("4 KiB field decrypt", lambda: crypto.decrypt_field(case_key, "narrative", field), fast),
        ("1 MiB attachment encrypt", lambda: crypto.encrypt_attachment(case_key, "file", ATTACHMENT, io.BytesIO()), slow * 10),
        ("1 MiB attachment decrypt", lambda: crypto.decrypt_attachment(case_key, "file", encrypted_file.getvalue(), io.BytesIO()), slow * 10),
        (f"submission: 4 fields, {GUARDIANS} guardians + reporter", lambda: submission(guardian_keys), fast // 4),
    ]  # fmt: skip
    return [(name, timed(call, rounds=rounds, per_round=n)) for name, call, n in operations]


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; PyNaCl {nacl.__version__} (its bundled libsodium)"
    )


def report(results: list[tuple[str, float]], throughput: float, cores: int) -> str:
    lines = ["| operation | per call |", "|---|---:|"]
    for name, seconds in results:
        lines.append(f"| {name} | {_human(seconds)} |")
    per_submission = dict(results)[f"submission: 4 fields, {GUARDIANS} guardians + reporter"]
    attachment = dict(results)["1 MiB attachment encrypt"]
    lines += [
        "",
        f"Implied maximum, crypto only, {cores} cores: "
        f"{cores / per_submission:,.0f} submissions/s without attachments, "
        f"{cores / (per_submission + attachment):,.0f}/s with a 1 MiB attachment each.",
        f"Measured with {cores} processes at once: {throughput:,.0f} submissions/s.",
        f"GlobaLeaks (two Argon2 calls of {GLOBALEAKS_SECONDS} s, {GLOBALEAKS_MIB} MiB each): "
        f"about {cores / (2 * GLOBALEAKS_SECONDS):.1f} submissions/s on {cores} cores.",
    ]
    return "\n".join(lines)


def _human(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:,.2f} ms"
    return f"{seconds * 1e6:,.1f} µs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (about 5 seconds)")
    parser.add_argument("--cores", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    print(machine(), end="\n\n")
    results = measure(args.quick)
    throughput = parallel_throughput(args.cores, 1.0 if args.quick else 3.0)
    print(report(results, throughput, args.cores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
