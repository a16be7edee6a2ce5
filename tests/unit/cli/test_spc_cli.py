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
