"""Reporter sessions are server-side and revocable, and nothing a reporter does reaches a log
(issue 14, findings 2 and 3): "Leave" ends the session so a copied cookie opens nothing; the
session has an absolute lifetime; the form token lives in the session, no year-long CSRF cookie
is set; every reporter page and its files send ``Referrer-Policy: no-referrer``; and no URL says
what the reporter just did."""

from __future__ import annotations

import re
import time

import pytest
from django.core.cache import caches
from django.test import Client
from tests.integration.speakup_access import enrol_quickly, submit

from candour.web.core.roles import Role
from candour.web.speakup.logfilter import REPORTER_PATH
from candour.web.speakup.models import Case, Message
from candour.web.speakup.sessions import REPORTER_COOKIE

pytestmark = pytest.mark.django_db

FORM = {
    "route": "anonymous",
    "narrative": "Fire doors on the east stairwell are wedged open every night.",
    "categories": ["patient_safety"],
    "professional_group": "estates",
    "raised_before": "no",
    "detriment_at_intake": "no",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    caches["speakup"].clear()


@pytest.fixture
def concern(make_user):
    enrol_quickly(make_user(Role.GUARDIAN, username="guardian-r0b"), "R0B")
    return submit()


def form_token(html: str) -> str:
    return re.search(r'name="reporter_token" value="([^"]+)"', html).group(1)


def opened(client: Client, receipt) -> Client:
    token = form_token(client.get("/speak-up/follow-up/").text)
    response = client.post(
        "/speak-up/follow-up/", {"receipt": str(receipt), "reporter_token": token}
    )
    assert response.status_code == 302
    return client


def test_after_leave_the_same_cookie_opens_nothing(concern):
    _, receipt = concern
    reporter = opened(Client(enforce_csrf_checks=True), receipt)
    copied = reporter.cookies[REPORTER_COOKIE].value
    page = reporter.get("/speak-up/follow-up/case/")
    assert page.status_code == 200
    reporter.post("/speak-up/follow-up/leave/", {"reporter_token": form_token(page.text)})

    thief = Client()
    thief.cookies[REPORTER_COOKIE] = copied
    response = thief.get("/speak-up/follow-up/case/")
    assert response.status_code == 302
    assert response["Location"] == "/speak-up/follow-up/"
    assert thief.post("/speak-up/follow-up/reply/", {"reply-body": "hello"}).status_code == 302
    assert not Message.objects.filter(author="reporter").exists()


def test_a_copied_cookie_stops_working_for_everyone_when_the_reporter_leaves(concern):
    _, receipt = concern
    reporter = opened(Client(enforce_csrf_checks=True), receipt)
    copy = Client()
    copy.cookies[REPORTER_COOKIE] = reporter.cookies[REPORTER_COOKIE].value
    assert copy.get("/speak-up/follow-up/case/").status_code == 200  # a live session: it opens
    token = form_token(reporter.get("/speak-up/follow-up/case/").text)
    reporter.post("/speak-up/follow-up/leave/", {"reporter_token": token})
    assert copy.get("/speak-up/follow-up/case/").status_code == 302


def test_the_session_ends_at_its_absolute_lifetime_however_busy(concern, settings):
    settings.SPEAKUP_REPORTER_SESSION_SECONDS = 3
    settings.SPEAKUP_REPORTER_SESSION_MAX_SECONDS = 3
    reporter = opened(Client(), concern[1])
    time.sleep(1.6)
    assert reporter.get("/speak-up/follow-up/case/").status_code == 200  # keeps it alive...
    time.sleep(1.6)
    response = reporter.get("/speak-up/follow-up/case/")  # ...but not past its lifetime
    assert response.status_code == 302


def test_the_session_ends_when_idle(concern, settings):
    settings.SPEAKUP_REPORTER_SESSION_SECONDS = 1
    reporter = opened(Client(), concern[1])
    time.sleep(1.2)
    assert reporter.get("/speak-up/follow-up/case/").status_code == 302


def test_the_cookie_is_a_token_and_the_cache_holds_only_ciphertext(concern):
    case, receipt = concern
    reporter = opened(Client(), receipt)
    cookie = reporter.cookies[REPORTER_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/speak-up/"
    assert not cookie["max-age"]
    assert not cookie["expires"]  # a browser-session cookie
    stored = b"".join(
        value if isinstance(value, bytes) else b""
        for value in (caches["speakup"].get(key.split(":", 2)[-1]) for key in _cache_keys())
    )
    assert stored
    assert bytes(case.receipt_lookup) not in stored
    assert receipt.canonical.encode() not in stored
    assert cookie.value.encode() not in stored


def _cache_keys() -> list[str]:
    return list(caches["speakup"]._cache.keys())  # LocMemCache's store


def test_reporter_pages_set_no_django_csrf_cookie_and_need_their_own_token(concern):
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/speak-up/raise/R0B/")
    assert "csrftoken" not in visitor.cookies
    assert REPORTER_COOKIE in visitor.cookies
    forged = visitor.post("/speak-up/raise/R0B/", FORM)
    assert forged.status_code == 400
    assert "has not been sent" in forged.text
    assert FORM["narrative"] in forged.text  # kept for them to send again
    assert Case.objects.count() == 1  # only the fixture's
    sent = visitor.post("/speak-up/raise/R0B/", {**FORM, "reporter_token": form_token(page.text)})
    assert sent.status_code == 302
    assert Case.objects.count() == 2
    assert "csrftoken" not in visitor.cookies


def test_a_new_session_gets_a_new_token_and_form_token(concern):
    _, receipt = concern
    visitor = Client(enforce_csrf_checks=True)
    before_token = form_token(visitor.get("/speak-up/follow-up/").text)
    before_cookie = visitor.cookies[REPORTER_COOKIE].value
    visitor.post("/speak-up/follow-up/", {"receipt": str(receipt), "reporter_token": before_token})
    assert visitor.cookies[REPORTER_COOKIE].value != before_cookie
    after_token = form_token(visitor.get("/speak-up/follow-up/case/").text)
    assert after_token != before_token
    stale = visitor.post(
        "/speak-up/follow-up/reply/", {"reply-body": "x", "reporter_token": before_token}
    )
    assert stale.status_code == 400
    assert not Message.objects.filter(author="reporter").exists()


def test_no_url_says_what_the_reporter_did(concern):
    _, receipt = concern
    reporter = opened(Client(), receipt)
    replied = reporter.post("/speak-up/follow-up/reply/", {"reply-body": "More detail."})
    assert replied["Location"] == "/speak-up/follow-up/case/"
    assert "The guardian will see it next time" in reporter.get("/speak-up/follow-up/case/").text
    left = reporter.post("/speak-up/follow-up/leave/")
    assert left["Location"] == "/speak-up/"
    assert "You have left" in reporter.get("/speak-up/").text
    assert "You have left" not in reporter.get("/speak-up/").text  # once


REPORTER_URLS = [
    "/speak-up/",
    "/speak-up/?q=R0B",
    "/speak-up/raise/R0B/",
    "/speak-up/receipt/",
    "/speak-up/follow-up/",
    "/speak-up/follow-up/case/",
    "/speak-up/organisations/R0B/we-did/",
]


REPORTER_POSTS = {
    "/speak-up/follow-up/reply/": {"reply-body": "x"},
    "/speak-up/follow-up/feedback/": {"feedback-answer": "yes"},
    "/speak-up/follow-up/check-in/": {"check_in-answer": "none"},
    "/speak-up/follow-up/file/": {},
    "/speak-up/follow-up/leave/": {},
}


def test_every_reporter_route_is_checked_here():
    from candour.web.speakup import urls

    for pattern in urls.urlpatterns:
        path = "/speak-up/" + str(pattern.pattern).replace("<str:ods_code>", "R0B")
        if REPORTER_PATH.match(path):
            assert path in REPORTER_URLS or path in REPORTER_POSTS, path


@pytest.mark.parametrize("url", REPORTER_URLS)
def test_every_reporter_page_sends_no_referrer(concern, url):
    reporter = opened(Client(), concern[1])
    response = reporter.get(url)
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("url", ["/static/candour/candour.css", "/static/candour/proof-of-work.js"])
def test_static_files_send_no_referrer(settings, url):
    settings.WHITENOISE_USE_FINDERS = True  # serve from the source tree, as in development
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    response.close()


@pytest.mark.parametrize("url", list(REPORTER_POSTS))
def test_reporter_posts_send_no_referrer_either(concern, url):
    reporter = opened(Client(), concern[1])
    assert reporter.post(url, REPORTER_POSTS[url])["Referrer-Policy"] == "no-referrer"


def test_a_receipt_waiting_to_be_saved_is_not_lost_by_wandering_off(concern):
    visitor = Client()
    assert visitor.post("/speak-up/raise/R0B/", FORM).status_code == 302
    response = visitor.get("/speak-up/follow-up/case/")
    assert response["Location"] == "/speak-up/receipt/"
    assert 'id="receipt"' in visitor.get("/speak-up/receipt/").text
