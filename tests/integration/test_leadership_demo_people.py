"""``candour leadership demo-people``: as a new user would, demo-board sees their own appraisal
and last year's 360, released only for the group where three raters answered; demo-staff has
feedback to give; demo-admin keeps fit-and-proper records; demo-talent-board sees the centre's
overdue new-deal commitment on the region's page. Everything is labelled synthetic."""

from __future__ import annotations

import pytest
from tests.integration.leadership_access import load_ledger
from tests.integration.test_leadership_pages import text_of

from candour.cli import main
from candour.web.core.models import User
from candour.web.leadership.models import (
    Appraisal,
    ConductConcern,
    FitAndProperRecord,
    NewDealPackage,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(tmp_path, capsys):
    load_ledger(tmp_path, synthetic=True)
    assert main(["demo-users"]) == 0
    assert main(["leadership", "demo-people"]) == 0
    assert "SYNTHETIC leadership records: 2 appraisals" in capsys.readouterr().out


def as_user(client, username):
    client.force_login(
        User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
    )
    return client


def test_demo_board_sees_their_appraisal_and_a_360_released_for_groups_of_three(client, demo):
    home = text_of(as_user(client, "demo-board").get("/leadership/appraisals/"))
    assert "Your appraisals" in home
    assert "Synthetic" in home
    closed, current = Appraisal.objects.order_by("year")
    page = text_of(client.get(f"/leadership/appraisals/{closed.pk}/"))
    assert "Synthetic data" in page
    assert "Board colleague: 3" in page  # three board colleagues answered: shown
    assert "Someone who reports to them" not in page  # two answered: nothing at all
    page = text_of(client.get(f"/leadership/appraisals/{current.pk}/"))
    assert "Feedback is released once, when the appraisal closes" in page
    assert "Board colleague: " not in page


def test_demo_staff_has_feedback_to_give_and_cannot_open_the_appraisal(client, demo):
    current = Appraisal.objects.get(status="open")
    page = text_of(as_user(client, "demo-staff").get("/leadership/appraisals/"))
    assert "360 feedback you are asked for" in page
    assert "waiting for your answer" in page
    assert client.get(f"/leadership/appraisals/{current.pk}/").status_code == 404


def test_demo_records_for_the_chair_the_administrator_and_the_talent_board(client, demo):
    assert FitAndProperRecord.objects.filter(synthetic=True).count() == 2
    assert FitAndProperRecord.objects.filter(submitted_on__isnull=False).count() == 1
    page = text_of(
        as_user(client, "demo-admin").get("/leadership/organisations/R0B/fit-and-proper/")
    )
    assert "Submitted" in page
    concern = ConductConcern.objects.get()
    assert (
        as_user(client, "demo-board").get(f"/leadership/conduct/{concern.pk}/").status_code == 200
    )
    region = text_of(as_user(client, "demo-talent-board").get("/leadership/regions/Y63/"))
    assert "New-deal commitments overdue" in region
    assert "The centre's" in region
    package = NewDealPackage.objects.get()
    assert (
        as_user(client, "demo-board").get(f"/leadership/new-deals/{package.pk}/").status_code == 200
    )


def test_running_it_again_adds_nothing(demo, capsys):
    counts = (
        Appraisal.objects.count(),
        FitAndProperRecord.objects.count(),
        NewDealPackage.objects.count(),
    )
    assert main(["leadership", "demo-people"]) == 0
    assert "0 appraisals" in capsys.readouterr().out
    assert counts == (
        Appraisal.objects.count(),
        FitAndProperRecord.objects.count(),
        NewDealPackage.objects.count(),
    )


def test_it_needs_the_demo_accounts(capsys):
    assert main(["leadership", "demo-people"]) == 2
    assert "run 'candour demo-users' first" in capsys.readouterr().err
