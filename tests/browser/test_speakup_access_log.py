"""Nothing in any log (issue 14, finding 2): the reporter's whole flow runs in a real browser
against gunicorn, with the production settings and gunicorn's access log on, served with
:class:`candour.web.speakup.accesslog.AccessLogWithoutReporters`. No line of the log names a
speak-up path, and no line comes from a reporter page (no ``Referer`` naming one); the lines
that are written (static files, the sign-in page) show the log was on.

Slow (about a minute): a fresh SQLite database is migrated and loaded for the server."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "correct-horse-battery-staple"
# gunicorn's default access-log format: ... "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"
WORK_TIMEOUT_MS = 60_000  # a shared, busy machine: 2 ** 18 hashes can take a while
LINE = re.compile(r'"(?P<request>[^"]*)" (?P<status>\d{3}) \S+ "(?P<referer>[^"]*)" "[^"]*"$')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command, env):
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn on a free port: production settings, a fresh database, one guardian at R0B."""
    work = tmp_path_factory.mktemp("access-log")
    keys = work / "keys"
    keys.mkdir(mode=0o700)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "candour.web.config.settings.production",
        "CANDOUR_SECRET_KEY": secrets.token_urlsafe(50),
        "CANDOUR_RECEIPT_PEPPER": secrets.token_hex(32),
        "CANDOUR_AUDIT_KEY": secrets.token_hex(32),
        "CANDOUR_AUDIT_SIGNING_KEY": secrets.token_hex(32),
        "CANDOUR_AUDIT_CHECKPOINTS": str(work / "audit" / "checkpoints.jsonl"),
        "CANDOUR_DATABASE_URL": f"sqlite:///{work / 'candour.sqlite3'}",
        "CANDOUR_ALLOWED_HOSTS": "127.0.0.1",
        "CANDOUR_VAR_DIR": str(work),
        "CANDOUR_SPEAKUP_KEYSTORE": str(keys),
    }
    env.pop("CANDOUR_SPEAKUP_CACHE", None)  # one worker: local memory is enough
    run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], env)
    run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], env)
    run([str(BIN / "candour"), "import", "ods_trusts"], env)
    enrol = (
        "import django; django.setup()\n"
        "from candour.web.core.actions import create_user\n"
        "from candour.web.speakup import actions\n"
        f"user = create_user(username='guardian', password={PASSWORD!r}, roles=[], by='system:test')\n"
        f"actions.enrol_guardian(user=user, password={PASSWORD!r}, organisation_code='R0B',"
        " by='system:test')\n"
    )
    run([sys.executable, "-c", enrol], {**env, "PYTHONPATH": str(ROOT / "src")})
    port = free_port()
    log = work / "access.log"
    errors = (work / "error.log").open("w")
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "candour.web.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
            "--logger-class",
            "candour.web.speakup.accesslog.AccessLogWithoutReporters",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=errors,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    request = urllib.request.Request(  # noqa: S310 - our own server, http
        f"{url}/sign-in/", headers={"X-Forwarded-Proto": "https"}
    )
    for _ in range(120):
        try:
            with urllib.request.urlopen(request, timeout=2):  # noqa: S310 - our own server
                break
        except OSError:
            assert process.poll() is None, (work / "error.log").read_text()
            time.sleep(0.5)
    yield url, log
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    errors.close()


def test_the_reporters_flow_leaves_no_trace_in_the_access_log(browser, server):
    from playwright.sync_api import expect

    url, log = server

    def heading(text):  # the forms wait for their proof of work (18 bits here) before sending
        expect(page.locator("h1")).to_have_text(text, timeout=WORK_TIMEOUT_MS)

    def says(text):
        expect(page.locator("main")).to_contain_text(text, timeout=WORK_TIMEOUT_MS)

    # what the TLS-terminating proxy adds; the production settings redirect plain HTTP otherwise
    context = browser.new_context(extra_http_headers={"X-Forwarded-Proto": "https"})
    page = context.new_page()
    try:
        page.goto(f"{url}/sign-in/")  # a page that is logged: the control
        page.goto(f"{url}/speak-up/?q=R0B")
        page.click("text=South Tyneside and Sunderland NHS Foundation Trust")
        page.get_by_label("Anonymously: nobody, not even the guardian").check()
        page.get_by_label("Patient safety or quality").check()
        page.fill("#id_narrative", "The hoist on ward 12 has failed its safety check twice.")
        page.select_option("#id_professional_group", label="Registered nurses and midwives")
        page.locator("input[name=raised_before][value=no]").check()
        page.locator("input[name=detriment_at_intake][value=no]").check()
        page.click("text=Send concern")
        heading("Your concern has been sent")
        receipt = page.locator("#receipt").inner_text()
        page.fill("#id_last_group", receipt[-4:])
        page.click("text=I have saved my receipt")
        heading("Your concern")
        page.fill("#id_reply-body", "It failed again this morning.")
        page.click("text=Send message")
        says("The guardian will see it")
        page.click("text=Leave and close this page")
        page.click("text=Follow up your concern with your receipt")
        page.fill("#id_receipt", "ABCD-EFGH-JKMN-PQRS-TVWX")  # a wrong one
        page.click("text=Open my concern")
        says("We could not open a concern")
        page.fill("#id_receipt", receipt)
        page.click("text=Open my concern")
        heading("Your concern")
        page.click("a.nhsuk-header__service-logo")  # off to a page that is logged
        heading("Sign in to Candour")
    finally:
        context.close()

    time.sleep(1)  # gunicorn writes each line as the response is sent
    lines = log.read_text().splitlines()
    parsed = [LINE.search(line) for line in lines]
    assert all(parsed), [line for line, match in zip(lines, parsed, strict=True) if not match]
    requests = [match["request"] for match in parsed]
    # the log was on: the control page, the home page and the static files are there
    assert any(" /sign-in/" in request for request in requests)
    assert any(request.startswith("GET / ") for request in requests)
    assert any("/static/candour/proof-of-work." in request for request in requests)
    assert any("/static/nhsuk/" in request for request in requests)
    # and nothing of the reporter: no speak-up path, no line from a reporter page
    assert not [line for line in lines if "speak-up" in line], lines
    static_from = {match["referer"] for match in parsed if "/static/" in match["request"]}
    assert not [referer for referer in static_from if "speak-up" in referer]
    home = next(match for match in parsed if match["request"].startswith("GET / "))
    assert home["referer"] == "-"  # followed from a reporter page: it sent no referrer
