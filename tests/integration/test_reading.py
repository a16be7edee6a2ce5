"""Pages people read at a glance (issue 11): each role lands where its work is, search forgives
apostrophes and finds old codes, and no page shows an internal code, a bare statistic outside
"How this was worked out", or a proportion where a percentage is meant."""

from __future__ import annotations

import re

import polars as pl
import pytest

from candour.analytics.concern.constants import CONCERN_LEVELS
from candour.web.core.roles import Role
from candour.web.oversight import assessment

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
INTERNAL_CODES = re.compile(
    r"\b(concern_low|concern_high|neutral_high|neutral_low|special_cause_\w+|common_cause|"
    r"funnel:|spc:|divergence:|no_recent_data|speak_up|uninformative|staff_voice|well_led)\b"
)
BARE_STATISTIC = re.compile(r"(\bz = |\bq = |\bp = |τ² = |tau2)")
PROPORTION_AS_DECIMAL = re.compile(r"(?<![\d.])0\.\d{3,}(?![\d%])")


@pytest.mark.parametrize(
    ("role", "scope", "lands"),
    [
        (Role.REGIONAL, "", "/ranking/"),
        (Role.REGIONAL, "Y63", "/regions/Y63/"),
        (Role.BOARD, "R0B", "/organisations/R0B/"),
        (Role.ANALYST, "", "/ranking/"),
        (Role.GUARDIAN, "R0B", "/speak-up/cases/"),
        (Role.STAFF, "", "/speak-up/"),
        (Role.TALENT_BOARD, "", "/leadership/"),
        (Role.ADMIN, "", "/"),
    ],
)
def test_each_role_lands_where_its_work_is(client, make_user, role, scope, lands):
    user = make_user(role, username=f"lands-{role}-{scope}", organisation_code=scope)
    response = client.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == lands


def test_search_forgives_apostrophes_and_finds_a_merged_trusts_old_code(client_for):
    client = client_for(Role.ANALYST)
    guys = client.get("/", {"q": "guys"}).content.decode()
    assert "Guy&#x27;s and St Thomas" in guys or "Guy's and St Thomas" in guys
    old = client.get("/", {"q": "RLN"}).content.decode()
    assert "merged into" in old
    assert 'href="/organisations/R0B/"' in old


def test_no_page_shows_internal_codes_bare_statistics_or_proportions(client_for):
    client = client_for(Role.REGIONAL)
    flagged = (
        assessment.current()
        .organisations.filter(pl.col("status").is_in(list(CONCERN_LEVELS)))["ods_code"]
        .head(5)
        .to_list()
    )
    pages = [
        "/ranking/",
        "/regions/Y63/",
        "/regions/Y56/",
        "/measures/ae_4hr_all/",
        *(f"/organisations/{code}/" for code in [*flagged, "R0B", "RJ1"]),
    ]
    for page in pages:
        html = client.get(page).content.decode()
        text = visible_outside_details(html)
        assert not INTERNAL_CODES.search(text), (page, INTERNAL_CODES.search(text))
        assert not BARE_STATISTIC.search(text), (page, BARE_STATISTIC.search(text))
        assert not PROPORTION_AS_DECIMAL.search(text), (page, PROPORTION_AS_DECIMAL.search(text))


def test_the_api_sentences_carry_no_internal_codes(client_for):
    body = client_for(Role.ANALYST).get("/api/assessments/RJN/").json()
    for flag in body["flags"]:
        assert not INTERNAL_CODES.search(flag["sentence"])
        assert not BARE_STATISTIC.search(flag["sentence"])


def visible_outside_details(html: str) -> str:
    """The page's visible text, leaving out <details> (where statistics belong), scripts, styles
    and attribute values."""
    html = re.sub(r"<(script|style|details)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text)
