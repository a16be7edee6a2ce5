"""Fit and proper person records (issue 12, items 4 and 7): only the chair and the named
administrators see them; the checks, attestation, chair's sign-off and return to the region;
board references; and ``candour leadership expire`` deleting exactly the records past the
director's 75th birthday, auditing each deletion without its content."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.integration import leadership_people as build
from tests.integration.leadership_access import load_ledger
from tests.integration.test_leadership_pages import text_of

from candour.cli import main
from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.leadership import actions_fitness
from candour.web.leadership.models import (
    BoardReference,
    ConductConcern,
    FitAndProperCheck,
    FitAndProperRecord,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers():
    chair = build.user("fp-chair", Role.BOARD)
    administrator = build.user("fp-admin", Role.ADMIN)
    build.officer(chair, "chair")
    build.officer(administrator, "fppt_administrator")
    return chair, administrator


def test_only_the_chair_and_named_administrators_see_the_records(client, officers):
    chair, administrator = officers
    record = build.fppt_record(build.person("P-FD", "Fay Director"))
    for url in (
        "/leadership/organisations/R0B/fit-and-proper/",
        f"/leadership/fit-and-proper/{record.pk}/",
        "/leadership/organisations/R0B/board-references/",
    ):
        assert build.signed_in(client, chair).get(url).status_code == 200, url
        assert build.signed_in(client, administrator).get(url).status_code == 200, url
        # A board member of the organisation who is not named, and a named administrator of
        # another organisation, are refused.
        assert (
            build.signed_in(client, build.user("fp-other", Role.BOARD)).get(url).status_code == 403
        )
    elsewhere = build.user("fp-rj1", Role.ADMIN, "RJ1")
    build.officer(elsewhere, "fppt_administrator", "RJ1")
    assert (
        build.signed_in(client, elsewhere)
        .get(f"/leadership/fit-and-proper/{record.pk}/")
        .status_code
        == 403
    )


def test_naming_needs_the_role_for_the_organisation():
    with pytest.raises(ValidationError, match="holds no board or administrator role for R0B"):
        build.officer(build.user("fp-staff"), "fppt_administrator")
    with pytest.raises(ValidationError, match="The chair holds the board role"):
        build.officer(build.user("fp-admin-chair", Role.ADMIN), "chair")


def test_a_record_through_the_pages_to_the_region(client, officers, tmp_path):
    chair, administrator = officers
    load_ledger(tmp_path)  # R0B's board: E2... E6 hold posts now
    page = build.signed_in(client, administrator).get(
        "/leadership/organisations/R0B/fit-and-proper/"
    )
    assert "E5" in text_of(page)  # the nursing director, known only by the ledger's id
    response = client.post(
        "/leadership/organisations/R0B/fit-and-proper/",
        {"member": "E5", "name": "Nell Nurse", "date_of_birth": "1970-01-02", "year": "2026"},
    )
    assert response.status_code == 302
    record = FitAndProperRecord.objects.get(person__person_id="E5")
    url = f"/leadership/fit-and-proper/{record.pk}/"
    client.post(
        url + "check/",
        {
            "check-kind": "dbs",
            "check-checked_on": "2026-01-10",
            "check-result": "satisfactory",
            "check-evidence_held_at": "ESR",
        },
    )
    client.post(url + "attested/", {"attested-on": "2026-01-12"})
    # The administrator cannot sign off: only the chair.
    assert client.post(url + "sign_off/", {"sign_off-outcome": "fit"}).status_code == 403
    assert (
        build.signed_in(client, chair)
        .post(url + "sign_off/", {"sign_off-outcome": "fit"})
        .status_code
        == 302
    )
    assert client.post(url + "submit/", {}).status_code == 302
    record.refresh_from_db()
    assert (record.outcome, record.signed_off_by, record.submitted_on is not None) == (
        "fit",
        chair,
        True,
    )
    assert record.checks.get().evidence_held_at == "ESR"
    # Submitted: closed to changes.
    with pytest.raises(ValidationError, match="submitted to the region"):
        actions_fitness.add_fppt_check(
            record=record, kind="dbs", checked_on=dt.date(2026, 1, 1), result="satisfactory",
            evidence_held_at="ESR", by=administrator,
        )  # fmt: skip
    events = AuditEvent.objects.filter(action__startswith="fppt.")
    assert {e.action for e in events} >= {
        "fppt.start",
        "fppt.check",
        "fppt.attested",
        "fppt.sign_off",
        "fppt.submit",
    }
    assert "ESR" not in json.dumps([e.details for e in events])


def test_sign_off_needs_checks_and_attestation_and_never_the_chairs_own(officers):
    chair, _ = officers
    record = build.fppt_record(build.person("P-NED", "Ned Director"))
    with pytest.raises(ValidationError, match="checks and the director's attestation"):
        actions_fitness.sign_off_fppt(record=record, outcome="fit", actions="", by=chair)
    own = build.fppt_record(build.person("P-CHAIR", "Chair Person", account=chair))
    actions_fitness.add_fppt_check(
        record=own, kind="dbs", checked_on=dt.date(2026, 1, 1), result="satisfactory",
        evidence_held_at="ESR", by=chair,
    )  # fmt: skip
    actions_fitness.record_fppt_date(record=own, step="attested", on=dt.date(2026, 1, 2), by=chair)
    with pytest.raises(ValidationError, match="does not sign off their own"):
        actions_fitness.sign_off_fppt(record=own, outcome="fit", actions="", by=chair)
    with pytest.raises(PermissionDenied):
        actions_fitness.add_fppt_check(
            record=own, kind="dbs", checked_on=dt.date(2026, 1, 1), result="satisfactory",
            evidence_held_at="ESR", by=build.user("fp-outsider", Role.BOARD),
        )  # fmt: skip


def test_a_reference_for_a_director_who_left(client, officers, tmp_path):
    _, administrator = officers
    load_ledger(tmp_path)  # E1, R0B's chief executive, left 40 days ago
    from candour.web.leadership.models import PostHolding

    holding = PostHolding.objects.get(person_id="E1")
    response = build.signed_in(client, administrator).post(
        "/leadership/organisations/R0B/board-references/",
        {
            "holding": str(holding.pk),
            "name": "Ezra Exec",
            "requested_by": "Another NHS trust",
            "investigations": "on",
            "details": "",
        },
    )
    assert response.status_code == 400
    assert "Give the details of the investigation" in text_of(response)
    client.post(
        "/leadership/organisations/R0B/board-references/",
        {
            "holding": str(holding.pk),
            "name": "Ezra Exec",
            "requested_by": "Another NHS trust",
            "details": "",
        },
    )
    reference = BoardReference.objects.get()
    assert (reference.person.name, reference.role_held, reference.held_to) == (
        "Ezra Exec",
        "Chief executive",
        holding.end,
    )


def test_expire_deletes_exactly_the_expired_records_and_audits_each_without_content(
    officers, capsys
):
    chair, _ = officers
    today = dt.date(2026, 6, 15)
    turns_75_today = build.person("P-OLD", "Olive Old", born=dt.date(1951, 6, 15))
    turns_75_tomorrow = build.person("P-NEARLY", "Nat Nearly", born=dt.date(1951, 6, 16))
    no_birth_date = build.person("P-UNKNOWN", "Una Unknown")
    expired = [build.fppt_record(turns_75_today, year=y) for y in (2024, 2025)]
    FitAndProperCheck.objects.create(
        record=expired[0], kind="dbs", checked_on=dt.date(2024, 1, 1), result="concern",
        evidence_held_at="HR file 77 (secret)", recorded_by=chair,
    )  # fmt: skip
    kept = [build.fppt_record(turns_75_tomorrow), build.fppt_record(no_birth_date)]
    old_concern = build.conduct_concern(turns_75_today)
    kept_concern = build.conduct_concern(turns_75_tomorrow)
    reference = actions_fitness.write_board_reference(
        person=turns_75_today, organisation=expired[0].organisation, role_held="Chair",
        held_from=dt.date(2015, 1, 1), held_to=dt.date(2020, 1, 1), requested_by="A charity",
        investigations=False, misconduct_found=False, details="", by=build.ACTOR,
    )  # fmt: skip
    assert main(["leadership", "expire", "--on", today.isoformat(), "--dry-run"]) == 0
    assert (
        "would delete 2 fit-and-proper record(s), 1 board reference(s) and 1 conduct"
        in capsys.readouterr().out
    )
    assert FitAndProperRecord.objects.count() == 4

    assert main(["leadership", "expire", "--on", today.isoformat()]) == 0
    assert "deleted 2 fit-and-proper record(s)" in capsys.readouterr().out
    assert set(FitAndProperRecord.objects.values_list("pk", flat=True)) == {r.pk for r in kept}
    assert not FitAndProperCheck.objects.filter(record__in=expired).exists()
    assert set(ConductConcern.objects.values_list("pk", flat=True)) == {kept_concern.pk}
    assert not BoardReference.objects.exists()
    events = AuditEvent.objects.filter(action="leadership.expire").order_by("id")
    assert [(e.target_type, e.target_id) for e in events] == [
        ("fppt_record", str(expired[0].pk)),
        ("fppt_record", str(expired[1].pk)),
        ("board_reference", str(reference.pk)),
        ("conduct_concern", str(old_concern.pk)),
    ]
    logged = json.dumps([e.details for e in events])
    for content in ("Olive", "P-OLD", "HR file 77", "Belittling", "1951"):
        assert content not in logged
    assert events[0].details == {"organisation": "R0B", "year": 2024}
    # Running again deletes nothing more.
    assert main(["leadership", "expire", "--on", today.isoformat()]) == 0
    assert (
        "deleted 0 fit-and-proper record(s), 0 board reference(s) and 0" in capsys.readouterr().out
    )
