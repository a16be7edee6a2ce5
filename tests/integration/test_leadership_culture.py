"""The talent board's "leadership culture by region" (issue 12, item 5): the staff-survey
management and harassment measures as stored observations, each organisation's latest year,
region medians with small results left out; "no data yet" until the measures are imported.

The measures themselves are bundled on another branch; here they are fixture rows with the
same measure ids."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.integration.test_leadership_newdeal import seat
from tests.integration.test_leadership_pages import text_of

from candour.analytics.leadership.culture import CULTURE_MEASURES
from candour.web.core.roles import Role
from candour.web.oversight.models import Measure, Observation

pytestmark = pytest.mark.django_db

URL = "/leadership/regions/Y63/leadership-culture/"


@pytest.fixture
def member_client(client, make_user):
    member = seat(make_user(Role.TALENT_BOARD, username="culture-member"))
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture(autouse=True)
def _no_culture_observations():
    """Start from none: the bundled 2019 survey already holds three of the measures."""
    Observation.objects.filter(measure_id__in=CULTURE_MEASURES).delete()


def measure(measure_id: str, name: str, unit: str, domain: str) -> Measure:
    """The measure as the survey files define it (created here when they are not bundled)."""
    found, _ = Measure.objects.update_or_create(
        id=measure_id,
        defaults={
            "name": name,
            "description": "Fixture.",
            "unit": unit,
            "improvement": "decrease" if unit == "proportion" else "increase",
            "domain": domain,
            "source": "staff_survey_2019",
            "authored_by": "tests",
            "next_review": dt.date(2030, 1, 1),
        },
    )
    return found


def observe(ods_code: str, measure_: Measure, year: int, value: float, respondents: float | None):
    Observation.objects.create(
        organisation_id=ods_code,
        measure=measure_,
        period_start=dt.date(year, 1, 1),
        period_type="year",
        numerator=None if respondents is None else round(value * respondents),
        denominator=respondents,
        value=value,
        dataset="fixture",
    )


def test_no_data_yet_until_the_measures_are_imported(member_client):
    page = member_client.get(URL)
    assert page.status_code == 200
    assert "No data yet: the staff-survey measures of managers and of harassment" in text_of(page)


def test_region_medians_of_each_organisations_latest_year(member_client):
    harassment = measure(
        "ss_hba_managers",
        "Harassment, bullying or abuse from managers",
        "proportion",
        "staff_voice",
    )
    teamwork = measure(
        "mq_7a_teamwork", "Immediate manager encourages teamwork", "score", "well_led"
    )
    # North East and Yorkshire (Y63): R0B, RTD, RR8; London (Y56): RJ1.
    observe("R0B", harassment, 2021, 0.40, 900.0)
    observe("R0B", harassment, 2024, 0.10, 1000.0)  # R0B's latest
    observe("RTD", harassment, 2023, 0.20, 2000.0)
    observe("RR8", harassment, 2024, 0.90, 8.0)  # fewer than 11 respondents: left out
    observe("RJ1", harassment, 2024, 0.30, 1500.0)
    observe("R0B", teamwork, 2018, 3.80, None)
    page = text_of(member_client.get(URL))
    assert "No data yet: the staff-survey measures" not in page
    regional = page.split("Harassment, bullying, abuse and discrimination")[1]
    row = regional.split("Harassment, bullying or abuse from managers")[1][:80]
    # London's median, then North East and Yorkshire's, in the regions' order, then England.
    assert row.split()[:3] == ["30.0%", "15.0%", "20.0%"]
    here = page.split("Harassment, bullying, abuse and discrimination: North East and Yorkshire")[1]
    assert "Harassment, bullying or abuse from managers 15.0% 2 2023 to 2024 3,000" in here
    managers = page.split("Immediate managers (2012 to 2018): North East and Yorkshire")[1]
    assert "Immediate manager encourages teamwork 3.80 1 2018 not published" in managers
    assert "Senior managers (2012 to 2018) No data yet" in page
