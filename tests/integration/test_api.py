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
    rln = api.get("/api/organisations/", {"q": "RLN", "closed": "1"}).json()["results"][0]
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
    assert message in " ".join(response.json()["detail"])
    assert not Target.objects.filter(pk="api_target").exists()


def test_only_regional_oversight_registers_targets_through_the_api(api):
    response = api.post("/api/targets/", NEW_TARGET, content_type="application/json")
    assert response.status_code == 403


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
    assert "between 0 and 1" in " ".join(response.json()["detail"])
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


def test_anonymous_api_request_is_401_json(client):
    response = client.get("/api/organisations/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in first."}


def test_assessments_are_ordered_by_concern_and_explain_their_flags(api):
    body = api.get("/api/assessments/", {"region": "Y56"}).json()
    headlines = [row["headline"] for row in body["results"]]
    assert headlines == sorted(headlines, reverse=True)
    detail = api.get("/api/assessments/RJ1/").json()
    assert detail["headline"]["headline"] == max(
        d["scaled"] for d in detail["domains"] if d["scaled"] is not None
    )
    assert all(flag["explanation"] for flag in detail["flags"])
    assert api.get("/api/assessments/ZZZ/").status_code == 404


def test_openapi_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "openapi: 3" in out.read_text()
