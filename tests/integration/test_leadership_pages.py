"""Talent boards in the web app: members see their own region only; supply and demand shows
the vacant, interim and at-risk posts with the ready-now people who match them; decisions are
recorded through the action with an audit event; the talent-board role lands on its region."""

from __future__ import annotations

import pytest
from tests.conftest import PASSWORD
from tests.integration.leadership_access import load_ledger, talent_board

from candour.cli import main
from candour.web.core.models import AuditEvent, User
from candour.web.core.roles import Role
from candour.web.leadership.models import SuccessionDecision, TalentBoard

pytestmark = pytest.mark.django_db

REGION = "/leadership/regions/Y63/"


@pytest.fixture
def member(tmp_path, make_user):
    """A talent-board member on the North East and Yorkshire board, with the small ledger."""
    load_ledger(tmp_path)
    user = make_user(Role.TALENT_BOARD, username="rtb-member")
    talent_board(member=user)
    return user


@pytest.fixture
def member_client(client, member):
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    return client


def text_of(response) -> str:
    import html
    import re

    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text))


def test_supply_and_demand_shows_posts_in_demand_and_the_ready_people_who_match(member_client):
    page = member_client.get(REGION)
    assert page.status_code == 200
    text = text_of(page)
    assert "Chief executive, South Tyneside and Sunderland" in text
    assert "Vacant since" in text
    assert "Finance director, South Tyneside and Sunderland" in text
    assert "Interim for over 6 months" in text
    assert "Medical director, South Tyneside and Sunderland" in text
    assert "Holder leaving within 12 months" in text
    assert "Guy's" not in text  # London's vacancy is another board's
    assert "Nursing director" not in text  # substantive and staying
    finance = text.split("Finance director, South Tyneside")[1].split("Record a decision")[0]
    assert "Ada Ready" in finance  # ready now, targets finance, moves across the region
    assert "From local government" in finance
    assert "Succession plan (risk high): 1. Ben Later" in finance  # named, not ready yet
    ceo = text.split("Chief executive, South Tyneside")[1].split("Record a decision")[0]
    assert "No one in the region's pools is ready now and matches this post" in ceo
    assert page["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize("page", ["", "ledger/", "pools/", "succession-plans/"])
def test_every_region_page_is_for_that_regions_board_only(member_client, page):
    assert member_client.get(REGION + page).status_code == 200
    assert member_client.get(f"/leadership/regions/Y56/{page}").status_code == 403


def test_the_ledger_pools_and_plans_pages_show_the_regions_data(member_client):
    ledger = text_of(member_client.get(REGION + "ledger/"))
    assert "South Tyneside and Sunderland NHS Foundation Trust" in ledger
    assert "The Newcastle Upon Tyne Hospitals" in ledger
    pools = text_of(member_client.get(REGION + "pools/"))
    assert "Ada Ready" in pools
    assert "Ready now (within 12 months)" in pools
    assert "Anywhere in the region" in pools
    plans = text_of(member_client.get(REGION + "succession-plans/"))
    assert "Finance director, South Tyneside and Sunderland NHS Foundation Trust" in plans
    assert "1. Ben Later (ready in 1 to 2 years)" in plans


def test_pipeline_diversity_shows_only_disclosure_controlled_counts(member_client):
    pools = text_of(member_client.get(REGION + "pools/"))
    row = pools.split("All organisations in the region")[1].split("Aspiring")[0]
    assert row.split()[:3] == ["*", "*", "*"]  # one person with a recorded ethnicity


def test_recording_a_decision_writes_it_audits_it_and_adds_the_successor(member_client, member):
    form = member_client.get(REGION + "posts/R0B-FD/decide/")
    assert form.status_code == 200
    assert "Ada Ready" in form.content.decode()
    response = member_client.post(
        REGION + "posts/R0B-FD/decide/",
        {
            "kind": "add_successor",
            "person": "T-ADA",
            "rationale": "Ready now; has acted up as finance director.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == REGION + "#post-R0B-FD"
    decision = SuccessionDecision.objects.get()
    assert (decision.kind, decision.person.person_id, decision.decided_by) == (
        "add_successor",
        "T-ADA",
        member,
    )
    assert [
        (s.rank, s.person.person_id) for s in decision.post.succession_plan.successors.all()
    ] == [(1, "T-BEN"), (2, "T-ADA")]
    event = AuditEvent.objects.filter(action="talent_board.succession_decision").get()
    assert event.actor == "rtb-member"
    assert event.details["person_id"] == "T-ADA"
    assert "acted up" not in str(event.details)  # the rationale stays out of the audit log
    page = text_of(member_client.get(REGION))
    assert "Decision recorded for Finance director at South Tyneside" in page
    assert "Add to the post's succession plan (Ada Ready)" in page


def test_a_decision_about_a_person_needs_the_person_and_a_reason(member_client):
    response = member_client.post(
        REGION + "posts/R0B-FD/decide/", {"kind": "put_forward", "rationale": " "}
    )
    assert response.status_code == 200
    assert "Choose the person this decision is about." in response.content.decode()
    assert not SuccessionDecision.objects.exists()


def test_a_person_not_offered_for_the_post_cannot_be_named(member_client):
    response = member_client.post(
        REGION + "posts/R0B-CEO/decide/",
        {"kind": "put_forward", "person": "T-ADA", "rationale": "Not a match."},
    )
    assert response.status_code == 200
    assert not SuccessionDecision.objects.exists()


def test_a_post_of_another_region_is_not_found(member_client):
    assert member_client.get(REGION + "posts/RJ1-FD/decide/").status_code == 404


def test_a_talent_board_member_lands_on_their_regions_supply_and_demand(client, member):
    response = client.post(
        "/sign-in/", {"username": "rtb-member", "password": PASSWORD}, follow=True
    )
    assert [url for url, _ in response.redirect_chain] == ["/leadership/", REGION]
    assert "Supply and demand" in response.content.decode()


def test_an_analyst_still_lands_on_the_national_ranking(client, make_user):
    make_user(Role.ANALYST, username="an-analyst")
    response = client.post("/sign-in/", {"username": "an-analyst", "password": PASSWORD})
    assert response["Location"] == "/ranking/"


def test_a_member_of_no_board_is_told_so(client_for):
    page = client_for(Role.TALENT_BOARD).get("/leadership/")
    assert page.status_code == 200
    assert "You do not sit on a regional talent board yet" in page.content.decode()


def test_demo_users_seats_the_talent_board_member_on_the_demo_regions_board():
    assert main(["demo-users"]) == 0
    user = User.objects.get(username="demo-talent-board")
    board = TalentBoard.objects.get(memberships__user=user)
    assert board.region_code == "Y63"  # R0B's region
    assert set(board.pools.values_list("kind", flat=True)) == {
        "aspiring_director",
        "existing_director",
        "chief_executive",
    }
