"""Speak-up themes feed the oversight picture: the organisation page shows its published
(disclosure-controlled) theme counts, and detriment raises a staff-voice flag that can be raised
as a sticky concern."""

from __future__ import annotations

import re

import pytest
from tests.integration.speakup_access import enrol_quickly, submit

from candour.cli import main
from candour.web.core.roles import Role
from candour.web.oversight import monitoring

pytestmark = pytest.mark.django_db

FLAG = "speak_up:speakup_detriment_indicated"


@pytest.fixture
def spoken(make_user):
    enrol_quickly(make_user(Role.GUARDIAN, username="guardian-r0b"), "R0B")
    for detriment in ("yes", "yes", "no"):
        submit(detriment_at_intake=detriment)
    # the assessment reads published speak-up counts at the daily job, never at the moment a
    # concern is sent (so the data version's time cannot date a report)
    assert main(["speakup", "expire"]) == 0


def speakup_section(html: str) -> str:
    return html.split("<h2>Speaking up</h2>")[1].split("<h2")[0]


def test_the_organisation_page_shows_published_theme_counts_only(spoken, client_for):
    html = client_for(Role.BOARD).get("/organisations/R0B/").content.decode()
    section = speakup_section(html)
    cells = re.findall(r'nhsuk-table__cell--numeric">([^<]*)<', section)
    assert cells, "the table has cells"
    assert "*" in cells  # 3 cases and 2 with detriment: both 1-7
    assert not {"1", "2", "3", "4", "5", "6", "7"} & set(cells)


def test_detriment_is_a_staff_voice_flag_on_the_organisation(spoken, client_for):
    picture = monitoring.organisation_picture("R0B")
    [flag] = [f for f in picture["flags"] if f["kind"] == "speak_up"]
    assert flag["key"] == FLAG
    assert flag["level"] == "risk"
    assert "indicated detriment" in flag["sentence"]
    assert "* is 1 to 7" in flag["sentence"]
    html = client_for(Role.REGIONAL).get("/organisations/R0B/").content.decode()
    concerns = html.split("<h2>Concerns</h2>")[1].split("<h2")[0]
    assert "Freedom to Speak Up: people speaking up indicated detriment" in concerns


def test_the_flag_can_be_raised_as_a_concern(spoken, client_for):
    html = client_for(Role.REGIONAL).get(f"/organisations/R0B/concerns/new/?flag={FLAG}")
    assert html.status_code == 200
    page = html.content.decode()
    assert "Risk: speaking up, detriment indicated" in page


def test_an_organisation_without_cases_says_so(client_for):
    html = client_for(Role.BOARD).get("/organisations/R0B/").content.decode()
    assert "No concerns were raised through Candour" in speakup_section(html)
    assert not [
        f for f in monitoring.organisation_picture("R0B")["flags"] if f["kind"] == "speak_up"
    ]
