"""docs/how-to/deploy.md is run, not only read (issue 10, finding 9).

Its shell blocks marked ``<!-- checked -->`` run in order, as written, with the production
settings and the environment ``.env.example`` describes, filled in with fresh secrets, a scratch
database (PostgreSQL when the suite runs on PostgreSQL, else SQLite), a temporary directory for
``/var/lib/candour`` and memcached. Two substitutions only: a free port for ``127.0.0.1:8000``, and
this interpreter's directory for ``.venv/bin/``. The block marked ``<!-- checked: server -->``
starts gunicorn; the blocks after it run while it serves, then it is stopped.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
GUIDE = PROJECT / "docs" / "how-to" / "deploy.md"
ENV_EXAMPLE = PROJECT / ".env.example"
CHECKED_BLOCK = re.compile(r"<!-- checked(?P<server>: server)? -->\n```sh\n(?P<code>.*?)```", re.S)
DOCUMENTED_PORT = "127.0.0.1:8000"
MEMCACHED = os.environ.get("CANDOUR_TEST_MEMCACHED", "127.0.0.1:11211")
SERVER_START_SECONDS = 60
STEP_TIMEOUT_SECONDS = 600
BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("CANDOUR_", "DJANGO_"))}


def checked_blocks() -> list[tuple[bool, str]]:
    """(starts the server?, shell code) for each checked block, in order."""
    text = GUIDE.read_text(encoding="utf-8")
    return [(bool(m["server"]), m["code"]) for m in CHECKED_BLOCK.finditer(text)]


def env_example() -> dict[str, str]:
    """The variables .env.example sets (commented-out optional ones left out)."""
    pairs = re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE.read_text(), flags=re.M)
    return dict(pairs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_run_here(code: str, port: int) -> str:
    return code.replace(DOCUMENTED_PORT, f"127.0.0.1:{port}").replace(
        ".venv/bin/", f"{Path(sys.executable).parent}/"
    )


@pytest.fixture
def scratch_database():
    """A database of its own, never the suite's: a PostgreSQL database named after the suite's
    own (so two people's runs never share one), dropped afterwards. The guide deploys on
    PostgreSQL (.env.example), so it runs in the PostgreSQL pass of ``make test`` only."""
    url = os.environ.get("CANDOUR_DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the deploy guide is for PostgreSQL: the PostgreSQL pass runs it")
    import psycopg

    base, _, name = url.rpartition("/")
    scratch = f"{name.split('?')[0]}_deploy_guide"
    # connect to the maintenance database: the suite's own need not exist (Django's test runner
    # creates test_<name>, never <name>), as on a fresh cluster in CI
    maintenance = f"{base}/postgres"
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        yield f"{base}/{scratch}"
    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


@pytest.fixture
def production_env(tmp_path, scratch_database):
    var = tmp_path / "var"
    var.mkdir()
    (var / "speakup-keys").mkdir(mode=0o700)
    filled_in = {
        "CANDOUR_SECRET_KEY": secrets.token_urlsafe(50),
        "CANDOUR_RECEIPT_PEPPER": secrets.token_hex(32),
        "CANDOUR_AUDIT_KEY": secrets.token_hex(32),
        "CANDOUR_AUDIT_SIGNING_KEY": secrets.token_hex(32),
        "CANDOUR_AUDIT_CHECKPOINTS": str(var / "audit" / "checkpoints.jsonl"),
        "CANDOUR_DATABASE_URL": scratch_database,
        "CANDOUR_VAR_DIR": str(var),
        "CANDOUR_SPEAKUP_KEYSTORE": str(var / "speakup-keys"),
        "CANDOUR_SPEAKUP_CACHE": f"memcached://{MEMCACHED}",
    }
    documented = env_example()
    assert set(filled_in) <= set(documented), "fill in only what .env.example names"
    return {**BASE_ENV, **documented, **filled_in}


def run_step(code: str, env: dict, port: int) -> str:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", as_run_here(code, port)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, f"{code}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def wait_until_listening(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, f"gunicorn stopped:\n{log.read_text()}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not listen on {port}:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)  # gunicorn and the workers it started
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


@pytest.mark.slow
@pytest.mark.database
def test_the_deploy_guide_runs_as_written(production_env, tmp_path):
    blocks = checked_blocks()
    assert [starts for starts, _ in blocks].count(True) == 1, "one block starts the server"
    port = free_port()
    log = tmp_path / "gunicorn.log"
    server = None
    outputs = []
    try:
        for starts_server, code in blocks:
            if starts_server:
                with log.open("w") as sink:
                    server = subprocess.Popen(
                        ["bash", "-c", as_run_here(code, port)],
                        cwd=PROJECT,
                        env=production_env,
                        stdout=sink,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                wait_until_listening(server, port, log)
            else:
                outputs.append(run_step(code, production_env, port))
    finally:
        if server is not None:
            stop(server)
    assert server is not None
    assert any("Candour answers at /sign-in/ and /static/" in out for out in outputs)
    assert "Traceback" not in log.read_text()


def test_the_guide_and_env_example_name_the_same_variables():
    guide = set(re.findall(r"`(CANDOUR_[A-Z_]+)`", GUIDE.read_text(encoding="utf-8")))
    example = {name for name in env_example() if name.startswith("CANDOUR_")}
    assert example <= guide, f"explain in the guide: {sorted(example - guide)}"
    assert guide <= set(re.findall(r"(CANDOUR_[A-Z_]+)=", ENV_EXAMPLE.read_text())), (
        "the guide names a variable .env.example does not"
    )


def test_the_readme_and_the_docs_index_link_the_guide():
    assert "docs/how-to/deploy.md" in (PROJECT / "README.md").read_text(encoding="utf-8")
    assert "how-to/deploy.md" in (PROJECT / "docs" / "README.md").read_text(encoding="utf-8")
