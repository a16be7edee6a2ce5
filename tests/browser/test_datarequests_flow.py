"""The data-request registry, end to end in a real browser, as a new requester would use it: sign
in and land on the registry, register a request that repeats part of NHS England's A&E
collection, see it flagged with who else asks, use the held data, download the held answer and
find the same numbers as the API, then look at the region's burden. axe-core checks every page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from tests.conftest import PASSWORD
from tests.integration.requests_access import requesting_body

from candour.web.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def requester(make_user):
    """The bundled data and national collections, and a data requester on an ICB's staff,
    granted for North East and Yorkshire."""
    from candour.cli import main
    from candour.importers.datasets import DATASETS
    from candour.web.datarequests import actions
    from candour.web.oversight.actions import import_dataset

    for dataset in DATASETS.values():
        import_dataset(imported=dataset.load(), by="system:test")
    assert main(["requests", "load"]) == 0
    user = make_user(Role.REQUESTER, username="icb-analyst", organisation_code="Y63")
    actions.add_requester_staff(requester=requesting_body(), user=user, by="system:test")
    return user


def test_registering_a_repeat_and_downloading_the_held_answer(
    page, live_server, requester, check_accessibility
):
    # --- sign in and land on the registry
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", "icb-analyst")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Data requests"
    assert "A&E Attendances and Emergency Admissions" in page.locator("table").inner_text()
    check_accessibility(page, "requests-list")

    # --- register a request; first with nothing filled in
    page.get_by_role("link", name="Register a request").click()
    assert page.locator("h1").inner_text() == "Register a data request"
    check_accessibility(page, "requests-new")
    page.click("text=Register the request")
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "Enter a title" in summary
    assert "Item 1: Enter the item's name" in summary
    check_accessibility(page, "requests-new-errors")

    page.fill("#id_title", "Urgent care performance return")
    page.get_by_label("NHS Standard Contract").check()
    page.select_option("#id_frequency", "monthly")
    page.fill("#id_periods_from", "2024-08-01")
    page.fill("#id_organisation_codes", "R0B")
    page.fill("#id_hours_per_return", "6")
    page.fill("#id_estimate_source", "Our own estimate")
    page.fill("#id_items-0-name", "Percentage of A&E attendances seen within four hours")
    page.fill(
        "#id_items-0-definition",
        "All department types: patients admitted, transferred or discharged within 4 hours of "
        "arrival, as a percentage of attendances.",
    )
    page.select_option("#id_items-0-unit", "proportion")
    page.select_option("#id_items-0-period_type", "month")
    page.click("text=Register the request")

    # --- the request: flagged as a repeat, with who else asks, and the held data offered
    assert page.locator("h1").inner_text() == "Urgent care performance return"
    assert (
        "look like items other requests ask for"
        in page.locator(".nhsuk-notification-banner").inner_text()
    )
    item = page.locator("#item-1")
    assert "Possible duplicate" in item.inner_text()
    assert "NHS England, in A&E Attendances and Emergency Admissions" in item.inner_text()
    assert "asking since 2001, monthly" in item.inner_text()
    check_accessibility(page, "requests-detail-flagged")
    item.get_by_role("button", name="Use the held data").click()
    assert page.locator("#answerable-now").is_visible()
    check_accessibility(page, "requests-detail-answerable")

    # --- download the held answer: the same numbers as the API
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV of the held answer").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    request_id = page.url.rstrip("/").split("/")[-1]
    api = page.request.get(f"{live_server.url}/api/requests/{request_id}/held-answer/?limit=1000")
    results = api.json()["results"]
    assert len(rows) == len(results) > 0
    assert {r["ods_code"] for r in rows} == {"R0B"}
    for row, result in zip(rows, results, strict=True):
        assert (row["period_start"], float(row["value"])) == (
            result["period_start"],
            result["value"],
        )
        assert row["source_dataset"] == result["source_dataset"] == "rtt_ae_monthly"

    # --- the region's burden
    page.goto(f"{live_server.url}/requests/burden/regions/Y63/")
    assert "Burden of data requests: North East and Yorkshire" in page.locator("h1").inner_text()
    assert "South Tyneside and Sunderland NHS Foundation Trust" in page.locator("main").inner_text()
    check_accessibility(page, "requests-burden-region")
