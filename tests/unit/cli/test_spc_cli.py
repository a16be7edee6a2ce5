"""``candour spc`` on small files: the summary, the outputs, and exit 2 with a clear message on
bad input."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from candour.cli import main

AE_FILE = Path(__file__).resolve().parents[3] / "src" / "candour" / "data" / "ae_attendances.csv"
ORGS = ["RRK", "RA9", "R1H"]


@pytest.fixture
def ae_csv(tmp_path) -> Path:
    """An A&E export: type 1 departments of three trusts, with the 4-hour performance added."""
    rows = pl.read_csv(AE_FILE, infer_schema=False).filter(
        pl.col("type") == "1", pl.col("org_code").is_in(ORGS)
    )
    rows = rows.with_columns(
        performance=1 - pl.col("breaches").cast(pl.Float64) / pl.col("attendances").cast(pl.Float64)
    )
    path = tmp_path / "ae.csv"
    rows.write_csv(path)
    return path


def run(*argv: str) -> int:
    return main(["spc", *map(str, argv)])


def test_ae_csv_summary_output_and_charts(ae_csv, tmp_path, capsys):
    output, chart = tmp_path / "points.csv", tmp_path / "chart.svg"
    code = run(
        ae_csv, "--value", "performance", "--date", "period", "--group", "org_code",
        "--target", "0.95", "--output", output, "--chart", chart,
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    for org in ORGS:
        assert org in printed
        assert (tmp_path / f"chart-{org}.svg").read_text(encoding="utf-8").startswith("<svg")
    assert "consistently failing the target" in printed
    points = pl.read_csv(output)
    assert points.columns[:3] == ["org_code", "date", "value"]
    assert points.height == 3 * 36
    assert set(points.get_column("point_type")) <= {
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
    }


def test_charts_are_in_the_unit_given_with_plain_legends(ae_csv, tmp_path, capsys):
    chart = tmp_path / "chart.svg"
    code = run(
        ae_csv, "--value", "performance", "--date", "period", "--group", "org_code",
        "--target", "0.95", "--chart", chart, "--unit", "proportion",
        "--value-label", "Share of attendances within 4 hours",
    )  # fmt: skip
    assert code == 0
    svg = (tmp_path / "chart-RRK.svg").read_text(encoding="utf-8")
    assert "Share of attendances within 4 hours (%)" in svg
    assert ">Target 95%<" in svg
    assert ">Jan 2018<" in svg
    assert "special_cause_" not in svg
    assert "common_cause" not in svg


def test_parquet_output_and_target_column(ae_csv, tmp_path, capsys):
    frame = pl.read_csv(ae_csv).with_columns(goal=pl.lit(0.5))
    source = tmp_path / "ae.parquet"
    frame.write_parquet(source)
    output = tmp_path / "points.parquet"
    code = run(
        source, "--value", "performance", "--date", "period", "--group", "org_code",
        "--target-col", "goal", "--output", output,
    )  # fmt: skip
    assert code == 0
    assert "consistently passing the target" in capsys.readouterr().out
    assert pl.read_parquet(output).get_column("special_cause_type").dtype == pl.Enum


def test_excel_input_single_series_chart_and_json(tmp_path, capsys):
    frame = pl.read_csv(AE_FILE).filter(pl.col("type") == "1", pl.col("org_code") == "RRK")
    source = tmp_path / "rrk.xlsx"
    frame.write_excel(source)
    chart, output = tmp_path / "rrk.html", tmp_path / "rrk.json"
    code = run(
        source, "--value", "breaches", "--date", "period", "--improvement", "decrease",
        "--chart", chart, "--output", output, "--warn-missing-periods",
    )  # fmt: skip
    assert code == 0
    assert "cdn.jsdelivr" not in chart.read_text(encoding="utf-8")
    assert len(pl.read_json(output)) == 36


def test_short_series_warning_on_stderr(ae_csv, capsys):
    code = run(ae_csv, "--value", "performance", "--date", "period", "--group", "org_code",
               "--rebase", "2019-01-01")  # fmt: skip
    assert code == 0
    assert "warning: Some groups have 'n < 12' observations" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--value", "perf", "--group", "org_code"], "no column named 'perf'"),
        # rows are numbered as a spreadsheet shows the file: the header is row 1
        (["--value", "org_code"], "row 2, column 'org_code': expected a number"),
        (["--value", "performance", "--group", "org_code", "--fix-after", "6"], "at least 12"),
        (["--value", "performance", "--output", "out.xlsx"], "--output must end in .csv"),
        (["--value", "performance", "--chart", "out.pdf"], "--chart must end in .html"),
    ],
)
def test_bad_input_exits_2_with_a_message(ae_csv, capsys, extra, message):
    code = run(ae_csv, "--date", "period", *extra)
    assert code == 2
    assert message in capsys.readouterr().err


def test_duplicate_dates_within_a_series_exit_2(ae_csv, capsys):
    # Without --group the three trusts look like one series with each month three times.
    code = run(ae_csv, "--value", "performance", "--date", "period")
    err = capsys.readouterr().err
    assert code == 2
    assert "column 'period': the same date appears twice in one series" in err
    assert "Traceback" not in err


def test_missing_file_exits_2(tmp_path, capsys):
    assert run(tmp_path / "none.csv", "--value", "v", "--date", "d") == 2
    assert "file not found" in capsys.readouterr().err


def test_bad_flag_value_exits_2(ae_csv):
    with pytest.raises(SystemExit) as raised:
        run(ae_csv, "--value", "performance", "--date", "period", "--target", "high")
    assert raised.value.code == 2


# Issue 10, finding 4: `candour spc` never guesses.


@pytest.fixture
def ae_with_gaps(ae_csv, tmp_path) -> Path:
    """The A&E export with 'n/a' on data row 5 (file row 6) and a blank cell on data row 10."""
    frame = pl.read_csv(ae_csv, infer_schema=False)
    row = pl.int_range(pl.len())
    frame = frame.with_columns(
        performance=pl.when(row == 4)
        .then(pl.lit("n/a"))
        .when(row == 9)
        .then(pl.lit(""))
        .otherwise("performance")
    )
    path = tmp_path / "ae_gaps.csv"
    frame.write_csv(path)
    return path


def spc_of(path: Path, *extra: str) -> int:
    return run(path, "--value", "performance", "--date", "period", "--group", "org_code", *extra)


def test_text_in_the_value_column_is_an_error_quoting_it(ae_with_gaps, capsys):
    assert spc_of(ae_with_gaps) == 2
    err = capsys.readouterr().err
    assert "row 6, column 'performance': expected a number, found 'n/a'" in err
    assert "row 11, column 'performance': expected a number, found a blank cell" in err


def test_a_word_for_a_number_is_quoted(ae_csv, tmp_path, capsys):
    frame = pl.read_csv(ae_csv, infer_schema=False).with_columns(
        performance=pl.when(pl.int_range(pl.len()) == 2)
        .then(pl.lit("ten"))
        .otherwise("performance")
    )
    frame.write_csv(path := tmp_path / "ten.csv")
    assert spc_of(path) == 2
    assert "row 4, column 'performance': expected a number, found 'ten'" in capsys.readouterr().err


def test_listed_markers_and_blanks_are_missing_counted_and_noted(ae_with_gaps, tmp_path, capsys):
    output = tmp_path / "points.csv"
    code = spc_of(ae_with_gaps, "--na", "n/a,NA", "--na", "", "--tolerate-missing",
                  "--output", output)  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "108 points, 2 missing" in printed
    assert "missing values: 2 in 'performance' (row 6: 'n/a', row 11: blank)" in printed
    notes = pl.read_csv(output).filter(pl.col("note").is_not_null())
    assert set(notes.get_column("note")) == {
        "missing 'performance' value (row 6: 'n/a')",
        "missing 'performance' value (row 11: blank)",
    }
    assert notes.get_column("value").null_count() == 2


def test_blank_cells_need_their_own_marker(ae_with_gaps, capsys):
    assert spc_of(ae_with_gaps, "--na", "n/a", "--tolerate-missing") == 2
    assert (
        "row 11, column 'performance': expected a number, found a blank" in capsys.readouterr().err
    )
    with pytest.raises(SystemExit):
        spc_of(ae_with_gaps, "--na", "n/a,")  # an empty item is refused, not read as blanks


def test_no_missing_values_is_said(ae_csv, capsys):
    assert spc_of(ae_csv) == 0
    assert "missing values: none in 'performance'" in capsys.readouterr().out


@pytest.mark.parametrize(
    "rebase",
    [
        ["--rebase", "2017-04-01", "--rebase", "2018-04-01"],
        ["--rebase", "2017-04-01", "2018-04-01"],
    ],
)
def test_every_rebase_date_is_used(ae_csv, tmp_path, rebase):
    output = tmp_path / "points.csv"
    assert spc_of(ae_csv, *rebase, "--output", output) == 0
    points = pl.read_csv(output)
    starts = points.filter(
        pl.col("rebase_group") != pl.col("rebase_group").shift(1).over("org_code")
    )
    assert sorted(set(starts.get_column("date")) - {"2016-04-01"}) == ["2017-04-01", "2018-04-01"]


def workbook(path: Path, sheets: dict[str, pl.DataFrame | None]) -> Path:
    import xlsxwriter

    with xlsxwriter.Workbook(path) as book:
        for name, frame in sheets.items():
            if frame is None:
                book.add_worksheet(name).write(0, 0, "Source: NHS England A&E attendances")
            else:
                frame.write_excel(book, worksheet=name)
    return path


@pytest.fixture
def rrk() -> pl.DataFrame:
    return pl.read_csv(AE_FILE).filter(pl.col("type") == "1", pl.col("org_code") == "RRK")


def test_a_workbook_with_several_filled_sheets_needs_sheet(rrk, tmp_path, capsys):
    path = workbook(tmp_path / "ae.xlsx", {"Notes": None, "Data": rrk})
    code = run(path, "--value", "breaches", "--date", "period")
    assert code == 2
    assert "2 sheets have data (1 'Notes', 2 'Data'); choose one" in capsys.readouterr().err
    for sheet in ("Data", "2"):
        assert run(path, "--value", "breaches", "--date", "period", "--sheet", sheet) == 0
        assert "36 points, 0 missing" in capsys.readouterr().out


def test_data_on_the_second_sheet_is_never_ignored(rrk, tmp_path, capsys):
    later = rrk.with_columns(pl.col("breaches") * 2).sort("period")
    path = workbook(tmp_path / "ae.xlsx", {"2017": rrk, "2018": later})
    assert run(path, "--value", "breaches", "--date", "period") == 2
    assert "2 sheets have data (1 '2017', 2 '2018')" in capsys.readouterr().err
    output = tmp_path / "points.csv"
    assert run(path, "--value", "breaches", "--date", "period", "--sheet", "2018",
               "--output", output) == 0  # fmt: skip
    assert (
        pl.read_csv(output).get_column("value").to_list() == later.get_column("breaches").to_list()
    )


@pytest.mark.parametrize(
    ("sheet", "message"),
    [("Summary", "no sheet 'Summary'; the workbook has 1 'Data'"), ("3", "no sheet '3'")],
)
def test_an_unknown_sheet_is_named(rrk, tmp_path, capsys, sheet, message):
    path = workbook(tmp_path / "ae.xlsx", {"Data": rrk})
    assert run(path, "--value", "breaches", "--date", "period", "--sheet", sheet) == 2
    assert message in capsys.readouterr().err


def test_sheet_is_for_workbooks_only(ae_csv, capsys):
    assert spc_of(ae_csv, "--sheet", "1") == 2
    assert "a sheet can be chosen only in an Excel workbook" in capsys.readouterr().err
