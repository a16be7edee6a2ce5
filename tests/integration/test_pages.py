"""The organisations list and organisation page show the bundled real data."""

import re

import pytest

from candour.web.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(client_for):
    return client_for(Role.ANALYST)


def test_list_shows_over_200_trusts_with_cqc_ratings(analyst):
    response = analyst.get("/")
    html = response.content.decode()
    count = int(re.search(r"(\d+) organisations found", html).group(1))
    assert count >= 200
    assert html.count('class="nhsuk-table__row"') == 26  # header + a page of 25
    assert "Requires improvement" in html or "Good" in html
    assert re.search(r"Page 2 of (\d+)", html).group(1) == str(-(-count // 25))


def test_search_by_ods_code_and_name(analyst):
    by_code = analyst.get("/", {"q": "r0b"}).content.decode()
    assert "South Tyneside and Sunderland NHS Foundation Trust" in by_code
    assert "1 organisation found" in by_code
    by_name = analyst.get("/", {"q": "sunderland"}).content.decode()
    assert "South Tyneside and Sunderland" in by_name


def test_filters_by_region_type_and_rating(analyst):
    html = analyst.get(
        "/", {"region": "Y56", "rating": "Outstanding", "type": "Acute"}
    ).content.decode()
    rows = re.findall(r'href="/organisations/(\w+)/"', html)
    assert rows, "there are Outstanding acute trusts in London in 2019"
    assert all("Outstanding" in html for _ in rows)
    assert "Inadequate</strong>" not in html


def test_closed_and_merged_are_hidden_unless_asked_for(analyst):
    assert "/organisations/RLN/" not in analyst.get("/", {"q": "RLN"}).content.decode()
    assert "/organisations/RLN/" in analyst.get("/", {"q": "RLN", "closed": "1"}).content.decode()


def test_organisation_page_shows_identity_ratings_measures_and_benchmarks(analyst):
    html = analyst.get("/organisations/R0B/").content.decode()
    assert "South Tyneside and Sunderland NHS Foundation Trust" in html
    assert "North East and Yorkshire" in html
    for measure in (
        "RTT: incomplete pathways within 18 weeks",
        "A&amp;E 4-hour performance, all department types",
    ):
        assert measure in html
    # predecessor data (RLN, RE9) appears on the successor's page
    assert "(as RLN)" in html
    assert "Predecessors" in html
    assert "national median" in html
    assert "<svg" in html  # trends drawn server-side


def test_staff_survey_median_is_computed_from_the_data(analyst):
    import statistics

    from candour.web.oversight.models import Observation

    values = Observation.objects.filter(measure_id="ss_hba_managers").values_list(
        "value", flat=True
    )
    median = statistics.median(values)
    html = analyst.get("/organisations/RJ1/").content.decode()
    assert f"{median * 100:.1f}%" in html


def test_unknown_organisation_is_404(analyst):
    assert analyst.get("/organisations/ZZZ/").status_code == 404


def test_sign_in_with_argon2_and_lockout(client, make_user, settings):
    from django.contrib.auth.hashers import get_hasher

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = make_user(Role.BOARD, username="board-member")
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert get_hasher("argon2").algorithm == "argon2"
    good = client.post(
        "/sign-in/", {"username": "board-member", "password": "correct-horse-battery-staple"}
    )
    assert good.status_code == 302
    client.post("/sign-out/")
    for _ in range(5):
        client.post("/sign-in/", {"username": "board-member", "password": "wrong"})
    locked = client.post(
        "/sign-in/", {"username": "board-member", "password": "correct-horse-battery-staple"}
    )
    assert locked.status_code == 429
    assert "locked" in locked.content.decode()


def test_security_headers(analyst):
    response = analyst.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
