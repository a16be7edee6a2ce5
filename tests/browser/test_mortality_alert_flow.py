"""A mortality alert, end to end in a real browser: the trust's board member finds it on the
organisation page, opens it (chart, threshold, false alarms expected), answers it (a missing
part first), and regional oversight reviews the response and closes the alert on its evidence.
axe-core checks every page on the way."""

from __future__ import annotations

import pytest
from tests.conftest import PASSWORD
from tests.integration.mortality_access import load_deaths, run_job

from candour.web.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Whether an image loaded (waiting for it if it is still loading).
LOADED = """img => img.complete ? img.naturalWidth > 0 : new Promise(done => {
    img.onload = () => done(img.naturalWidth > 0);
    img.onerror = () => done(false);
})"""


@pytest.fixture
def alert(tmp_path, make_user):
    from candour.importers.datasets import DATASETS
    from candour.web.oversight.actions import import_dataset

    import_dataset(imported=DATASETS["ods_trusts"].load(), by="system:test")
    make_user(Role.BOARD, username="r0b-board", organisation_code="R0B")
    make_user(Role.REGIONAL, username="north-east", organisation_code="Y63")
    load_deaths(tmp_path)
    (raised,) = run_job().raised
    return raised


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def sign_out(page) -> None:
    page.click("text=Sign out")


def test_the_trust_answers_an_alert_and_regional_oversight_closes_it_on_evidence(
    page, live_server, alert, check_accessibility
):
    from candour.web.oversight.models import Concern

    # --- the trust's board member finds the alert on the organisation page
    sign_in(page, live_server, "r0b-board")
    page.goto(f"{live_server.url}/organisations/R0B/")
    panel = page.locator("#mortality-alerts")
    assert "Deaths after pneumonia admissions" in panel.inner_text()
    assert "Synthetic data" in panel.inner_text()
    panel.get_by_role("link", name="Mortality alert: Pneumonia").click()

    # --- the alert: what a reader needs to judge it
    assert page.locator("h1").inner_text() == "Pneumonia"
    assert "Synthetic data" in page.locator("#synthetic-data").inner_text()
    body = page.locator("main").inner_text()
    assert "set for 1 false alarm in 1,000 series-years" in body
    assert "6 series (trust and diagnosis group) are monitored" in body
    image = page.locator("figure img")
    assert image.evaluate(LOADED)
    assert "O/E CUSUM of deaths in the Pneumonia group" in image.get_attribute("alt")
    check_accessibility(page, "mortality-alert")

    # --- the trust responds: a part missing first, then the whole response
    page.get_by_role("link", name="Respond to this alert").click()
    assert page.locator("h1").inner_text() == "Respond to the alert"
    check_accessibility(page, "mortality-respond")
    page.fill("#id_coding_review", "120 records re-checked; coding was right.")
    page.click("text=Send the response")
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert (
        "Enter the findings of the case-note review"
        in page.locator(".nhsuk-error-summary").inner_text()
    )
    check_accessibility(page, "mortality-respond-errors")
    page.fill("#id_case_note_review", "Delays in antibiotics for 9 of 34 deaths.")
    page.fill("#id_action_plan", "Sepsis pathway audit monthly, led by the medical director.")
    page.click("text=Send the response")
    assert (
        "Response sent to regional oversight"
        in page.locator(".nhsuk-notification-banner").inner_text()
    )
    assert "Awaiting regional review" in page.locator("main").inner_text()
    check_accessibility(page, "mortality-alert-responded")
    sign_out(page)

    # --- regional oversight reviews it and closes the alert on the case-note review
    sign_in(page, live_server, "north-east")
    page.goto(f"{live_server.url}/mortality/alerts/")
    check_accessibility(page, "mortality-alert-list")
    page.get_by_role("link", name="Pneumonia, signal of").click()
    page.get_by_role("link", name="Review the response").click()
    assert page.locator("h1").inner_text() == "Review the trust's response"
    check_accessibility(page, "mortality-review")
    page.get_by_label("Accept and close the alert on evidence").check()
    page.fill("#id_note", "The case-note review found the cause; the plan addresses it.")
    page.click("text=Record the review")
    assert (
        "Select the evidence the alert is closed on"
        in page.locator(".nhsuk-error-summary").inner_text()
    )
    check_accessibility(page, "mortality-review-errors")
    page.get_by_label("Case-note review, trust response 1", exact=False).check()
    page.click("text=Record the review")
    assert "Closed on evidence" in page.locator("main").inner_text()
    check_accessibility(page, "mortality-alert-closed")
    alert.concern.refresh_from_db()
    assert alert.concern.status == Concern.Status.CLOSED
    assert alert.concern.closing_evidence.kind == "case_note_review"
