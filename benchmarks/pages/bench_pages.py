"""Benchmark: the oversight pages from cold and warm, under gunicorn with the production settings.

One command (from the repository root; see RESULTS.md):

    .venv/bin/python benchmarks/pages/bench_pages.py --label after     # PostgreSQL candour_h11_pages
    .venv/bin/python benchmarks/pages/bench_pages.py --help

What it does:

1. ``--load`` (the first run): makes a fresh PostgreSQL database (``--db-name``), migrates it and
   loads the national bundled data as the deployment guide does (``candour import all``,
   ``candour targets import``) and the demo's SYNTHETIC monthly deaths for one region. Without
   ``--load`` the database is reused as it is (only migrated), so "before" and "after" runs see
   the same data.
2. Runs the daily job's pre-render (``candour charts render``) when this checkout has it, timed;
   with ``--after-daily-job``, then the daily speak-up job (``candour speakup expire``, which
   publishes the day's speak-up counts: a new data version), as the pages are found the morning
   after a day without imports.
3. ``--cold`` times: gunicorn is started afresh (production settings, ``--workers``, with
   ``candour.web.config.gunicorn`` as its configuration when this checkout has it), left
   ``--settle`` seconds so its workers have booted (as after a restart), signed in, then
   each page is fetched once, in the order a person opens them (the organisation page, then every
   chart SVG it links, the region, the measure with its funnel, the national ranking, the API); the
   time of that first request is one "cold" sample. Repeated ``--cold`` times.
4. Warm: after the last cold round, every page is fetched ``--warm`` more times.
5. Prints p50/p95 per page and writes ``results/<label>-<UTC time>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "results"
BIN = Path(sys.executable).parent
PG = "postgres://candour:candour@127.0.0.1:5432"
MEMCACHED = "127.0.0.1:11211"
HOST = "candour.example.nhs.uk"
ORGANISATION = "RJ1"  # Guy's and St Thomas': many measures, so many charts
REGION = "Y56"  # London, RJ1's region
MEASURE = "rtt_18wk"  # a proportion with a funnel
USER, PASSWORD = "bench-regional", secrets.token_urlsafe(16)
SERVER_START_SECONDS = 120


def production_env(db_name: str, var: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CANDOUR_", "DJANGO_"))}
    (var / "speakup-keys").mkdir(mode=0o700, exist_ok=True)
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "candour.web.config.settings.production",
        "CANDOUR_SECRET_KEY": secrets.token_urlsafe(50),
        "CANDOUR_DATABASE_URL": f"{PG}/{db_name}",
        "CANDOUR_ALLOWED_HOSTS": HOST,
        "CANDOUR_RECEIPT_PEPPER": secrets.token_hex(32),
        "CANDOUR_SPEAKUP_KEYSTORE": str(var / "speakup-keys"),
        "CANDOUR_AUDIT_KEY": secrets.token_hex(32),
        "CANDOUR_AUDIT_SIGNING_KEY": secrets.token_hex(32),
        "CANDOUR_AUDIT_CHECKPOINTS": str(var / "audit" / "checkpoints.jsonl"),
        "CANDOUR_SPEAKUP_CACHE": f"memcached://{MEMCACHED}",
        "CANDOUR_CLIENT_ADDRESS_HEADER": "HTTP_X_FORWARDED_FOR",
        "CANDOUR_VAR_DIR": str(var),
    }


def run(command: list[str], env: dict, **kwargs) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=PROJECT, env=env, check=True, **kwargs)
    return time.perf_counter() - started


def manage(env: dict, *args: str) -> float:
    return run([str(BIN / "python"), "manage.py", *args], env)


def candour(env: dict, *args: str) -> float:
    return run([str(BIN / "candour"), *args], env, stdout=subprocess.DEVNULL)


def load(db_name: str, env: dict, work: Path) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{db_name}"')
    manage(env, "migrate", "--no-input", "-v", "0")
    candour(env, "import", "all")
    candour(env, "targets", "import")
    deaths = work / "synthetic_shmi_monthly.csv"
    candour(env, "mortality", "synthetic", str(deaths), "--region", "Y63", "--last-month",
            "2025-06", "--plant", "R0B=Pneumonia", "RTD=Stroke")  # fmt: skip
    candour(env, "import", "shmi_monthly", str(deaths))
    manage(env, "shell", "-c", bench_user_code())  # regional oversight, nationally: owns alerts
    candour(env, "mortality", "run")


def has_chart_store() -> bool:
    return (PROJECT / "src" / "candour" / "web" / "oversight" / "chart_store.py").exists()


def gunicorn_command(port: int, workers: int) -> list[str]:
    command = [str(BIN / "gunicorn"), "candour.web.config.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--timeout", "120"]  # fmt: skip
    if (PROJECT / "src" / "candour" / "web" / "config" / "gunicorn.py").exists():
        command += ["--config", "python:candour.web.config.gunicorn"]
    return command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    """One signed-in browser over plain HTTP, as the proxy passes it (X-Forwarded-Proto: https)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, float]:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{HOST}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, text, elapsed

    def sign_in(self) -> None:
        status, page, _ = self.request("GET", "/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        form = {"csrfmiddlewaretoken": token, "username": USER, "password": PASSWORD}
        status, _, _ = self.request("POST", "/sign-in/", urllib.parse.urlencode(form))
        assert status == 302, f"sign-in failed: {status}"


def wait_until_listening(port: int, server: subprocess.Popen) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < SERVER_START_SECONDS:
        assert server.poll() is None, "gunicorn exited"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return time.perf_counter() - started
        time.sleep(0.05)
    raise TimeoutError("gunicorn did not start")


def chart_links(page: str) -> list[str]:
    return sorted(set(re.findall(r'src="(/[^"]+\.svg)"', page)))


def pages(client: Client) -> list[tuple[str, str]]:
    """(page name, path) in the order a person opens them; the charts of the organisation page."""
    return [
        ("organisation RJ1", f"/organisations/{ORGANISATION}/"),
        ("organisation RJ1: each chart SVG", "charts"),
        (f"region {REGION}", f"/regions/{REGION}/"),
        (f"measure {MEASURE}", f"/measures/{MEASURE}/"),
        (f"funnel {MEASURE}", f"/measures/{MEASURE}/funnel.svg"),
        ("national ranking", "/ranking/"),
        ("API assessments", "/api/assessments/"),
        ("API assessment RJ1", f"/api/assessments/{ORGANISATION}/"),
    ]


def fetch_round(client: Client, samples: dict[str, list[float]], charts: list[str]) -> list[str]:
    """Each page once; returns the organisation page's chart links."""
    for name, path in pages(client):
        if path == "charts":
            for chart in charts:
                status, _, elapsed = client.request("GET", chart)
                assert status == 200, (chart, status)
                samples[name].append(elapsed)
            continue
        status, text, elapsed = client.request("GET", path)
        assert status == 200, (path, status)
        samples[name].append(elapsed)
        if name.startswith("organisation"):
            charts = chart_links(text)
    return charts


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[round(q * 100) - 1]


def summary(samples: dict[str, list[float]]) -> dict[str, dict]:
    return {
        name: {
            "n": len(values),
            "p50_ms": round(1000 * statistics.median(values), 1),
            "p95_ms": round(1000 * percentile(values, 0.95), 1),
            "max_ms": round(1000 * max(values), 1),
        }
        for name, values in samples.items()
        if values
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-name", default="candour_h11_pages")
    parser.add_argument("--load", action="store_true", help="(re)create the database with data")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cold", type=int, default=5, help="fresh gunicorn starts")
    parser.add_argument("--warm", type=int, default=20, help="warm rounds after the last start")
    parser.add_argument("--label", default="run")
    parser.add_argument(
        "--after-daily-job",
        action="store_true",
        help="after the charts are drawn, run the daily speak-up job once (a new data version)",
    )
    parser.add_argument(
        "--settle", type=float, default=10.0, help="seconds between listening and the first request"
    )
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    env = production_env(args.db_name, work)
    timings = {}
    try:
        if args.load:
            timings["load_s"] = round(time_it(lambda: load(args.db_name, env, work)), 1)
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        manage(env, "shell", "-c", bench_user_code())
        if has_chart_store():
            timings["charts_render_s"] = round(candour(env, "charts", "render"), 1)
        if args.after_daily_job:  # as the next morning finds the pages, before any import
            timings["daily_job_s"] = round(candour(env, "speakup", "expire"), 1)
        cold: dict[str, list[float]] = {name: [] for name, _ in pages(Client(0))}
        warm: dict[str, list[float]] = {name: [] for name, _ in pages(Client(0))}
        starts = []
        for round_number in range(args.cold):
            port = free_port()
            log = (work / f"gunicorn-{round_number}.log").open("w")
            server = subprocess.Popen(
                gunicorn_command(port, args.workers), cwd=PROJECT, env=env, stdout=log, stderr=log
            )
            try:
                starts.append(wait_until_listening(port, server))
                time.sleep(args.settle)  # every worker booted (and warmed up, where configured)
                client = Client(port)
                started = time.perf_counter()
                client.sign_in()
                first_request = time.perf_counter() - started
                charts = fetch_round(client, cold, [])
                cold.setdefault("first request (sign-in)", []).append(first_request)
                if round_number == args.cold - 1:
                    for _ in range(args.warm):
                        fetch_round(client, warm, charts)
            finally:
                server.terminate()
                server.wait(30)
                log.close()
        report = {
            "label": args.label,
            "commit": subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True
            ).stdout.strip(),
            "chart_store": has_chart_store(),
            "workers": args.workers,
            "after_daily_job": args.after_daily_job,
            "cold_rounds": args.cold,
            "warm_rounds": args.warm,
            "charts_on_page": len(charts),
            "gunicorn_listening_s": round(statistics.median(starts), 2),
            "load_average": os.getloadavg(),
            "cpus": os.cpu_count(),
            **timings,
            "cold": summary(cold),
            "warm": summary(warm),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write(report)
    return 0


def time_it(step) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def bench_user_code() -> str:
    return (
        "from candour.web.core import actions; from candour.web.core.models import User\n"
        f"u = User.objects.filter(username={USER!r}).first()\n"
        f"actions.set_password(user=u, password={PASSWORD!r}, by='system:bench') if u else "
        f"actions.create_user(username={USER!r}, password={PASSWORD!r}, roles=['regional'], "
        "organisation_code='', by='system:bench')"
    )


def write(report: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    stem = RESULTS / f"{report['label']}-{stamp}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        f"# {report['label']} ({report['commit']}, chart store: {report['chart_store']})",
        "",
        f"{report['workers']} workers; {report['cold_rounds']} cold starts, {report['warm_rounds']}"
        f" warm rounds; {report['charts_on_page']} chart SVGs on the organisation page; load "
        f"average {report['load_average']}",
        "",
        "| page | cold p50 (ms) | cold p95 (ms) | warm p50 (ms) | warm p95 (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, cold in report["cold"].items():
        warm = report["warm"].get(name, {})
        lines.append(
            f"| {name} | {cold['p50_ms']} | {cold['p95_ms']} | {warm.get('p50_ms', '-')} | "
            f"{warm.get('p95_ms', '-')} |"
        )
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
