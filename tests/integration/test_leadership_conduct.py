"""Conduct concerns about leaders (issue 12, items 5 and 7): read only by those investigating and
the chair, never by the person they are about; investigated, concluded and linked to the
fit-and-proper decision; and referred from speak up by a guardian, with the reporter's recorded
consent, carrying the category and the guardian's summary and never the reporter's identity or
the sealed content."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from tests.integration import leadership_people as build
from tests.integration.speakup_access import cached_keypair, submit
from tests.integration.test_leadership_pages import text_of
from tests.integration.test_speakup_cases import new_guardian, unlocked

from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.leadership import actions_conduct
from candour.web.leadership.models import ConductConcern
from candour.web.speakup import actions as speakup
from candour.web.speakup import vault
from candour.web.speakup.models import Case, Referral

pytestmark = pytest.mark.django_db

NARRATIVE = "The finance director shouted at me in front of the team and said I was useless."
IDENTITY = "Robin Reporter, ward 12, ext 4321"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    caches["speakup"].clear()


@pytest.fixture
def board():
    """R0B's chair, and a director known to Candour."""
    chair = build.user("cc-chair", Role.BOARD)
    build.officer(chair, "chair")
    director = build.person(
        "P-FIN", "Frankie Finance", account=build.user("cc-director", Role.BOARD)
    )
    return chair, director


def test_investigators_and_the_chair_read_it_and_nobody_else(client, board):
    chair, director = board
    concern = build.conduct_concern(director)
    investigator = build.user("cc-investigator", Role.STAFF)
    actions_conduct.assign_investigators(concern=concern, investigators=[investigator], by=chair)
    url = f"/leadership/conduct/{concern.pk}/"
    assert build.signed_in(client, chair).get(url).status_code == 200
    assert build.signed_in(client, investigator).get(url).status_code == 200
    assert build.signed_in(client, director.user).get(url).status_code == 404  # about them
    assert build.signed_in(client, build.user("cc-board", Role.BOARD)).get(url).status_code == 404
    assert build.signed_in(client, build.user("cc-admin", Role.ADMIN)).get(url).status_code == 404
    assert (
        build.signed_in(client, build.user("cc-guardian", Role.GUARDIAN)).get(url).status_code
        == 404
    )
    # The list is the chair's alone.
    assert (
        build.signed_in(client, investigator)
        .get("/leadership/organisations/R0B/conduct/")
        .status_code
        == 403
    )
    concern.refresh_from_db()
    assert concern.status == "investigating"


def test_the_person_it_is_about_never_investigates_it(board):
    chair, director = board
    concern = build.conduct_concern(director)
    with pytest.raises(ValidationError, match="cannot investigate"):
        actions_conduct.assign_investigators(
            concern=concern, investigators=[director.user], by=chair
        )


def test_concluding_links_the_fitness_decision(client, board):
    chair, director = board
    concern = build.conduct_concern(director)
    record = build.fppt_record(director)
    response = build.signed_in(client, chair).post(
        f"/leadership/conduct/{concern.pk}/conclude/",
        {
            "conclude-outcome": "upheld",
            "conclude-findings": "Three witnesses confirm the comments.",
            "conclude-fitness_impact": "actions",
            "conclude-fitness_record": "",
        },
    )
    assert response.status_code == 400
    assert "Link the fit-and-proper record the outcome affects" in text_of(response)
    client.post(
        f"/leadership/conduct/{concern.pk}/conclude/",
        {
            "conclude-outcome": "upheld",
            "conclude-findings": "Three witnesses confirm the comments.",
            "conclude-fitness_impact": "actions",
            "conclude-fitness_record": str(record.pk),
        },
    )
    concern.refresh_from_db()
    assert (concern.status, concern.fitness_record) == ("concluded", record)
    record_page = text_of(client.get(f"/leadership/fit-and-proper/{record.pk}/"))
    linked = record_page.split("Conduct concerns linked")[1]
    assert linked.startswith(f" {concern.reference} : upheld, actions recorded in the fit-and")
    details = json.dumps(
        [e.details for e in AuditEvent.objects.filter(action__startswith="conduct.")]
    )
    assert "witnesses" not in details
    assert "Belittling" not in details


@pytest.fixture
def guardian_case(board):
    """A confidential concern about the finance director, triaged by R0B's guardian."""
    guardian = new_guardian("cc-guardian-r0b")
    case, _ = submit(
        route="confidential", identity=IDENTITY, narrative=NARRATIVE, categories=["bullying"]
    )
    opened = vault.open_for(case, cached_keypair(0), guardian_id=guardian.pk)
    speakup.acknowledge(opened=opened, by=guardian)
    speakup.triage(
        case=case, risk="moderate", immediate_harm=False, categories=["bullying"], by=guardian
    )
    return guardian, Case.objects.get(pk=case.pk)


def referral_form(director, **overrides) -> dict:
    fields = {
        "subject": str(director.pk),
        "category": "bullying",
        "summary": "A member of staff describes being shouted at in a team meeting by the "
        "finance director.",
        "consent": "on",
        "consent_on": "2026-01-05",
    }
    return {f"conduct-{k}": v for k, v in (fields | overrides).items() if v is not None}


def test_a_guardian_refers_a_case_with_consent_carrying_only_category_and_summary(
    client, board, guardian_case
):
    chair, director = board
    guardian, case = guardian_case
    unlocked(client, guardian)
    page = text_of(client.get(f"/speak-up/cases/{case.pk}/"))
    assert "Refer a board member's behaviour to the chair" in page
    assert "Frankie Finance" in page
    # Without the reporter's consent, nothing is referred.
    response = client.post(
        f"/speak-up/cases/{case.pk}/conduct/", referral_form(director, consent=None)
    )
    assert response.status_code == 400
    assert "Refer only with the agreement of the person who spoke up" in text_of(response)
    assert not ConductConcern.objects.exists()

    response = client.post(f"/speak-up/cases/{case.pk}/conduct/", referral_form(director))
    assert response.status_code == 302
    concern = ConductConcern.objects.get()
    assert (concern.source, concern.category, concern.subject) == ("speak_up", "bullying", director)
    assert concern.reporter_consent_on == dt.date(2026, 1, 5)
    assert concern.recorded_by == guardian
    referral = Referral.objects.get(case=case)
    assert (referral.kind, referral.reference) == ("conduct", concern.reference)
    # What the chair reads holds neither the reporter's identity nor what they wrote.
    chair_page = text_of(build.signed_in(client, chair).get(f"/leadership/conduct/{concern.pk}/"))
    assert "shouted at in a team meeting" in chair_page
    for secret in ("Robin Reporter", "ext 4321", "useless", str(case.pk), case.reference):
        assert secret not in chair_page
    stored = json.dumps(
        {k: str(v) for k, v in ConductConcern.objects.filter(pk=concern.pk).values().get().items()}
    )
    for secret in ("Robin", "useless", str(case.pk)):
        assert secret not in stored
    events = AuditEvent.objects.filter(
        action__in=["speakup.case.refer", "conduct.referred_from_speak_up"]
    )
    assert len(events) == 2
    assert "shouted" not in json.dumps([e.details for e in events])


def test_only_a_guardian_of_the_case_refers_it(client, board, guardian_case):
    from django.core.exceptions import PermissionDenied

    from candour.web.speakup.actions.conduct import refer_to_conduct

    _, director = board
    _, case = guardian_case
    other = new_guardian("cc-other-guardian", slot=1)
    with pytest.raises(PermissionDenied):
        refer_to_conduct(
            case=case, subject=director, category="bullying", summary="x",
            consent_on=dt.date(2026, 1, 1), by=other,
        )  # fmt: skip
    assert (
        unlocked(client, other, slot=1)
        .post(f"/speak-up/cases/{case.pk}/conduct/", referral_form(director))
        .status_code
        == 404
    )


def test_the_ordinary_referral_cannot_be_a_conduct_concern(client, board, guardian_case):
    guardian, case = guardian_case
    unlocked(client, guardian)
    response = client.post(
        f"/speak-up/cases/{case.pk}/referral/",
        {"referral-kind": "conduct", "referral-reference": ""},
    )
    assert response.status_code == 400
    with pytest.raises(ValidationError, match="its own step"):
        speakup.refer(case=case, kind="conduct", by=guardian)
