"""Speaking up, end to end in a real browser, as a new user of the demo would: choose an
organisation, raise an anonymous concern, save the receipt; the guardian signs in, unlocks their
case keys, reads it and replies; the reporter comes back with the receipt and reads the reply;
the guardian takes the case through triage, an action, feedback and closure on evidence; the
reporter answers "would you speak up again?". axe-core checks every distinct page on the way.
The raise form also works with JavaScript off."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from tests.conftest import PASSWORD

from candour.web.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRUST = "South Tyneside and Sunderland NHS Foundation Trust"
NARRATIVE = "Night shifts on ward 9 run with one registered nurse for 28 patients."
LOCATION = "Ward 9, Sunderland Royal Hospital"
GUARDIAN_REPLY = "Thank you for raising this. I have asked for the rota for the last month."
REPORTER_REPLY = "It happened again on Saturday night."
NOTE = "Check the e-rostering data for March."


@pytest.fixture
def r0b_guardian(make_user):
    """R0B's trusts loaded and a guardian enrolled there with real keys (Argon2id)."""
    from candour.importers.datasets import DATASETS
    from candour.web.oversight.actions import import_dataset
    from candour.web.speakup import actions

    caches["speakup"].clear()
    import_dataset(imported=DATASETS["ods_trusts"].load(), by="system:test")
    guardian = make_user(Role.GUARDIAN, username="guardian")
    actions.enrol_guardian(
        user=guardian, password=PASSWORD, organisation_code="R0B", by="system:test"
    )
    return guardian


def sign_in(page, live_server, username, check_accessibility=None):
    page.goto(f"{live_server.url}/sign-in/")
    if check_accessibility:
        check_accessibility(page, "speakup-sign-in")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Cases"  # a guardian lands on their cases


def sign_out(page):
    page.click("text=Sign out")
    assert page.url.endswith("/sign-in/")


def in_form(page, step: str):
    """The form on the case page that posts to ``step``."""
    return page.locator(f"main form[action$='/{step}/']")


def open_case_as_guardian(page, live_server, check_accessibility, *, first_time: bool):
    """Sign in, unlock the case keys with the password, open the one case."""
    sign_in(page, live_server, "guardian", check_accessibility if first_time else None)
    if first_time:
        check_accessibility(page, "speakup-guardian-signed-in")
    page.click("nav[aria-label=Menu] >> text=Cases")
    assert page.locator("h1").inner_text() == "Cases"
    assert "Your cases are locked" in page.locator("main").inner_text()
    if first_time:
        check_accessibility(page, "speakup-cases-locked")
    page.click("text=Unlock to read them")
    assert page.locator("h1").inner_text() == "Unlock your cases"
    if first_time:
        check_accessibility(page, "speakup-unlock")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text() == "Cases"
    assert "unlocked for this session" in page.locator("main").inner_text()
    if first_time:
        check_accessibility(page, "speakup-cases")
    page.locator("main table a").first.click()
    assert page.locator("h1").inner_text().startswith("Case ")


def test_an_anonymous_concern_from_start_to_would_you_speak_up_again(
    page, live_server, r0b_guardian, check_accessibility
):
    from candour.web.speakup.models import Case

    # --- the person speaking up chooses their organisation
    page.goto(f"{live_server.url}/")
    page.click("nav[aria-label=Menu] >> text=Speak up")
    assert page.locator("h1").inner_text() == "Speak up"
    check_accessibility(page, "speakup-start")
    page.fill("#q", "Sunderland")
    page.click("main button[type=submit]")
    result = page.locator("main li", has_text=TRUST)
    assert "No guardian yet" not in result.inner_text()
    check_accessibility(page, "speakup-start-results")
    result.locator("a").click()

    # --- and raises an anonymous concern
    assert page.locator("h1").inner_text() == "Raise a concern"
    assert TRUST in page.locator(".nhsuk-caption-l").inner_text()
    check_accessibility(page, "speakup-raise")
    page.get_by_label("Anonymously: nobody, not even the guardian").check()
    page.get_by_label("Patient safety or quality").check()
    page.get_by_label("Worker safety or wellbeing").check()
    page.fill("#id_narrative", NARRATIVE)
    page.fill("#id_location", LOCATION)
    page.fill("#id_happened_day", "3")
    page.fill("#id_happened_month", "2")
    page.fill("#id_happened_year", "2025")
    page.select_option("#id_professional_group", label="Registered nurses and midwives")
    page.get_by_label("Yes, with my manager or team").check()
    page.get_by_label("I am not sure").check()
    page.click("text=Send concern")

    # --- the receipt, shown once, and the confirmation that it was saved
    assert page.locator("h1").inner_text() == "Your concern has been sent"
    receipt = page.locator("#receipt").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4}", receipt)
    check_accessibility(page, "speakup-receipt")
    page.fill("#id_last_group", "ZZZZ" if not receipt.endswith("ZZZZ") else "YYYY")
    page.click("text=I have saved my receipt")
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert page.locator("#receipt").inner_text() == receipt
    check_accessibility(page, "speakup-receipt-error")
    page.fill("#id_last_group", receipt[-4:].lower())
    page.click("text=I have saved my receipt")
    assert page.locator("h1").inner_text() == "Your concern"
    assert "Your concern has reached the guardian" in page.locator("main").inner_text()
    assert receipt not in page.content()
    check_accessibility(page, "speakup-reporter-sent")
    page.click("text=Leave and close this page")
    assert page.locator("h1").inner_text() == "Speak up"
    assert "You have left" in page.locator("main").inner_text()

    case = Case.objects.get()
    assert (case.route, case.organisation_id, case.professional_group) == (
        "anonymous",
        "R0B",
        "nursing",
    )
    assert case.patient_safety
    assert case.worker_safety
    assert not case.bullying
    assert case.identity is None

    # --- the guardian signs in, unlocks their keys, reads the concern and replies
    open_case_as_guardian(page, live_server, check_accessibility, first_time=True)
    assert page.locator("#narrative").inner_text() == NARRATIVE
    assert LOCATION in page.locator("main").inner_text()
    assert "3 February 2025" in page.locator("main").inner_text()
    check_accessibility(page, "speakup-case-received")
    in_form(page, "acknowledge").locator("button").click()
    assert "Acknowledged" in page.locator("main .nhsuk-tag").first.inner_text()
    in_form(page, "message").locator("textarea").fill(GUARDIAN_REPLY)
    in_form(page, "message").locator("button").click()
    assert GUARDIAN_REPLY in page.locator("main").inner_text()
    in_form(page, "note").locator("textarea").fill(NOTE)
    in_form(page, "note").locator("button").click()
    assert NOTE in page.locator("main").inner_text()
    check_accessibility(page, "speakup-case-acknowledged")
    sign_out(page)

    # --- the reporter comes back with the receipt and reads the reply
    page.goto(f"{live_server.url}/speak-up/")
    page.click("text=Follow up your concern with your receipt")
    assert page.locator("h1").inner_text() == "Follow up your concern"
    check_accessibility(page, "speakup-follow-up")
    page.fill("#id_receipt", receipt.replace("-", " ").lower())
    page.click("text=Open my concern")
    assert page.locator("h1").inner_text() == "Your concern"
    main = page.locator("main").inner_text()
    assert GUARDIAN_REPLY in main
    assert "acknowledged your concern" in page.locator("#status").inner_text()
    assert NOTE not in main  # private notes are the guardian's only
    check_accessibility(page, "speakup-reporter-case")
    page.fill("#id_reply-body", REPORTER_REPLY)
    page.click("main form[action$='/follow-up/reply/'] button")
    assert REPORTER_REPLY in page.locator("main").inner_text()
    page.click("text=Leave and close this page")

    # --- the guardian triages, acts, gives feedback and closes on evidence
    open_case_as_guardian(page, live_server, check_accessibility, first_time=False)
    assert REPORTER_REPLY in page.locator("main").inner_text()
    triage = in_form(page, "triage")
    triage.get_by_label("Moderate").check()
    triage.get_by_label("Patient safety or quality").check()
    triage.locator("button").click()
    assert "Triaged" in page.locator("main .nhsuk-tag").first.inner_text()
    action = in_form(page, "action")
    action.locator("textarea").fill("Review night staffing on ward 9 with the matron.")
    action.locator("select").select_option(label="guardian (Freedom to Speak Up guardian)")
    action.locator("input[type=date]").fill("2025-06-30")
    action.locator("button").click()
    check_accessibility(page, "speakup-case-actioned")
    done = in_form(page, "action-done")
    done.locator("textarea").fill("A second registered nurse is rostered on nights from May.")
    done.locator("button").click()
    assert "A second registered nurse" in page.locator("#actions ~ table").inner_text()
    feedback = in_form(page, "feedback")
    feedback.locator("textarea").fill("Nights on ward 9 now have two registered nurses.")
    feedback.locator("button").click()
    close = in_form(page, "close")
    close.get_by_label("Addressed: the concern was acted on").check()
    close.locator("textarea").fill("Rosters for May and June show two nurses every night.")
    close.locator("button").click()
    assert page.locator("main .nhsuk-tag").first.inner_text() == "Closed: detriment watch"
    assert "Rosters for May and June" in page.locator("main").inner_text()
    check_accessibility(page, "speakup-case-closed")
    sign_out(page)

    # --- the reporter reads the outcome and answers the national question
    page.goto(f"{live_server.url}/speak-up/follow-up/")
    page.fill("#id_receipt", receipt)
    page.click("text=Open my concern")
    main = page.locator("main").inner_text()
    assert "Your concern is closed" in main
    assert "Addressed: the concern was acted on" in main
    assert "Nights on ward 9 now have two registered nurses." in main
    feedback = page.locator("#feedback")
    assert "Given your experience, would you speak up again?" in feedback.inner_text()
    check_accessibility(page, "speakup-reporter-closed")
    feedback.get_by_label("Maybe").check()
    feedback.locator("textarea").fill("It took a while but something changed.")
    feedback.locator("button").click()
    assert "would you speak up again? Maybe" in page.locator("main").inner_text()
    assert page.locator("#feedback").count() == 0
    check_accessibility(page, "speakup-reporter-answered")
    case.refresh_from_db()
    assert case.speak_up_again == "maybe"
    assert case.outcome == "addressed"


def test_the_raise_form_works_without_javascript(browser, live_server, r0b_guardian):
    from candour.web.speakup.models import Case

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/speak-up/?q=R0B")
        page.click(f"text={TRUST}")
        assert page.locator("h1").inner_text() == "Raise a concern"
        page.get_by_label("Confidentially: only the guardian may know who I am").check()
        page.fill("#id_identity", "Sam Example, staff nurse, 07700 900123")
        page.get_by_label("Bullying or harassment").check()
        page.get_by_label("Discrimination", exact=True).check()
        page.select_option("#id_protected_characteristic", label="Race")
        page.fill("#id_narrative", NARRATIVE)
        page.select_option("#id_professional_group", label="Medical and dental")
        page.locator("input[name=raised_before][value=no]").check()
        page.locator("input[name=detriment_at_intake][value=no]").check()
        page.set_input_files(
            "#id_attachment",
            files=[{"name": "rota.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}],
        )
        page.click("text=Send concern")
        assert page.locator("h1").inner_text() == "Your concern has been sent"
        receipt = page.locator("#receipt").inner_text()
        page.fill("#id_last_group", receipt[-4:])
        page.click("text=I have saved my receipt")
        assert "Your concern has reached the guardian" in page.locator("main").inner_text()
    finally:
        context.close()
    case = Case.objects.get()
    assert (case.route, case.professional_group, case.protected_characteristic) == (
        "confidential",
        "medical",
        "race",
    )
    assert case.bullying
    assert case.discrimination
    assert case.attachments.count() == 1


def test_a_guardian_records_a_concern_received_in_person(
    page, live_server, r0b_guardian, check_accessibility
):
    from candour.web.speakup.models import Case

    sign_in(page, live_server, "guardian")
    page.click("nav[aria-label=Menu] >> text=Cases")
    page.click("text=Record a concern that reached you in person")
    assert page.locator("h1").inner_text() == "Record a concern"
    check_accessibility(page, "speakup-record")
    page.get_by_label("In person").check()
    page.get_by_label("Anonymously", exact=False).check()
    page.get_by_label("Worker safety or wellbeing").check()
    page.fill("#id_narrative", "Porters are sent to lift patients alone at night.")
    page.select_option("#id_professional_group", index=1)
    page.locator("input[name=raised_before][value=no]").check()
    page.locator("input[name=detriment_at_intake][value=no]").check()
    page.click("text=Record concern")
    assert page.locator("h1").inner_text() == "Concern recorded"
    check_accessibility(page, "speakup-recorded")
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4}", page.locator("#receipt").inner_text())
    case = Case.objects.get()
    assert (case.channel, case.route, case.worker_safety) == ("in_person", "anonymous", True)


def test_a_reporter_rereads_their_concern_and_adds_a_file(
    page, live_server, r0b_guardian, check_accessibility
):
    """With the receipt, the person reads again what they sent and adds a photo later: its
    hidden details removed and sealed like the rest; the guardian sees it with the concern."""
    from tests.integration.speakup_access import submit

    from candour.web.speakup.models import Attachment

    case, receipt = submit(narrative=NARRATIVE, location=LOCATION)
    page.goto(f"{live_server.url}/speak-up/follow-up/")
    page.fill("#id_receipt", str(receipt))
    page.click("text=Open my concern")
    assert page.locator("h1").inner_text() == "Your concern"
    sent = page.locator("#sent")
    assert NARRATIVE in sent.inner_text()
    assert LOCATION in sent.inner_text()
    assert "None" in page.locator("#sent-files").inner_text()
    check_accessibility(page, "speakup-reporter-what-you-sent")

    page.set_input_files(
        "#id_attachment",
        files=[{"name": "wedged-door.png", "mimeType": "image/png", "buffer": tiny_png()}],
    )
    page.click("text=Add file")
    assert page.locator("h1").inner_text() == "Your concern"
    assert "File added" in page.locator(".nhsuk-notification-banner").inner_text()
    assert "wedged-door.png" in page.locator("#sent-files").inner_text()
    check_accessibility(page, "speakup-reporter-file-added")

    page.click("text=Add file")  # nothing chosen: the NHS.UK error pattern
    assert "Select a file" in page.locator(".nhsuk-error-summary").inner_text()
    check_accessibility(page, "speakup-reporter-file-error")

    attachment = Attachment.objects.get(case=case)
    assert attachment.cleaned_format == "png"
    assert b"wedged-door" not in bytes(attachment.description)


def tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00taken on ward 9")
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )
