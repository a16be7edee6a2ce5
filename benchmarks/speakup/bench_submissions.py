"""Benchmark: anonymous speak-up submissions through the real web form, on a real server.

One command (from the repository root; see RESULTS.md):

    .venv/bin/python benchmarks/speakup/bench_submissions.py            # PostgreSQL, 3,000 submissions
    .venv/bin/python benchmarks/speakup/bench_submissions.py --database sqlite

What it does:

1. Makes a fresh database (PostgreSQL ``candour_bench`` on 127.0.0.1:5432, started and given the
   ``candour`` role the way ``scripts/test.sh`` does if needed; or a new SQLite file), migrates
   it, collects the static files the production settings need, and imports only the ODS trusts
   (``candour import ods_trusts``).
2. Creates one user and enrols them as the guardian of one organisation
   (``candour.web.speakup.actions.enrol_guardian``: Argon2id-wrapped key pair, as in production).
3. Starts gunicorn on 127.0.0.1 with the production settings (``bench_settings.py``: production
   with the submit rate limits raised, see its docstring) and N worker processes. The clients
   send ``X-Forwarded-Proto: https`` as the TLS-terminating proxy in front of it would, so
   the production HTTPS rules (redirect, Secure cookies, CSRF origin check) apply; TLS itself is
   not measured.
4. Drives ``--clients`` concurrent clients (a lean asyncio HTTP/1.1 client in this process, no
   JavaScript, like the form). Each submission is a new anonymous person with an empty cookie
   jar: GET the raise form (CSRF cookie and token), POST a concern with a unique narrative as
   multipart form data (the browser's encoding for this form, with the empty file field), and
   follow the redirect to the receipt page and read the receipt: what one click on "Send
   concern" costs (``--flow submit``, the default). ``--flow full`` goes on as the reporter
   does once they have saved the receipt: confirm its last four characters and open the case
   page that redirects to. A submission counts as stored when the POST answers with the
   redirect to the receipt page: the case is committed by then. The run stops after
   ``--submissions`` or ``--duration`` seconds, whichever comes first, after ``--warmup``
   unmeasured submissions.
5. Stops the server and checks that none was lost: the cases in the database are exactly the
   stored submissions; every case opens with the guardian's key pair (unlocked with their
   password) and its narrative is the one sent; every receipt shown to a client finds its case
   and opens it with the reporter's receipt-derived key; the audit chain verifies, and the day's
   count of concerns raised online (``ReporterActivity``, audited once the day is over) equals
   the cases.
6. Writes ``results/submissions-<UTC time>.json`` and ``.md`` beside this file and prints the
   Markdown table: throughput, p50/p95/p99 latency per step, errors, lost, the server and
   client configuration, and the CPU used by the server, the database and the load generator.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import html.parser
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WORK = HERE / "work"  # git-ignored: static files, keystore, SQLite file, server log
RESULTS = HERE / "results"
BIN = Path(sys.executable).parent
PG_ADMIN_URL = "postgres://candour:candour@127.0.0.1:5432/postgres"
PG_URL = "postgres://candour:candour@127.0.0.1:5432/{name}"
SETTINGS = "bench_settings"
GUARDIAN = "bench-guardian"
DEFAULT_ODS = "RRK"  # University Hospitals Birmingham NHS Foundation Trust
REQUEST_TIMEOUT = 60.0
IDLE_REOPEN = 1.0  # seconds: reopen a kept-alive connection idle longer (never resend a POST)
SEED = 20260101
GOAL_PER_SECOND = 100
GLOBALEAKS_PER_SECOND = 1  # cited (CRYPTO.md): two 1.04 s, 128 MiB Argon2 calls per submission
CSRF_RE = re.compile(rb'name="reporter_token" value="([^"]+)"')  # the reporter form's token
RECEIPT_RE = re.compile(rb'id="receipt">([^<]+)<')
STEPS = ("get_form", "post_concern", "get_receipt", "post_confirm", "get_case")
CONTENDED_CORES = 0.15  # other processes' CPU above which a run measured its neighbours too

PARAGRAPHS = [
    "On the night shift the ward had two registered nurses for twenty-eight patients, several of "
    "them on hourly observations. Observations were missed between 02:00 and 05:00 and one "
    "deteriorating patient was not escalated until the morning handover.",
    "Staff have been told not to complete incident reports about delayed discharges because it "
    "makes the department look bad. Patients are waiting on trolleys in the corridor for more than "
    "twelve hours and nobody records it.",
    "The controlled drugs cupboard key is regularly left on the desk at the nurses' station and "
    "the register has not been checked at shift change for several weeks.",
    "A senior colleague shouts at junior doctors in front of patients and relatives. People are "
    "afraid to ask for help at night, and two trainees have said they will not come back.",
    "Equipment checks on the resuscitation trolley have not been signed for most of this month, "
    "and the defibrillator pads on the trolley in bay C were past their expiry date.",
    "When I raised this with my manager I was told it was not my place and that I should think "
    "about my career. Since then I have been moved to shifts nobody else wants.",
    "Agency staff are being asked to give intravenous medicines without the trust's competency "
    "sign-off because there is nobody else on the unit who can do it.",
    "Discharge letters are going out without the medication changes on them; community teams "
    "have contacted us twice this week about patients who were readmitted.",
]
LOCATIONS = ["", "", "Ward 7", "Emergency department", "Theatres, main site", "Maternity unit"]


# ------------------------------------------------------------------------------ setting up


def run(command: list[str], env: dict[str, str], what: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - start


def as_root(command: list[str]) -> list[str]:
    return command if os.geteuid() == 0 else ["sudo", *command]


def ensure_postgres() -> None:
    """PostgreSQL on 127.0.0.1:5432 with the ``candour`` role (as scripts/test.sh makes it)."""
    ready = ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]
    if shutil.which("pg_isready") is None or subprocess.run(ready, check=False).returncode != 0:
        if not list(Path("/usr/lib/postgresql").glob("*/bin/postgres")):
            print("Installing Debian's postgresql…", file=sys.stderr)
            subprocess.run(as_root(["apt-get", "update", "-qq"]), check=True)
            subprocess.run(
                as_root(["apt-get", "install", "-y", "-qq", "postgresql"]),
                check=True,
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                stdout=subprocess.DEVNULL,
            )
        pg_version = sorted(
            (p.name for p in Path("/usr/lib/postgresql").iterdir()), key=lambda v: int(v)
        )[-1]
        clusters = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
        if not any(line.split()[:2] == [pg_version, "main"] for line in clusters.splitlines()):
            subprocess.run(as_root(["pg_createcluster", pg_version, "main"]), check=True)
        subprocess.run(as_root(["pg_ctlcluster", pg_version, "main", "start"]), check=False)
        for _ in range(30):
            if subprocess.run(ready, check=False).returncode == 0:
                break
            time.sleep(1)
    role = (
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'candour') THEN "
        "CREATE ROLE candour LOGIN PASSWORD 'candour' CREATEDB; END IF; END $$;"
    )
    subprocess.run(
        as_root(["su", "postgres", "-c", "psql -q -v ON_ERROR_STOP=1"]),
        input=role,
        text=True,
        check=True,
        capture_output=True,
    )


def fresh_database(kind: str, name: str) -> str:
    """The URL of a new, empty database."""
    if kind == "sqlite":
        path = WORK / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    ensure_postgres()
    import psycopg

    _drop_postgres(name)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return PG_URL.format(name=name)


def _drop_postgres(name: str) -> None:
    """Drop the database; retried, because an autovacuum worker (which the ``candour`` role may
    not terminate) can hold it for a moment after a run."""
    import psycopg

    for attempt in range(20):
        try:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege:
            if attempt == 19:
                raise
            time.sleep(1)


def drop_database(kind: str, name: str) -> None:
    if kind == "postgres":
        _drop_postgres(name)


def environment(database_url: str) -> dict[str, str]:
    """What the production settings require, set for this run only (fresh secrets each run)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT / "src")]),
        "CANDOUR_SECRET_KEY": secrets.token_urlsafe(50),
        "CANDOUR_RECEIPT_PEPPER": secrets.token_hex(32),
        "CANDOUR_AUDIT_KEY": secrets.token_hex(32),
        "CANDOUR_DATABASE_URL": database_url,
        "CANDOUR_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CANDOUR_VAR_DIR": str(WORK / "var"),
        "CANDOUR_SPEAKUP_KEYSTORE": str(WORK / "speakup-keys"),
        # reporters' sessions live server-side in this cache: shared by the worker processes, as
        # production requires with more than one (memcached on 127.0.0.1, as scripts/test.sh runs)
        "CANDOUR_SPEAKUP_CACHE": os.environ.get(
            "CANDOUR_SPEAKUP_CACHE", "memcached://127.0.0.1:11211"
        ),
    }


def prepare(env: dict[str, str]) -> dict[str, float]:
    """Migrate, collect static files (the production manifest storage needs them), import ODS."""
    shutil.rmtree(WORK / "speakup-keys", ignore_errors=True)  # a fresh key store per database
    (WORK / "speakup-keys").mkdir(parents=True, mode=0o700)
    manage = [sys.executable, "manage.py"]
    seconds = {"migrate": run([*manage, "migrate", "--no-input", "-v", "0"], env, "migrate")}
    seconds["collectstatic"] = run(
        [*manage, "collectstatic", "--no-input", "-v", "0"], env, "collectstatic"
    )
    seconds["import_ods_trusts"] = run(
        [str(BIN / "candour"), "import", "ods_trusts"], env, "candour import ods_trusts"
    )
    return seconds


def enrol(ods: str, password: str) -> dict:
    """One guardian for one open organisation, through the app's own actions."""
    from candour.web.core.actions import create_user
    from candour.web.speakup import actions
    from candour.web.speakup.views.reporter import open_organisations

    organisation = open_organisations().filter(pk=ods).first() or (
        open_organisations().order_by("pk").first()
    )
    user = create_user(username=GUARDIAN, password=password, roles=[], by="system:bench")
    actions.enrol_guardian(
        user=user, password=password, organisation_code=organisation.pk, by="system:bench"
    )
    return {"ods_code": organisation.pk, "name": organisation.name, "guardian_id": user.pk}


# ------------------------------------------------------------------------------ the server


def start_server(args, env: dict[str, str], port: int) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "candour.web.config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.threads),
        "--backlog",
        "2048",
        "--keep-alive",
        "5",
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    log = (WORK / "gunicorn.log").open("w")
    server = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/speak-up/", headers={"X-Forwarded-Proto": "https"}
    )
    for _ in range(120):
        if server.poll() is not None:
            sys.exit(f"gunicorn exited:\n{(WORK / 'gunicorn.log').read_text()}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    sys.exit(f"gunicorn did not answer 200:\n{(WORK / 'gunicorn.log').read_text()[-5000:]}")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)  # graceful: workers finish the request in hand
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def start_profiler(path: Path, server_pid: int) -> subprocess.Popen:
    command = [str(BIN / "py-spy"), "record", "--pid", str(server_pid), "--subprocesses"]
    command += ["--nonblocking", "--rate", "50", "--format", "raw", "--output", str(path)]
    profiler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # let it attach
    return profiler


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------------------ CPU accounting

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
    return pids


def _postgres_pids(database: str) -> list[int]:
    """The PostgreSQL backends serving ``database`` (not other databases' on a shared server)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                if title.startswith("postgres:") and f" {database} " in title:
                    pids.append(int(entry.name))
    return pids


def _machine() -> tuple[float, float, float]:
    """(busy, total, stolen) CPU seconds of the whole machine since boot; stolen is the time
    the hypervisor gave this virtual machine's CPUs to others (counted in busy)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK, values[7] / TICK


@dataclass
class CpuSnapshot:
    at: float
    server: dict[int, float]
    database: dict[int, float]
    client: float
    machine: tuple[float, float, float]

    @classmethod
    def take(cls, server_pid: int, database: str) -> CpuSnapshot:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return cls(
            at=time.perf_counter(),
            server={pid: _cpu_of(pid) for pid in _tree(server_pid)},
            database={pid: _cpu_of(pid) for pid in _postgres_pids(database)},
            client=usage.ru_utime + usage.ru_stime,
            machine=_machine(),
        )

    def cores_since(self, before: CpuSnapshot) -> dict[str, float]:
        wall = self.at - before.at

        def delta(after: dict[int, float], earlier: dict[int, float]) -> float:
            return sum(value - earlier.get(pid, 0.0) for pid, value in after.items())

        busy = self.machine[0] - before.machine[0]
        total = self.machine[1] - before.machine[1]
        cores = {
            "server_cores": delta(self.server, before.server) / wall,
            "database_cores": delta(self.database, before.database) / wall,
            "load_generator_cores": (self.client - before.client) / wall,
        }
        machine_cores = busy / total * (os.cpu_count() or 1) if total else 0.0
        cores["other_processes_cores"] = max(0.0, machine_cores - sum(cores.values()))
        cores = {name: round(value, 2) for name, value in cores.items()}
        cores["machine_busy_fraction"] = round(busy / total, 3) if total else None
        stolen = self.machine[2] - before.machine[2]
        cores["stolen_fraction"] = round(stolen / total, 3) if total else None
        return cores


# ------------------------------------------------------------------------------ the clients


class HttpError(Exception):
    pass


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)


class Connection:
    """One HTTP/1.1 connection, kept alive while the server allows it."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_used = 0.0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: list[tuple[str, str]], body=b""):
        if self.writer is not None and time.monotonic() - self.last_used > IDLE_REOPEN:
            await self.close()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        try:
            response = await asyncio.wait_for(self._read(), REQUEST_TIMEOUT)
        except BaseException:
            await self.close()
            raise
        self.last_used = time.monotonic()
        if (response.header("connection") or "").lower() == "close":
            await self.close()
        return response

    async def _read(self) -> Response:
        assert self.reader is not None
        status_line = await self.reader.readline()
        if not status_line:
            raise HttpError("connection closed before a response")
        status = int(status_line.split()[1])
        headers = []
        while (line := await self.reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip().lower(), value.strip()))
        response = Response(status, headers, b"")
        if (response.header("transfer-encoding") or "").lower() == "chunked":
            chunks = []
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readline()
            await self.reader.readline()
            response.body = b"".join(chunks)
        elif (length := response.header("content-length")) is not None:
            response.body = await self.reader.readexactly(int(length))
        else:
            response.body = await self.reader.read()
            await self.close()
        return response


class FormChoices(html.parser.HTMLParser):
    """The values the raise form offers for each radio, checkbox and select field."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") in ("radio", "checkbox"):
            self.values.setdefault(attributes["name"], []).append(attributes["value"])
        elif tag == "select":
            self._select = attributes.get("name")
        elif tag == "option" and self._select and attributes.get("value"):
            self.values.setdefault(self._select, []).append(attributes["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


@dataclass
class Submission:
    number: int
    narrative: str
    measured: bool
    stored: bool = False
    receipt: str | None = None
    completed: bool = False  # every step of the flow answered as expected
    error: str | None = None


@dataclass
class Load:
    port: int
    ods: str
    choices: dict[str, list[str]]
    run_id: str
    full_flow: bool
    submissions: list[Submission] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    next_number: int = 0

    def concern(self, number: int, rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
        """A realistic anonymous concern with a unique narrative, as the browser sends it."""
        tag = f"[{self.run_id} #{number:06d}]"
        narrative = "\r\n\r\n".join([tag, *rng.sample(PARAGRAPHS, rng.randint(2, 4))])
        categories = [c for c in self.choices["categories"] if c != "discrimination"]
        fields = [("route", "anonymous"), ("identity", "")]
        fields += [("categories", c) for c in rng.sample(categories, rng.randint(1, 2))]
        fields += [("protected_characteristic", ""), ("narrative", narrative)]
        fields.append(("location", rng.choice(LOCATIONS)))
        if rng.random() < 0.5:
            day = dt.date.today() - dt.timedelta(days=rng.randint(1, 300))
            fields += [("happened_day", str(day.day)), ("happened_month", str(day.month))]
            fields.append(("happened_year", str(day.year)))
        else:
            fields += [("happened_day", ""), ("happened_month", ""), ("happened_year", "")]
        for name in ("professional_group", "raised_before", "detriment_at_intake"):
            fields.append((name, rng.choice(self.choices[name])))
        return narrative, fields


def multipart(fields: list[tuple[str, str]], token: str) -> tuple[str, bytes]:
    boundary = "----candourbench" + secrets.token_hex(12)
    parts = [("reporter_token", token), *fields]
    body = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in parts
    )
    body += (  # the empty file input, as browsers send it
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachment"; filename=""\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n\r\n--{boundary}--\r\n"
    )
    return f"multipart/form-data; boundary={boundary}", body.encode("utf-8")


class Browser:
    """One anonymous person's cookie jar over a client's connection."""

    def __init__(self, load: Load, connection: Connection):
        self.load, self.connection, self.cookies = load, connection, {}
        self.origin = f"https://127.0.0.1:{load.port}"

    async def send(self, step: str, method: str, path: str, body=b"", content_type=None):
        headers = [
            ("User-Agent", "candour-bench/1"),
            ("Accept", "text/html"),
            ("X-Forwarded-Proto", "https"),  # what the TLS-terminating proxy adds
        ]
        if self.cookies:
            headers.append(("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())))
        if method == "POST":
            headers += [("Origin", self.origin), ("Referer", self.origin + path)]
            headers.append(("Content-Type", content_type))
        start = time.perf_counter()
        response = await self.connection.request(method, path, headers, body)
        self.load.latencies.setdefault(step, []).append(time.perf_counter() - start)
        remember_cookies(self.cookies, response)
        return response


def remember_cookies(cookies: dict[str, str], response: Response) -> None:
    """Keep what the response's Set-Cookie headers set, and forget what they delete."""
    for name, value in response.headers:
        if name == "set-cookie":
            pair, _, attributes = value.partition(";")
            key, _, cookie = pair.partition("=")
            if "max-age=0" in attributes.lower() or not cookie.strip('"'):
                cookies.pop(key.strip(), None)
            else:
                cookies[key.strip()] = cookie


def _expect(response: Response, status: int, location: str | None, step: str) -> None:
    if response.status != status or (
        location is not None and not (response.header("location") or "").startswith(location)
    ):
        raise HttpError(f"{step}: HTTP {response.status} {response.header('location') or ''}")


async def one_submission(load: Load, connection: Connection, number: int, rng, measured: bool):
    narrative, fields = load.concern(number, rng)
    submission = Submission(number, narrative, measured)
    load.submissions.append(submission)
    browser = Browser(load, connection)
    raise_path = f"/speak-up/raise/{load.ods}/"
    flow_start = time.perf_counter()
    try:
        form = await browser.send("get_form", "GET", raise_path)
        _expect(form, 200, None, "get_form")
        token = CSRF_RE.search(form.body).group(1).decode()
        content_type, body = multipart(fields, token)
        posted = await browser.send("post_concern", "POST", raise_path, body, content_type)
        _expect(posted, 302, "/speak-up/receipt/", "post_concern")
        submission.stored = True
        page = await browser.send("get_receipt", "GET", posted.header("location"))
        _expect(page, 200, None, "get_receipt")
        submission.receipt = RECEIPT_RE.search(page.body).group(1).decode().strip()
        if load.full_flow:
            token = CSRF_RE.search(page.body).group(1).decode()
            confirm = f"reporter_token={token}&last_group={submission.receipt[-4:]}"
            confirmed = await browser.send(
                "post_confirm",
                "POST",
                "/speak-up/receipt/",
                confirm.encode(),
                "application/x-www-form-urlencoded",
            )
            _expect(confirmed, 302, "/speak-up/follow-up/case/", "post_confirm")
            case_page = await browser.send("get_case", "GET", confirmed.header("location"))
            _expect(case_page, 200, None, "get_case")
        submission.completed = True
        load.latencies.setdefault("flow", []).append(time.perf_counter() - flow_start)
    except (TimeoutError, HttpError, OSError, AttributeError, ValueError) as exc:
        submission.error = f"{type(exc).__name__}: {exc}"[:200]
        load.errors[submission.error[:80]] += 1


async def drive(load: Load, clients: int, count: int, seconds: float, measured: bool) -> float:
    """``clients`` concurrent clients until ``count`` submissions are made or time is up."""
    deadline = time.perf_counter() + seconds
    last = load.next_number + count

    async def client(index: int) -> None:
        rng = random.Random(SEED * 1000 + load.next_number + index)
        connection = Connection(load.port)
        try:
            while load.next_number < last and time.perf_counter() < deadline:
                number = load.next_number
                load.next_number += 1
                await one_submission(load, connection, number, rng, measured)
        finally:
            await connection.close()

    start = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return time.perf_counter() - start


async def form_choices(port: int, ods: str) -> dict[str, list[str]]:
    connection = Connection(port)
    try:
        response = await connection.request(
            "GET", f"/speak-up/raise/{ods}/", [("X-Forwarded-Proto", "https")]
        )
    finally:
        await connection.close()
    if response.status != 200:
        sys.exit(f"the raise form answered HTTP {response.status}")
    parser = FormChoices()
    parser.feed(response.body.decode())
    return parser.values


# ------------------------------------------------------------------------------ checking


def verify(load: Load, guardian_password: str) -> dict:
    """Every stored submission is in the database, once, and opens for the guardian (and, with
    its receipt, for the reporter) with the narrative that was sent."""
    from candour import crypto
    from candour.web.core.audit_verify import verify as verify_audit_chain
    from candour.web.speakup import vault
    from candour.web.speakup.models import Case, GuardianKeys, ReporterActivity

    keys = GuardianKeys.objects.select_related("user").get(user__username=GUARDIAN)
    keypair = crypto.unlock_with_password(vault.keyring_of(keys), guardian_password)
    sent = {s.narrative.split("\r\n", 1)[0]: s for s in load.submissions}
    found: Counter = Counter()
    wrong_text = unopened = 0
    cases = Case.objects.filter(organisation_id=load.ods).order_by("pk")
    for case in cases.iterator(chunk_size=500):
        try:
            narrative = vault.open_for(case, keypair, guardian_id=keys.user_id).narrative
        except (vault.NoAccess, crypto.DecryptionError):
            unopened += 1
            continue
        tag = narrative.split("\r\n", 1)[0]
        found[tag] += 1
        if tag not in sent or sent[tag].narrative != narrative:
            wrong_text += 1
    stored = {tag for tag, s in sent.items() if s.stored}
    receipts_checked = receipts_failed = 0
    for submission in load.submissions:
        if submission.receipt is None:
            continue
        receipts_checked += 1
        receipt = crypto.parse_receipt(submission.receipt)
        case = Case.objects.filter(receipt_lookup=vault.receipt_lookup(receipt)).first()
        try:
            reporter = vault.reporter_keypair(vault.reporter_seed(receipt))
            ok = case is not None and (
                vault.open_for(case, reporter, guardian_id=None).narrative == submission.narrative
            )
        except (vault.NoAccess, crypto.DecryptionError):
            ok = False
        receipts_failed += not ok
    chain = verify_audit_chain()
    received = sum(
        ReporterActivity.objects.filter(kind=ReporterActivity.Kind.CONCERN).values_list(
            "count", flat=True
        )
    )
    total_cases = cases.count()
    result = {
        "successful_submissions": len(stored),
        "cases_in_database": total_cases,
        "cases_opened_by_guardian": total_cases - unopened,
        "cases_not_opened": unopened,
        "narrative_mismatches": wrong_text,
        "lost": len(stored - set(found)),
        "duplicated": sum(1 for n in found.values() if n > 1),
        "stored_without_success_response": len(set(found) - stored),
        "receipts_checked": receipts_checked,
        "receipts_failed": receipts_failed,
        "audit_chain_ok": chain.ok,
        "audit_events_checked": chain.checked,
        "concerns_counted": received,
    }
    result["zero_lost"] = (
        result["lost"] == 0
        and total_cases == len(stored)
        and unopened == 0
        and wrong_text == 0
        and result["duplicated"] == 0
        and receipts_failed == 0
        and chain.ok
        and received == total_cases
    )
    return result


# ------------------------------------------------------------------------------ reporting


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_table(latencies: dict[str, list[float]]) -> dict[str, dict]:
    table = {}
    for step in (*STEPS, "flow"):
        values = latencies.get(step)
        if values:
            table[step] = {"count": len(values)} | {
                f"p{p}_ms": round(percentile(values, p) * 1000, 1) for p in (50, 95, 99)
            }
            table[step]["max_ms"] = round(max(values) * 1000, 1)
    return table


def git_state() -> dict:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "dirty_files": len(git("status", "--short").splitlines()),
    }


def calibrate() -> float:
    """Milliseconds of CPU for a fixed pure-Python loop (best of 5): how fast one core of this
    machine is right now, to compare runs made on different days or machines."""
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        sum(i * i for i in range(1_000_000))
        best = min(best, time.process_time() - start)
    return round(best * 1000, 1)


def machine(load_average_before: tuple[float, float, float], calibration_ms: float) -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_before": load_average_before,
        "calibration_ms": calibration_ms,
    }


def database_version(kind: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if kind == "sqlite" else "SHOW server_version")
        return f"{kind} {cursor.fetchone()[0]}"


def markdown(result: dict) -> str:
    r, v, c = result["results"], result["verification"], result["config"]
    cpu = r["cpu"]
    lines = [
        f"Run {result['started_utc']} on {result['machine']['cores']} cores "
        f"({result['machine']['cpu']}), {c['database']}; gunicorn {c['gunicorn']} "
        f"{c['workers']} × {c['worker_class']} worker(s), {c['threads']} thread(s) each; "
        f"{c['clients']} clients, {c['flow']} flow, {c['warmup']} warm-up submissions.",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| submissions stored (measured) | {r['stored']:,} of {r['attempted']:,} attempted |",
        f"| elapsed | {r['elapsed_s']:.1f} s |",
        f"| **throughput** | **{r['submissions_per_s']:.1f} submissions/s** |",
        f"| {c['flow']} flows completed | {r['flows_completed']:,} ({r['flows_per_s']:.1f}/s) |",
        f"| POST concern p50 / p95 / p99 | {_ms(r, 'post_concern')} |",
        f"| whole {c['flow']} flow p50 / p95 / p99 | {_ms(r, 'flow')} |",
        f"| errors | {r['errors']} |",
        f"| lost (stored but missing or unreadable) | {v['lost']} |",
        f"| cases in database / successful submissions | {v['cases_in_database']:,} / "
        f"{v['successful_submissions']:,} |",
        f"| every case opened by the guardian, narrative equal | "
        f"{'yes' if v['cases_not_opened'] == 0 and v['narrative_mismatches'] == 0 else 'NO'} |",
        f"| receipts that open their case (reporter key) | "
        f"{v['receipts_checked'] - v['receipts_failed']:,} of {v['receipts_checked']:,} |",
        f"| audit chain intact / concerns counted for the day | "
        f"{'yes' if v['audit_chain_ok'] else 'NO'} / {v['concerns_counted']:,} |",
        f"| **zero lost** | **{'yes' if v['zero_lost'] else 'NO'}** |",
        f"| CPU: server / database / load generator (cores) | {cpu['server_cores']} / "
        f"{cpu['database_cores']} / {cpu['load_generator_cores']} |",
        f"| CPU: other processes on the machine (cores) | {cpu['other_processes_cores']} |",
        f"| machine busy (of which stolen by the hypervisor) | "
        f"{cpu['machine_busy_fraction']:.0%} ({cpu['stolen_fraction']:.0%}) |",
        f"| CPU calibration (fixed Python loop, lower is faster) | "
        f"{result['machine']['calibration_ms']} ms |",
        "",
        "| step | count | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for step, row in r["latency"].items():
        lines.append(
            f"| {step} | {row['count']:,} | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['p99_ms']} | {row['max_ms']} |"
        )
    if cpu["other_processes_cores"] > CONTENDED_CORES:
        lines += [
            "",
            f"**Contended run**: other processes used {cpu['other_processes_cores']} cores "
            "during it; the figures measure the neighbours too. Run again on an idle machine.",
        ]
    return "\n".join(lines) + "\n"


def _ms(results: dict, step: str) -> str:
    row = results["latency"].get(step)
    return f"{row['p50_ms']} / {row['p95_ms']} / {row['p99_ms']} ms" if row else "n/a"


# ------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--db-name", default="candour_bench", help="database to (re)create")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument("--submissions", type=int, default=3000, help="measured submissions")
    parser.add_argument("--duration", type=float, default=120.0, help="time limit, seconds")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured submissions first")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--flow", choices=("submit", "full"), default="submit")
    parser.add_argument("--workers", type=int, default=2 * cores, help="gunicorn processes")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--ods", default=DEFAULT_ODS, help="the organisation raised against")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON and table go")
    parser.add_argument(
        "--profile",
        type=Path,
        help="sample the server with py-spy (pip install py-spy) during the measured run and "
        "write its collapsed stacks here (the sampling costs CPU: not for the headline runs)",
    )
    args = parser.parse_args(argv)

    started = dt.datetime.now(dt.UTC)
    load_average_before = os.getloadavg()
    calibration_ms = calibrate()
    WORK.mkdir(exist_ok=True)
    print(f"Preparing a fresh {args.database} database…", file=sys.stderr)
    database_url = fresh_database(args.database, args.db_name)
    env = environment(database_url)
    setup_seconds = prepare(env)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("CANDOUR_", "DJANGO_"))})
    sys.path[:0] = [str(HERE), str(ROOT / "src")]
    import django
    from django.db import connections

    django.setup()
    password = secrets.token_urlsafe(24)
    organisation = enrol(args.ods.upper(), password)
    db_version = database_version(args.database)
    connections.close_all()

    port = free_port()
    print(
        f"Serving on 127.0.0.1:{port}: gunicorn, {args.workers} × {args.worker_class} "
        f"({args.threads} thread(s)); raising concerns at {organisation['ods_code']}…",
        file=sys.stderr,
    )
    server = start_server(args, env, port)
    try:
        choices = asyncio.run(form_choices(port, organisation["ods_code"]))
        load = Load(
            port=port,
            ods=organisation["ods_code"],
            choices=choices,
            run_id=f"bench-{started:%Y%m%dT%H%M%S}",
            full_flow=args.flow == "full",
        )
        if args.warmup:
            asyncio.run(drive(load, args.clients, args.warmup, args.duration, measured=False))
        load.latencies.clear()
        load.errors.clear()
        database_name = args.db_name if args.database == "postgres" else "-"
        profiler = start_profiler(args.profile, server.pid) if args.profile else None
        before = CpuSnapshot.take(server.pid, database_name)
        elapsed = asyncio.run(
            drive(load, args.clients, args.submissions, args.duration, measured=True)
        )
        cpu = CpuSnapshot.take(server.pid, database_name).cores_since(before)
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
        load_average = os.getloadavg()
    finally:
        stop_server(server)

    print("Checking every submission…", file=sys.stderr)
    verification = verify(load, password)
    connections.close_all()
    if not args.keep_db:
        drop_database(args.database, args.db_name)

    measured = [s for s in load.submissions if s.measured]
    stored = sum(s.stored for s in measured)
    flows = sum(s.completed for s in measured)
    result = {
        "benchmark": "speak-up submissions through the web form (benchmarks/speakup)",
        "command": " ".join([".venv/bin/python", "benchmarks/speakup/bench_submissions.py"])
        + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:])),
        "started_utc": started.isoformat(timespec="seconds"),
        "machine": machine(load_average_before, calibration_ms),
        "code": git_state(),
        "config": {
            "database": db_version,
            "server": "gunicorn candour.web.config.wsgi:application (bench_settings: production, "
            "submit rate limits raised), behind no proxy; clients send X-Forwarded-Proto: https",
            "gunicorn": version("gunicorn"),
            "django": version("django"),
            "workers": args.workers,
            "worker_class": args.worker_class,
            "threads": args.threads,
            "clients": args.clients,
            "flow": args.flow,
            "submission_limit": args.submissions,
            "time_limit_s": args.duration,
            "warmup": args.warmup,
            "organisation": organisation,
            "guardians_per_case": 1,
            "attachments": "none (empty file field)",
        },
        "setup_seconds": {k: round(v, 1) for k, v in setup_seconds.items()},
        "results": {
            "attempted": len(measured),
            "stored": stored,
            "flows_completed": flows,
            "elapsed_s": round(elapsed, 2),
            "submissions_per_s": round(stored / elapsed, 1),
            "flows_per_s": round(flows / elapsed, 1),
            "errors": sum(1 for s in measured if s.error),
            "error_kinds": dict(load.errors.most_common(10)),
            "latency": latency_table(load.latencies),
            "cpu": cpu,
            "load_average_after": load_average,
        },
        "contended": cpu["other_processes_cores"] > CONTENDED_CORES,
        "verification": verification,
        "goal": {
            "submissions_per_s": GOAL_PER_SECOND,
            "met": stored / elapsed >= GOAL_PER_SECOND and verification["zero_lost"],
        },
        "globaleaks_cited_submissions_per_s": GLOBALEAKS_PER_SECOND,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"submissions-{started:%Y%m%dT%H%M%SZ}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    table = markdown(result)
    stem.with_suffix(".md").write_text(table)
    print(table)
    print(f"Written {stem}.json and .md", file=sys.stderr)
    return 0 if verification["zero_lost"] else 1


if __name__ == "__main__":
    sys.exit(main())
