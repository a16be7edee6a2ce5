"""The board ledger file: its schema, the rules across rows, and errors that name the file, the
spreadsheet row and the column."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from candour.exceptions import DataFileError
from candour.importers.board_ledger import load_board_ledger

HEADER = "ods_code,post_id,role,title,executive,voting,entry,person_id,start,end,basis\n"
GOOD_ROWS = (
    "RX1,RX1-CEO,chief_executive,,yes,yes,holding,E100,2019-04-01,,substantive\n"
    "RX1,RX1-CEO,chief_executive,,yes,yes,holding,E099,2012-01-01,2019-03-31,substantive\n"
    "RX1,RX1-FD,finance,,Yes,TRUE,holding,E200,2025-01-06,,interim\n"
    "RX1,RX1-FD,finance,,yes,true,vacancy,,2024-11-01,,\n"
    "RX1,RX1-DS,other,Director of Strategy,yes,no,post,,,,\n"
)


def write(tmp_path, text: str, name: str = "ledger.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path, text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(DataFileError) as caught:
        load_board_ledger(write(tmp_path, text))
    assert str(tmp_path) in str(caught.value)
    return [(p.row, p.column, p.message) for p in caught.value.problems]


def test_a_good_file_splits_into_posts_holdings_and_vacancies(tmp_path):
    ledger = load_board_ledger(write(tmp_path, HEADER + GOOD_ROWS))
    assert ledger.organisations == ["RX1"]
    assert ledger.posts.select("post_id", "role", "title", "executive", "voting").rows() == [
        ("RX1-CEO", "chief_executive", "", True, True),
        ("RX1-FD", "finance", "", True, True),
        ("RX1-DS", "other", "Director of Strategy", True, False),
    ]
    assert not ledger.posts["synthetic"].any()  # the optional column is absent
    assert ledger.holdings.select("post_id", "person_id", "start", "end").rows()[0] == (
        "RX1-CEO",
        "E100",
        dt.date(2019, 4, 1),
        None,
    )
    assert ledger.vacancies.select("row", "post_id", "opened", "filled").rows() == [
        (5, "RX1-FD", dt.date(2024, 11, 1), None)
    ]


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_excel_and_parquet_files_read_the_same(tmp_path, suffix):
    csv = load_board_ledger(write(tmp_path, HEADER + GOOD_ROWS))
    frame = pl.read_csv(write(tmp_path, HEADER + GOOD_ROWS), infer_schema=False)
    path = tmp_path / f"ledger{suffix}"
    frame.write_excel(path) if suffix == ".xlsx" else frame.write_parquet(path)
    other = load_board_ledger(path)
    assert other.posts.equals(csv.posts)
    assert other.holdings.equals(csv.holdings)


def test_a_missing_column_is_named(tmp_path):
    header = HEADER.replace(",entry", "")
    row = "RX1,RX1-CEO" + "," * (header.count(",") - 1) + "\n"
    found = problems(tmp_path, header + row)
    assert [(row, column) for row, column, _ in found] == [(None, None)]
    assert "column 'entry' is missing" in found[0][2]


def test_bad_cells_are_named_by_row_and_column(tmp_path):
    text = HEADER + (
        "RX1,RX1-CEO,chief_executive,,yes,yes,holding,E100,2019-04-31,,substantive\n"
        "RX1,RX1-FD,treasurer,,yes,yes,holding,E200,2020-01-01,,permanent\n"
        "rx1,RX1-MD,medical,,maybe,yes,holding,E300,2020-01-01,,substantive\n"
    )
    found = {(row, column) for row, column, _ in problems(tmp_path, text)}
    assert found == {(2, "start"), (3, "role"), (3, "basis"), (4, "ods_code"), (4, "executive")}


def test_each_kind_of_entry_needs_its_columns_and_no_others(tmp_path):
    text = HEADER + (
        "RX1,RX1-CEO,chief_executive,,yes,yes,holding,,2019-04-01,,\n"
        "RX1,RX1-CEO,chief_executive,,yes,yes,vacancy,E1,2019-01-01,,interim\n"
        "RX1,RX1-CEO,chief_executive,,yes,yes,post,,2019-01-01,,\n"
    )
    assert {(row, column) for row, column, _ in problems(tmp_path, text)} == {
        (2, "person_id"),
        (2, "basis"),
        (3, "person_id"),
        (3, "basis"),
        (4, "start"),
    }


def test_every_row_of_a_post_agrees_on_the_post_columns(tmp_path):
    text = HEADER + (
        "RX1,RX1-CEO,chief_executive,,yes,yes,holding,E100,2019-04-01,,substantive\n"
        "RX2,RX1-CEO,chief_executive,,yes,no,holding,E099,2012-01-01,2019-03-31,substantive\n"
    )
    found = problems(tmp_path, text)
    assert [(row, column) for row, column, _ in found] == [(3, "ods_code"), (3, "voting")]
    assert "post 'RX1-CEO' has a different ods_code on row 2" in found[0][2]


def test_an_end_before_its_start_and_repeated_entries_are_refused(tmp_path):
    text = HEADER + (
        "RX1,RX1-CEO,chief_executive,,yes,yes,holding,E100,2019-04-01,2019-03-01,substantive\n"
        "RX1,RX1-FD,finance,,yes,yes,holding,E200,2020-01-01,,substantive\n"
        "RX1,RX1-FD,finance,,yes,yes,holding,E200,2020-01-01,,substantive\n"
    )
    assert [(row, column) for row, column, _ in problems(tmp_path, text)] == [
        (2, "end"),
        (3, "start"),
        (4, "start"),
    ]


def test_ledger_rules_are_reported_with_the_files_rows(tmp_path):
    text = HEADER + (
        "RX1,RX1-CEO,chief_executive,,yes,yes,holding,E100,2019-04-01,,substantive\n"
        "RX1,RX1-CH,chair,,yes,yes,holding,E101,2019-04-01,,substantive\n"
        "RX1,RX1-CE2,chief_executive,,yes,yes,post,,,,\n"
    )
    found = problems(tmp_path, text)
    assert [(row, column) for row, column, _ in found] == [
        (2, "role"),
        (3, "executive"),
        (4, "role"),
    ]
    assert "at most one chief_executive post" in found[0][2]


def test_an_unreadable_file_type_is_refused(tmp_path):
    with pytest.raises(DataFileError, match="unsupported file type"):
        load_board_ledger(write(tmp_path, HEADER, name="ledger.txt"))
