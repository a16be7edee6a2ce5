"""Sticky concerns (P9): a concern has an owner and closes only on recorded evidence."""

import pytest
from django.core.exceptions import ValidationError
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
