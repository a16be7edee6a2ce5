"""Availability without locking out the innocent (issue 14, finding 1): floods are absorbed by
cost (a proof of work, or a short wait without JavaScript) and bounded storage, never by refusing
an address; a receipt that opens its case always opens it."""

from __future__ import annotations

import re
import time

import pytest
from django.core.cache import caches
from django.test import Client
from tests.integration.speakup_access import enrol_quickly, submit

from candour.web.core.roles import Role
from candour.web.speakup import costs, proofofwork, ratelimit
from candour.web.speakup.models import Attachment, Case, Message

pytestmark = pytest.mark.django_db

FORM = {
    "route": "anonymous",
    "narrative": "The sharps bins on ward 4 are overfilled every night.",
    "categories": ["worker_safety"],
    "professional_group": "nursing",
    "raised_before": "no",
    "detriment_at_intake": "no",
}
SHARED_ADDRESS = "203.0.113.40"  # a hospital's NAT: everyone on the site behind one address
SLOW = 2.0  # seconds: the no-JavaScript wait the tests that need it configure


@pytest.fixture(autouse=True)
def _fresh_counters():
    caches["speakup"].clear()


@pytest.fixture
def guardian(make_user):
    user = make_user(Role.GUARDIAN, username="guardian-r0b")
    enrol_quickly(user, "R0B")
    return user


def source(address: str = SHARED_ADDRESS) -> str:
    from django.test import RequestFactory

    return ratelimit.source_of(RequestFactory().get("/", REMOTE_ADDR=address))


def challenge_on(html: str) -> str:
    return re.search(r'name="pow_challenge" value="([^"]+)"', html).group(1)


def over_every_limit(address: str = SHARED_ADDRESS, times: int = 10_000) -> None:
    """Push the source's counters far past every allowance."""
    for kind in costs.KINDS:
        key = ratelimit._pressure_key(kind, source(address))
        caches["speakup"].set(key, times, timeout=3600)


def timed(call):
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


# ------------------------------------------------------------------------------ the rules


@pytest.mark.parametrize(
    ("count", "free", "max_steps", "steps"),
    [
        (0, 5, 4, 0),
        (4, 5, 4, 0),
        (5, 5, 4, 1),
        (9, 5, 4, 1),
        (10, 5, 4, 2),
        (19, 5, 4, 2),
        (20, 5, 4, 3),
        (40, 5, 4, 4),
        (10_000, 5, 4, 4),  # capped: a colleague behind a flood pays at most 2 ** 4 times more
        (10_000, 5, 0, 0),
    ],
)
def test_each_doubling_past_the_allowance_costs_one_more_step(count, free, max_steps, steps):
    assert costs.steps_over(count, free, max_steps) == steps


def test_a_solution_pays_once_for_its_own_kind_and_source(settings):
    settings.SPEAKUP_PROOF_OF_WORK_BITS = 8
    challenge = proofofwork.issue(kind="concern", source="s1", bits=8)
    solution = proofofwork.solve(challenge)
    assert proofofwork.work_done(challenge, solution) >= 8
    assert proofofwork.redeem(challenge, solution, kind="reply", source="s1") == 0
    assert proofofwork.redeem(challenge, solution, kind="concern", source="s2") == 0
    assert proofofwork.redeem(challenge, solution, kind="concern", source="s1") == 8
    assert proofofwork.redeem(challenge, solution, kind="concern", source="s1") == 0  # spent
    tampered = challenge[:2] + "20" + challenge[4:]  # ask for more credit than was issued
    assert proofofwork.redeem(tampered, solution, kind="concern", source="s1") == 0


def test_an_expired_challenge_pays_nothing(settings):
    settings.SPEAKUP_PROOF_OF_WORK_VALID_SECONDS = 60
    old = proofofwork.issue(kind="receipt", source="s1", bits=4, now=time.time() - 61)
    assert proofofwork.redeem(old, proofofwork.solve(old), kind="receipt", source="s1") == 0


def test_the_challenge_asks_more_of_a_busy_source(client, guardian):
    first = challenge_on(client.get("/speak-up/raise/R0B/", REMOTE_ADDR=SHARED_ADDRESS).text)
    over_every_limit()
    busy = challenge_on(client.get("/speak-up/raise/R0B/", REMOTE_ADDR=SHARED_ADDRESS).text)
    elsewhere = challenge_on(client.get("/speak-up/raise/R0B/", REMOTE_ADDR="192.0.2.1").text)
    base = int(first.split("-")[1])
    assert int(busy.split("-")[1]) == base + 4
    assert int(elsewhere.split("-")[1]) == base


@pytest.mark.parametrize(
    ("proven", "due", "share"),
    [(0, 18, 1.0), (18, 18, 0.0), (21, 22, 0.5), (20, 22, 0.75), (18, 22, 0.9375), (23, 22, 0.0)],
)
def test_work_short_of_the_price_pays_its_share_of_the_wait(proven, due, share):
    assert costs.owed(proven, due) == share


# -------------------------------------------------------------------- receipts never locked


def test_a_valid_receipt_opens_its_case_while_its_source_is_over_every_limit(guardian, settings):
    settings.SPEAKUP_NO_SCRIPT_DELAY_SECONDS = SLOW
    _, receipt = submit()
    over_every_limit()
    client = Client(REMOTE_ADDR=SHARED_ADDRESS)
    response, seconds = timed(
        lambda: client.post("/speak-up/follow-up/", {"receipt": str(receipt)})
    )
    assert response.status_code == 302
    assert seconds < SLOW  # not slowed either: a right receipt costs nothing
    assert "has reached the guardian" in client.get("/speak-up/follow-up/case/").text


def test_a_wrong_receipt_without_proof_of_work_waits_and_with_it_does_not(guardian, settings):
    settings.SPEAKUP_NO_SCRIPT_DELAY_SECONDS = SLOW / 4
    client = Client(REMOTE_ADDR=SHARED_ADDRESS)
    wrong = "ABCD-EFGH-JKMN-PQRS-TVWX"
    response, seconds = timed(lambda: client.post("/speak-up/follow-up/", {"receipt": wrong}))
    assert response.status_code == 400
    assert seconds >= SLOW / 4
    challenge = challenge_on(client.get("/speak-up/follow-up/").text)
    paid = {
        "receipt": wrong,
        "pow_challenge": challenge,
        "pow_solution": proofofwork.solve(challenge),
    }
    response, seconds = timed(lambda: client.post("/speak-up/follow-up/", paid))
    assert response.status_code == 400
    assert seconds < SLOW / 4


# -------------------------------------------------------------------- concerns never refused


def test_a_concern_is_accepted_from_an_address_that_just_sent_1000_junk_posts(guardian):
    flooder = Client(REMOTE_ADDR=SHARED_ADDRESS)
    for n in range(1000):
        junk = {"narrative": "x" * (n % 50), "route": "nonsense"} if n % 2 else {"z": n}
        assert flooder.post("/speak-up/raise/R0B/", junk).status_code == 400
    assert not Case.objects.exists()
    colleague = Client(REMOTE_ADDR=SHARED_ADDRESS)
    challenge = challenge_on(colleague.get("/speak-up/raise/R0B/").text)
    response = colleague.post(
        "/speak-up/raise/R0B/",
        {**FORM, "pow_challenge": challenge, "pow_solution": proofofwork.solve(challenge)},
    )
    assert response.status_code == 302
    assert Case.objects.count() == 1


def test_a_flood_of_concerns_slows_its_source_and_never_refuses_it(guardian, settings):
    settings.SPEAKUP_SLOW_DOWN = {**settings.SPEAKUP_SLOW_DOWN, "concern": (2, 3600)}
    settings.SPEAKUP_NO_SCRIPT_DELAY_SECONDS = 0.05
    client = Client(REMOTE_ADDR=SHARED_ADDRESS)
    waits = []
    for _ in range(9):
        response, seconds = timed(lambda: client.post("/speak-up/raise/R0B/", FORM))
        assert response.status_code == 302
        waits.append(seconds)
    assert Case.objects.count() == 9
    # 0.05 s, then twice as long per doubling past the allowance of 2 (at most 2 ** 4 times);
    # only lower bounds (sleeps): an upper bound or a ratio of wall times fails on a busy machine
    assert waits[-1] >= 0.05 * 2**3


# -------------------------------------------------------------------------- bounded storage


def test_an_organisations_concerns_are_bounded_per_day(client, guardian, settings):
    settings.SPEAKUP_DAILY_LIMITS = {
        **settings.SPEAKUP_DAILY_LIMITS,
        "concerns_per_organisation": 3,
    }
    for _ in range(3):
        submit()
    page = client.get("/speak-up/raise/R0B/")
    assert page.status_code == 503
    assert "We cannot take more concerns for" in page.text
    assert "https://www.cqc.org.uk/" in page.text  # the other ways to speak up
    assert client.post("/speak-up/raise/R0B/", FORM).status_code == 503
    assert Case.objects.count() == 3


def test_past_the_days_file_bound_a_concern_goes_without_its_file(client, guardian, settings):
    settings.SPEAKUP_DAILY_LIMITS = {
        **settings.SPEAKUP_DAILY_LIMITS,
        "attachment_bytes_per_organisation": 2000,
    }
    from tests.integration.test_speakup_hardening import named

    response = client.post(
        "/speak-up/raise/R0B/", {**FORM, "attachment": named(b"%PDF" + b"x" * 3000, "rota.pdf")}
    )
    assert response.status_code == 302
    assert Case.objects.count() == 1
    assert not Attachment.objects.exists()
    assert "Your file was not kept" in client.get("/speak-up/receipt/").text


def test_what_a_reporter_adds_to_one_case_is_bounded_per_day(client, guardian, settings):
    settings.SPEAKUP_DAILY_LIMITS = {
        **settings.SPEAKUP_DAILY_LIMITS,
        "reporter_messages_per_case": 2,
    }
    case, receipt = submit()
    client.post("/speak-up/follow-up/", {"receipt": str(receipt)})
    for n in range(2):
        assert client.post("/speak-up/follow-up/reply/", {"reply-body": f"{n}"}).status_code == 302
    refused = client.post("/speak-up/follow-up/reply/", {"reply-body": "and again"})
    assert refused.status_code == 400
    assert "You can add more tomorrow" in refused.text
    assert Message.objects.filter(case=case, author="reporter").count() == 2
