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


def listed_codes(html: str) -> list[str]:
    """The organisations listed in the results table (not the note on former organisations)."""
    table = (
        html.split('<table class="nhsuk-table', 1)[1] if '<table class="nhsuk-table' in html else ""
    )
    return re.findall(r'href="/organisations/(\w+)/"', table.split("</table>")[0])


def test_closed_and_merged_are_hidden_unless_asked_for(analyst):
    html = analyst.get("/", {"q": "RLN"}).content.decode()
    assert "RLN" not in listed_codes(html)
    assert "merged into" in html  # but the search says where it went
    assert "RLN" in listed_codes(analyst.get("/", {"q": "RLN", "closed": "1"}).content.decode())


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

    latest = (
        Observation.objects.filter(measure_id="ss_hba_managers", organisation_id="RJ1")
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    values = Observation.objects.filter(
        measure_id="ss_hba_managers", period_start=latest
    ).values_list("value", flat=True)
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


def test_staff_voice_by_cqc_rating_is_computed_from_the_data(analyst):
    html = analyst.get("/insights/staff-voice-by-cqc-rating/").content.decode()
    section = html.split(">Staff experiencing harassment, bullying or abuse from managers</h2>")[1]
    section = section.split("</table>")[0]
    # Means across trusts of the 2019 staff survey q13b by 2019 CQC overall rating
    assert re.search(r"Outstanding</strong></th>\s*<td[^>]*>21</td>\s*<td[^>]*>10\.4%", section)
    # Six trusts were rated Inadequate. The Isle of Wight (R1F) answered the survey as four
    # sectors, which Candour combines; a plain join of the published files on ODS code misses it
    # and gives 14.6% over the other five (checked in test_inadequate_mean_without_sector_rows).
    assert re.search(r"Inadequate</strong></th>\s*<td[^>]*>6</td>\s*<td[^>]*>15\.3%", section)
    assert "Summary Hospital-level Mortality Indicator" in html


def test_inadequate_mean_without_sector_rows():
    """The 14.6% often quoted comes from joining the published files directly, which drops the
    Isle of Wight's sector rows (R1F1 to R1F4)."""
    import polars as pl

    from candour.importers.catalogue import sources

    ratings = pl.read_csv(sources()["cqc_ratings"].path)
    survey = pl.read_csv(sources()["staff_survey_2019"].path)
    joined = ratings.join(survey, on="org_code").filter(pl.col("overall") == "Inadequate")
    assert joined.height == 5
    assert round(joined["q13b_hba_from_managers"].mean() * 100, 1) == 14.6


def test_sign_in_lockout_counts_the_client_behind_the_proxy(client, make_user, settings):
    """With the proxy's client-address header named, five wrong passwords from one client lock
    that client out, not everyone behind the same proxy (issue 10, finding 9)."""
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    make_user(Role.BOARD, username="board-member")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}

    def sign_in(password, client_address):
        return client.post(
            "/sign-in/",
            {"username": "board-member", "password": password},
            HTTP_X_FORWARDED_FOR=f"198.51.100.9, {client_address}",  # the proxy appends last
            **proxy,
        )

    for _ in range(5):
        sign_in("wrong", "203.0.113.1")
    assert sign_in("correct-horse-battery-staple", "203.0.113.1").status_code == 429
    assert sign_in("correct-horse-battery-staple", "203.0.113.2").status_code == 302


def test_staff_voice_benchmarks_are_the_median_of_every_trust_in_the_same_period():
    """Each staff-survey indicator against the median of every organisation reporting it for the
    same period (read straight from the stored observations here)."""
    import statistics

    from candour.web.oversight.models import Observation, Organisation
    from candour.web.oversight.queries import staff_voice_benchmarks

    benchmarks = staff_voice_benchmarks(Organisation.objects.get(pk="RJ1"))
    assert len(benchmarks) >= 10
    for b in benchmarks:
        values = Observation.objects.filter(
            measure=b.measure, period_start=b.period_start
        ).values_list("value", flat=True)
        newest = (
            Observation.objects.filter(organisation_id="RJ1", measure=b.measure)
            .order_by("-period_start")
            .first()
        )
        assert b.period_start == newest.period_start, b.measure.pk  # its latest period
        assert b.national_median == statistics.median(values), b.measure.pk
        assert b.organisations == len(values)


def test_the_organisation_page_asks_the_database_a_bounded_number_of_questions(
    analyst, django_assert_max_num_queries
):
    """Not one query per staff-survey indicator or per balancing measure (RJ1 has 20+ and 8)."""
    analyst.get("/organisations/RJ1/")  # stored charts and icons drawn once
    with django_assert_max_num_queries(35):  # 30 on 2026-12-03; 62 before
        assert analyst.get("/organisations/RJ1/").status_code == 200
