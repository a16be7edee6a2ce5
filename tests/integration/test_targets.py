"""A target cannot be published without the three Francis qualifications, by any path:
the web form, the file import, the ORM (and so any API built on it), or the admin site."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
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
        "threshold": "0.9",
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


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"balancing_measures": ["rtt_median_wait"]}, MESSAGES["balancing measure"]),
        ({"resources_and_support": ""}, MESSAGES["resources"]),
        ({"consequence_policy": "other"}, MESSAGES["consequences"]),
    ],
)
def test_web_form_refuses_and_says_what_is_missing(client_for, override, message):
    client = client_for(Role.REGIONAL)
    response = client.post("/targets/new/", form_data(**override))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Target.objects.filter(pk="web_target").exists()


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
