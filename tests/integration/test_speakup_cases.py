"""Guardian case management: keys and unlocking, audited reads, the lifecycle in order with
target times, actions with owners, referrals, feedback, closure on evidence, detriment
check-ins with escalation, identity disclosure with a second approver, sharing and handover."""

from __future__ import annotations

import base64
import datetime
import re

import pytest
from django.core.cache import caches
from tests.conftest import PASSWORD
from tests.integration.speakup_access import (
    cached_keypair,
    cached_keyring,
    enrol_quickly,
    submit,
)

from candour import crypto
from candour.web.core.actions import create_user, grant_role, set_password
from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.speakup import actions, vault
from candour.web.speakup.choices import SealedFor
from candour.web.speakup.models import Case, CheckIn, GuardianKeys, Message, SealedKey
from candour.web.speakup.sessions import GUARDIAN_COOKIE, GUARDIAN_SESSION_KEY

pytestmark = pytest.mark.django_db

NARRATIVE = "The theatre list is overrun every Friday and checks are skipped."


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    caches["speakup"].clear()


def new_guardian(username: str, organisation: str = "R0B", slot: int = 0):
    user = create_user(
        username=username, password=PASSWORD, roles=[Role.GUARDIAN], by="system:test"
    )
    enrol_quickly(user, organisation, slot=slot)
    return user


@pytest.fixture
def guardian():
    return new_guardian("guardian-r0b")


def unlocked(client, user, slot: int = 0):
    """Sign ``user`` in with their keys unlocked (the two session halves set directly)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    lock = crypto.lock_for_session(cached_keypair(slot))
    session = client.session
    session[GUARDIAN_SESSION_KEY] = base64.b64encode(lock.stored).decode()
    session.save()
    client.cookies[GUARDIAN_COOKIE] = base64.urlsafe_b64encode(lock.cookie_key).decode()
    return client


@pytest.fixture
def concern(guardian):
    case, _receipt = submit(narrative=NARRATIVE)
    return case


def post(client, case, step, data, prefix=None):
    prefix = prefix or step.replace("-", "_")
    return client.post(
        f"/speak-up/cases/{case.pk}/{step}/", {f"{prefix}-{k}": v for k, v in data.items()}
    )


def opened(case, user, slot=0):
    return vault.open_for(Case.objects.get(pk=case.pk), cached_keypair(slot), guardian_id=user.pk)


# ----------------------------------------------------------------------------- keys, unlock


def test_unlocking_with_the_password_keeps_the_key_split_between_session_and_cookie(
    client, guardian, concern
):
    client.force_login(guardian, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/speak-up/cases/{concern.pk}/")
    assert page.status_code == 302
    assert page["Location"].startswith("/speak-up/guardian/unlock/?next=")
    wrong = client.post("/speak-up/guardian/unlock/", {"password": "not it"})
    assert wrong.status_code == 400
    response = client.post(
        "/speak-up/guardian/unlock/",
        {"password": PASSWORD, "next": f"/speak-up/cases/{concern.pk}/"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/speak-up/cases/{concern.pk}/"
    cookie = client.cookies[GUARDIAN_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    stored = base64.b64decode(client.session[GUARDIAN_SESSION_KEY])
    assert cached_keypair(0).private_key not in stored
    assert NARRATIVE in client.get(f"/speak-up/cases/{concern.pk}/").content.decode()
    client.post("/speak-up/guardian/lock/")
    assert client.get(f"/speak-up/cases/{concern.pk}/").status_code == 302


def test_unlock_attempts_are_limited(client, guardian, settings):
    settings.SPEAKUP_RATE_LIMITS = {
        **settings.SPEAKUP_RATE_LIMITS,
        "unlock_per_user": (2, 900, 900),
    }
    client.force_login(guardian, backend="django.contrib.auth.backends.ModelBackend")
    for _ in range(2):
        assert client.post("/speak-up/guardian/unlock/", {"password": "wrong"}).status_code == 400
    assert client.post("/speak-up/guardian/unlock/", {"password": PASSWORD}).status_code == 429


def test_enrolment_on_the_keys_page_shows_the_recovery_key_once(client):
    user = create_user(
        username="new-guardian", password=PASSWORD, roles=[Role.STAFF], by="system:test"
    )
    grant_role(user=user, role=Role.GUARDIAN, organisation_code="R0B", by="system:test")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert "Set up my case keys" in client.get("/speak-up/guardian/keys/").content.decode()
    refused = client.post(
        "/speak-up/guardian/keys/", {"do": "enrol", "password": "another password"}
    )
    assert refused.status_code == 400
    assert not GuardianKeys.objects.filter(user=user).exists()
    page = client.post("/speak-up/guardian/keys/", {"do": "enrol", "password": PASSWORD})
    recovery = re.search(r'id="recovery-key">([0-9A-Z-]+)<', page.content.decode()).group(1)
    assert len(recovery.replace("-", "")) == 52
    keys = GuardianKeys.objects.get(user=user)
    assert keys.recovery_key_confirmed_on is None
    assert recovery not in client.get("/speak-up/guardian/keys/").content.decode()
    confirmed = client.post(
        "/speak-up/guardian/keys/", {"do": "confirm", "confirm-recovery_key": recovery.lower()}
    )
    assert confirmed.status_code == 302
    keys.refresh_from_db()
    assert keys.recovery_key_confirmed_on == actions.today()
    # the new guardian now receives concerns for R0B
    case, _ = submit()
    assert SealedKey.objects.filter(case=case, guardian=user).exists()


def test_a_changed_password_is_recovered_with_the_recovery_key(client):
    user = create_user(
        username="forgetful", password=PASSWORD, roles=[Role.GUARDIAN], by="system:test"
    )
    recovery = actions.enrol_guardian(
        user=user, password=PASSWORD, organisation_code="R0B", by=user
    )
    set_password(user=user, password="a brand new password 123", by="system:test")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    locked = client.post("/speak-up/guardian/unlock/", {"password": "a brand new password 123"})
    assert locked.status_code == 400
    recovered = client.post(
        "/speak-up/guardian/keys/recover/",
        {"recovery_key": str(recovery), "password": "a brand new password 123"},
    )
    assert recovered.status_code == 302
    assert (
        client.post(
            "/speak-up/guardian/unlock/", {"password": "a brand new password 123"}
        ).status_code
        == 302
    )


def test_replacing_lost_keys_drops_the_guardians_sealed_copies(guardian, concern):
    other = new_guardian("second-guardian", slot=1)
    actions.share_case(case=concern, keypair=cached_keypair(0), to_guardian=other, by=guardian)
    actions.replace_guardian_keys(user=guardian, password=PASSWORD, by="system:test")
    assert not SealedKey.objects.filter(guardian=guardian).exists()
    assert opened(concern, other, slot=1).narrative == NARRATIVE  # still readable by the other


# ---------------------------------------------------------------------------- reading cases


def test_every_read_is_audited_without_content(client, guardian, concern):
    unlocked(client, guardian)
    assert client.get(f"/speak-up/cases/{concern.pk}/").status_code == 200
    event = AuditEvent.objects.filter(action="speakup.case.read").get()
    assert event.actor == guardian.username
    assert event.target_id == str(concern.pk)
    assert event.details == {}


def test_a_guardian_of_another_organisation_cannot_read_the_case(client, concern):
    stranger = new_guardian("guardian-rj1", "RJ1", slot=1)
    unlocked(client, stranger, slot=1)
    assert client.get(f"/speak-up/cases/{concern.pk}/").status_code == 404
    assert post(client, concern, "message", {"body": "hello"}).status_code == 404
    assert "Case " + concern.reference not in client.get("/speak-up/cases/").content.decode()
    assert not AuditEvent.objects.filter(action="speakup.case.read").exists()


def test_a_guardian_at_the_same_organisation_not_sealed_to_the_case_sees_it_listed_only(
    client, concern
):
    late = new_guardian("late-guardian", slot=1)
    unlocked(client, late, slot=1)
    assert client.get(f"/speak-up/cases/{concern.pk}/").status_code == 404
    listing = client.get("/speak-up/cases/").content.decode()
    assert "Cases you cannot open" in listing
    assert concern.reference in listing


def test_the_list_puts_overdue_cases_first(client, guardian, settings):
    settings.SPEAKUP_TARGETS = {"acknowledge": "7 days", "triage": "7 days", "feedback": "90 days"}
    today = actions.today()
    fresh, _ = submit()
    late, _ = submit()
    later, _ = submit()
    Case.objects.filter(pk=late.pk).update(received_on=today - datetime.timedelta(days=9))
    Case.objects.filter(pk=later.pk).update(received_on=today - datetime.timedelta(days=30))
    unlocked(client, guardian)
    html = client.get("/speak-up/cases/").content.decode()
    order = [m for m in re.findall(r"/speak-up/cases/([0-9a-f-]{36})/", html)]
    assert order == [str(later.pk), str(late.pk), str(fresh.pk)]
    assert "Overdue by 23 days" in html
    assert "Overdue by 2 days" in html


def test_target_times_are_configurable(client, guardian, settings):
    settings.SPEAKUP_TARGETS = {"acknowledge": "1 day", "triage": "2 days", "feedback": "30 days"}
    case, _ = submit()
    Case.objects.filter(pk=case.pk).update(received_on=actions.today() - datetime.timedelta(days=3))
    unlocked(client, guardian)
    assert "Overdue by 2 days" in client.get("/speak-up/cases/").content.decode()


# -------------------------------------------------------------------------------- lifecycle


def test_the_whole_lifecycle_through_the_pages(client, guardian, concern, make_user):
    owner = make_user(Role.STAFF, username="ward-manager")
    grant_role(user=owner, role=Role.STAFF, organisation_code="R0B", by="system:test")
    unlocked(client, guardian)
    # steps out of order are refused
    early = post(client, concern, "triage", {"risk": "low", "categories": "patient_safety"})
    assert early.status_code == 400
    assert "that step is for a case that is acknowledged" in early.content.decode()

    assert (
        post(client, concern, "acknowledge", {"body": "Thank you, I am on it."}).status_code == 302
    )
    assert (
        post(
            client,
            concern,
            "triage",
            {"risk": "high", "immediate_harm": "on", "categories": "patient_safety"},
        ).status_code
        == 302
    )
    due = (actions.today() + datetime.timedelta(days=14)).isoformat()
    response = post(
        client,
        concern,
        "action",
        {"description": "Audit Friday theatre lists.", "owner": owner.pk, "due_on": due},
    )
    assert response.status_code == 302
    assert (
        post(
            client, concern, "referral", {"kind": "patient_safety", "reference": "PSII-7"}
        ).status_code
        == 302
    )
    assert post(client, concern, "feedback", {"body": "Lists are now capped."}).status_code == 302
    blocked = post(client, concern, "close", {"outcome": "addressed", "evidence": "Audit done."})
    assert blocked.status_code == 400
    assert "1 action is not done yet" in blocked.content.decode()

    # the owner sees only the action's text, and records it done
    owner_client = type(client)()
    owner_client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    owner_page = owner_client.get("/speak-up/actions/").content.decode()
    assert "Audit Friday theatre lists." in owner_page
    assert NARRATIVE not in owner_page
    assert owner_client.get(f"/speak-up/cases/{concern.pk}/").status_code == 403
    action = concern.actions.get()
    assert (
        owner_client.post(f"/speak-up/actions/{action.pk}/done/", {"evidence": ""}).status_code
        == 400
    )
    assert (
        owner_client.post(
            f"/speak-up/actions/{action.pk}/done/", {"evidence": "Audited 6 lists."}
        ).status_code
        == 302
    )

    assert (
        post(client, concern, "close", {"outcome": "addressed", "evidence": ""}).status_code == 400
    )
    assert (
        post(
            client, concern, "close", {"outcome": "addressed", "evidence": "Audit done."}
        ).status_code
        == 302
    )
    case = Case.objects.get(pk=concern.pk)
    assert case.status == "detriment_watch"
    assert case.closed_on == actions.today()
    assert case.expires_on == actions.today() + datetime.timedelta(days=730)
    assert [c.months_after_closure for c in case.check_ins.order_by("due_on")] == [1, 3, 6, 12]
    assert [c.due_on for c in case.check_ins.order_by("due_on")] == [
        actions.add_months(actions.today(), m) for m in (1, 3, 6, 12)
    ]
    assert case.acknowledged_on
    assert case.triaged_on
    assert case.actioned_on
    assert case.feedback_given_on
    assert opened(case, guardian).closure_evidence == "Audit done."
    # the reporter's thread has the acknowledgement, the feedback and the closure notice
    authors = list(Message.objects.filter(case=case).values_list("author", flat=True))
    assert authors == ["guardian", "guardian", "system"]
    actions_audited = set(
        AuditEvent.objects.filter(target_id=str(case.pk)).values_list("action", flat=True)
    )
    assert {
        "speakup.case.acknowledge",
        "speakup.case.triage",
        "speakup.case.action",
        "speakup.case.refer",
        "speakup.case.feedback",
        "speakup.case.action_done",
        "speakup.case.close",
    } <= actions_audited


def closed_case(guardian, **submit_fields):
    case, receipt = submit(**submit_fields)
    actions.acknowledge(opened=opened(case, guardian), by=guardian)
    actions.triage(
        case=case, risk="low", immediate_harm=False, categories=["bullying"], by=guardian
    )
    actions.refer(case=case, kind="hr", by=guardian)
    actions.give_feedback(opened=opened(case, guardian), body="Done.", by=guardian)
    actions.close_case(
        opened=opened(case, guardian), outcome="addressed", evidence="HR case.", by=guardian
    )
    return Case.objects.get(pk=case.pk), receipt


def test_detriment_is_recorded_and_escalated(client, guardian):
    case, _ = closed_case(guardian)
    unlocked(client, guardian)
    assert (
        post(
            client, case, "check-in", {"answer": "confirmed", "comment": "Shifts cut."}, "check_in"
        ).status_code
        == 302
    )
    first = CheckIn.objects.filter(case=case).order_by("due_on").first()
    assert first.answer == "confirmed"
    assert first.answered_by == "guardian"
    assert post(client, case, "escalate", {"kind": "hr", "reference": "ER-12"}).status_code == 302
    first.refresh_from_db()
    assert first.escalated_on == actions.today()
    assert first.escalation.kind == "hr"
    assert (
        post(client, case, "escalate", {"kind": "hr"}).status_code == 400
    )  # nothing left to escalate


def test_the_last_check_in_closes_detriment_watch(guardian):
    case, _ = closed_case(guardian)
    for check_in in case.check_ins.order_by("due_on"):
        actions.answer_check_in(
            opened=opened(case, guardian),
            check_in=check_in,
            answer="none",
            author="guardian",
            by=guardian,
        )
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_closed_needs_outcome_and_evidence_in_the_database(guardian, concern):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=concern.pk).update(status="closed", closed_on=actions.today())


# --------------------------------------------------------------------------------- identity


def test_confidential_identity_needs_a_second_approver_and_the_reporter_is_told(
    client, guardian, make_user
):
    case, _ = submit(route="confidential", identity="Jo Bloggs, porter, ext 555")
    unlocked(client, guardian)
    page = client.get(f"/speak-up/cases/{case.pk}/").content.decode()
    assert "Jo Bloggs" not in page
    assert "Show name and contact details" not in page
    assert post(client, case, "identity", {}).status_code == 403
    assert (
        post(
            client, case, "disclosure", {"reason": "To arrange a safeguarding meeting."}
        ).status_code
        == 302
    )
    disclosure = case.disclosures.get()
    # the requester cannot approve; an unscoped board member cannot; another organisation's cannot
    with pytest.raises(Exception, match="second approver"):
        actions.decide_disclosure(disclosure=disclosure, approve=True, by=guardian)
    unscoped = make_user(Role.BOARD, username="board-anywhere")
    assert (
        client_for_user(unscoped)
        .post(f"/speak-up/approvals/disclosures/{disclosure.pk}/", {"decision": "approve"})
        .status_code
        == 403
    )
    board = make_user(Role.BOARD, username="board-r0b")
    grant_role(user=board, role=Role.BOARD, organisation_code="R0B", by="system:test")
    approver = client_for_user(board)
    assert (
        "To arrange a safeguarding meeting."
        in approver.get("/speak-up/approvals/").content.decode()
    )
    assert (
        approver.post(
            f"/speak-up/approvals/disclosures/{disclosure.pk}/", {"decision": "approve"}
        ).status_code
        == 302
    )
    revealed = post(client, case, "identity", {})
    assert revealed.status_code == 200
    assert "Jo Bloggs, porter, ext 555" in revealed.content.decode()
    told = [
        opened(case, guardian).message(m)
        for m in Message.objects.filter(case=case, author="system")
    ]
    assert len(told) == 1
    assert "shared with your guardian" in told[0]
    assert "To arrange a safeguarding meeting." in told[0]
    post(client, case, "identity", {})  # a second reading is audited but not re-told
    assert Message.objects.filter(case=case, author="system").count() == 1
    reads = AuditEvent.objects.filter(action="speakup.identity.read", target_id=str(case.pk))
    assert reads.count() == 2
    assert all("Jo" not in str(e.details) for e in reads)


def client_for_user(user):
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_an_open_concerns_identity_is_shown_to_its_guardian_and_audited(client, guardian):
    case, _ = submit(route="open", identity="Al Open, physio")
    unlocked(client, guardian)
    response = post(client, case, "identity", {})
    assert "Al Open, physio" in response.content.decode()
    assert AuditEvent.objects.filter(action="speakup.identity.read").count() == 1


def test_an_anonymous_concern_has_no_identity(client, guardian, concern):
    unlocked(client, guardian)
    assert (
        "no name or contact details are held"
        in client.get(f"/speak-up/cases/{concern.pk}/").content.decode()
    )
    assert post(client, concern, "identity", {}).status_code == 403


# --------------------------------------------------------------------------------- handover


def test_sharing_and_handing_over_reseal_the_keys(client, guardian, concern):
    successor = new_guardian("successor", slot=1)
    confidential, _ = submit(route="confidential", identity="Pat, ext 1")
    unlocked(client, guardian)
    response = client.post(
        "/speak-up/guardian/handover/",
        {"organisation": "R0B", "guardian": successor.pk, "remove_own_access": "on"},
    )
    assert response.status_code == 302
    for case in (concern, confidential):
        assert not SealedKey.objects.filter(case=case, guardian=guardian).exists()
        assert opened(case, successor, slot=1).narrative
    assert SealedKey.objects.filter(
        case=confidential, guardian=successor, purpose=SealedFor.IDENTITY
    ).exists()
    assert client.get(f"/speak-up/cases/{concern.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="speakup.case.share").count() == 2
    assert AuditEvent.objects.filter(action="speakup.case.give_up_access").count() == 2


def test_share_one_case(client, guardian, concern):
    colleague = new_guardian("colleague", slot=1)
    unlocked(client, guardian)
    assert post(client, concern, "share", {"guardian": colleague.pk}).status_code == 302
    assert opened(concern, colleague, slot=1).narrative == NARRATIVE
    assert opened(concern, guardian).narrative == NARRATIVE


def test_new_concerns_are_sealed_to_every_assigned_guardian(guardian):
    second = new_guardian("second", slot=1)
    case, _ = submit()
    assert {r.guardian_id for r in SealedKey.objects.filter(case=case)} == {
        guardian.pk,
        second.pk,
        None,
    }


# ------------------------------------------------------------------------------ other pages


def test_notes_are_sealed_and_never_shown_to_the_reporter(client, guardian):
    case, receipt = submit()
    unlocked(client, guardian)
    assert post(client, case, "note", {"body": "Ward manager is the subject."}).status_code == 302
    note = case.notes.get()
    assert b"Ward manager" not in bytes(note.body)
    assert (
        "Ward manager is the subject." in client.get(f"/speak-up/cases/{case.pk}/").content.decode()
    )
    from django.test import Client

    reporter = Client()
    reporter.post("/speak-up/follow-up/", {"receipt": str(receipt)})
    assert "Ward manager" not in reporter.get("/speak-up/follow-up/case/").content.decode()


def test_attachments_download_decrypted_and_audited(client, guardian):
    case, _ = submit(
        attachment=actions.Upload(
            name="rota.pdf", content_type="application/pdf", data=b"%PDF rota"
        )
    )
    unlocked(client, guardian)
    attachment = case.attachments.get()
    response = client.get(f"/speak-up/cases/{case.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF rota"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert AuditEvent.objects.filter(action="speakup.attachment.read").count() == 1


def test_legal_hold_needs_a_reason_and_is_audited(client, guardian, concern):
    from candour.web.speakup.models import LegalHold

    unlocked(client, guardian)
    url = f"/speak-up/cases/{concern.pk}/legal-hold/"
    refused = client.post(url, {"hold": "1", "legal_hold-reason": "  "})
    assert refused.status_code == 400
    assert "Enter the reason" in refused.content.decode()
    assert not Case.objects.get(pk=concern.pk).legal_hold
    client.post(url, {"hold": "1", "legal_hold-reason": "Employment tribunal claim ET/1234."})
    assert Case.objects.get(pk=concern.pk).legal_hold
    page = client.get(f"/speak-up/cases/{concern.pk}/").content.decode()
    assert "Employment tribunal claim ET/1234." in page
    assert client.post(url, {"hold": "0", "legal_hold-reason": ""}).status_code == 400
    assert Case.objects.get(pk=concern.pk).legal_hold
    client.post(url, {"hold": "0", "legal_hold-reason": "The claim was withdrawn."})
    assert not Case.objects.get(pk=concern.pk).legal_hold
    hold = LegalHold.objects.get(case=concern)
    assert (hold.placed_by, hold.released_by) == (guardian, guardian)
    assert hold.release_reason == "The claim was withdrawn."
    events = AuditEvent.objects.filter(action="speakup.case.legal_hold").order_by("id")
    assert [e.details["hold"] for e in events] == [True, False]
    assert all(e.details["legal_hold"] == hold.pk for e in events)
    assert not any("tribunal" in str(e.details) for e in events)  # the reason stays out


def test_you_said_we_did_needs_a_second_person(client, guardian, make_user):
    unlocked(client, guardian)
    response = client.post(
        "/speak-up/we-did/",
        {
            "organisation": "R0B",
            "theme": "bullying",
            "you_said": "Shouting on nights.",
            "we_did": "Civility training.",
        },
    )
    assert response.status_code == 302
    from candour.web.speakup.models import WeDidSummary

    summary = WeDidSummary.objects.get()
    assert summary.status == "draft"
    assert (
        "Civility training."
        not in client.get("/speak-up/organisations/R0B/we-did/").content.decode()
    )
    assert (
        client.post(
            f"/speak-up/approvals/summaries/{summary.pk}/", {"decision": "approve"}
        ).status_code
        == 403
    )
    colleague = new_guardian("colleague", slot=1)
    assert (
        client_for_user(colleague)
        .post(f"/speak-up/approvals/summaries/{summary.pk}/", {"decision": "approve"})
        .status_code
        == 302
    )
    assert (
        "Civility training." in client.get("/speak-up/organisations/R0B/we-did/").content.decode()
    )


def test_a_guardian_without_keys_is_asked_to_set_them_up(client_for):
    client = client_for(Role.GUARDIAN)
    html = client.get("/speak-up/cases/").content.decode()
    assert "Set up your case keys" in html
    assert client.get("/speak-up/guardian/unlock/").status_code == 302


def test_keyring_is_never_stored_unwrapped(guardian):
    keys = GuardianKeys.objects.get(user=guardian)
    private = cached_keypair(0).private_key
    for column in (keys.public_key, keys.key_by_password, keys.key_by_recovery_key):
        assert private not in bytes(column)
    assert bytes(keys.public_key) == cached_keyring(0)[0].public_key
