"""Findings of the security review, each shut: a role revoked for one organisation ends every
power there; every password check shares one limit; one attachment within one size limit per
request; request logs of the reporter's pages dropped, CSRF failures included; IPv6 sources
counted by /64; a dump cannot test guessed receipts."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.cache import caches
from django.test import Client
from tests.conftest import PASSWORD
from tests.integration.speakup_access import enrol_quickly, submit

from candour.web.core.actions import create_user, grant_role, revoke_role
from candour.web.core.roles import Role
from candour.web.speakup import actions, policy, ratelimit
from candour.web.speakup.models import Case, IdentityDisclosure, SealedKey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    caches["speakup"].clear()


def guardian_of(username, *codes, slot=0):
    user = create_user(username=username, password=PASSWORD, roles=[], by="system:test")
    grant_role(user=user, role=Role.GUARDIAN, organisation_code=codes[0], by="system:test")
    enrol_quickly(user, codes[0], slot=slot)
    for code in codes[1:]:
        actions.assign_guardian(user=user, organisation_code=code, by="system:test")
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_role_revoked_for_one_organisation_ends_every_power_there():
    leaver = guardian_of("g-leaver", "R0B", "RJ1")
    requester = guardian_of("g-stays", "R0B", slot=1)
    case, _ = submit(route="confidential", identity="Jo, ext 1")
    disclosure = IdentityDisclosure.objects.create(
        case=case, requested_by=requester, requested_on=actions.today(), reason="Safeguarding."
    )
    assert policy.can_second(leaver, organisation_code="R0B", author=requester)
    revoke_role(user=leaver, role=Role.GUARDIAN, organisation_code="R0B", by="system:test")

    assert policy.guardian_organisation_codes(leaver) == ["RJ1"]  # still a guardian there
    assert not policy.can_second(leaver, organisation_code="R0B", author=requester)
    client = signed_in(leaver)
    assert client.get(f"/speak-up/cases/{case.pk}/").status_code == 404
    assert (
        client.post(
            f"/speak-up/approvals/disclosures/{disclosure.pk}/", {"decision": "approve"}
        ).status_code
        == 403
    )
    assert 'value="R0B"' not in client.get("/speak-up/cases/record/").content.decode()


def test_every_password_check_shares_the_unlock_limit(settings):
    settings.SPEAKUP_RATE_LIMITS = {
        **settings.SPEAKUP_RATE_LIMITS,
        "unlock_per_user": (3, 900, 900),
    }
    g = guardian_of("g-r0b", "R0B")
    client = signed_in(g)
    wrong = [
        ("/speak-up/guardian/keys/", {"do": "new", "password": "wrong"}),
        ("/speak-up/guardian/keys/", {"do": "confirm", "confirm-recovery_key": "0" * 52}),
        ("/speak-up/guardian/keys/recover/", {"password": "wrong", "recovery_key": "0" * 52}),
    ]
    for url, data in wrong:
        assert client.post(url, data).status_code == 400
    # locked out everywhere, the right password included
    assert client.post("/speak-up/guardian/unlock/", {"password": PASSWORD}).status_code == 429
    right = client.post("/speak-up/guardian/keys/", {"do": "new", "password": PASSWORD})
    assert right.status_code == 429
    assert "Too many wrong passwords or recovery keys" in right.content.decode()


FORM = {
    "route": "anonymous",
    "narrative": "Hand hygiene audits are signed off without being done.",
    "categories": ["patient_safety"],
    "professional_group": "nursing",
    "raised_before": "no",
    "detriment_at_intake": "no",
}


def named(data: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def test_only_one_attachment_field_is_read(client):
    guardian_of("g-r0b", "R0B")
    response = client.post(
        "/speak-up/raise/R0B/", {**FORM, "smuggled": named(b"%PDF" + b"x" * 50, "other.pdf")}
    )
    assert response.status_code == 302  # the stray file part was skipped unread
    case = Case.objects.get()
    assert not case.attachments.exists()


def test_a_request_cannot_hold_more_than_the_limit_in_files(client, settings):
    guardian_of("g-r0b", "R0B")
    settings.SPEAKUP_MAX_ATTACHMENT_BYTES = 1000
    response = client.post(
        "/speak-up/raise/R0B/",
        {**FORM, "attachment": [named(b"%PDF" + b"x" * 600, f"part{i}.pdf") for i in range(3)]},
    )
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_csrf_failure_on_a_reporter_page_is_not_logged(caplog):
    guardian_of("g-r0b", "R0B")
    caplog.set_level(logging.DEBUG)
    strict = Client(enforce_csrf_checks=True)
    # reporter pages check their own form token: without it nothing is sent, the form comes back
    assert strict.post("/speak-up/raise/R0B/", FORM).status_code == 400
    assert strict.post("/speak-up/follow-up/", {"receipt": "x"}).status_code == 400
    assert not Case.objects.exists()
    assert strict.post("/sign-in/", {}).status_code == 403  # other pages are still logged
    messages = [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "/speak-up/" in m]
    assert any("Forbidden (CSRF" in m and "/sign-in/" in m for m in messages)


def test_ipv6_sources_are_counted_by_their_64(rf):
    def source(address):
        return ratelimit.source_of(rf.get("/", REMOTE_ADDR=address))

    assert source("2001:db8:1:2::1") == source("2001:db8:1:2:ffff::9")
    assert source("2001:db8:1:2::1") != source("2001:db8:1:3::1")
    assert source("198.51.100.7") != source("198.51.100.8")
    assert source("::ffff:198.51.100.7") == source("198.51.100.7")


def test_the_reporters_public_key_is_not_stored():
    guardian_of("g-r0b", "R0B")
    case, _ = submit()
    reporter_row = SealedKey.objects.get(case=case, guardian=None)
    assert bytes(reporter_row.public_key) == b""


def test_an_action_owner_cannot_add_evidence_once_the_case_is_shredded(make_user):
    g = guardian_of("g-r0b", "R0B")
    owner = make_user(Role.STAFF, username="owner")
    grant_role(user=owner, role=Role.STAFF, organisation_code="R0B", by="system:test")
    case, _ = submit()
    Case.objects.filter(pk=case.pk).update(status="acknowledged")
    actions.triage(case=case, risk="low", immediate_harm=False, categories=["other_matter"], by=g)
    action = actions.add_action(
        case=case, description="Check the rota.", owner=owner, due_on=actions.today(), by=g
    )
    Case.objects.filter(pk=case.pk).update(status="expired")
    response = signed_in(owner).post(f"/speak-up/actions/{action.pk}/done/", {"evidence": "Done."})
    assert "expired" in response.content.decode()
    action.refresh_from_db()
    assert action.evidence == ""


def test_pages_with_disclosure_reasons_or_action_text_are_never_cached(make_user):
    g = guardian_of("g-r0b", "R0B")
    for url in ("/speak-up/approvals/", "/speak-up/we-did/", "/speak-up/actions/"):
        response = signed_in(g).get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url
