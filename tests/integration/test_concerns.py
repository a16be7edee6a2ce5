"""Sticky concerns (P9): a concern has an owner and closes only on recorded evidence."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.oversight import actions
from candour.web.oversight.models import Concern, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def concern(make_user):
    return actions.raise_concern(
        organisation=Organisation.objects.get(pk="RJ1"),
        title="12-hour waits rising",
        explanation="Three months above the upper process limit.",
        owner=make_user(Role.REGIONAL, username="owner"),
        by="system:test",
    )


def test_raising_records_an_audit_event(concern):
    assert concern.status == Concern.Status.OPEN
    assert AuditEvent.objects.filter(action="concern.raise", target_id=str(concern.pk)).exists()


def test_a_concern_cannot_close_without_evidence(concern):
    concern.status = Concern.Status.CLOSED
    with pytest.raises(IntegrityError), transaction.atomic():
        concern.save()  # the database itself refuses a closed concern with no evidence


def test_closing_on_evidence_records_who_and_what(concern):
    evidence = actions.record_evidence(
        concern=concern,
        kind="case_note_review",
        summary="30 notes reviewed; no avoidable harm.",
        by="system:test",
    )
    closed = actions.close_concern(concern=concern, evidence=evidence, by="system:test")
    assert closed.status == Concern.Status.CLOSED
    assert closed.closing_evidence == evidence
    assert closed.closed_by == "system:test"
    events = AuditEvent.objects.filter(target_type="concern", target_id=str(concern.pk))
    assert list(events.values_list("action", flat=True)) == [
        "concern.raise",
        "concern.evidence",
        "concern.close",
    ]
    with pytest.raises(ValidationError, match="already closed"):
        actions.close_concern(concern=closed, evidence=evidence, by="system:test")


def test_later_favourable_data_never_closes_a_concern(concern):
    """Re-importing every dataset (new data, good or bad) leaves the concern open."""
    from candour.importers.datasets import DATASETS

    for dataset in DATASETS.values():
        actions.import_dataset(imported=dataset.load(), by="system:test")
    concern.refresh_from_db()
    assert concern.status == Concern.Status.OPEN


def test_web_flow_record_evidence_and_close(client_for, concern):
    client = client_for(Role.BOARD)
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert "cannot be closed until some is" in page
    response = client.post(
        f"/concerns/{concern.pk}/",
        {"kind": "inspection", "summary": "CQC focused inspection found improvement."},
    )
    assert response.status_code == 302
    evidence = concern.evidence.get()
    client.post(f"/concerns/{concern.pk}/", {"close": "1", "evidence": evidence.pk})
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    org_page = client.get("/organisations/RJ1/").content.decode()
    assert "1 closed concern" in org_page
    assert "closed by test-board on inspection" in org_page


def test_staff_cannot_record_evidence(client_for, concern):
    response = client_for(Role.STAFF).post(
        f"/concerns/{concern.pk}/", {"kind": "other", "summary": "x"}
    )
    assert response.status_code == 403
    assert not concern.evidence.exists()


def test_raise_from_the_web(client_for, make_user):
    owner = make_user(Role.REGIONAL, username="regional-owner")
    client = client_for(Role.ANALYST)
    response = client.post(
        "/organisations/RJ1/concerns/new/",
        {"title": "Bullying scores", "explanation": "Highest in the region.", "owner": owner.pk},
    )
    assert response.status_code == 302
    assert "Bullying scores" in client.get("/organisations/RJ1/").content.decode()


# --- Scoped to the organisations a role is granted for (issue 10, finding 7) ----------------------
# RJ1 (Guy's and St Thomas') is in London, Y56; R0B (South Tyneside and Sunderland) is in North
# East and Yorkshire, Y63.


def test_board_granted_for_another_organisation_cannot_raise_a_concern(client_for, make_user):
    owner = make_user(Role.REGIONAL, username="regional-owner")
    client = client_for(Role.BOARD, organisation_code="R0B")
    assert client.get("/organisations/RJ1/concerns/new/").status_code == 403
    response = client.post(
        "/organisations/RJ1/concerns/new/",
        {"title": "Not ours", "explanation": "Raised from another trust.", "owner": owner.pk},
    )
    assert response.status_code == 403
    assert not Concern.objects.filter(organisation="RJ1").exists()
    assert "Raise a concern" not in client.get("/organisations/RJ1/").content.decode()


def test_board_granted_for_another_organisation_cannot_add_evidence_or_close(client_for, concern):
    client = client_for(Role.BOARD, organisation_code="R0B")
    response = client.post(
        f"/concerns/{concern.pk}/", {"kind": "inspection", "summary": "Looked fine to us."}
    )
    assert response.status_code == 403
    assert not concern.evidence.exists()
    evidence = actions.record_evidence(
        concern=concern, kind="inspection", summary="Focused inspection.", by="system:test"
    )
    response = client.post(f"/concerns/{concern.pk}/", {"close": "1", "evidence": evidence.pk})
    assert response.status_code == 403
    concern.refresh_from_db()
    assert concern.status == Concern.Status.OPEN


def test_a_board_member_reads_only_their_own_organisations_concerns(client_for, concern):
    client = client_for(Role.BOARD, organisation_code="R0B")
    assert client.get(f"/concerns/{concern.pk}/").status_code == 403
    assert concern.title not in client.get("/organisations/RJ1/").content.decode()
    assert concern.title not in client.get("/regions/Y56/").content.decode()
    listed = client.get("/api/concerns/", {"organisation": "RJ1"}).json()
    assert listed["count"] == 0


@pytest.mark.parametrize("role", [Role.REGIONAL, Role.ANALYST])
def test_regional_oversight_and_analysts_read_every_organisations_concerns(
    client_for, concern, role
):
    client = client_for(role, organisation_code="R0B")
    assert client.get(f"/concerns/{concern.pk}/").status_code == 200
    assert concern.title in client.get("/organisations/RJ1/").content.decode()
    assert client.get("/api/concerns/", {"organisation": "RJ1"}).json()["count"] == 1


@pytest.mark.parametrize("role", [Role.STAFF, Role.GUARDIAN, Role.TALENT_BOARD])
def test_people_outside_oversight_do_not_read_concerns(client_for, concern, role):
    client = client_for(role)
    assert client.get(f"/concerns/{concern.pk}/").status_code == 403
    assert concern.title not in client.get("/organisations/RJ1/").content.decode()


def test_regional_oversight_granted_for_the_region_raises_and_closes(client_for, make_user):
    owner = make_user(Role.BOARD, username="rj1-board", organisation_code="RJ1")
    client = client_for(Role.REGIONAL, organisation_code="Y56")
    response = client.post(
        "/organisations/RJ1/concerns/new/",
        {"title": "Cancer waits", "explanation": "Eight months below.", "owner": owner.pk},
    )
    assert response.status_code == 302
    concern = Concern.objects.get(organisation="RJ1", title="Cancer waits")
    client.post(f"/concerns/{concern.pk}/", {"kind": "action_plan_completed", "summary": "Done."})
    evidence = concern.evidence.get()
    client.post(f"/concerns/{concern.pk}/", {"close": "1", "evidence": evidence.pk})
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    assert client.get("/organisations/R0B/concerns/new/").status_code == 403  # not Y56


def test_an_owner_is_someone_who_may_resolve_the_concern_there(client_for, make_user):
    make_user(Role.BOARD, username="r0b-board", organisation_code="R0B")
    make_user(Role.BOARD, username="rj1-board", organisation_code="RJ1")
    make_user(Role.REGIONAL, username="national-regional")
    page = client_for(Role.REGIONAL).get("/organisations/RJ1/concerns/new/").content.decode()
    assert "rj1-board" in page
    assert "national-regional" in page
    assert "r0b-board" not in page


def test_the_actions_refuse_a_person_granted_for_another_organisation(make_user, concern):
    board = make_user(Role.BOARD, username="r0b-board", organisation_code="R0B")
    with pytest.raises(PermissionDenied):
        actions.raise_concern(
            organisation=Organisation.objects.get(pk="RJ1"),
            title="Not ours",
            explanation="x",
            owner=board,
            by=board,
        )
    with pytest.raises(PermissionDenied):
        actions.record_evidence(concern=concern, kind="other", summary="x", by=board)
    evidence = actions.record_evidence(
        concern=concern, kind="other", summary="Reviewed.", by="system:test"
    )
    with pytest.raises(PermissionDenied):
        actions.close_concern(concern=concern, evidence=evidence, by=board)
    assert Concern.objects.filter(organisation="RJ1").count() == 1
    concern.refresh_from_db()
    assert concern.status == Concern.Status.OPEN


def test_the_concern_forms_link_each_error_to_its_field(client_for, concern):
    """Issue 10, finding 8: the NHS.UK error summary, shared by every form that includes it."""
    client = client_for(Role.REGIONAL)
    html = client.post("/organisations/RJ1/concerns/new/", {}).content.decode()
    summary = html.split('class="nhsuk-error-summary__body">')[1].split("</div>")[0]
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary) == [
        ("id_title", "Enter a title"),
        ("id_explanation", "Enter an explanation"),
        ("id_owner", "Select an owner"),
    ]
    html = client.post(f"/concerns/{concern.pk}/", {"record": "1"}).content.decode()
    summary = html.split('class="nhsuk-error-summary__body">')[1].split("</div>")[0]
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary) == [
        ("id_kind_0", "Select the kind of evidence"),
        ("id_summary", "Describe the evidence"),
    ]
    assert 'id="id_kind_0"' in html
    assert 'aria-describedby="id_kind-error"' in html
