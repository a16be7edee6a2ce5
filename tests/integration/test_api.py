"""The JSON API serves the same data as the pages, under the same roles, and the target rule
holds through it."""

import pytest

from candour.web.core.roles import Role
from candour.web.oversight.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client_for):
    return client_for(Role.ANALYST)


def test_organisations_filter_and_paginate(api):
    body = api.get("/api/organisations/", {"region": "Y63", "limit": 5}).json()
    assert body["count"] > 20
    assert len(body["results"]) == 5
    assert {o["region_code"] for o in body["results"]} == {"Y63"}
    r0b = api.get("/api/organisations/R0B/").json()
    assert r0b["name"] == "South Tyneside and Sunderland NHS Foundation Trust"
    rln = api.get("/api/organisations/", {"q": "RLN", "closed": "true"}).json()["results"][0]
    assert rln["successor"] == "R0B"


def test_observations_by_organisation_measure_and_period(api):
    body = api.get(
        "/api/observations/",
        {
            "organisation": "rj1",
            "measure": "ae_4hr_type1",
            "from": "2018-04-01",
            "to": "2019-03-01",
        },
    ).json()
    assert body["count"] == 12
    first = body["results"][0]
    assert first["ods_code"] == "RJ1"
    assert first["value"] == pytest.approx(first["numerator"] / first["denominator"])


def test_measures_carry_their_review_fields(api):
    shmi = api.get("/api/measures/shmi/").json()
    assert shmi["domain"] == "safe"
    assert shmi["authored_by"]
    assert "next_review" in shmi


def test_targets_show_balancing_measures_and_problems(api):
    target = api.get("/api/targets/rtt_18wk_92/").json()
    assert set(target["balancing_measures"]) == {"rtt_52wk", "shmi"}
    assert target["publication_problems"] == []


NEW_TARGET = {
    "id": "api_target",
    "name": "API target",
    "measure": "ae_4hr_all",
    "comparison": "at_least",
    "threshold": 0.9,
    "set_by": "A region",
    "effective_from": "2025-04-01",
    "balancing_measures": ["ae_12hr_waits"],
    "resources_and_support": "Funding for an acute medical unit.",
    "consequence_policy": "misconduct_or_serious_incompetence",
    "publish": True,
}


def test_regional_oversight_publishes_a_complete_target(client_for):
    response = client_for(Role.REGIONAL).post(
        "/api/targets/", NEW_TARGET, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "published"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"balancing_measures": []}, "patient-safety domain is missing"),
        ({"resources_and_support": ""}, "resources and support"),
        ({"consequence_policy": ""}, "consequence policy"),
    ],
)
def test_api_refuses_to_publish_an_incomplete_target(client_for, override, message):
    response = client_for(Role.REGIONAL).post(
        "/api/targets/", {**NEW_TARGET, **override}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "tag:candour,2026:invalid-body"
    assert message in " ".join(body["errors"]["non_field_errors"])
    assert message in body["detail"]
    assert not Target.objects.filter(pk="api_target").exists()


def test_only_regional_oversight_registers_targets_through_the_api(api):
    response = api.post("/api/targets/", NEW_TARGET, content_type="application/json")
    assert response.status_code == 403
    assert (
        response.json()["detail"] == "Only regional oversight granted nationally registers targets."
    )


@pytest.mark.parametrize("scope", ["R0B", "Y63"])
def test_regional_oversight_granted_for_one_organisation_or_region_registers_no_national_target(
    client_for, scope
):
    """A target for every organisation needs a national grant (issue 10, finding 7)."""
    response = client_for(Role.REGIONAL, organisation_code=scope).post(
        "/api/targets/", NEW_TARGET, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Target.objects.filter(pk="api_target").exists()


def test_api_refuses_a_proportion_threshold_above_one(client_for):
    """The API takes a proportion as a fraction: 95 would be stored as 9500% (finding 8)."""
    response = client_for(Role.REGIONAL).post(
        "/api/targets/", {**NEW_TARGET, "threshold": 95}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "between 0 and 1" in response.json()["detail"]
    assert not Target.objects.filter(pk="api_target").exists()


def test_openapi_schema_lists_every_endpoint(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = set(schema["paths"])
    assert {
        "/api/organisations/",
        "/api/organisations/{ods_code}/",
        "/api/measures/",
        "/api/observations/",
        "/api/targets/",
        "/api/concerns/",
        "/api/assessments/",
        "/api/assessments/{ods_code}/",
    } <= paths


def test_anonymous_api_request_is_401_problem_details(client):
    response = client.get("/api/organisations/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "Sign in first.",
    }


def test_assessments_are_ordered_by_concern_and_explain_their_flags(api):
    from candour.analytics.concern.constants import LEVEL_RANK

    body = api.get("/api/assessments/", {"region": "Y56"}).json()
    order = [
        (-LEVEL_RANK[row["status"]], -(row["headline"] if row["headline"] is not None else -1e9))
        for row in body["results"]
    ]
    assert order == sorted(order)
    assert {row["region_code"] for row in body["results"]} == {"Y56"}
    detail = api.get("/api/assessments/RJN/").json()
    assert detail["headline"]["status"] in ("risk", "elevated risk")
    assert detail["as_of"] == "2025-07-31"
    assert all(flag["sentence"] and flag["details"] is not None for flag in detail["flags"])
    assert any(m["measure_id"] == "ae_4hr_all" for m in detail["measures"])
    assert api.get("/api/assessments/ZZZ/").status_code == 404


def test_openapi_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "openapi: 3" in out.read_text()


# Issue 10, finding 5: every parameter checked, with problem details (RFC 9457).

PROBLEM = "application/problem+json"


def assert_invalid_parameter(response, parameter: str, words: str) -> None:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == "tag:candour,2026:invalid-parameter"
    assert body["title"] == "Invalid query parameter"
    assert body["status"] == 400
    assert body["parameter"] == parameter
    assert words in body["detail"]


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ({"from": "2019-13-01"}, "from", "Got '2019-13-01'"),
        ({"from": "yesterday"}, "from", "Date has wrong format"),
        ({"to": "2x"}, "to", "Got '2x'"),
        ({"limit": str(2**63 + 1)}, "limit", "from 1 to 1000"),
        ({"limit": "100000"}, "limit", "got '100000'"),
        ({"limit": "0"}, "limit", "from 1 to 1000"),
        ({"limit": "ten"}, "limit", "got 'ten'"),
        ({"offset": "-1"}, "offset", "from 0 to 2147483647"),
        ({"offset": str(2**63)}, "offset", "whole number"),
        ({"organisation": "R" * 7}, "organisation", "no more than 6 characters"),
        ({"mesure": "shmi"}, "mesure", "unknown parameter 'mesure'"),
    ],
)
def test_a_bad_observations_parameter_is_a_400_naming_it(api, query, parameter, words):
    assert_invalid_parameter(api.get("/api/observations/", query), parameter, words)


def test_a_repeated_parameter_is_refused(api):
    response = api.get("/api/organisations/?offset=1&offset=2")
    assert_invalid_parameter(response, "offset", "offset was given more than once")


@pytest.mark.parametrize(
    ("path", "query", "parameter"),
    [
        ("/api/organisations/", {"closed": "1"}, "closed"),
        ("/api/organisations/", {"rating": "Excellent"}, "rating"),
        ("/api/concerns/", {"status": "pending"}, "status"),
        ("/api/measures/shmi/", {"limit": "5"}, "limit"),
        ("/api/assessments/", {"region": "Y56", "limit": "5"}, "limit"),
    ],
)
def test_every_operation_checks_its_parameters(api, path, query, parameter):
    assert_invalid_parameter(api.get(path, query), parameter, parameter)


def test_the_largest_page_is_1000_rows(api):
    body = api.get("/api/observations/", {"limit": "1000"}).json()
    assert len(body["results"]) == 1000
    assert api.get("/api/observations/", {"limit": "1001"}).status_code == 400


@pytest.mark.parametrize(
    "url",
    ["/api/organisations/?q=a%00b", "/api/organisations/R0B%00/", "/api/observations/?%00=1"],
)
def test_a_nul_character_is_refused_before_the_database(api, url):
    response = api.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"] == "tag:candour,2026:nul-character"


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"path": "/api/nothing-here/"}, 404),
        ({"path": "/api/measures/no-such-measure/"}, 404),
        ({"path": "/api/measures/", "HTTP_ACCEPT": "application/xml"}, 406),
    ],
)
def test_errors_are_problem_details(api, request_kwargs, status):
    response = api.get(**request_kwargs)
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    assert set(response.json()) == {"type", "title", "status", "detail"}
    assert response.json()["status"] == status


def test_an_unsupported_method_is_405_with_allow(api):
    response = api.delete("/api/targets/")
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert response["Allow"] == "GET, POST, HEAD, OPTIONS"


def test_a_signed_in_user_without_a_role_gets_403_problem_details(client, make_user):
    from candour.web.core.actions import create_user

    user = create_user(username="no-roles", password="x" * 20, roles=[], by="system:test")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/api/measures/")
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM


def test_every_operation_documents_its_error_statuses(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            expected = {"400", "401", "403", "406"} | ({"404"} if "{" in path else set())
            expected |= {"201", "415"} if method == "post" else {"200"}
            assert set(operation["responses"]) == expected, (method, path)
            for status in expected - {"200", "201"}:
                content = operation["responses"][status]["content"]
                assert set(content) == {PROBLEM}, (method, path, status)
    limit = next(
        p
        for p in schema["paths"]["/api/observations/"]["get"]["parameters"]
        if p["name"] == "limit"
    )
    assert limit["schema"]["maximum"] == 1000


def test_a_write_without_the_csrf_token_is_403_problem_details(make_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(
        make_user(Role.REGIONAL), backend="django.contrib.auth.backends.ModelBackend"
    )
    response = client.post("/api/targets/", NEW_TARGET, content_type="application/json")
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert "CSRF" in response.json()["detail"]
