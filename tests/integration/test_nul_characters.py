"""A NUL character anywhere in the path or query string of any URL of the site is refused with
400 before a view, a session or the database sees it (PostgreSQL raised on it: a 500). The URLs
are those of the URL x role table, so a new page is covered when it gets its row."""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse
from tests.integration.test_access import EXPECTED

pytestmark = pytest.mark.django_db

MARKER = re.compile(r"<[^>]+>")  # placeholders for ids in the access table
SAMPLE_IDS = ("1", "00000000-0000-4000-8000-000000000001")  # integer and UUID ids


def sample_url(name: str) -> str:
    """A URL of the pattern (the object need not exist: the request is refused first)."""
    target, _ = EXPECTED[name]
    if isinstance(target, str):
        return MARKER.sub("1", target)
    for sample in SAMPLE_IDS:
        try:
            return reverse(name, kwargs={k: MARKER.sub(sample, v) for k, v in target.items()})
        except NoReverseMatch:
            continue
    raise AssertionError(f"no sample URL for {name}")


def with_nul_in_path(url: str) -> str:
    path = url.rstrip("/")
    return f"{path}%00/" if url.endswith("/") else f"{path}%00"


def assert_refused(response, url: str) -> None:
    assert response.status_code == 400, url
    if url.startswith("/api/"):
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["type"] == "tag:candour,2026:nul-character"
    else:
        assert response["Content-Type"].startswith("text/html")
        assert b"could not be read" in response.content


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_nul_in_the_query_or_path_of_every_url_is_a_400(client, name):
    url = sample_url(name)
    for refused in (f"{url}?q=%00", f"{url}?q=a%00b&page=1", with_nul_in_path(url)):
        assert_refused(client.get(refused), refused)


@pytest.mark.parametrize(
    "url", ["/speak-up/?q=%00", "/speak-up/raise/R0B%00/", "/sign-in/?next=%00"]
)
def test_anonymous_pages_refuse_nul_with_a_plain_page(client, url):
    response = client.get(url)
    assert_refused(response, url)
    assert b"<h1>Sorry, the address or form could not be read</h1>" in response.content


def test_a_nul_in_a_cookie_is_refused(client):
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/speak-up/").status_code == 400


def test_the_api_names_the_parameter_holding_nul(client_for):
    from candour.web.core.roles import Role

    response = client_for(Role.ANALYST).get("/api/organisations/?region=Y56&q=a%00b")
    assert response.json()["parameter"] == "q"
