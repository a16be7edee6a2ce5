"""Browser tests: Playwright driving Debian's chromium against a live Django server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

# The live server runs in a thread next to Playwright's event loop; Django's async-safety check
# would otherwise refuse database access from that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, the browser tests' database is a file, as in production, not Django's default
    in-memory test database. The live server answers the page's chart requests in parallel
    threads, and each may store the chart it drew; an in-memory database shares one cache between
    those threads, where a second writer fails at once ("database table is locked") instead of
    waiting its turn as it does on a file (the busy timeout of the settings)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        path = tmp_path_factory.mktemp("browser-db") / "candour-test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # bypass_csp lets the test inject axe-core; the pages themselves are served with their CSP.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def check_accessibility():
    """Run axe-core on the page; fail on any serious or critical violation; save a screenshot."""

    def check(page, name: str) -> list[dict]:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        page.evaluate(AXE.read_text(encoding="utf-8"))
        results = page.evaluate("async () => await axe.run(document)")
        bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, [
            (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in bad
        ]
        return results["violations"]

    return check
