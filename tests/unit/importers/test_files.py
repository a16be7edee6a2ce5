"""Reading a user's file strictly: every byte decoded, every row as wide as the header, nothing cut
short, and content that matches the file's extension (issue 10, finding 3)."""

import polars as pl
import pytest

from candour.exceptions import DataFileError, OptionError
from candour.importers.files import read_table

HEADER = "code,name,count\n"


def read(tmp_path, content: bytes | str, *, suffix=".csv", **options) -> pl.DataFrame:
    path = tmp_path / f"in{suffix}"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return read_table(path, **options)


def problems(tmp_path, content, **options) -> list[tuple]:
    with pytest.raises(DataFileError) as caught:
        read(tmp_path, content, **options)
    return [(p.row, p.column, p.message) for p in caught.value.problems]


def test_every_column_is_text_and_empty_cells_are_null(tmp_path):
    frame = read(tmp_path, HEADER + "RJ1,Guy's,10\nRJ2,,\n")
    assert frame.schema == dict.fromkeys(["code", "name", "count"], pl.String)
    assert frame.rows() == [("RJ1", "Guy's", "10"), ("RJ2", None, None)]


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("RJ2,Lewisham", "count", "the row ends after 2 of the header's 3 fields"),
        ("RJ2", "name", "the row ends after 1 of the header's 3 fields"),
        ("RJ2,Lewisham,1,2", "count", "the row has 4 fields but the header names 3"),
    ],
)
def test_a_short_or_long_row_names_its_row_and_column(tmp_path, line, column, message):
    found = problems(tmp_path, HEADER + "RJ1,Guy's,10\n" + line + "\nRJ3,Croydon,3\n")
    assert len(found) == 1
    assert found[0][:2] == (3, column)
    assert message in found[0][2]


def test_a_file_cut_inside_its_last_value_is_refused(tmp_path):
    """The last row has all its fields, but no line break: it may have been cut short."""
    found = problems(tmp_path, HEADER + "RJ1,Guy's,10\nRJ2,Lewisham,17")
    assert found == [
        (
            3,
            None,
            "the last row does not end with a line break, so the file may have been cut short; "
            "if the file is complete, end it with a line break",
        )
    ]


def test_an_empty_row_inside_the_data_is_refused_but_empty_lines_at_the_end_are_not(tmp_path):
    assert problems(tmp_path, HEADER + "RJ1,Guy's,10\n\nRJ2,Lewisham,17\n") == [
        (3, None, "the row is empty")
    ]
    assert read(tmp_path, HEADER + "RJ1,Guy's,10\n\n\n").height == 1


def test_an_unclosed_quote_is_refused_with_its_row(tmp_path):
    found = problems(tmp_path, HEADER + "RJ1,\"Guy's,10\nRJ2,Lewisham,17\n")
    assert found[0][0] == 2
    assert "not valid CSV" in found[0][2]


def test_a_quoted_line_break_is_one_row(tmp_path):
    frame = read(tmp_path, HEADER + "RJ1,\"Guy's\nand St Thomas'\",10\nRJ2,Lewisham,17\n")
    assert frame["name"].to_list() == ["Guy's\nand St Thomas'", "Lewisham"]


@pytest.mark.parametrize(
    "content",
    [b"", b"\n\n", HEADER.encode()],
    ids=["empty", "blank lines", "header only"],
)
def test_a_file_without_data_is_refused(tmp_path, content):
    assert problems(tmp_path, content)


def test_a_header_naming_a_column_twice_is_refused(tmp_path):
    assert problems(tmp_path, "code,code\nRJ1,RJ2\n") == [
        (1, "code", "the header names this column twice")
    ]


def test_utf8_with_or_without_a_byte_order_mark_and_crlf_read_the_same(tmp_path):
    plain = read(tmp_path, HEADER + "RJ1,Hôpital,10\n")
    assert read(tmp_path, b"\xef\xbb\xbf" + (HEADER + "RJ1,Hôpital,10\n").encode()).equals(plain)
    assert read(tmp_path, (HEADER + "RJ1,Hôpital,10\n").replace("\n", "\r\n")).equals(plain)


def test_bytes_that_are_not_utf8_are_an_error_naming_row_and_column(tmp_path):
    """Finding 3: a Latin-1 file was read lossily (accents stored as U+FFFD)."""
    latin_1 = (HEADER + "RJ1,Guy's,10\nRJ2,Hôpital,3\n").encode("latin-1")
    found = problems(tmp_path, latin_1)
    assert [(row, column) for row, column, _ in found] == [(3, "name")]
    assert "b'\\xf4' cannot be decoded" in found[0][2]
    assert "--encoding" in found[0][2]


def test_another_encoding_only_when_named(tmp_path):
    latin_1 = (HEADER + "RJ2,Hôpital,3\n").encode("latin-1")
    assert read(tmp_path, latin_1, encoding="latin-1")["name"].to_list() == ["Hôpital"]
    with pytest.raises(OptionError, match="unknown encoding 'klingon'"):
        read(tmp_path, latin_1, encoding="klingon")
    found = problems(tmp_path, "code\n\u20ac\n".encode(), encoding="ascii")
    assert found[0][:2] == (2, "code")


def test_a_csv_named_xlsx_is_a_clean_error(tmp_path):
    """Finding 3: a CSV named .xlsx raised CalamineError (a traceback)."""
    found = problems(tmp_path, HEADER + "RJ1,Guy's,10\n", suffix=".xlsx")
    assert found == [
        (
            None,
            None,
            "its name says an Excel workbook (.xlsx, a zip package) but its content is text "
            "(perhaps CSV) or another format; name it to match its content (a CSV file ends "
            "in .csv)",
        )
    ]


def test_a_workbook_named_csv_and_a_damaged_workbook_are_clean_errors(tmp_path):
    workbook = tmp_path / "real.xlsx"
    pl.DataFrame({"code": ["RJ1"]}).write_excel(workbook)
    content = workbook.read_bytes()
    assert "it is an Excel workbook" in problems(tmp_path, content)[0][2]
    assert (
        "could not be read as an Excel workbook"
        in problems(tmp_path, content[:1000], suffix=".xlsx")[0][2]
    )


def test_an_encoding_is_for_csv_files_only(tmp_path):
    path = tmp_path / "in.parquet"
    pl.DataFrame({"code": ["RJ1"]}).write_parquet(path)
    with pytest.raises(OptionError, match="only for a CSV file"):
        read_table(path, encoding="latin-1")


def test_a_directory_is_not_a_file(tmp_path):
    with pytest.raises(DataFileError, match="is a directory, not a file"):
        read_table(tmp_path)
