"""Storing the board ledger: `candour import board_ledger FILE` replaces the ledger of the
organisations in the file, all or nothing, audited; the synthetic demo path; the Kerr page."""

from __future__ import annotations

import pytest
from django.utils import timezone
from tests.integration.leadership_access import HEADER, ledger_csv, load_ledger, talent_board

from candour.cli import main
from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.leadership.models import BoardPost, PostHolding, VacancyEpisode
from candour.web.oversight.models import ImportRun

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(BoardPost.objects.values_list("post_id", "organisation_id", "role")),
        sorted(PostHolding.objects.values_list("post__post_id", "person_id", "start", "end")),
        VacancyEpisode.objects.count(),
    )


def write(tmp_path, text: str, name: str = "ledger.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_stores_posts_and_holdings_and_audits_it(tmp_path, capsys):
    path = write(tmp_path, ledger_csv(timezone.localdate()))
    assert main(["import", "board_ledger", str(path)]) == 0
    out = capsys.readouterr().out
    assert "board_ledger: 3 organisations, 7 posts, 7 holdings, 0 vacancy episodes" in out
    assert BoardPost.objects.filter(organisation_id="R0B").count() == 5
    event = AuditEvent.objects.filter(action="board_ledger.import").latest("id")
    assert event.details["posts"] == 7
    assert event.details["file"] == "ledger.csv"
    assert ImportRun.objects.filter(dataset="board_ledger").exists()


def test_reimporting_replaces_the_organisations_in_the_file_and_no_others(tmp_path):
    load_ledger(tmp_path)
    before = snapshot()
    load_ledger(tmp_path)
    assert snapshot() == before  # never duplicates
    today = timezone.localdate().isoformat()
    only_r0b = HEADER + f"R0B,R0B-CEO,chief_executive,,yes,yes,holding,E9,{today},,substantive\n"
    assert main(["import", "board_ledger", str(write(tmp_path, only_r0b, "r0b.csv"))]) == 0
    assert list(
        BoardPost.objects.filter(organisation_id="R0B").values_list("post_id", flat=True)
    ) == ["R0B-CEO"]
    assert PostHolding.objects.get(post__post_id="R0B-CEO").person_id == "E9"
    assert BoardPost.objects.filter(organisation_id__in=["RTD", "RJ1"]).count() == 2  # untouched


def test_a_bad_file_changes_nothing_and_names_file_row_and_column(tmp_path, capsys):
    load_ledger(tmp_path)
    before = snapshot()
    events = AuditEvent.objects.count()
    bad = HEADER + (
        "R0B,R0B-CEO,chief_executive,,yes,yes,holding,E9,2024-01-01,,substantive\n"
        "R0B,R0B-FD,finance,,yes,yes,holding,E10,2024-02-30,,substantive\n"
    )
    path = write(tmp_path, bad, "bad.csv")
    assert main(["import", "board_ledger", str(path)]) == 2
    err = capsys.readouterr().err
    assert "nothing was imported" in err
    assert f"{path}, row 3, column 'start': expected a date (YYYY-MM-DD), found '2024-02-30'" in err
    assert "Traceback" not in err
    assert snapshot() == before
    assert AuditEvent.objects.count() == events


def test_problems_against_what_is_stored_are_refused_with_their_rows(tmp_path, capsys):
    load_ledger(tmp_path)
    talent_board()  # R0B-FD now has a succession plan
    before = snapshot()
    text = HEADER + (
        "ZZ9,ZZ9-CEO,chief_executive,,yes,yes,post,,,,\n"  # unknown organisation
        "RR7,RTD-CEO,chief_executive,,yes,yes,post,,,,\n"  # RTD's post id, RTD not in the file
        "R0B,R0B-CEO,chief_executive,,yes,yes,post,,,,\n"  # R0B-FD (with a plan) left out
    )
    assert main(["import", "board_ledger", str(write(tmp_path, text, "clash.csv"))]) == 2
    err = capsys.readouterr().err
    assert "row 2, column 'ods_code': organisation 'ZZ9' is not known" in err
    assert "row 3, column 'post_id': post_id 'RTD-CEO' belongs to organisation 'RTD'" in err
    assert "column 'post_id': post 'R0B-FD' is stored with a succession plan" in err
    assert snapshot() == before


def test_board_ledger_needs_a_file(capsys):
    assert main(["import", "board_ledger"]) == 2
    assert "no bundled board ledger" in capsys.readouterr().err


@pytest.mark.slow
def test_the_synthetic_demo_path_generates_imports_and_fills_the_pools(tmp_path, capsys):
    path = tmp_path / "synthetic_board_ledger.csv"
    assert main(["leadership", "synthetic-ledger", str(path), "--as-of", "2025-03-31"]) == 0
    assert "SYNTHETIC board ledger" in capsys.readouterr().out
    assert main(["import", "board_ledger", str(path)]) == 0
    assert "synthetic" in capsys.readouterr().out
    assert BoardPost.objects.filter(synthetic=False).count() == 0
    assert BoardPost.objects.values("organisation_id").distinct().count() > 200
    assert main(["leadership", "demo-talent"]) == 0
    assert "SYNTHETIC talent data" in capsys.readouterr().out
    from candour.web.leadership.models import Person, TalentBoard

    assert TalentBoard.objects.count() == 7  # the seven NHS England regions
    assert Person.objects.filter(synthetic=False).count() == 0
    assert AuditEvent.objects.filter(action="talent.load").latest("id").details["synthetic"]


def test_synthetic_ledger_refuses_other_file_types(tmp_path, capsys):
    assert main(["leadership", "synthetic-ledger", str(tmp_path / "x.xlsx")]) == 2
    assert "FILE must end in .csv or .parquet" in capsys.readouterr().err


# ----------------------------------------------------------------------------- the Kerr page


def test_the_kerr_page_computes_from_the_ledger_and_labels_synthetic_data(tmp_path, client_for):
    load_ledger(tmp_path, synthetic=True)
    page = client_for(Role.ANALYST).get("/leadership/board-vacancies-by-cqc-rating/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Synthetic data" in html
    assert "(synthetic)" in html
    assert "from the board posts ledger of 3 organisations" in html


def test_the_kerr_page_has_no_synthetic_label_for_a_real_ledger(tmp_path, client_for):
    load_ledger(tmp_path)
    html = client_for(Role.REGIONAL).get("/leadership/board-vacancies-by-cqc-rating/").content
    assert b"Synthetic data" not in html
    assert b"synthetic" not in html.split(b"<main")[1].split(b"Sources")[0]
