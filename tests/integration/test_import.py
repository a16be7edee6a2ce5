"""Persisting imports: transactional, idempotent, and a bad file changes nothing."""

import pytest

from candour.cli import main
from candour.importers.datasets import DATASETS
from candour.web.core.models import AuditEvent
from candour.web.oversight import imports
from candour.web.oversight.models import Observation, Organisation, Rating

pytestmark = pytest.mark.django_db

AE_HEADER = "period,org_code,type,attendances,breaches,admissions\n"


def snapshot():
    return (
        Observation.objects.count(),
        Rating.objects.count(),
        Organisation.objects.count(),
        sorted(
            Observation.objects.filter(organisation_id="RJ1").values_list(
                "measure_id", "period_start", "value"
            )
        ),
    )


def test_bundled_data_is_loaded():
    assert (
        Organisation.objects.filter(close_date__isnull=True, successor__isnull=True).count() >= 200
    )
    assert Rating.objects.filter(key_question="overall").count() == 226
    assert Observation.objects.filter(measure_id="ae_4hr_type1").exists()


def test_merged_trusts_point_at_their_successor():
    r0b = Organisation.objects.get(pk="R0B")
    assert set(r0b.predecessors.values_list("ods_code", flat=True)) >= {"RLN", "RE9"}
    assert Organisation.objects.get(pk="RLN").merged_on.isoformat() == "2019-04-01"


def test_reimport_replaces_and_never_duplicates():
    before = snapshot()
    summary = imports.import_dataset(imported=DATASETS["rtt_ae_monthly"].load(), by="system:test")
    assert summary.replaced == summary.observations > 8000
    assert snapshot() == before


def test_cli_rejects_a_bad_row_with_exit_2_and_leaves_data_intact(tmp_path, capsys):
    before = snapshot()
    path = tmp_path / "ae.csv"
    path.write_text(
        AE_HEADER + "2016-04-01,RJ1,1,9000,900,2000\n2016-05-01,RJ1,1,9100,nine hundred,2100\n"
    )
    assert main(["import", "ae_attendances", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}, row 3, column 'breaches': expected a whole number, found 'nine hundred'" in err
    assert "Traceback" not in err
    assert snapshot() == before


def test_cli_import_of_a_users_file_replaces_only_its_periods(tmp_path, capsys):
    path = tmp_path / "ae.csv"
    path.write_text(AE_HEADER + "2016-04-01,RJ1,1,9000,900,2000\n")
    other_months = Observation.objects.filter(
        measure_id="ae_4hr_type1", organisation_id="RJ1"
    ).exclude(period_start="2016-04-01")
    count_other = other_months.count()
    assert main(["import", "ae_attendances", str(path)]) == 0
    assert "observations" in capsys.readouterr().out
    april = Observation.objects.get(
        measure_id="ae_4hr_type1", organisation_id="RJ1", period_start="2016-04-01"
    )
    assert april.value == pytest.approx(0.9)
    assert other_months.count() == count_other


def test_failure_part_way_leaves_earlier_data_intact(monkeypatch):
    """Simulate a crash after the old rows were deleted and some new rows written."""
    before = snapshot()
    events = AuditEvent.objects.count()
    imported = DATASETS["ae_attendances"].load()
    calls = {"n": 0}

    def crash_on_third_batch(_rows):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("interrupted")

    with pytest.raises(KeyboardInterrupt):
        imports.import_dataset(imported=imported, by="system:test", progress=crash_on_third_batch)
    assert snapshot() == before
    assert AuditEvent.objects.count() == events


def test_import_records_an_audit_event():
    imports.import_dataset(imported=DATASETS["cqc_ratings"].load(), by="system:test")
    event = AuditEvent.objects.filter(action="dataset.import").last()
    assert event.details["dataset"] == "cqc_ratings"
    assert event.details["ratings"] == 1356
    assert len(event.details["sha256"]) == 64


def test_all_with_a_file_is_refused(tmp_path, capsys):
    assert main(["import", "all", str(tmp_path / "x.csv")]) == 2
    assert "only with a single DATASET" in capsys.readouterr().err
