"""New-deal packages (issue 12, item 6): a package with an overdue commitment from the centre
shows it flagged on the package and on the region's page; success measures show as SPC charts
against their trajectory; the region's talent board writes, the trust's board and regional
oversight read."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from tests.integration import leadership_people as build
from tests.integration.test_leadership_pages import text_of

from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.leadership import actions_newdeal
from candour.web.leadership.models import Commitment

pytestmark = pytest.mark.django_db


def seat(user, region_code: str = "Y63"):
    """A seat on the region's talent board (no pools needed here)."""
    from candour.web.leadership import actions
    from candour.web.oversight.models import Organisation

    name = Organisation.objects.filter(region_code=region_code).first().region_name
    board = actions.ensure_talent_board(region_code=region_code, region_name=name, by=build.ACTOR)
    actions.add_board_member(board=board, user=user, by=build.ACTOR)
    return user


@pytest.fixture
def member(make_user):
    return seat(make_user(Role.TALENT_BOARD, username="nd-member"))


@pytest.fixture
def package(member):
    return build.package_with_overdue_centre_commitment(today=timezone.localdate())


def test_an_overdue_centre_commitment_is_flagged_on_the_package_and_the_region(
    client, member, package
):
    package, capital, _ = package
    page = text_of(build.signed_in(client, member).get(f"/leadership/new-deals/{package.pk}/"))
    assert "Overdue The centre: 1; the trust: 0" in page
    centre = page.split("The centre's commitments")[1].split("The trust's success measures")[0]
    assert "Capital: £4,500,000 Overdue: the centre's" in centre
    assert "Coaching Overdue" not in centre  # done: not overdue though its date has passed
    region = text_of(client.get("/leadership/regions/Y63/"))
    assert "New-deal commitments overdue" in region
    flagged = region.split("New-deal commitments overdue")[1].split("Executive posts in")[0]
    assert "The centre's" in flagged
    assert "South Tyneside and Sunderland NHS Foundation Trust: capital" in flagged
    assert "coaching" not in flagged
    # Done, it is no longer flagged anywhere.
    actions_newdeal.set_commitment_status(commitment=capital, status="done", by=member)
    assert "New-deal commitments overdue" not in text_of(client.get("/leadership/regions/Y63/"))
    assert "Overdue The centre: 0" in text_of(client.get(f"/leadership/new-deals/{package.pk}/"))


def test_success_measures_show_an_spc_chart_with_the_trajectory(client, member, package):
    package, _, measure = package
    page = text_of(build.signed_in(client, member).get(f"/leadership/new-deals/{package.pk}/"))
    trust = page.split("The trust's success measures")[1]
    assert "RTT: incomplete pathways within 18 weeks" in trust
    assert "Baseline 72.0% on 1 Aug 2024" in trust
    assert "against" in trust
    assert "expected" in trust
    chart = client.get(f"/leadership/new-deals/{package.pk}/commitments/{measure.pk}/chart.svg")
    assert chart.status_code == 200
    assert chart["Content-Type"] == "image/svg+xml"
    svg = chart.content.decode()
    assert "RTT: incomplete pathways within 18 weeks: R0B" in svg
    assert "#007f3b" in svg  # the trajectory line


def test_board_members_and_regional_oversight_read_talent_board_members_write(
    client, member, package
):
    package, capital, _ = package
    url = f"/leadership/new-deals/{package.pk}/"
    board = build.user("nd-board", Role.BOARD)
    assert build.signed_in(client, board).get(url).status_code == 200
    assert "Update status" not in text_of(client.get(url))
    assert (
        client.post(
            f"{url}commitments/{capital.pk}/status/", {f"c{capital.pk}-status": "done"}
        ).status_code
        == 403
    )
    elsewhere = build.user("nd-rj1", Role.BOARD, "RJ1")
    assert build.signed_in(client, elsewhere).get(url).status_code == 404
    regional = build.user("nd-regional", Role.REGIONAL, "Y63")
    assert build.signed_in(client, regional).get(url).status_code == 200
    with pytest.raises(PermissionDenied):
        actions_newdeal.set_commitment_status(commitment=capital, status="done", by=board)
    london = build.user("nd-london", Role.TALENT_BOARD, "")
    seat(london, "Y56")
    assert build.signed_in(client, london).get(url).status_code == 404
    response = build.signed_in(client, member).post(
        f"{url}commitments/{capital.pk}/status/", {f"c{capital.pk}-status": "done"}
    )
    assert response.status_code == 302
    assert Commitment.objects.get(pk=capital.pk).status == "done"
    assert AuditEvent.objects.filter(action="new_deal.commitment_status").exists()


def test_a_package_and_its_commitments_through_the_pages(client, member):
    build.signed_in(client, member)
    response = client.post(
        "/leadership/regions/Y63/new-deals/new/",
        {
            "organisation": "RTD",
            "chief_executive_id": "P-NEW",
            "chief_executive_name": "Nia New",
            "starts_on": "2026-02-01",
            "agreed_on": "2026-01-10",
            "protected_until": "2027-08-01",
            "summary": "Stabilise urgent care.",
        },
    )
    assert response.status_code == 302
    package_url = response["Location"]
    form = {
        "party": "icb",
        "kind": "success_measure",
        "description": "x",
        "owner": "ICB chief executive",
        "due_on": "2027-03-31",
    }
    response = client.post(package_url + "commitments/", form)
    assert response.status_code == 400
    assert "The centre's commitments are support" in text_of(response)
    response = client.post(
        package_url + "commitments/",
        {
            **form,
            "party": "chief_executive",
            "measure": "ae_4hr_all",
            "baseline_value": "0.7",
            "baseline_on": "2026-01-01",
            "trajectory": "2026-09-30 0.74\n2027-03-31 nonsense",
        },
    )
    assert response.status_code == 400
    assert "Line 2: expected a date and a number" in text_of(response)
    response = client.post(
        package_url + "commitments/",
        {
            **form,
            "party": "chief_executive",
            "measure": "ae_4hr_all",
            "baseline_value": "0.7",
            "baseline_on": "2026-01-01",
            "trajectory": "2026-09-30 0.74\n2027-03-31 0.78",
            "review_dates": "2026-09-30",
        },
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get(package__organisation_id="RTD")
    assert [(p.on.isoformat(), p.value) for p in commitment.trajectory.all()] == [
        ("2026-09-30", 0.74),
        ("2027-03-31", 0.78),
    ]
    # Another region's trust cannot be chosen: the form offers the region's trusts only.
    response = client.post(
        "/leadership/regions/Y63/new-deals/new/",
        {"organisation": "RJ1", "chief_executive_id": "P-X", "chief_executive_name": "X",
         "starts_on": "2026-02-01", "agreed_on": "2026-01-10"},
    )  # fmt: skip
    assert response.status_code == 400
