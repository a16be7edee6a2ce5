"""The data-request registry in the web app (issue 15, items 1 to 4 and 6): registering a
request as a new user would, its duplicates, the answer from held data (CSV, Excel, API: the same
numbers), serving recorded and audited, and the burden view."""

from __future__ import annotations

import csv
import html
import io
import re

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied
from tests.integration.requests_access import TEST_BODY, requesting_body, small_request

from candour.cli import main
from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.datarequests import actions
from candour.web.datarequests.models import DataRequest, RequestItem, ServedReturn
from candour.web.oversight.models import Observation, Organisation

pytestmark = pytest.mark.django_db

LOGIN = "django.contrib.auth.backends.ModelBackend"


def text_of(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text))


@pytest.fixture
def registry():
    """The bundled national collections, loaded as the demo loads them."""
    assert main(["requests", "load"]) == 0


@pytest.fixture
def requester(client, make_user):
    """A data requester on the test ICB's staff, granted for North East and Yorkshire (Y63)."""
    user = make_user(Role.REQUESTER, username="icb-requester", organisation_code="Y63")
    actions.add_requester_staff(requester=requesting_body(), user=user, by="system:test")
    client.force_login(user, backend=LOGIN)
    return client


def registration(**changes) -> dict:
    """The registration form as a new user fills it in: the ICB's urgent-care return, one item
    worded its own way, not mapped to anything."""
    form = {
        "requester": TEST_BODY,
        "title": "Urgent and emergency care return",
        "description": "",
        "mandate": "contract",
        "standard_number": "",
        "frequency": "monthly",
        "due": "10th working day",
        "periods_from": "2024-08-01",
        "periods_to": "",
        "organisation_codes": "R0B RTD",
        "region": "",
        "hours_per_return": "6",
        "estimate_source": "our own estimate",
        "items-TOTAL_FORMS": "6",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "6",
        "items-0-name": "Percentage of A&E attendances seen within four hours",
        "items-0-definition": "All A&E department types: patients admitted, transferred or "
        "discharged within 4 hours of arrival, as a percentage of attendances.",
        "items-0-unit": "proportion",
        "items-0-period_type": "month",
        "items-0-held": "",
    }
    for slot in range(1, 6):
        form |= {
            f"items-{slot}-{f}": "" for f in ("name", "definition", "unit", "period_type", "held")
        }
    return form | changes


# --- Done when: registering a repeat of a national collection flags it and offers the answer --


def test_a_new_request_repeating_a_national_collection_is_flagged_and_answered(registry, requester):
    response = requester.post("/requests/new/", registration())
    assert response.status_code == 302, text_of(response)
    data_request = DataRequest.objects.get(title="Urgent and emergency care return")
    page = text_of(requester.get(response["Location"]))
    assert "Possible duplicate" in page
    assert (
        "NHS England, in A&E Attendances and Emergency Admissions (monthly situation report, "
        "MSitAE): asking since 2001, monthly" in page
    )
    assert "Use the held data" in page
    assert "Answerable now" not in page

    item = data_request.items.get(position=1)
    response = requester.post(
        f"/requests/{data_request.pk}/items/{item.pk}/map/", {"held": "measure:ae_4hr_all"}
    )
    assert response.status_code == 302
    page = text_of(requester.get(f"/requests/{data_request.pk}/"))
    assert "Answerable now" in page
    assert "Duplicate the same held data" in page

    download = requester.get(f"/requests/{data_request.pk}/held-answer.csv")
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert {r["ods_code"] for r in rows} == {"R0B", "RTD"}
    expected = Observation.objects.filter(
        organisation_id="R0B", measure_id="ae_4hr_all", period_start__gte="2024-08-01"
    )
    mine = {r["period_start"]: float(r["value"]) for r in rows if r["ods_code"] == "R0B"}
    assert mine == {o.period_start.isoformat(): o.value for o in expected}


def test_the_download_and_the_api_give_the_same_numbers(registry, client_for):
    data_request = small_request()
    api = client_for(Role.ANALYST)
    body = api.get(f"/api/requests/{data_request.pk}/held-answer/", {"limit": 1000}).json()
    from_api = body["results"]
    assert body["count"] == len(from_api) > 0
    from_csv = list(
        csv.DictReader(
            io.StringIO(api.get(f"/requests/{data_request.pk}/held-answer.csv").content.decode())
        )
    )
    workbook = api.get(f"/requests/{data_request.pk}/held-answer.xlsx")
    from_excel = pl.read_excel(io.BytesIO(workbook.content), sheet_name="Return")
    assert len(from_api) == len(from_csv) == from_excel.height

    def number(text):
        return None if text in ("", None) else float(text)

    for api_row, csv_row, excel_row in zip(
        from_api, from_csv, from_excel.iter_rows(named=True), strict=True
    ):
        for column in ("numerator", "denominator", "value"):
            assert api_row[column] == number(csv_row[column]) == excel_row[column]
        for column in ("ods_code", "period_start", "source_dataset", "publication", "held_as"):
            assert api_row[column] == csv_row[column]
        assert str(excel_row["period_start"]) == api_row["period_start"]
        assert api_row["extracted_on"] == csv_row["extracted_on"] != ""
    assert {r["source_dataset"] for r in from_api} == {"rtt_ae_monthly"}
    assert from_api[0]["publication"].startswith("Referral to treatment and A&E performance")


def test_serving_is_recorded_once_per_return_and_audited(client_for):
    data_request = small_request()
    analyst = client_for(Role.ANALYST)
    before = AuditEvent.objects.filter(action="datarequest.serve").count()
    analyst.get(f"/requests/{data_request.pk}/held-answer.csv", {"organisation": "R0B"})
    analyst.get(f"/requests/{data_request.pk}/held-answer.xlsx", {"organisation": "R0B"})
    served = ServedReturn.objects.get(request=data_request)
    assert (served.organisation_id, served.times_served) == ("R0B", 2)
    assert (served.held_items, served.items) == (1, 2)
    held = Observation.objects.filter(
        organisation_id="R0B", measure_id="ae_4hr_all", period_start__gte="2024-08-01"
    )
    assert served.period == held.order_by("-period_start").first().period_start
    events = AuditEvent.objects.filter(action="datarequest.serve").order_by("seq")
    assert events.count() == before + 2
    assert events.last().details == {
        "channel": "xlsx",
        "organisations": ["R0B"],
        "rows": held.count(),
    }
    assert events.last().actor == "test-analyst"


# --- Exact duplicates and answerable now --------------------------------------------------


def test_an_item_mapped_to_held_data_duplicates_the_collection_and_is_answerable_now(
    registry, client_for
):
    data_request = small_request(held=True)
    data_request.items.filter(position=2).delete()
    page = text_of(client_for(Role.REGIONAL).get(f"/requests/{data_request.pk}/"))
    assert "Answerable now" in page
    assert "Duplicate the same held data — NHS England" in page
    detail = client_for(Role.ANALYST).get(f"/api/requests/{data_request.pk}/").json()
    assert detail["answerable_now"] is True
    assert detail["held_for"] == {"1": 2}
    (duplicate,) = detail["duplicates"]
    assert duplicate | {"request": 0} == {
        "item": 1,
        "kind": "exact",
        "score": 100.0,
        "request": 0,
        "requester": "NHS England",
        "title": "A&E Attendances and Emergency Admissions (monthly situation report, MSitAE)",
        "other_item": "A&E 4-hour performance, all department types",
        "asked_since": "2001",
        "frequency": "monthly",
    }


def test_the_seeded_collections_say_which_are_answerable_now(registry, client_for):
    page = text_of(client_for(Role.REGIONAL).get("/requests/"))
    for title in ("Consultant-led Referral to Treatment (RTT) Waiting Times", "NHS Staff Survey"):
        assert title in page
    rtt = DataRequest.objects.get(seed_key="rtt_monthly")
    ftsu = DataRequest.objects.get(seed_key="ftsu_quarterly")
    reader = client_for(Role.ANALYST)
    assert "Answerable now" in text_of(reader.get(f"/requests/{rtt.pk}/"))
    assert "standard number DCB0095" in text_of(reader.get(f"/requests/{rtt.pk}/"))
    page = text_of(reader.get(f"/requests/{ftsu.pk}/"))
    assert "Not held" in page
    assert "standard number" not in page  # voluntary: no standard number shown
    ae = text_of(reader.get(f"/requests/{DataRequest.objects.get(seed_key='ae_monthly').pk}/"))
    assert "standard number not recorded" in ae


# --- Scope: who registers, reads and answers ----------------------------------------------


def test_a_requester_asks_only_organisations_they_are_granted_for(registry, requester):
    response = requester.post("/requests/new/", registration(organisation_codes="R0B RJ1"))
    assert response.status_code == 200
    assert "Your role is not granted for RJ1" in text_of(response)
    assert not DataRequest.objects.filter(title="Urgent and emergency care return").exists()


def test_the_action_refuses_a_person_outside_their_scope(make_user):
    user = make_user(Role.REQUESTER, username="scoped", organisation_code="Y63")
    body = requesting_body()
    actions.add_requester_staff(requester=body, user=user, by="system:test")
    with pytest.raises(PermissionDenied):
        actions.register_request(
            requester=body,
            fields={"title": "x", "mandate": "voluntary", "frequency": "yearly"},
            organisations=[Organisation.objects.get(pk="RJ1")],
            items=[{"name": "x", "unit": "count", "period_type": "year"}],
            by=user,
        )


def test_registration_errors_say_what_to_do(registry, requester):
    response = requester.post(
        "/requests/new/",
        registration(
            title="",
            organisation_codes="R0B ZZ9",
            hours_per_return="6",
            estimate_source="",
            **{"items-0-name": ""},
        ),
    )
    page = text_of(response)
    for message in (
        "Enter a title",
        "Enter ODS codes Candour knows: not ZZ9",
        "Say where the estimate comes from",
        "Item 1: Enter the item's name",
    ):
        assert message in page


def test_an_item_maps_only_to_held_data_of_its_unit(registry, requester):
    requester.post("/requests/new/", registration())
    data_request = DataRequest.objects.get(title="Urgent and emergency care return")
    item = data_request.items.get(position=1)
    response = requester.post(
        f"/requests/{data_request.pk}/items/{item.pk}/map/",
        {"held": "measure:ae_attendances_type1"},
    )
    page = text_of(requester.get(response["Location"]))
    assert "must be too" in page
    assert RequestItem.objects.get(pk=item.pk).held is None


def test_only_the_bodys_staff_map_its_items(client_for):
    data_request = small_request()
    item = data_request.items.get(position=2)
    response = client_for(Role.REGIONAL).post(
        f"/requests/{data_request.pk}/items/{item.pk}/map/", {"held": "measure:ae_4hr_all"}
    )
    assert response.status_code == 403


def test_an_organisations_analyst_answers_only_for_their_organisation(client_for):
    data_request = small_request()
    analyst = client_for(Role.ANALYST, organisation_code="R0B")
    rows = list(
        csv.DictReader(
            io.StringIO(
                analyst.get(f"/requests/{data_request.pk}/held-answer.csv").content.decode()
            )
        )
    )
    assert {r["ods_code"] for r in rows} == {"R0B"}
    url = f"/requests/{data_request.pk}/held-answer.csv"
    assert analyst.get(url, {"organisation": "RJ1"}).status_code == 403
    assert analyst.get(url, {"organisation": "RTD"}).status_code == 404  # not asked
    api = f"/api/requests/{data_request.pk}/held-answer/"
    assert analyst.get(api, {"organisation": "RJ1"}).status_code == 403
    assert {r["ods_code"] for r in analyst.get(api).json()["results"]} == {"R0B"}


@pytest.mark.parametrize(
    ("role", "scope", "national", "region", "own", "other"),
    [
        (Role.ANALYST, "R0B", 403, 403, 200, 403),
        (Role.ANALYST, "Y63", 200, 200, 200, 200),
        (Role.REGIONAL, "Y63", 200, 200, 200, 200),
        (Role.REQUESTER, "", 200, 200, 200, 200),
        (Role.BOARD, "R0B", 403, 403, 403, 403),
    ],
)
def test_the_burden_view_is_for_regional_and_national_roles(
    client_for, role, scope, national, region, own, other
):
    client = client_for(role, organisation_code=scope)
    assert client.get("/requests/burden/").status_code == national
    assert client.get("/requests/burden/regions/Y63/").status_code == region
    assert client.get("/requests/burden/organisations/R0B/").status_code == own
    assert client.get("/requests/burden/organisations/RJ1/").status_code == other


def test_a_requester_without_a_body_is_told_how_to_be_added(client_for):
    page = text_of(client_for(Role.REQUESTER).get("/requests/new/"))
    assert "candour requests add-staff" in page


# --- Burden -------------------------------------------------------------------------------


def test_the_burden_view_works_for_a_region_with_the_seeded_collections(registry, client_for):
    regional = client_for(Role.REGIONAL)
    page = text_of(regional.get("/requests/burden/regions/Y63/"))
    in_region = Organisation.objects.filter(region_code="Y63")
    received = sum(DataRequest.objects.filter(organisations=o).count() for o in in_region)
    assert (
        f"North East and Yorkshire {in_region.filter(data_requests__isnull=False).distinct().count()} {received} "
        in page
    )
    assert "South Tyneside and Sunderland NHS Foundation Trust" in page
    assert "No published estimate found" in page  # the seeded collections' hours
    assert "No separate return: SHMI is derived" in page
    national = text_of(regional.get("/requests/burden/"))
    assert "NHS England" in national
    assert "National Guardian's Office" in national
    assert "North East and Yorkshire" in national


def test_hours_avoided_come_from_served_returns(client_for):
    data_request = small_request()  # 6 hours a return; 1 of its 2 items held
    client_for(Role.ANALYST).get(
        f"/requests/{data_request.pk}/held-answer.csv", {"organisation": "R0B"}
    )
    page = text_of(client_for(Role.REGIONAL).get("/requests/burden/organisations/R0B/"))
    # 1 request, 2 items, no duplicates, 6 x 12 = 72 hours a year, none unestimated, 3 avoided
    assert "South Tyneside and Sunderland NHS Foundation Trust 1 2 0 0 72 0 3 " in page


# --- API ----------------------------------------------------------------------------------


def test_the_api_lists_requests_and_checks_its_parameters(registry, client_for):
    api = client_for(Role.ANALYST)
    body = api.get("/api/requests/", {"organisation": "r0b", "requester": "nhs_england"}).json()
    assert {r["title"] for r in body["results"]} >= {"NHS Staff Survey"}
    assert all("R0B" in r["organisations"] for r in body["results"])
    bad = api.get("/api/requests/", {"organization": "R0B"})
    assert bad.status_code == 400
    assert bad.json()["parameter"] == "organization"
    assert api.get("/api/requests/99999/").status_code == 404
    assert api.get("/api/requests/99999/held-answer/").status_code == 404


def test_the_schema_documents_the_registry(client_for):
    schema = (
        client_for(Role.ANALYST)
        .get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()
    )
    for path in (
        "/api/requests/",
        "/api/requests/{request_id}/",
        "/api/requests/{request_id}/held-answer/",
    ):
        assert set(schema["paths"][path]["get"]["responses"]) >= {"200", "400", "401", "403", "406"}


# --- The command --------------------------------------------------------------------------


def test_loading_again_updates_instead_of_adding(registry, capsys):
    counts = (DataRequest.objects.count(), RequestItem.objects.count())
    assert main(["requests", "load"]) == 0
    assert "7 requests (0 new) with 36 items from 3 requesting bodies" in capsys.readouterr().out
    assert (DataRequest.objects.count(), RequestItem.objects.count()) == counts
    assert AuditEvent.objects.filter(action="datarequest.load").count() == 2


def test_a_bad_file_loads_nothing(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('[requests.x]\nrequester = "nobody"\n', encoding="utf-8")
    assert main(["requests", "load", str(path)]) == 2
    assert "requests.x.title" in capsys.readouterr().err
    assert not DataRequest.objects.exists()


def test_the_demo_requests_load_labelled_synthetic(registry, client_for):
    assert main(["requests", "load", "--demo"]) == 0
    synthetic = DataRequest.objects.filter(synthetic=True)
    assert synthetic.count() == 3
    page = text_of(client_for(Role.REGIONAL).get("/requests/burden/"))
    assert "Synthetic data" in page


def test_add_staff_names_what_is_wrong(make_user, capsys):
    assert main(["requests", "add-staff", "nobody", "nhs_england"]) == 2
    assert "no user 'nobody'" in capsys.readouterr().err
    make_user(Role.REQUESTER, username="someone")
    assert main(["requests", "add-staff", "someone", "no_such_body"]) == 2
    assert "no requesting body 'no_such_body'" in capsys.readouterr().err


def test_demo_accounts_register_for_their_bodies(capsys):
    from candour.web.core.models import User

    assert main(["demo-users"]) == 0
    requester = User.objects.get(username="demo-requester")
    assert list(requester.requester_memberships.values_list("requester_id", flat=True)) == [
        "example_icb"
    ]
    assert list(requester.role_grants.values_list("organisation_code", flat=True)) == ["Y63"]
    regional = User.objects.get(username="demo-regional")
    assert list(regional.requester_memberships.values_list("requester_id", flat=True)) == [
        "nhs_england"
    ]


def test_the_registry_columns_hold_what_the_files_allow():
    from candour.importers import datarequests as files

    assert DataRequest._meta.get_field("title").max_length == files.NAME_MAX_LENGTH
    assert RequestItem._meta.get_field("name").max_length == files.NAME_MAX_LENGTH
    assert DataRequest._meta.get_field("standard_number").max_length == files.STANDARD_MAX_LENGTH
    assert DataRequest._meta.get_field("due").max_length == files.SHORT_TEXT_MAX_LENGTH
    assert DataRequest._meta.get_field("estimate_source").max_length == files.SHORT_TEXT_MAX_LENGTH
