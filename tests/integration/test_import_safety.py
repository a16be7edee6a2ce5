"""Imports that cannot lose data by accident (issue 10, findings 1 to 3), through the CLI as a
user runs it: a damaged file is refused with exit 2 naming file, row and column, and what is
stored stays exactly as it was; a valid file replaces exactly the cells it has rows for."""

from __future__ import annotations

import csv
import io

import pytest

from candour.cli import main
from candour.importers.datasets import DATASETS, MAX_SHRINK_FRACTION
from candour.importers.datasets.base import (
    ICB_NAME_MAX_LENGTH,
    NAME_MAX_LENGTH,
    POSTCODE_MAX_LENGTH,
)
from candour.web.core.models import AuditEvent
from candour.web.oversight.models import ImportRun, Observation, Organisation, Rating

pytestmark = pytest.mark.django_db

CUT_AT_BYTES = 150_000  # where the issue's reproduction cut the RTT and A&E file


def stored(dataset: str) -> list[tuple]:
    return sorted(
        Observation.objects.filter(dataset=dataset).values_list(
            "organisation_id", "measure_id", "period_start", "numerator", "denominator", "value"
        )
    )


def bundled(dataset: str) -> bytes:
    return DATASETS[dataset].default_path.read_bytes()


def rows_of(dataset: str) -> tuple[list[str], list[list[str]]]:
    header, *rows = list(csv.reader(io.StringIO(bundled(dataset).decode(), newline="")))
    return header, rows


def as_csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode()


def run_import(tmp_path, dataset: str, content: bytes, *options: str, name="in.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path, main(["import", dataset, str(path), *options])


def nothing_written() -> tuple:
    return (ImportRun.objects.count(), AuditEvent.objects.count(), Organisation.objects.count())


# --- Finding 1: a truncated file deleted other trusts' data ---------------------------------------


@pytest.mark.parametrize(
    ("dataset", "cut"),
    [
        ("rtt_ae_monthly", CUT_AT_BYTES),
        ("rtt_ae_monthly", "tenth"),
        ("shmi", CUT_AT_BYTES),
        ("shmi", "tenth"),
        ("staff_survey_2019", "tenth"),
    ],
)
def test_a_file_cut_short_is_refused_and_nothing_is_lost(tmp_path, capsys, dataset, cut):
    """On main the RTT file cut at 150,000 bytes exited 0 ("4009 observations (8257
    replaced)") and 78 trusts lost their 2024-25 data."""
    content = bundled(dataset)
    content = content[: len(content) // 10 if cut == "tenth" else cut]
    before, unchanged = stored(dataset), nothing_written()
    path, code = run_import(tmp_path, dataset, content)
    err = capsys.readouterr().err
    assert code == 2
    assert f"{path}, row " in err
    assert "the row ends after" in err
    assert "nothing was imported" in err
    assert "Traceback" not in err
    assert stored(dataset) == before
    assert nothing_written() == unchanged


def test_the_issues_cut_is_named_by_row_and_column(tmp_path, capsys):
    path, code = run_import(tmp_path, "rtt_ae_monthly", bundled("rtt_ae_monthly")[:CUT_AT_BYTES])
    assert code == 2
    assert (
        f"{path}, row 874, column 'rtt_incomplete_pathways': the row ends after 5 of the "
        "header's 18 fields" in capsys.readouterr().err
    )
    assert Observation.objects.filter(dataset="rtt_ae_monthly", organisation_id="RL4").count() == 58


def test_fewer_complete_rows_replace_only_their_cells(tmp_path, capsys):
    """The file cut at a line break is valid: it replaces the trusts and months it has, and the
    trusts after the cut keep every observation (on main they lost them all)."""
    content = bundled("rtt_ae_monthly")[:CUT_AT_BYTES]
    content = content[: content.rfind(b"\n") + 1]
    before = stored("rtt_ae_monthly")
    _, code = run_import(tmp_path, "rtt_ae_monthly", content)
    assert code == 0
    assert stored("rtt_ae_monthly") == before
    assert Observation.objects.filter(dataset="rtt_ae_monthly", organisation_id="RL4").count() == 58
    assert "0 new, 4009 replaced, 0 removed" in capsys.readouterr().out


def test_one_trusts_month_replaces_that_cell_only(tmp_path, capsys):
    header, rows = rows_of("rtt_ae_monthly")
    row = next(r for r in rows if r[0] == "RJ1" and r[2] == "2024-08-01")
    at = header.index("rtt_within_18_weeks")
    row[at] = str(int(row[at]) - 1)
    before = stored("rtt_ae_monthly")
    _, code = run_import(tmp_path, "rtt_ae_monthly", as_csv(header, [row]))
    assert code == 0
    after = stored("rtt_ae_monthly")
    changed = [o for o in after if o not in before]
    assert [(o[0], o[1], str(o[2])) for o in changed] == [("RJ1", "rtt_18wk", "2024-08-01")]
    assert len(after) == len(before)


# --- Shrinking: --allow-shrink and --dry-run ------------------------------------------------------


def _rtt_rows_emptied(codes: set[str]) -> bytes:
    """The RTT and A&E rows of ``codes`` with every value that makes an observation emptied
    (no pathways, no median, no A&E): each would remove the trust's observations."""
    header, rows = rows_of("rtt_ae_monthly")
    zero = ("rtt_incomplete_pathways", "rtt_within_18_weeks", "rtt_52_plus_weeks")
    blank = (
        "rtt_median_wait_weeks",
        "ae_attendances_total",
        "ae_over_4hrs_total",
        "ae_emergency_admissions_total",
        "ae_12hr_wait_admissions",
    )
    emptied = []
    for row in rows:
        if row[0] in codes:
            for name in zero:
                row[header.index(name)] = "0"
            for name in blank:
                row[header.index(name)] = ""
            emptied.append(row)
    return as_csv(header, emptied)


def test_an_import_that_would_remove_an_organisation_stops_unless_allowed(tmp_path, capsys):
    content = _rtt_rows_emptied({"RJ1"})
    before = stored("rtt_ae_monthly")
    _, code = run_import(tmp_path, "rtt_ae_monthly", content)
    err = capsys.readouterr().err
    assert code == 2
    assert "nothing was imported: it would leave 1 organisation(s) with no rows (RJ1)" in err
    assert "--allow-shrink" in err
    assert stored("rtt_ae_monthly") == before

    _, code = run_import(tmp_path, "rtt_ae_monthly", content, "--dry-run")
    out = capsys.readouterr().out
    assert code == 0
    assert "dry run, nothing stored" in out
    assert "(0 new, 0 replaced, 58 removed)" in out
    assert "would stop without --allow-shrink" in out
    assert stored("rtt_ae_monthly") == before

    _, code = run_import(tmp_path, "rtt_ae_monthly", content, "--allow-shrink")
    assert code == 0
    assert "(0 new, 0 replaced, 58 removed)" in capsys.readouterr().out
    assert not Observation.objects.filter(dataset="rtt_ae_monthly", organisation_id="RJ1").exists()
    assert len(stored("rtt_ae_monthly")) == len(before) - 58


def test_removing_more_than_the_documented_fraction_stops(tmp_path, capsys):
    """Blanking the A&E columns of many trust-months removes more than 1% of the dataset
    without removing any trust."""
    header, rows = rows_of("rtt_ae_monthly")
    at = [header.index(c) for c in header if c.startswith("ae_")]
    with_ae = [r for r in rows if r[at[0]]][:80]
    for row in with_ae:
        for i in at:
            row[i] = ""
    total = Observation.objects.filter(dataset="rtt_ae_monthly").count()
    ae_values = sum(
        Observation.objects.filter(
            dataset="rtt_ae_monthly",
            organisation_id=row[0],
            period_start=row[2],
            measure_id__in=("ae_4hr_all", "ae_12hr_waits"),
        ).count()
        for row in with_ae
    )
    assert ae_values > MAX_SHRINK_FRACTION * total
    _, code = run_import(tmp_path, "rtt_ae_monthly", as_csv(header, with_ae))
    err = capsys.readouterr().err
    assert code == 2
    assert f"it would remove {ae_values} of the {total} stored rows" in err
    assert "at most 1% may be removed without --allow-shrink" in err
    assert "organisation(s) with no rows" not in err


def test_a_value_already_stored_from_another_dataset_is_refused_cleanly(tmp_path, capsys):
    """ae_4hr_all comes from both A&E datasets; a file giving it for a month the other holds
    was an IntegrityError (a traceback) on main."""
    content = (
        b"period,org_code,type,attendances,breaches,admissions\n2024-08-01,RJ1,1,9000,900,2000\n"
    )
    before = stored("ae_attendances")
    _, code = run_import(tmp_path, "ae_attendances", content)
    err = capsys.readouterr().err
    assert code == 2
    assert "already stored from another dataset (ae_4hr_all for RJ1" in err
    assert "rtt_ae_monthly" in err
    assert stored("ae_attendances") == before


# --- Finding 2: impossible numbers were stored ---------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "NaN", "1e400", "123456789012345678901234567890"])
def test_the_cancer_file_with_an_impossible_count_is_refused(tmp_path, capsys, value):
    """On main, total_treated=inf on row 30712 stored RJC's July 2023 62-day performance as 0%."""
    lines = bundled("cancer_waiting_times").split(b"\n")
    assert lines[30711].startswith(b"2023-07-01,2023/24,JUL,62-day Combined,RJC,")
    fields = lines[30711].split(b",")
    fields[-3] = value.encode()
    lines[30711] = b",".join(fields)
    rjc = Observation.objects.get(
        dataset="cancer_waiting_times",
        organisation_id="RJC",
        measure_id="cancer_62day",
        period_start="2023-07-01",
    )
    path, code = run_import(tmp_path, "cancer_waiting_times", b"\n".join(lines))
    err = capsys.readouterr().err
    assert code == 2
    assert f"{path}, row 30712, column 'total_treated': expected " in err
    assert f"found '{value}'" in err
    rjc.refresh_from_db()
    assert rjc.value > 0


def test_nan_in_a_row_is_refused_not_silently_dropped(tmp_path, capsys):
    header, rows = rows_of("rtt_ae_monthly")
    row = next(r for r in rows if r[0] == "RJ1")
    row[header.index("rtt_median_wait_weeks")] = "NaN"
    path, code = run_import(tmp_path, "rtt_ae_monthly", as_csv(header, [row]))
    assert code == 2
    assert (
        f"{path}, row 2, column 'rtt_median_wait_weeks': expected a finite number, found 'NaN'"
        in capsys.readouterr().err
    )


# --- Finding 3: encodings and formats -----------------------------------------------------------


def _ods_row_named(name: str) -> tuple[list[str], list[list[str]]]:
    header, rows = rows_of("ods_trusts")
    row = next(r for r in rows if r[0] == "RJ1")
    row[header.index("name")] = name
    return header, [row]


def test_a_latin_1_file_is_refused_unless_its_encoding_is_given(tmp_path, capsys):
    """On main the accents were stored as U+FFFD."""
    content = as_csv(*_ods_row_named("HÔPITAL GÉNÉRAL NHS TRUST")).decode().encode("latin-1")
    name = Organisation.objects.get(pk="RJ1").name
    path, code = run_import(tmp_path, "ods_trusts", content)
    err = capsys.readouterr().err
    assert code == 2
    assert f"{path}, row 2, column 'name': bytes b'\\xd4' cannot be decoded" in err
    assert Organisation.objects.get(pk="RJ1").name == name

    _, code = run_import(tmp_path, "ods_trusts", content, "--encoding", "latin-1")
    assert code == 0
    assert Organisation.objects.get(pk="RJ1").name == "Hôpital Général NHS Trust"


def test_utf8_with_a_byte_order_mark_is_read(tmp_path):
    content = b"\xef\xbb\xbf" + as_csv(*_ods_row_named("HÔPITAL GÉNÉRAL NHS TRUST"))
    assert run_import(tmp_path, "ods_trusts", content)[1] == 0
    assert Organisation.objects.get(pk="RJ1").name == "Hôpital Général NHS Trust"


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_a_csv_named_xlsx_is_a_clean_error_for_every_dataset(tmp_path, capsys, dataset):
    """On main: CalamineError, exit 1 and a traceback, for every dataset."""
    path, code = run_import(tmp_path, dataset, bundled(dataset)[:5000], name="data.xlsx")
    err = capsys.readouterr().err
    assert code == 2
    assert f"{path}, its name says an Excel workbook (.xlsx, a zip package)" in err


def test_a_nul_byte_in_the_ods_file_is_refused_before_the_database(tmp_path, capsys):
    """On PostgreSQL a NUL byte in the ODS file was a DataError traceback."""
    content = as_csv(*_ods_row_named("LEWISHAM\x00 AND GREENWICH NHS TRUST"))
    path, code = run_import(tmp_path, "ods_trusts", content)
    assert code == 2
    assert (
        f"{path}, row 2, column 'name': a NUL character (byte 0) is never valid"
        in capsys.readouterr().err
    )


def test_an_unknown_encoding_and_an_encoding_without_a_file_are_option_errors(tmp_path, capsys):
    _, code = run_import(tmp_path, "shmi", bundled("shmi"), "--encoding", "klingon")
    assert code == 2
    assert "unknown encoding 'klingon'" in capsys.readouterr().err
    assert main(["import", "shmi", "--encoding", "latin-1"]) == 2
    assert "--encoding applies to your own FILE" in capsys.readouterr().err


def test_text_limits_match_the_columns_they_are_stored_in():
    """A name too long for its column is an error in the file, never a database failure."""
    fields = {
        f.name: f.max_length for f in Organisation._meta.get_fields() if hasattr(f, "max_length")
    }
    assert fields["name"] == NAME_MAX_LENGTH
    assert fields["icb_name"] == ICB_NAME_MAX_LENGTH
    assert fields["postcode"] == POSTCODE_MAX_LENGTH


def test_ratings_are_replaced_per_organisation(tmp_path, capsys):
    header, rows = rows_of("cqc_ratings")
    row = next(r for r in rows if r[0] == "RJ1")
    row[header.index("safe")] = "Inadequate"
    before = Rating.objects.filter(dataset="cqc_ratings").count()
    _, code = run_import(tmp_path, "cqc_ratings", as_csv(header, [row]))
    assert code == 0
    assert "(0 new, 6 replaced, 0 removed)" in capsys.readouterr().out
    assert Rating.objects.filter(dataset="cqc_ratings").count() == before
    assert Rating.objects.get(organisation_id="RJ1", key_question="safe").rating == "Inadequate"
