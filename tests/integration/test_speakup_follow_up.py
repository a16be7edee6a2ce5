"""Coming back with a receipt: status and messages, replies, the feedback question and
detriment check-ins; wrong receipts rate-limited with lockout and indistinguishable."""

from __future__ import annotations

import statistics
import time

import pytest
from django.core.cache import caches
from tests.integration.speakup_access import cached_keypair, close, enrol_quickly, submit

from candour import crypto
from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.speakup import actions, vault
from candour.web.speakup.models import Case, Message, ReporterActivity
from candour.web.speakup.sessions import REPORTER_COOKIE

pytestmark = pytest.mark.django_db

FAILURE = "We could not open a concern with that receipt."


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    caches["speakup"].clear()


@pytest.fixture
def guardian(make_user):
    user = make_user(Role.GUARDIAN, username="guardian-r0b")
    enrol_quickly(user, "R0B")
    return user


@pytest.fixture
def concern(guardian):
    return submit()


def opened_by_guardian(case, guardian):
    return vault.open_for(Case.objects.get(pk=case.pk), cached_keypair(0), guardian_id=guardian.pk)


def sign_in_with(client, receipt, **extra):
    return client.post("/speak-up/follow-up/", {"receipt": str(receipt)}, **extra)


def error_summary(response) -> str:
    html = response.content.decode()
    return html.split('class="nhsuk-error-summary__body">')[1].split("</div>")[0]


def wrong_receipt(receipt) -> str:
    text = receipt.canonical
    return ("0" if text[0] != "0" else "1") + text[1:]


def test_the_receipt_opens_the_case_forgivingly(client, concern):
    _, receipt = concern
    typed = str(receipt).lower().replace("-", " ").replace("1", "l").replace("0", "o")
    response = sign_in_with(client, typed)
    assert response.status_code == 302
    assert response["Location"] == "/speak-up/follow-up/case/"
    page = client.get("/speak-up/follow-up/case/").content.decode()
    assert "has reached the guardian" in page
    cookie = client.cookies[REPORTER_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert receipt.canonical not in cookie.value


def test_reporter_reads_the_guardians_reply_and_answers(client, concern, guardian):
    case, receipt = concern
    actions.acknowledge(
        opened=opened_by_guardian(case, guardian),
        message="Thank you; I will call the ward manager.",
        by=guardian,
    )
    sign_in_with(client, receipt)
    page = client.get("/speak-up/follow-up/case/").content.decode()
    assert "Thank you; I will call the ward manager." in page
    assert "acknowledged your concern" in page
    response = client.post(
        "/speak-up/follow-up/reply/", {"reply-body": "It happened again last night."}
    )
    assert response.status_code == 302
    message = Message.objects.filter(case=case).order_by("sequence").last()
    assert message.author == "reporter"
    assert message.sent_on == actions.today()
    assert b"happened again" not in bytes(message.body)
    assert opened_by_guardian(case, guardian).message(message) == "It happened again last night."
    # counted for the day, never timed: no audit event until the day is over
    assert not AuditEvent.objects.filter(action__startswith="speakup.reporter").exists()
    reply = ReporterActivity.objects.get(kind="reply")
    assert (reply.organisation_id, reply.day, reply.count) == ("R0B", actions.today(), 1)


def test_an_empty_reply_is_refused(client, concern):
    sign_in_with(client, concern[1])
    response = client.post("/speak-up/follow-up/reply/", {"reply-body": ""})
    assert response.status_code == 400
    assert "Enter your message" in response.content.decode()


def test_after_closure_the_reporter_answers_would_you_speak_up_again(client, concern, guardian):
    case, receipt = concern
    close(case, guardian)
    sign_in_with(client, receipt)
    page = client.get("/speak-up/follow-up/case/").content.decode()
    assert "Given your experience, would you speak up again?" in page
    assert "A second nurse now works nights." in page
    response = client.post(
        "/speak-up/follow-up/feedback/",
        {"feedback-answer": "yes", "feedback-comment": "Quick and kind."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.speak_up_again == "yes"
    assert case.speak_up_again_on == actions.today()
    assert opened_by_guardian(case, guardian).speak_up_again_comment == "Quick and kind."
    again = client.post("/speak-up/follow-up/feedback/", {"feedback-answer": "no"})
    assert again.status_code == 400
    case.refresh_from_db()
    assert case.speak_up_again == "yes"


def test_the_feedback_question_waits_for_closure(client, concern):
    sign_in_with(client, concern[1])
    assert (
        "would you speak up again" not in client.get("/speak-up/follow-up/case/").content.decode()
    )
    response = client.post("/speak-up/follow-up/feedback/", {"feedback-answer": "yes"})
    assert response.status_code == 400


def test_a_due_check_in_is_answered_through_the_receipt(client, concern, guardian):
    case, receipt = concern
    close(case, guardian)
    first = case.check_ins.order_by("due_on").first()
    assert first.months_after_closure == 1
    sign_in_with(client, receipt)
    assert (
        "Checking you are all right" not in client.get("/speak-up/follow-up/case/").content.decode()
    )
    case.check_ins.filter(pk=first.pk).update(due_on=actions.today())
    page = client.get("/speak-up/follow-up/case/").content.decode()
    assert "Checking you are all right" in page
    response = client.post(
        "/speak-up/follow-up/check-in/",
        {"check_in-answer": "suspected", "check_in-comment": "Moved to nights without asking."},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.answer == "suspected"
    assert first.answered_by == "reporter"
    assert (
        opened_by_guardian(case, guardian).check_in_comment(first)
        == "Moved to nights without asking."
    )


# ------------------------------------------------------------------------ wrong receipts


def test_wrong_and_malformed_receipts_get_the_same_answer(client, concern):
    _, receipt = concern
    answers = []
    for typed in (wrong_receipt(receipt), "ABCD", "not a receipt at all!", ""):
        response = sign_in_with(client, typed)
        answers.append((response.status_code, FAILURE in response.content.decode()))
    assert answers[:3] == [(400, True)] * 3
    assert answers[3][0] == 400  # empty: the field is required


def test_wrong_receipts_never_lock_out_a_right_one(client, concern, settings):
    settings.SPEAKUP_SLOW_DOWN = {**settings.SPEAKUP_SLOW_DOWN, "receipt": (3, 900)}
    _, receipt = concern
    for _ in range(20):
        assert sign_in_with(client, wrong_receipt(receipt)).status_code == 400
    assert sign_in_with(client, receipt).status_code == 302


def test_wrong_receipts_from_many_sources_lock_nobody_out(client, concern):
    _, receipt = concern
    for n in range(60):
        sign_in_with(client, wrong_receipt(receipt), REMOTE_ADDR=f"203.0.113.{n}")
    assert sign_in_with(client, receipt, REMOTE_ADDR="198.51.100.1").status_code == 302


def test_the_rate_limiter_keeps_no_address(client, concern):
    sign_in_with(client, wrong_receipt(concern[1]), REMOTE_ADDR="203.0.113.250")
    cache = caches["speakup"]
    keys = list(cache._cache.keys())  # LocMemCache's store
    assert keys
    assert not any("203.0.113.250" in key for key in keys)


def test_a_wrong_receipt_takes_about_as_long_as_a_right_one(client, concern, settings):
    _, receipt = concern
    from candour.web.speakup.views.reporter import _find_case

    def timed(text):
        start = time.perf_counter()
        _find_case(text)
        return time.perf_counter() - start

    for _ in range(5):  # warm up
        timed(str(receipt)), timed(wrong_receipt(receipt))
    right = statistics.median(timed(str(receipt)) for _ in range(40))
    wrong = statistics.median(timed(wrong_receipt(receipt)) for _ in range(40))
    assert 0.5 < wrong / right < 2, (right, wrong)


def test_a_tampered_or_expired_reporter_cookie_is_ignored(client, concern, settings):
    sign_in_with(client, concern[1])
    good = client.cookies[REPORTER_COOKIE].value
    client.cookies[REPORTER_COOKIE] = good[:-4] + ("AAAA" if good[-4:] != "AAAA" else "BBBB")
    assert client.get("/speak-up/follow-up/case/").status_code == 302
    settings.SPEAKUP_REPORTER_SESSION_SECONDS = 1
    sign_in_with(client, concern[1])
    time.sleep(1.1)
    response = client.get("/speak-up/follow-up/case/")
    assert response.status_code == 302
    assert response["Location"] == "/speak-up/follow-up/"


def test_leaving_ends_the_reporter_session(client, concern):
    sign_in_with(client, concern[1])
    response = client.post("/speak-up/follow-up/leave/")
    assert response.status_code == 302
    assert client.get("/speak-up/follow-up/case/").status_code == 302


def test_published_you_said_we_did_shows_to_the_reporter(client, concern, guardian, make_user):
    from candour.web.oversight.models import Organisation

    summary = actions.write_summary(
        organisation=Organisation.objects.get(pk="R0B"),
        theme="patient_safety",
        you_said="Night staffing felt unsafe.",
        we_did="Two registered nurses on every night shift.",
        by=guardian,
    )
    sign_in_with(client, concern[1])
    assert "Two registered nurses" not in client.get("/speak-up/follow-up/case/").content.decode()
    board = make_user(Role.BOARD, username="board-r0b")
    from candour.web.core.actions import grant_role

    grant_role(user=board, role=Role.BOARD, organisation_code="R0B", by="system:test")
    actions.decide_summary(summary=summary, approve=True, by=board)
    assert "Two registered nurses" in client.get("/speak-up/follow-up/case/").content.decode()
    assert (
        "Two registered nurses"
        in client.get("/speak-up/organisations/R0B/we-did/").content.decode()
    )


def test_receipts_are_never_reused_across_cases(guardian):
    lookups = {bytes(submit()[0].receipt_lookup) for _ in range(20)}
    assert len(lookups) == 20
    assert all(len(lookup) == 32 for lookup in lookups)
    assert crypto.new_receipt() != crypto.new_receipt()
