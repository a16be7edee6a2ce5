"""Benchmark: the speak-up forms under a flood from one address, and the honest people behind it.

One command (from the repository root; see RESULTS.md, "Under a flood"):

    .venv/bin/python benchmarks/speakup/bench_flood.py                 # PostgreSQL candour_h5, 90 s
    .venv/bin/python benchmarks/speakup/bench_flood.py --help          # durations, attacker, honest

What it does:

1. Makes a fresh PostgreSQL database (``--db-name``, default ``candour_h5``), migrates it, imports
   the ODS trusts and enrols one guardian at R0B, as ``bench_submissions.py`` does.
2. Starts gunicorn with the **production settings unchanged** (no benchmark overrides: the real
   costs, per-source pricing and daily bounds), memcached as the speak-up cache shared by the
   workers (``CANDOUR_SPEAKUP_CACHE``), and ``CANDOUR_CLIENT_ADDRESS_HEADER=HTTP_X_FORWARDED_FOR``:
   each client sends the address a proxy would append, so the server sees several sources.
3. An **attacker** at one address (a hospital's shared NAT address) floods for ``--duration``
   seconds with every kind of request at once: junk form posts; wrong receipts without proof of
   work; valid concerns without proof of work (the no-JavaScript path: the server's wait);
   valid concerns with proof of work solved in Python (hashlib, one core, as a script would).
4. **Honest reporters**, starting once the flood is under way, some **behind the attacker's
   address** and some elsewhere, some with the proof of work (solved in Python, standing in for
   the browser's script) and some without: each raises a concern, saves the receipt, opens their
   concern, replies, leaves, comes back with the receipt and opens it again. Every one of those
   actions must succeed: the run exits non-zero otherwise.
5. Writes ``results/flood-<UTC time>.json`` and ``.md``: what the attacker got stored (and at
   what rate, per hour), the price it ended up paying, each honest action's result and time, the
   server's CPU, and the load from other processes on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import datetime as dt
import json
import multiprocessing
import os
import re
import secrets
import sys
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1] / "src")]

import bench_submissions as base  # noqa: E402 - the shared set-up, server and client

ATTACKER = "203.0.113.66"  # the shared address (NAT) the attacker and some colleagues use
ELSEWHERE = "198.51.100.{n}"  # other sites
ODS = "R0B"
TOKEN_RE = re.compile(rb'name="reporter_token" value="([^"]+)"')
CHALLENGE_RE = re.compile(rb'name="pow_challenge" value="([^"]+)"')
RECEIPT_RE = re.compile(rb'id="receipt">([^<]+)<')
FORM = {
    "route": "anonymous",
    "categories": "patient_safety",
    "professional_group": "nursing",
    "raised_before": "no",
    "detriment_at_intake": "no",
}


class Visitor:
    """One person's cookies over one connection, from one address."""

    def __init__(self, port: int, address: str):
        self.connection = base.Connection(port)
        self.address = address
        self.cookies: dict[str, str] = {}

    async def send(self, method: str, path: str, fields: dict | None = None) -> base.Response:
        headers = [
            ("User-Agent", "candour-flood/1"),
            ("X-Forwarded-Proto", "https"),
            ("X-Forwarded-For", self.address),
        ]
        if self.cookies:
            headers.append(("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())))
        body = b""
        if method == "POST":
            body = urllib.parse.urlencode(fields or {}, doseq=True).encode()
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        response = await self.connection.request(method, path, headers, body)
        base.remember_cookies(self.cookies, response)
        return response

    async def close(self) -> None:
        await self.connection.close()


def found(pattern: re.Pattern, response: base.Response) -> str:
    match = pattern.search(response.body)
    if match is None:
        raise base.HttpError(f"HTTP {response.status}: no {pattern.pattern[:30]!r} on the page")
    return match.group(1).decode().strip()


async def paid(fields: dict, page: base.Response, pool, js: bool, work=None) -> dict:
    """The form's fields, with its token and (for a JavaScript client) a solved challenge; the
    seconds and bits of work go to ``work`` (a list) when given."""
    fields = {**fields, "reporter_token": found(TOKEN_RE, page)}
    if js:
        from candour.web.speakup.proofofwork import solve  # Python hashlib, one core

        challenge = found(CHALLENGE_RE, page)
        loop = asyncio.get_running_loop()
        start = time.monotonic()
        fields["pow_challenge"] = challenge
        fields["pow_solution"] = await loop.run_in_executor(pool, solve, challenge)
        if work is not None:
            work.append((int(challenge.split("-")[1]), round(time.monotonic() - start, 2)))
    return fields


# ------------------------------------------------------------------------------ the attacker


@dataclass
class Attack:
    deadline: float
    sent: dict[str, int] = field(default_factory=dict)
    stored: dict[str, list[float]] = field(default_factory=dict)  # when each concern was stored
    errors: dict[str, int] = field(default_factory=dict)
    bits_seen: list[int] = field(default_factory=list)

    def count(self, what: str) -> None:
        self.sent[what] = self.sent.get(what, 0) + 1


async def junk(port: int, attack: Attack) -> None:
    """Form posts that are not concerns: no token, nonsense fields. Nothing is stored."""
    visitor = Visitor(port, ATTACKER)
    while time.monotonic() < attack.deadline:
        response = await visitor.send("POST", f"/speak-up/raise/{ODS}/", {"route": "x"})
        attack.count(f"junk ({response.status})")
    await visitor.close()


async def wrong_receipts(port: int, attack: Attack) -> None:
    """Receipts that open nothing, without proof of work (the server makes them wait)."""
    visitor = Visitor(port, ATTACKER)
    page = await visitor.send("GET", "/speak-up/follow-up/")
    token = found(TOKEN_RE, page)
    while time.monotonic() < attack.deadline:
        guess = "".join(secrets.choice("ABCDEFGHJKMNPQRSTVWXYZ0123456789") for _ in range(20))
        response = await visitor.send(
            "POST", "/speak-up/follow-up/", {"receipt": guess, "reporter_token": token}
        )
        attack.count(f"wrong receipt ({response.status})")
    await visitor.close()


async def concerns(port: int, attack: Attack, pool, js: bool) -> None:
    """Valid concerns as fast as they are accepted: with proof of work solved in Python, or
    without (the server's wait)."""
    what = "concern with proof of work" if js else "concern without proof of work"
    number = 0
    while time.monotonic() < attack.deadline:
        visitor = Visitor(port, ATTACKER)
        try:
            page = await visitor.send("GET", f"/speak-up/raise/{ODS}/")
            if js:
                attack.bits_seen.append(int(found(CHALLENGE_RE, page).split("-")[1]))
            number += 1
            fields = await paid(
                {**FORM, "narrative": f"Flood {what} {number} {secrets.token_hex(4)}"},
                page,
                pool,
                js,
            )
            if time.monotonic() >= attack.deadline:
                break
            response = await visitor.send("POST", f"/speak-up/raise/{ODS}/", fields)
            attack.count(f"{what} ({response.status})")
            if response.status == 302:
                attack.stored.setdefault(what, []).append(time.monotonic())
        except (base.HttpError, OSError, TimeoutError) as exc:
            attack.errors[type(exc).__name__] = attack.errors.get(type(exc).__name__, 0) + 1
        finally:
            await visitor.close()


# ---------------------------------------------------------------------------- honest people


@dataclass
class Step:
    name: str
    expected: str
    status: int | None = None
    seconds: float | None = None
    ok: bool = False


@dataclass
class Honest:
    label: str
    address: str
    js: bool
    steps: list[Step] = field(default_factory=list)
    work: list[tuple[int, float]] = field(default_factory=list)  # (bits, seconds) per proof
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(step.ok for step in self.steps)


async def honest(port: int, person: Honest, pool) -> None:
    visitor = Visitor(port, person.address)

    async def step(name, expected, method, path, fields=None, location=None, text=None):
        record = Step(name, f"{expected}{' ' + location if location else ''}")
        person.steps.append(record)
        start = time.monotonic()
        response = await visitor.send(method, path, fields)
        record.seconds = round(time.monotonic() - start, 2)
        record.status = response.status
        record.ok = (
            response.status == expected
            and (location is None or (response.header("location") or "") == location)
            and (text is None or text.encode() in response.body)
        )
        if not record.ok:
            raise base.HttpError(f"{name}: HTTP {response.status}")
        return response

    raise_path = f"/speak-up/raise/{ODS}/"
    try:
        form = await step("open the form", 200, "GET", raise_path)
        fields = {**FORM, "narrative": f"Honest concern from {person.label}."}
        fields = await paid(fields, form, pool, person.js, person.work)
        await step("send the concern", 302, "POST", raise_path, fields, "/speak-up/receipt/")
        page = await step("see the receipt", 200, "GET", "/speak-up/receipt/")
        receipt = found(RECEIPT_RE, page)
        confirm = {"last_group": receipt[-4:], "reporter_token": found(TOKEN_RE, page)}
        await step("confirm it is saved", 302, "POST", "/speak-up/receipt/", confirm)
        case = await step(
            "open the concern", 200, "GET", "/speak-up/follow-up/case/", text="Your concern"
        )
        reply = await paid({"reply-body": "More detail."}, case, pool, person.js, person.work)
        await step("reply", 302, "POST", "/speak-up/follow-up/reply/", reply)
        case = await step(
            "see the reply sent", 200, "GET", "/speak-up/follow-up/case/", text="will see it"
        )
        leave = {"reporter_token": found(TOKEN_RE, case)}
        await step("leave", 302, "POST", "/speak-up/follow-up/leave/", leave, "/speak-up/")
        again = await step("come back", 200, "GET", "/speak-up/follow-up/")
        opened = {"receipt": receipt, "reporter_token": found(TOKEN_RE, again)}
        await step(
            "open it with the receipt", 302, "POST", "/speak-up/follow-up/", opened,
            "/speak-up/follow-up/case/",
        )  # fmt: skip
        await step("read it", 200, "GET", "/speak-up/follow-up/case/", text="More detail.")
    except (base.HttpError, OSError, TimeoutError) as exc:
        person.error = f"{type(exc).__name__}: {exc}"
    finally:
        await visitor.close()


def honest_people(count: int) -> list[Honest]:
    """Half behind the attacker's address, half elsewhere; half of each with the proof of work."""
    people = []
    for n in range(count):
        same = n % 2 == 0
        js = (n // 2) % 2 == 0
        address = ATTACKER if same else ELSEWHERE.format(n=n + 10)
        where = "same address" if same else "another address"
        people.append(Honest(f"{where}, {'JS' if js else 'no JS'} #{n + 1}", address, js))
    return people


# --------------------------------------------------------------------------------- the run


async def flood(args, port: int) -> tuple[Attack, list[Honest], float]:
    attack = Attack(deadline=time.monotonic() + args.duration)
    context = multiprocessing.get_context("fork")
    attacker_pool = concurrent.futures.ProcessPoolExecutor(args.attacker_cores, mp_context=context)
    honest_pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=context)
    start = time.monotonic()
    tasks = [asyncio.create_task(junk(port, attack)) for _ in range(args.junk)]
    tasks += [asyncio.create_task(wrong_receipts(port, attack)) for _ in range(args.receipts)]
    tasks += [
        asyncio.create_task(concerns(port, attack, attacker_pool, js=False))
        for _ in range(args.no_js)
    ]
    tasks += [
        asyncio.create_task(concerns(port, attack, attacker_pool, js=True))
        for _ in range(args.attacker_cores)
    ]
    people = honest_people(args.honest)
    await asyncio.sleep(args.head_start)  # let the flood drive the attacker's price up first
    spacing = max(0.0, (args.duration - args.head_start - 30) / max(1, len(people)))
    honest_tasks = []
    for person in people:
        honest_tasks.append(asyncio.create_task(honest(port, person, honest_pool)))
        await asyncio.sleep(spacing)
    await asyncio.gather(*honest_tasks)
    await asyncio.gather(*tasks)
    attacker_pool.shutdown(cancel_futures=True)
    honest_pool.shutdown()
    return attack, people, time.monotonic() - start


def per_hour(times: list[float], start: float, end: float) -> float:
    """Concerns stored per hour in the second half of the flood (the price is at its top by
    then); ``end`` is when the attacker stopped."""
    middle = start + (end - start) / 2
    late = [t for t in times if middle <= t <= end]
    return round(len(late) * 3600 / (end - middle))


def markdown(result: dict) -> str:
    r = result
    lines = [
        f"## Flood run {r['started_utc']}",
        "",
        f"Command: `{r['command']}`; code {r['code']['commit'][:7]}"
        f"{' (+ changes)' if r['code']['dirty_files'] else ''}; "
        f"{r['config']['workers']} × gunicorn gthread ({r['config']['threads']} threads); "
        f"{r['config']['database']}; load average before {r['machine']['load_average_before']}, "
        f"CPU of other processes during the run {r['cpu']['other_processes_cores']} cores.",
        "",
        "| attacker request | sent (HTTP status) | stored | per hour (second half) |",
        "|---|---|---:|---:|",
    ]
    for what, count in sorted(r["attack"]["sent"].items()):
        kind = what.split(" (")[0]
        stored = len(r["attack"]["stored"].get(kind, [])) if "concern" in kind else 0
        rate = r["attack"]["per_hour"].get(kind, "")
        lines.append(f"| {what} | {count} | {stored} | {rate} |")
    lines += [
        "",
        f"Proof of work asked of the attacker's address: {r['attack']['bits']} bits.",
        "",
        "| honest reporter | every action succeeded | slowest request (s) | send the concern (s) "
        "| proofs of work (bits: s, in Python) |",
        "|---|---|---:|---:|---|",
    ]
    for person in r["honest"]:
        times = [s["seconds"] or 0 for s in person["steps"]]
        send = next((s["seconds"] for s in person["steps"] if s["name"] == "send the concern"), "")
        lines.append(
            f"| {person['label']} | {'yes' if person['ok'] else 'NO: ' + str(person['error'])} "
            f"| {max(times, default=0)} | {send} "
            f"| {', '.join(f'{b}: {s}' for b, s in person['work']) or '-'} |"
        )
    lines += [
        "",
        f"Server CPU {r['cpu']['server_cores']} cores, database {r['cpu']['database_cores']}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-name", default="candour_h5", help="PostgreSQL database to (re)create")
    parser.add_argument("--duration", type=float, default=90.0, help="seconds of flood")
    parser.add_argument(
        "--head-start", type=float, default=15.0, help="flood before the first honest person"
    )
    parser.add_argument("--junk", type=int, default=1, help="attacker connections posting junk")
    parser.add_argument(
        "--receipts", type=int, default=2, help="attacker connections guessing receipts"
    )
    parser.add_argument(
        "--no-js",
        type=int,
        default=2,
        help="attacker connections sending concerns without proof of work",
    )
    parser.add_argument(
        "--attacker-cores",
        type=int,
        default=1,
        help="processes solving the attacker's proofs of work",
    )
    parser.add_argument(
        "--honest",
        type=int,
        default=8,
        help="honest reporters (half behind the attacker's address)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16, help="threads per gthread worker")
    parser.add_argument("--memcached", default="127.0.0.1:11211")
    parser.add_argument("--out", type=Path, default=base.RESULTS)
    args = parser.parse_args(argv)

    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    base.WORK.mkdir(exist_ok=True)
    print(f"Preparing a fresh PostgreSQL database {args.db_name}…", file=sys.stderr)
    env = base.environment(base.fresh_database("postgres", args.db_name))
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "candour.web.config.settings.production",
            "CANDOUR_SPEAKUP_CACHE": f"memcached://{args.memcached}",
            "CANDOUR_CLIENT_ADDRESS_HEADER": "HTTP_X_FORWARDED_FOR",
        }
    )
    base.prepare(env)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("CANDOUR_", "DJANGO_"))})
    import django
    from django.db import connections

    django.setup()
    organisation = base.enrol(ODS, secrets.token_urlsafe(24))
    database = base.database_version("postgres")
    connections.close_all()

    port = base.free_port()
    server_args = argparse.Namespace(
        workers=args.workers, worker_class="gthread", threads=args.threads
    )
    print(f"Flooding {ODS} on 127.0.0.1:{port} for {args.duration:.0f} s…", file=sys.stderr)
    server = base.start_server(server_args, env, port)
    try:
        before = base.CpuSnapshot.take(server.pid, args.db_name)
        t0 = time.monotonic()
        attack, people, elapsed = asyncio.run(flood(args, port))
        cpu = base.CpuSnapshot.take(server.pid, args.db_name).cores_since(before)
    finally:
        base.stop_server(server)

    from candour.web.speakup.models import Case

    stored_cases = Case.objects.count()
    connections.close_all()
    base.drop_database("postgres", args.db_name)
    honest_stored = sum(
        1 for p in people if any(s.name == "send the concern" and s.ok for s in p.steps)
    )
    attacker_stored = sum(len(times) for times in attack.stored.values())
    result = {
        "benchmark": "speak-up forms under a flood from one address (benchmarks/speakup)",
        "command": ".venv/bin/python benchmarks/speakup/bench_flood.py"
        + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:])),
        "started_utc": started.isoformat(timespec="seconds"),
        "machine": {
            **base.machine(load_before, base.calibrate()),
            "load_average_before": load_before,
        },
        "code": base.git_state(),
        "config": {
            "database": database,
            "settings": "candour.web.config.settings.production, unchanged",
            "gunicorn": version("gunicorn"),
            "workers": args.workers,
            "threads": args.threads,
            "organisation": organisation,
            "flood_seconds": round(elapsed, 1),
            "attacker": {
                k: getattr(args, k) for k in ("junk", "receipts", "no_js", "attacker_cores")
            },
        },
        "cpu": cpu,
        "attack": {
            "sent": attack.sent,
            "stored": {k: [round(t - t0, 1) for t in v] for k, v in attack.stored.items()},
            "per_hour": {k: per_hour(v, t0, t0 + args.duration) for k, v in attack.stored.items()},
            "bits": sorted(set(attack.bits_seen)),
            "errors": attack.errors,
        },
        "honest": [{**asdict(p), "ok": p.ok} for p in people],
        "verification": {
            "cases_in_database": stored_cases,
            "attacker_stored": attacker_stored,
            "honest_stored": honest_stored,
            "matches": stored_cases == attacker_stored + honest_stored,
        },
    }
    args.out.mkdir(exist_ok=True)
    stem = args.out / f"flood-{started:%Y%m%dT%H%M%SZ}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    table = markdown(result)
    stem.with_suffix(".md").write_text(table)
    print(table)
    everyone = all(p.ok for p in people)
    if not everyone or not result["verification"]["matches"]:
        print(
            "FAILED: an honest action did not succeed, or the count does not match.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
