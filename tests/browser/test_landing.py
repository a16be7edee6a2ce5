"""Each demo role signs in and lands where its work is (issue 11, "done when"); the national
table by concern lists the statuses `candour assess` gives."""

from __future__ import annotations

import csv
import re

import pytest
from django.urls import reverse

from candour.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The labels the ranking table shows for the statuses of `candour assess`.
STATUS_LABELS = {"elevated risk": "Elevated risk", "risk": "Risk", "uninformative": "Not assured"}
ROW = re.compile(
    r'href="/organisations/(\w+)/">.*?<strong class="nhsuk-tag[^"]*">([^<]+)</strong>', re.S
)


@pytest.fixture
def demo(capsys):
    """The demo's data (trusts, their types, the monthly performance data) and its accounts.
    Imported here, never borrowed from the session's database: an earlier transactional test
    empties it, and without the CQC file's trust types no trust has a peer group to be compared
    with (CI: every trust "not compared" when this test ran after another)."""
    from candour.importers.datasets import DATASETS
    from candour.web.oversight.actions import import_dataset

    for name in ("ods_trusts", "cqc_ratings", "rtt_ae_monthly"):
        import_dataset(imported=DATASETS[name].load(), by="system:test")
    capsys.readouterr()
    assert main(["demo-users"]) == 0
    printed = capsys.readouterr().out
    return dict(re.findall(r"(demo-[\w-]+)\s+(\S+)\s*$", printed, flags=re.M))


def sign_in(browser, live_server, username, password):
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def test_each_role_lands_where_its_work_is(browser, live_server, demo, tmp_path, capsys):
    from candour.web.leadership.models import TalentBoard

    region = TalentBoard.objects.get().region_code
    landings = {
        "demo-regional": reverse("oversight:ranking"),
        "demo-analyst": reverse("oversight:ranking"),
        "demo-board": reverse("oversight:organisation", args=["R0B"]),
        "demo-guardian": reverse("speakup:cases"),
        "demo-requester": reverse("datarequests:list"),
        "demo-staff": reverse("speakup:start"),
    }
    for username, path in landings.items():
        page = sign_in(browser, live_server, username, demo[username])
        assert page.url == f"{live_server.url}{path}", username
        page.context.close()

    page = sign_in(browser, live_server, "demo-talent-board", demo["demo-talent-board"])
    assert page.url.startswith(f"{live_server.url}/leadership/")
    assert region in page.url or region in page.content()
    page.context.close()

    page = sign_in(browser, live_server, "demo-regional", demo["demo-regional"])
    assert "Trusts in England by concern" in page.content()
    rows = ROW.findall(page.content())
    page.context.close()
    output = tmp_path / "assessment.csv"
    assert main(["assess", "--output", str(output)]) == 0
    capsys.readouterr()
    with output.open() as lines:
        statuses = {row["ods_code"]: row["status"] for row in csv.DictReader(lines)}
    assert {code for code, _ in rows} == set(statuses)  # every assessed trust, nothing else
    for code, label in rows:
        assert label == STATUS_LABELS.get(statuses[code], label), code
    assert any(status in STATUS_LABELS for status in statuses.values())
