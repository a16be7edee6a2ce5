"""A regional talent board, end to end in a real browser, as a new member of the demo would:
sign in and land on the region's supply and demand, see its vacant and interim posts and the
ready-now people who match them, record a succession decision, and look over the ledger, the
pools, the succession plans and the Kerr analysis. axe-core checks every page on the way."""

from __future__ import annotations

import pytest
from tests.conftest import PASSWORD
from tests.integration.leadership_access import load_ledger, talent_board

from candour.web.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRUST = "South Tyneside and Sunderland NHS Foundation Trust"


@pytest.fixture
def member(tmp_path, make_user):
    """The bundled trusts and ratings, a synthetic ledger, and a member of the North East and
    Yorkshire talent board."""
    from candour.importers.datasets import DATASETS
    from candour.web.oversight.actions import import_dataset

    for name in ("ods_trusts", "cqc_ratings"):
        import_dataset(imported=DATASETS[name].load(), by="system:test")
    load_ledger(tmp_path, synthetic=True)
    user = make_user(Role.TALENT_BOARD, username="rtb-member")
    talent_board(member=user)
    return user


def card(page, post: str):
    return page.locator("section.nhsuk-card", has_text=f"{post}, {TRUST}")


def test_a_talent_board_member_matches_people_to_posts_and_records_a_decision(
    page, live_server, member, check_accessibility
):
    from candour.web.leadership.models import SuccessionDecision

    # --- sign in and land on the region's supply and demand
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", "rtb-member")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Supply and demand"
    assert "North East and Yorkshire" in page.locator(".nhsuk-caption-l").inner_text()
    assert "Synthetic data" in page.locator("#synthetic-data").inner_text()
    check_accessibility(page, "talent-board-supply-and-demand")

    # --- the vacant and interim posts, and who is ready now for them
    assert "Vacant" in card(page, "Chief executive").inner_text()
    finance = card(page, "Finance director")
    assert "Interim for over 6 months" in finance.inner_text()
    assert "Ada Ready" in finance.locator("table").inner_text()
    assert "Ben Later" not in finance.locator("table").inner_text()  # not ready yet

    # --- record a decision on the finance post
    finance.get_by_role("link", name="Record a decision").click()
    assert page.locator("h1").inner_text() == "Record a decision"
    check_accessibility(page, "talent-board-decide")
    page.click("text=Record the decision")  # nothing chosen: errors, nothing recorded
    assert page.locator(".nhsuk-error-summary").is_visible()
    check_accessibility(page, "talent-board-decide-errors")
    page.get_by_label("Deploy as interim cover").check()
    page.get_by_label("Ada Ready", exact=False).check()
    page.fill("#id_rationale", "Ready now; covered finance at Newcastle during the merger.")
    page.click("text=Record the decision")
    assert page.locator("h1").inner_text() == "Supply and demand"
    banner = page.locator(".nhsuk-notification-banner").inner_text()
    assert f"Decision recorded for Finance director at {TRUST}" in banner
    assert "Deploy as interim cover (Ada Ready)" in card(page, "Finance director").inner_text()
    check_accessibility(page, "talent-board-decision-recorded")
    decision = SuccessionDecision.objects.get()
    assert (decision.kind, decision.person.name) == ("deploy_interim", "Ada Ready")

    # --- the region's ledger, pools and plans, and the Kerr analysis
    for link, heading, name in (
        ("Board ledger", "Board posts ledger", "talent-board-ledger"),
        ("Talent pools", "Talent pools", "talent-board-pools"),
        ("Succession plans", "Succession plans", "talent-board-plans"),
        ("Board vacancies by CQC rating", "Board vacancies and tenure by CQC rating", "kerr"),
    ):
        page.locator("main nav").get_by_role("link", name=link).click()
        assert page.locator("h1").inner_text().startswith(heading)
        assert page.locator("#synthetic-data").is_visible()
        check_accessibility(page, name)
