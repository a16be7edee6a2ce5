"""Every page, in a real browser: it works, and axe-core finds no serious or critical violation."""

import pytest
from tests.conftest import PASSWORD

from candour.web.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_sign_in_page(page, live_server, check_accessibility):
    page.goto(f"{live_server.url}/sign-in/")
    assert page.title() == "Sign in – Candour"
    check_accessibility(page, "sign-in")


def test_wrong_password_shows_error_summary(page, live_server, make_user, check_accessibility):
    make_user(Role.BOARD, username="board")
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", "board")
    page.fill("#id_password", "not the password")
    page.click("button[type=submit]")
    assert page.locator(".nhsuk-error-summary").is_visible()
    check_accessibility(page, "sign-in-error")


def test_sign_in_browse_organisations_and_sign_out(
    page, live_server, make_user, check_accessibility
):
    from candour.importers.datasets import DATASETS
    from candour.web.oversight.actions import import_dataset

    for name in ("ods_trusts", "cqc_ratings", "staff_survey_2019", "rtt_ae_monthly"):
        import_dataset(imported=DATASETS[name].load(), by="system:test")
    make_user(Role.ANALYST, username="analyst")
    sign_in(page, live_server, "analyst")
    assert page.locator("h1").inner_text() == "Trusts in England by concern"  # where work starts
    check_accessibility(page, "ranking")
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Organisations"
    check_accessibility(page, "organisations")

    page.fill("#q", "sunderland")
    page.click("text=Apply filters")
    page.click("text=South Tyneside and Sunderland NHS Foundation Trust")
    assert page.locator("h1").inner_text() == "South Tyneside and Sunderland NHS Foundation Trust"
    assert page.locator("text=RTT: incomplete pathways within 18 weeks").count() >= 1
    check_accessibility(page, "organisation")

    page.click("text=Sign out")
    assert page.url.endswith("/sign-in/")


def test_organisation_page_works_without_javascript(browser, live_server, make_user):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    make_user(Role.BOARD, username="board")
    sign_in(page, live_server, "board")
    assert page.locator("h1").inner_text() == "Trusts in England by concern"
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Organisations"
    context.close()


def test_targets_pages(page, live_server, make_user, check_accessibility):
    from candour.cli import main
    from candour.web.oversight.actions import sync_measures

    sync_measures(by="system:test")
    assert main(["targets", "import"]) == 0
    make_user(Role.REGIONAL, username="regional")
    sign_in(page, live_server, "regional")
    page.click("text=Targets")
    assert page.locator("h1").inner_text() == "Targets"
    check_accessibility(page, "targets")
    page.click("text=RTT: 92% of patients waiting under 18 weeks")
    assert page.locator("text=RTT: incomplete pathways over 52 weeks").count() == 1
    check_accessibility(page, "target")

    page.goto(f"{live_server.url}/targets/new/")
    page.fill("#id_id", "incomplete")
    page.fill("#id_name", "An incomplete target")
    page.select_option("#id_measure", "rtt_18wk")
    page.select_option("#id_comparison", "at_least")
    page.fill("#id_threshold", "90")
    page.fill("#id_set_by", "A region")
    page.fill("#id_effective_from", "2025-04-01")
    page.click("button[name=publish]")
    summary = page.locator(".nhsuk-error-summary")
    assert "Select a balancing measure from the patient-safety domain" in summary.inner_text()
    summary.locator("a[href='#id_balancing_measures_0']").click()
    assert page.evaluate("document.activeElement.id") == "id_balancing_measures_0"
    check_accessibility(page, "target-form-errors")


def test_concern_pages_and_staff_voice_by_rating(page, live_server, make_user, check_accessibility):
    from candour.importers.datasets import DATASETS
    from candour.web.oversight.actions import import_dataset

    for name in ("ods_trusts", "cqc_ratings", "staff_survey_2019", "shmi"):
        import_dataset(imported=DATASETS[name].load(), by="system:test")
    make_user(Role.BOARD, username="board")
    sign_in(page, live_server, "board")

    page.click("text=Staff voice by rating")
    assert "by CQC rating" in page.locator("h1").inner_text()
    check_accessibility(page, "staff-voice-by-rating")

    page.goto(f"{live_server.url}/organisations/RJ1/")
    page.click("text=Raise a concern")
    check_accessibility(page, "concern-form")
    page.fill("#id_title", "Bullying from managers above the national median")
    page.fill("#id_explanation", "Staff survey 2019, q13b.")
    page.select_option("#id_owner", label="board")
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text() == "Bullying from managers above the national median"
    page.check("text=Case-note review")
    page.fill("#id_summary", "Reviewed with the freedom to speak up guardian.")
    page.click("button[name=record]")
    check_accessibility(page, "concern")
    page.click("button[name=close]")
    assert page.locator(".nhsuk-tag").first.inner_text() == "Closed"


def test_monitoring_pages(page, live_server, make_user, check_accessibility):
    from candour.cli import main
    from candour.importers.datasets import DATASETS
    from candour.web.oversight.actions import import_dataset

    for name in ("ods_trusts", "cqc_ratings", "rtt_ae_monthly", "ae_attendances"):
        import_dataset(imported=DATASETS[name].load(), by="system:test")
    assert main(["targets", "import"]) == 0
    make_user(Role.REGIONAL, username="regional")
    sign_in(page, live_server, "regional")

    page.click("text=Regions")
    page.click("text=London")
    assert page.locator("h1").inner_text() == "London: trusts by concern"
    check_accessibility(page, "region")

    page.click("text=Measures")
    page.click("text=A&E 4-hour performance, type 1 departments")
    check_accessibility(page, "measure-summary")

    page.goto(f"{live_server.url}/organisations/RJ1/")
    chart = page.locator("img[src$='/measures/ae_4hr_type1/chart.svg']")
    chart.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )
    check_accessibility(page, "organisation-with-charts")
