"""Managing guardians: assigning an enrolled guardian elsewhere, unassigning without leaving a
case unreadable, revoked roles and inactive accounts receiving nothing new, replacing lost keys;
and closing a concern that needed no action."""

from __future__ import annotations

import io
import re

import pytest
from django.core.cache import caches
from tests.conftest import PASSWORD
from tests.integration.speakup_access import cached_keypair, enrol_quickly, submit

from candour.cli import main
from candour.web.core.actions import create_user, revoke_role
from candour.web.core.models import AuditEvent, RoleGrant
from candour.web.core.roles import Role
from candour.web.oversight.models import Organisation
from candour.web.speakup import actions, vault
from candour.web.speakup.choices import SealedFor, Status
from candour.web.speakup.models import Case, GuardianAssignment, SealedKey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    caches["speakup"].clear()


def guardian(username: str, organisation: str = "R0B", slot: int = 0):
    user = create_user(
        username=username, password=PASSWORD, roles=[Role.GUARDIAN], by="system:test"
    )
    enrol_quickly(user, organisation, slot=slot)
    return user


def sealed_to(case, user) -> bool:
    return SealedKey.objects.filter(case=case, guardian=user, purpose=SealedFor.CASE).exists()


def test_an_enrolled_guardian_is_assigned_to_another_organisation(capsys):
    first = guardian("g-first")
    assert main(["speakup", "assign-guardian", "g-first", "--organisation", "rj1"]) == 0
    assert "g-first now receives concerns for RJ1" in capsys.readouterr().out
    case, _ = submit("RJ1")
    assert sealed_to(case, first)
    assert RoleGrant.objects.filter(
        user=first, role=Role.GUARDIAN, organisation_code="RJ1"
    ).exists()


def test_assigning_someone_without_keys_is_refused(make_user, capsys):
    make_user(Role.STAFF, username="no-keys")
    assert main(["speakup", "assign-guardian", "no-keys", "--organisation", "R0B"]) == 2
    assert "has no guardian keys yet" in capsys.readouterr().err
    assert main(["speakup", "assign-guardian", "nobody", "--organisation", "R0B"]) == 2
    assert "no user is called 'nobody'" in capsys.readouterr().err


def test_unassigning_waits_until_no_case_would_be_left_unreadable(capsys):
    leaving = guardian("g-leaving", slot=0)
    case, _ = submit()
    assert main(["speakup", "unassign-guardian", "g-leaving", "--organisation", "R0B"]) == 2
    assert "1 case(s) at R0B can be read only by g-leaving" in capsys.readouterr().err
    assert sealed_to(case, leaving)

    successor = guardian("g-successor", slot=1)
    opened = vault.open_for(case, cached_keypair(0), guardian_id=leaving.pk)
    actions.share_case(
        case=opened.case, keypair=cached_keypair(0), to_guardian=successor, by=leaving
    )
    assert main(["speakup", "unassign-guardian", "g-leaving", "--organisation", "R0B"]) == 0
    assert "1 sealed key(s) removed" in capsys.readouterr().out
    assert not sealed_to(case, leaving)
    assert not GuardianAssignment.objects.filter(guardian=leaving).exists()
    assert not RoleGrant.objects.filter(
        user=leaving, role=Role.GUARDIAN, organisation_code="R0B"
    ).exists()
    assert AuditEvent.objects.filter(action="speakup.guardian.unassign").exists()
    later, _ = submit()
    assert sealed_to(later, successor)
    assert not sealed_to(later, leaving)
    with pytest.raises(vault.NoAccess):
        vault.open_for(case, cached_keypair(0), guardian_id=leaving.pk)


def test_a_revoked_role_or_inactive_account_receives_no_new_concerns(client):
    revoked = guardian("g-revoked", slot=0)
    for scope in ("", "R0B"):  # the role as created, and as the assignment granted it
        revoke_role(user=revoked, role=Role.GUARDIAN, organisation_code=scope, by="system:test")
    inactive = guardian("g-inactive", slot=1)
    inactive.is_active = False
    inactive.save()
    r0b = Organisation.objects.get(pk="R0B")
    assert actions.readers_of(r0b) == []
    # so the form refuses, and the start page says there is no guardian
    assert "No guardian yet" in client.get("/speak-up/", {"q": "R0B"}).content.decode()
    with pytest.raises(actions.NoGuardianError):
        submit()


def test_lost_keys_are_replaced_and_a_new_recovery_key_printed(monkeypatch, capsys):
    lost = guardian("g-lost")
    case, _ = submit()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["speakup", "replace-guardian-keys", "g-lost", "--password-stdin"]) == 0
    out = capsys.readouterr().out
    assert "Recovery key (shown once; print it)" in out
    assert not sealed_to(case, lost)  # nobody can open the old copy: it is gone
    new_case, _ = submit()
    assert sealed_to(new_case, lost)


def test_replacing_keys_needs_the_sign_in_password(monkeypatch, capsys):
    guardian("g-lost")
    monkeypatch.setattr("sys.stdin", io.StringIO("not the password\n"))
    assert main(["speakup", "replace-guardian-keys", "g-lost", "--password-stdin"]) == 2
    assert "not the guardian's sign-in password" in capsys.readouterr().err


def test_a_concern_not_upheld_closes_without_an_action():
    g = guardian("g-r0b")
    case, _ = submit()

    def opened():
        return vault.open_for(Case.objects.get(pk=case.pk), cached_keypair(0), guardian_id=g.pk)

    actions.acknowledge(opened=opened(), by=g)
    actions.triage(case=case, risk="low", immediate_harm=False, categories=["patient_safety"], by=g)
    actions.give_feedback(opened=opened(), body="We looked into it and found the rota safe.", by=g)
    closed = actions.close_case(
        opened=opened(), outcome="not_upheld", evidence="Rota audit, May.", by=g
    )
    assert closed.status == Status.DETRIMENT_WATCH
    assert closed.actioned_on is None


# ------------------------------------------------------- concerns received another way

RECORDED = {
    "organisation": "R0B",
    "channel": "in_person",
    "route": "confidential",
    "identity": "Alex Example, porter, ext 4321",
    "narrative": "Told me in the canteen: porters are sent to lift patients alone at night.",
    "categories": ["worker_safety"],
    "professional_group": "estates",
    "raised_before": "no",
    "detriment_at_intake": "no",
}


def signed_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_guardian_records_a_concern_received_in_person_and_hands_over_the_receipt(client):
    g = guardian("g-r0b")
    response = signed_in(client, g).post("/speak-up/cases/record/", RECORDED)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Give the receipt to the person now" in page
    assert response["Cache-Control"].startswith("max-age=0")
    receipt = re.search(r'id="receipt">([0-9A-Z-]+)<', page).group(1)
    case = Case.objects.get()
    assert (case.channel, case.route, case.worker_safety) == ("in_person", "confidential", True)
    opened = vault.open_for(case, cached_keypair(0), guardian_id=g.pk)
    assert opened.narrative == RECORDED["narrative"]
    assert AuditEvent.objects.filter(
        action="speakup.concern.record", actor="g-r0b", target_id=str(case.pk)
    ).exists()
    # the person follows it up online with the receipt, with no account
    client.logout()
    assert client.post("/speak-up/follow-up/", {"receipt": receipt}).status_code == 302
    follow_up = client.get("/speak-up/follow-up/case/").content.decode()
    assert "Your concern has reached the guardian" in follow_up


def test_the_record_form_asks_about_the_person_and_only_offers_ones_own_organisations(client):
    g = guardian("g-r0b")
    page = signed_in(client, g).get("/speak-up/cases/record/").content.decode()
    assert "How does the person want to speak up?" in page
    assert 'value="R0B"' in page
    assert 'value="RJ1"' not in page
    assert 'value="web"' not in page  # the online form is the person's own channel
    refused = client.post(
        "/speak-up/cases/record/", {**RECORDED, "organisation": "RJ1", "identity": ""}
    )
    assert refused.status_code == 400
    errors = refused.content.decode()
    assert (
        "Enter their name, role and how to contact them, or choose to speak up anonymously"
        in errors
    )
    assert "Select a valid choice. RJ1 is not one of the available choices." in errors
    assert not Case.objects.exists()


def test_a_guardian_with_no_organisation_has_nowhere_to_record(client, make_user):
    unassigned = make_user(Role.GUARDIAN, username="g-nowhere")
    page = signed_in(client, unassigned).get("/speak-up/cases/record/").content.decode()
    assert "You are not assigned to any organisation yet" in page
