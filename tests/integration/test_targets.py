"""A target cannot be published without the three Francis qualifications, by any path:
the web form, the file import, the ORM (and so any API built on it), or the admin site."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from candour.cli import main
from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.oversight import actions
from candour.web.oversight.models import Target

pytestmark = pytest.mark.django_db

COMPLETE = {
    "name": "Test: 90% within 4 hours",
    "measure_id": "ae_4hr_all",
    "comparison": "at_least",
    "threshold": 0.9,
    "set_by": "Test region",
    "effective_from": "2025-04-01",
    "resources_and_support": "Two additional consultants and an acute medical unit.",
    "consequence_policy": "misconduct_or_serious_incompetence",
}
SAFE_BALANCE = ["ae_12hr_waits"]
MISSING = {
    "balancing measure": (
        {},
        ["ae_attendances_type1"],
    ),  # a balancing measure, but not patient safety
    "resources": ({"resources_and_support": "  "}, SAFE_BALANCE),
    "consequences": ({"consequence_policy": "other"}, SAFE_BALANCE),
}
MESSAGES = {
    "balancing measure": "a balancing measure from the patient-safety domain is missing",
    "resources": "the resources and support provided to meet the target are not declared",
    "consequences": "does not restrict adverse career consequences to misconduct or serious incompetence",
}


def test_seeded_national_standards_are_published_with_safety_balances():
    expected = {
        "ae_4hr_95": 0.95,
        "ae_4hr_78_interim": 0.78,
        "rtt_18wk_92": 0.92,
        "cancer_62day_85": 0.85,
    }
    for target_id, threshold in expected.items():
        target = Target.objects.get(pk=target_id)
        assert target.status == Target.Status.PUBLISHED
        assert target.threshold == threshold
        assert any(m.domain == "safe" for m in target.balancing_measures.all())
    assert set(
        Target.objects.get(pk="rtt_18wk_92").balancing_measures.values_list("pk", flat=True)
    ) == {
        "rtt_52wk",
        "shmi",
    }


def test_complete_target_publishes_with_an_audit_event():
    target = actions.save_target(
        target_id="t",
        fields=COMPLETE,
        balancing_measure_ids=SAFE_BALANCE,
        publish=True,
        by="system:test",
    )
    assert target.status == Target.Status.PUBLISHED
    assert AuditEvent.objects.filter(action="target.publish", target_id="t").exists()


@pytest.mark.parametrize("missing", list(MISSING))
def test_action_refuses_to_publish_and_names_what_is_missing(missing):
    overrides, balances = MISSING[missing]
    with pytest.raises(ValidationError) as caught:
        actions.save_target(
            target_id="t",
            fields={**COMPLETE, **overrides},
            balancing_measure_ids=balances,
            publish=True,
            by="system:test",
        )
    assert MESSAGES[missing] in " ".join(caught.value.messages)
    assert not Target.objects.filter(pk="t").exists()  # rolled back


@pytest.mark.parametrize("missing", list(MISSING))
def test_orm_save_of_a_published_target_is_refused(missing):
    overrides, balances = MISSING[missing]
    target = actions.save_target(
        target_id="t",
        fields={**COMPLETE, **overrides},
        balancing_measure_ids=balances,
        publish=False,
        by="system:test",
    )
    target.status = Target.Status.PUBLISHED
    with pytest.raises(ValidationError, match="cannot be published"):
        target.save()


def test_removing_the_last_safety_balance_of_a_published_target_is_refused():
    target = Target.objects.get(pk="cancer_62day_85")
    with (
        pytest.raises(ValidationError, match="patient-safety domain is missing"),
        transaction.atomic(),
    ):
        target.balancing_measures.clear()
    assert target.balancing_measures.count() == 1
    target = Target.objects.get(pk="rtt_18wk_92")
    target.balancing_measures.remove("shmi")  # rtt_52wk (safe) remains
    assert target.balancing_measures.count() == 1


@pytest.mark.parametrize("missing", list(MISSING))
def test_file_import_refuses_and_saves_nothing(tmp_path, capsys, missing):
    overrides, balances = MISSING[missing]
    fields = {**COMPLETE, **overrides}
    lines = ["[good]"]
    lines += [
        f'{k} = "{v}"' if isinstance(v, str) else f"{k} = {v}"
        for k, v in COMPLETE.items()
        if k != "measure_id"
    ]
    lines += ['measure = "ae_4hr_all"', 'balancing_measures = ["ae_12hr_waits"]', "", "[bad]"]
    lines += [
        f'{k} = "{v}"' if isinstance(v, str) else f"{k} = {v}"
        for k, v in fields.items()
        if k != "measure_id"
    ]
    lines += ['measure = "ae_4hr_all"', f"balancing_measures = {balances!r}".replace("'", '"')]
    path = tmp_path / "targets.toml"
    path.write_text("\n".join(lines) + "\n")
    assert main(["targets", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Target bad cannot be published" in err
    assert MESSAGES[missing] in err
    assert not Target.objects.filter(pk__in=["good", "bad"]).exists()


def test_file_import_reports_malformed_entries(tmp_path, capsys):
    path = tmp_path / "targets.toml"
    path.write_text('[x]\nname = "X"\ncomparison = "more"\n')
    assert main(["targets", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "column 'x.measure': 'measure' is required" in err
    assert "column 'x.comparison': expected one of at_least, at_most" in err


def form_data(**overrides):
    data = {
        "id": "web_target",
        "name": "Web target",
        "measure": "rtt_18wk",
        "comparison": "at_least",
        "threshold": "90",  # rtt_18wk is a proportion: typed as a percentage
        "set_by": "North West region",
        "effective_from": "2025-04-01",
        "balancing_measures": ["rtt_52wk"],
        "resources_and_support": "Elective hub capacity.",
        "consequence_policy": "misconduct_or_serious_incompetence",
        "publish": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_web_form_publishes_a_complete_target(client_for):
    client = client_for(Role.REGIONAL)
    response = client.post("/targets/new/", form_data())
    assert response.status_code == 302
    assert Target.objects.get(pk="web_target").status == Target.Status.PUBLISHED


# What the form says about each missing qualification, beside the field and in the error summary
# as a link to it (the NHS.UK error-message and error-summary patterns).
FORM_MESSAGES = {
    "balancing_measures": "Select a balancing measure from the patient-safety domain",
    "resources_and_support": "Describe the resources and support provided to meet the target",
    "consequence_policy": "Select a consequence policy that restricts adverse career consequences",
}
FIRST_INPUT = {
    "balancing_measures": "id_balancing_measures_0",
    "resources_and_support": "id_resources_and_support",
    "consequence_policy": "id_consequence_policy_0",
}


def error_summary_links(html: str) -> list[tuple[str, str]]:
    """(href, text) of each link in the page's error summary."""
    summary = html.split('class="nhsuk-error-summary__body">')[1].split("</div>")[0]
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', summary)


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"balancing_measures": ["rtt_median_wait"]}, "balancing_measures"),
        ({"resources_and_support": ""}, "resources_and_support"),
        ({"consequence_policy": "other"}, "consequence_policy"),
    ],
)
def test_web_form_refuses_and_says_what_is_missing(client_for, override, field):
    client = client_for(Role.REGIONAL)
    response = client.post("/targets/new/", form_data(**override))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    [(anchor, text)] = error_summary_links(response.content.decode())
    assert anchor == FIRST_INPUT[field]
    assert text.startswith(FORM_MESSAGES[field])
    assert not Target.objects.filter(pk="web_target").exists()


def test_the_error_summary_lists_each_problem_as_a_link_to_its_field(client_for):
    """Issue 10, finding 8: the summary was one run-on sentence with no links."""
    response = client_for(Role.REGIONAL).post(
        "/targets/new/",
        form_data(balancing_measures=[], resources_and_support="", consequence_policy=None),
    )
    html = response.content.decode()
    links = error_summary_links(html)
    assert [anchor for anchor, _ in links] == [
        FIRST_INPUT[f]
        for f in ("balancing_measures", "resources_and_support", "consequence_policy")
    ]
    for anchor, text in links:
        assert f'id="{anchor}"' in html  # the link lands on the field
        assert text in html.replace(f'<a href="#{anchor}">{text}</a>', "")  # and beside it
    assert "cannot be published:" not in html


def test_every_empty_required_field_is_named_in_the_error_summary(client_for):
    response = client_for(Role.REGIONAL).post("/targets/new/", {"save": "1"})
    links = dict(error_summary_links(response.content.decode()))
    assert links == {
        "id_id": "Enter an identifier",
        "id_name": "Enter a name",
        "id_measure": "Select a measure",
        "id_comparison": "Select at least or at most",
        "id_threshold": "Enter a threshold",
        "id_set_by": "Enter the body that set the target",
        "id_effective_from": "Enter the date the target takes effect",
    }


def test_organisation_types_are_offered_once_each(client_for):
    """Issue 10, finding 8: Meta.ordering (name) defeated .distinct(), listing ~150 "Acute"."""
    html = client_for(Role.REGIONAL).get("/targets/new/").content.decode()
    offered = re.findall(r'name="organisation_types" type="checkbox" value="([^"]+)"', html)
    assert offered
    assert len(offered) == len(set(offered))
    assert offered == sorted(offered)


def test_a_proportion_threshold_is_typed_as_a_percentage_and_stored_once_as_a_fraction(
    client_for,
):
    client = client_for(Role.REGIONAL)
    assert client.post("/targets/new/", form_data(threshold="95")).status_code == 302
    target = Target.objects.get(pk="web_target")
    assert target.threshold == 0.95
    assert "at least 95.0%" in client.get("/targets/web_target/").content.decode()
    edit = client.get("/targets/web_target/edit/").content.decode()
    assert re.search(r'id="id_threshold"[^>]*value="95"', edit)
    client.post("/targets/web_target/edit/", form_data(threshold="95"))
    assert Target.objects.get(pk="web_target").threshold == 0.95  # not converted twice


@pytest.mark.parametrize("typed", ["9500", "100.5", "-1"])
def test_a_proportion_threshold_outside_0_to_100_percent_is_refused(client_for, typed):
    """Issue 10, finding 8: 95 was stored as 95 and shown as "at least 9500.0%"."""
    response = client_for(Role.REGIONAL).post("/targets/new/", form_data(threshold=typed))
    assert response.status_code == 200
    assert error_summary_links(response.content.decode()) == [
        ("id_threshold", "Enter a threshold between 0% and 100%")
    ]
    assert not Target.objects.filter(pk="web_target").exists()


def test_a_ratio_threshold_keeps_its_own_unit(client_for):
    client = client_for(Role.REGIONAL)
    data = form_data(measure="shmi", threshold="1.05", balancing_measures=["ae_12hr_waits"])
    assert client.post("/targets/new/", data).status_code == 302
    assert Target.objects.get(pk="web_target").threshold == 1.05
    html = client.get("/targets/new/").content.decode()
    assert "(percentage)</option>" in html
    assert "(ratio)</option>" in html


@pytest.mark.parametrize("threshold", [95, -0.1, float("inf"), float("nan")])
def test_every_path_refuses_an_impossible_proportion_threshold(threshold):
    with pytest.raises(ValidationError, match="threshold"):
        actions.save_target(
            target_id="t",
            fields={**COMPLETE, "threshold": threshold},
            balancing_measure_ids=SAFE_BALANCE,
            publish=False,
            by="system:test",
        )
    assert not Target.objects.filter(pk="t").exists()


def test_analyst_saves_drafts_but_cannot_publish(client_for):
    client = client_for(Role.ANALYST)
    assert client.post("/targets/new/", form_data()).status_code == 403
    draft = form_data(publish=None, save="1", resources_and_support="")
    assert client.post("/targets/new/", draft).status_code == 302
    assert Target.objects.get(pk="web_target").status == Target.Status.DRAFT


def test_publish_button_on_an_incomplete_draft_shows_the_problems(client_for):
    actions.save_target(
        target_id="t",
        fields={**COMPLETE, "resources_and_support": ""},
        balancing_measure_ids=[],
        publish=False,
        by="system:test",
    )
    response = client_for(Role.REGIONAL).post("/targets/t/status/", {"status": "published"})
    assert response.status_code == 400
    html = response.content.decode()
    assert MESSAGES["resources"] in html
    assert MESSAGES["balancing measure"] in html
    assert Target.objects.get(pk="t").status == Target.Status.DRAFT


def test_admin_site_cannot_add_or_change_targets(client_for):
    client = client_for(Role.ADMIN)
    assert client.get("/admin/oversight/target/add/").status_code == 403
    assert (
        client.post("/admin/oversight/target/ae_4hr_95/change/", {"status": "draft"}).status_code
        == 403
    )


@pytest.mark.parametrize(("role", "scope"), [(Role.REGIONAL, "Y63"), (Role.ANALYST, "R0B")])
def test_a_national_target_is_written_only_with_a_national_grant(
    client_for, make_user, role, scope
):
    """Issue 10, finding 7: targets for every organisation are scoped like concerns."""
    client = client_for(role, organisation_code=scope)
    assert client.get("/targets/new/").status_code == 403
    assert client.post("/targets/new/", form_data(publish=None, save="1")).status_code == 403
    assert client.get("/targets/ae_4hr_95/edit/").status_code == 403
    assert "Register a target" not in client.get("/targets/").content.decode()
    assert not Target.objects.filter(pk="web_target").exists()
    regional = make_user(Role.REGIONAL, username="y63-regional", organisation_code="Y63")
    with pytest.raises(PermissionDenied):
        actions.set_target_status(
            target=Target.objects.get(pk="ae_4hr_95"), status="withdrawn", by=regional
        )
    with pytest.raises(PermissionDenied):
        actions.save_target(
            target_id="t",
            fields=COMPLETE,
            balancing_measure_ids=SAFE_BALANCE,
            publish=True,
            by=regional,
        )
    assert Target.objects.get(pk="ae_4hr_95").status == Target.Status.PUBLISHED


def test_a_target_for_listed_organisations_is_written_by_those_granted_for_them(make_user):
    regional = make_user(Role.REGIONAL, username="y63-regional", organisation_code="Y63")
    target = actions.save_target(
        target_id="t",
        fields=COMPLETE,
        balancing_measure_ids=SAFE_BALANCE,
        organisation_codes=["R0B"],  # in Y63
        publish=True,
        by=regional,
    )
    assert list(target.organisations.values_list("pk", flat=True)) == ["R0B"]
    with pytest.raises(PermissionDenied):  # RJ1 is in London, Y56
        actions.save_target(
            target_id="t",
            fields=COMPLETE,
            balancing_measure_ids=SAFE_BALANCE,
            organisation_codes=["R0B", "RJ1"],
            publish=True,
            by=regional,
        )
