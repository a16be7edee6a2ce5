"""Storing monthly observed and expected deaths: `candour import shmi_monthly FILE` replaces
exactly the cells (trust and month) in the file, all or nothing, audited, refusing unknown
organisations and silent shrinking."""

from __future__ import annotations

import pytest
from tests.integration.mortality_access import HEADER, deaths_csv, load_deaths, write

from candour.cli import main
from candour.web.core.models import AuditEvent
from candour.web.mortality.models import MonthlyDeaths
from candour.web.oversight.models import ImportRun

pytestmark = pytest.mark.django_db


def stored():
    return sorted(
        MonthlyDeaths.objects.values_list("organisation_id", "group", "month", "observed")
    )


def test_import_stores_every_row_marks_synthetic_and_audits_it(tmp_path, capsys):
    path = write(tmp_path, deaths_csv())
    assert main(["import", "shmi_monthly", str(path)]) == 0
    out = capsys.readouterr().out
    assert "shmi_monthly: 144 rows, 144 SYNTHETIC for 3 organisations (144 new" in out
    assert "candour mortality run" in out
    assert MonthlyDeaths.objects.count() == 144
    assert MonthlyDeaths.objects.filter(synthetic=False).count() == 0
    event = AuditEvent.objects.filter(action="mortality.import").latest("id")
    assert event.details["created"] == 144
    assert event.details["file"] == "deaths.csv"
    assert ImportRun.objects.filter(dataset="shmi_monthly").exists()


def test_reimporting_replaces_exactly_the_cells_in_the_file(tmp_path):
    load_deaths(tmp_path)
    before = stored()
    load_deaths(tmp_path)
    assert stored() == before  # never duplicates
    # R0B's January 2023 again, Pneumonia only: its value replaced, its Stroke row removed.
    one_cell = HEADER + "R0B,Pneumonia,2023-01,200,7,10.0,true\n"
    summary = load_deaths(tmp_path, one_cell)
    assert (summary.created, summary.replaced, summary.removed) == (0, 1, 1)
    after = stored()
    assert ("R0B", "Pneumonia", before[0][2], 7) in after
    assert not MonthlyDeaths.objects.filter(
        organisation_id="R0B", group="Stroke", month=before[0][2]
    ).exists()
    untouched = [row for row in before if not (row[0] == "R0B" and row[2] == before[0][2])]
    assert set(untouched) <= set(after)


def test_an_unknown_organisation_stops_the_import_naming_row_and_column(tmp_path, capsys):
    load_deaths(tmp_path)
    before = stored()
    text = HEADER + "R0B,Pneumonia,2023-01,200,1,10.0,\nZZZ,Pneumonia,2023-01,200,1,10.0,\n"
    assert main(["import", "shmi_monthly", str(write(tmp_path, text, "bad.csv"))]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, row 3, column 'PROVIDER_CODE': organisation 'ZZZ' is not known" in err
    assert "nothing was imported" in err
    assert stored() == before


def test_a_bad_value_names_file_row_and_column_and_changes_nothing(tmp_path, capsys):
    text = HEADER + "R0B,Pneumonia,2023-01,200,1,10.0,\nR0B,Pneumonia,2023-02,200,1,0,\n"
    assert main(["import", "shmi_monthly", str(write(tmp_path, text, "bad.csv"))]) == 2
    err = capsys.readouterr().err
    assert "row 3, column 'EXPECTED': expected deaths must be above 0" in err
    assert MonthlyDeaths.objects.count() == 0


def test_leaving_a_series_with_no_rows_needs_allow_shrink(tmp_path, capsys):
    load_deaths(tmp_path, deaths_csv(months=2))
    # R0B's two months again without Stroke: the R0B Stroke series would be left empty.
    text = HEADER + "R0B,Pneumonia,2023-01,200,1,10.0,\nR0B,Pneumonia,2023-02,200,1,10.0,\n"
    path = write(tmp_path, text, "shrink.csv")
    before = stored()
    assert main(["import", "shmi_monthly", str(path), "--dry-run"]) == 0
    assert (
        "would stop without --allow-shrink: it would leave 1 series with no rows (R0B Stroke)"
        in (capsys.readouterr().out)
    )
    assert main(["import", "shmi_monthly", str(path)]) == 2
    assert "nothing was imported" in capsys.readouterr().err
    assert stored() == before
    assert main(["import", "shmi_monthly", str(path), "--allow-shrink"]) == 0
    assert not MonthlyDeaths.objects.filter(organisation_id="R0B", group="Stroke").exists()


def test_a_bad_synthetic_mark_is_refused(tmp_path, capsys):
    text = HEADER + "R0B,Pneumonia,2023-01,200,1,10.0,perhaps\n"
    assert main(["import", "shmi_monthly", str(write(tmp_path, text))]) == 2
    assert "row 2, column 'SYNTHETIC'" in capsys.readouterr().err
