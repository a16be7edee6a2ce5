"""Appraisals and 360 feedback, end to end in a real browser: an appraiser starts an appraisal,
the person appraised fills in their self-assessment and asks for 360 feedback, raters answer,
the appraiser rates with evidence and closes it, and the person then sees their 360 released
only for the group where three raters answered. axe-core checks every page on the way."""

from __future__ import annotations

import pytest
from tests.conftest import PASSWORD
from tests.integration import leadership_people as build

from candour.web.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people():
    """The bundled trusts, the framework, and the people of R0B's board."""
    from candour.importers.datasets import DATASETS
    from candour.web.oversight.actions import import_dataset

    import_dataset(imported=DATASETS["ods_trusts"].load(), by="system:test")
    build.framework()
    appraiser = build.user("chair-ann", Role.BOARD)
    subject_account = build.user("director-dev", Role.BOARD)
    build.person("P-DEV", "Dev Director", account=subject_account)
    raters = [build.user(f"rater-{n}") for n in ("una", "vic", "wyn", "xan", "yas")]
    return appraiser, subject_account, raters


def sign_in(page, live_server, username: str):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def choose_for_every_competency(page, label: str):
    for radio in page.get_by_label(label, exact=True).all():
        radio.check()


def test_an_appraisal_from_start_to_sign_off(page, live_server, people, check_accessibility):
    from candour.web.leadership.models import Appraisal

    _appraiser, _subject_account, _ = people
    # --- the appraiser starts it
    sign_in(page, live_server, "chair-ann")
    page.goto(f"{live_server.url}/leadership/appraisals/")  # in the header's "More" menu
    assert page.locator("h1").inner_text() == "Appraisals and feedback"
    check_accessibility(page, "appraisals")
    page.get_by_role("link", name="Start an appraisal").click()
    check_accessibility(page, "appraisal-start")
    page.select_option(
        "#id_person", label="Dev Director, South Tyneside and Sunderland NHS Foundation Trust"
    )
    page.click("text=Start the appraisal")
    assert page.locator("h1").inner_text().startswith("Dev Director: appraisal")
    check_accessibility(page, "appraisal")

    # --- the person appraised: self-assessment, with the errors of an incomplete one first
    sign_in(page, live_server, "director-dev")
    appraisal = Appraisal.objects.get()
    page.goto(f"{live_server.url}/leadership/appraisals/{appraisal.pk}/")
    page.get_by_role("link", name="Fill in your self-assessment").click()
    assert page.locator("h1").inner_text() == "Your self-assessment"
    check_accessibility(page, "self-assessment")
    page.get_by_role("button", name="Save and submit").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    check_accessibility(page, "self-assessment-errors")
    choose_for_every_competency(page, "Often")
    page.fill("textarea[name^=evidence_] >> nth=0", "Led the board's safety deep dives.")
    page.get_by_role("button", name="Save and submit").click()
    assert "Done" in page.locator(".nhsuk-notification-banner").inner_text()
    assert "Submitted" in page.locator(".nhsuk-summary-list").inner_text()

    # --- the appraiser rates with evidence, records the conversation and closes
    sign_in(page, live_server, "chair-ann")
    page.goto(f"{live_server.url}/leadership/appraisals/{appraisal.pk}/rate/")
    check_accessibility(page, "appraiser-ratings")
    choose_for_every_competency(page, "Almost always")
    for box in page.locator("textarea[name^=evidence_]").all():
        box.fill("Seen at board.")
    page.get_by_role("button", name="Save and submit").click()
    page.get_by_role("link", name="Record the career conversation").click()
    check_accessibility(page, "career-conversation")
    page.fill("#id_held_on", str(appraisal.opened_on))
    page.get_by_label("Outstanding impact in the role").check()
    page.get_by_label("Stretch: a bigger role").check()
    page.fill("#id_aspiration", "A chief executive role.")
    page.fill("#id_plan", "Deputise for the chief executive.")
    page.click("text=Record the conversation")
    page.fill("#id_close-summary", "An outstanding year.")
    page.click("text=Close and release feedback")
    assert "Closed and signed off" in page.locator("main").inner_text()
    check_accessibility(page, "appraisal-closed")


def test_a_360_is_released_when_the_appraisal_closes_only_for_groups_of_three(
    page, live_server, people, check_accessibility
):
    from candour.web.leadership import actions_appraisal, actions_feedback

    appraiser, subject_account, raters = people
    appraisal = build.appraisal(subject_account, appraiser)
    # --- the person appraised asks a board colleague through the page
    sign_in(page, live_server, "director-dev")
    page.goto(f"{live_server.url}/leadership/appraisals/{appraisal.pk}/#feedback")
    page.select_option("#id_feedback-rater", label="Una Tester")
    page.get_by_label("Board colleague").check()
    page.click("text=Ask for feedback")
    assert "Feedback requested." in page.locator(".nhsuk-notification-banner").inner_text()
    for rater in raters[1:3]:
        actions_feedback.request_feedback(
            appraisal=appraisal, rater=rater, relationship="board_colleague", by=subject_account
        )
    for rater in raters[3:]:
        actions_feedback.request_feedback(
            appraisal=appraisal, rater=rater, relationship="direct_report", by=subject_account
        )

    # --- a rater answers through the page; the others through the action
    sign_in(page, live_server, "rater-una")
    page.get_by_role("link", name="Appraisals", exact=True).click()
    page.get_by_role("link", name="Dev Director").click()
    assert page.locator("h1").inner_text() == "360 feedback for Dev Director"
    check_accessibility(page, "feedback-answer")
    page.click("text=Send your feedback")
    assert page.locator(".nhsuk-error-summary").is_visible()
    check_accessibility(page, "feedback-answer-errors")
    choose_for_every_competency(page, "Almost always")
    page.click("text=Send your feedback")
    assert (
        "your feedback for Dev Director is in"
        in page.locator(".nhsuk-notification-banner").inner_text()
    )
    for rater in raters[1:]:
        request = appraisal.feedback_requests.get(rater=rater)
        actions_feedback.answer_feedback(
            request=request, levels=build.levels(appraisal, 2), by=rater
        )

    # --- before closing, the person sees who was asked, and nothing of the answers
    sign_in(page, live_server, "director-dev")
    page.goto(f"{live_server.url}/leadership/appraisals/{appraisal.pk}/")
    feedback = page.locator("main").inner_text()
    assert "Feedback is released once, when the appraisal closes" in feedback
    assert "Una Tester" in feedback
    assert "Board colleague: 3" not in feedback
    check_accessibility(page, "feedback-before-release")

    actions_appraisal.save_appraiser_ratings(
        appraisal=appraisal, ratings=build.ratings(appraisal, 3), submit=True, by=appraiser
    )
    actions_feedback.close_appraisal(appraisal=appraisal, summary="Closed.", by=appraiser)

    # --- after: board colleagues (three) shown; people who report to them (two) not at all
    page.reload()
    released = page.locator("td.released").first.inner_text()
    assert "Board colleague: 3" in released
    main = page.locator("main").inner_text()
    assert "Someone who reports to them" not in main
    check_accessibility(page, "feedback-released")
