"""``candour cusum`` on small synthetic files, as a new user would run it: it finds the planted
series, writes the statistic, the alerts and charts labelled synthetic, and exits 2 naming the
file, row, column and value of bad input."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from candour.analytics.cusum.synthetic import monthly_observed_expected, synthetic_nation
from candour.cli import main


@pytest.fixture(scope="module")
def nation():
    return synthetic_nation(trusts=6, planted=2, years=3, seed=11)


@pytest.fixture
def patients_csv(tmp_path, nation) -> Path:
    path = tmp_path / "patients.csv"
    nation.patients.write_csv(path)
    return path


@pytest.fixture
def shmi_csv(tmp_path, nation) -> Path:
    path = tmp_path / "shmi.csv"
    monthly_observed_expected(nation.patients).write_csv(path)
    return path


def run(*argv: object) -> int:
    return main(["cusum", *map(str, argv)])


def test_bernoulli_finds_the_planted_series_and_writes_everything(
    patients_csv, nation, tmp_path, capsys
):
    output, found, chart = tmp_path / "rows.parquet", tmp_path / "alerts.csv", tmp_path / "c.svg"
    code = run(
        patients_csv, "--chart", "bernoulli", "--output", output, "--alerts", found, "--plot", chart
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "SYNTHETIC DATA" in printed
    alerts = pl.read_csv(found)
    # At a 0.1% false-alarm probability per series the chart finds a planted doubling within
    # 18 months often, not always (here one of two), and raises no false alarm.
    planted = {(p.trust, p.group) for p in nation.planted}
    assert set(alerts.select("trust", "group").rows()) <= planted
    assert alerts.height >= 1
    assert (alerts["false_alarm_rate"] == 0.001).all()
    assert alerts.columns == [
        "trust", "group", "first_signal", "first_signal_row", "statistic", "h",
        "false_alarm_rate", "signals",
    ]  # fmt: skip
    rows = pl.read_parquet(output)
    assert rows.height == nation.patients.height
    assert {"cusum", "signal", "vlad"} <= set(rows.columns)
    charts = sorted(tmp_path.glob("c-*.svg"))
    assert len(charts) == alerts.height
    assert "SYNTHETIC DATA" in charts[0].read_text(encoding="utf-8")


def test_poisson_on_the_shmi_layout_with_a_given_h(shmi_csv, tmp_path, capsys):
    found = tmp_path / "alerts.json"
    code = run(shmi_csv, "--chart", "poisson", "--rate-ratio", "1.5", "--h", "2", "--alerts", found)
    assert code == 0
    alerts = pl.read_json(found)
    assert alerts.height > 0
    assert alerts["h"].to_list() == [2.0] * alerts.height
    # With h given, each alert says how often an in-control chart would signal over its data.
    assert alerts["false_alarm_rate"].is_between(0, 1).all()
    assert "series signalled" in capsys.readouterr().out


def test_standardised_needs_an_arl_or_h(shmi_csv, capsys):
    assert run(shmi_csv, "--chart", "standardised") == 2
    assert "--h or --arl0" in capsys.readouterr().err
    assert run(shmi_csv, "--chart", "standardised", "--arl0", "500") == 0


def test_vlad_writes_every_series(shmi_csv, tmp_path):
    output, chart = tmp_path / "vlad.csv", tmp_path / "v.svg"
    assert run(shmi_csv, "--chart", "vlad", "--output", output, "--plot", chart) == 0
    assert "vlad" in pl.read_csv(output).columns
    assert len(list(tmp_path.glob("v-*.svg"))) == 6 * 4


def test_a_risk_of_one_names_file_row_column_and_value(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(
        "trust,group,date,outcome,risk\nRAA,CABG,2024-01-01,0,0.1\nRAA,CABG,2024-01-02,1,1\n",
        encoding="utf-8",
    )
    assert run(path, "--chart", "bernoulli", "--h", "4") == 2
    err = capsys.readouterr().err
    assert (
        f"{path}, row 3, column 'risk': a risk must be strictly between 0 and 1; found 1.0" in err
    )
    assert "Traceback" not in err


def test_other_columns_are_checked_by_the_chart_with_file_rows(tmp_path, capsys):
    path = tmp_path / "own.csv"
    path.write_text("unit,when,died,p\nA,2024-01-01,0,0.1\nA,2024-01-02,2,0.2\n", encoding="utf-8")
    code = run(
        path, "--chart", "bernoulli", "--outcome", "died", "--risk", "p", "--group", "unit",
        "--order", "when", "--h", "4",
    )  # fmt: skip
    assert code == 2
    assert f"{path}, row 3, column 'died': an outcome must be 0 or 1; found '2'" in (
        capsys.readouterr().err
    )


def test_bad_output_suffix_is_an_option_error(patients_csv, capsys):
    assert run(patients_csv, "--chart", "bernoulli", "--h", "4", "--alerts", "a.txt") == 2
    assert "--alerts must end in" in capsys.readouterr().err


def test_bernoulli_with_h_for_an_arl(patients_csv, tmp_path, capsys):
    """--arl0 sets one h from the pooled case mix; each alert then reports its series' own
    in-control probability of signalling over its data."""
    found = tmp_path / "alerts.csv"
    assert run(patients_csv, "--chart", "bernoulli", "--arl0", "2000", "--alerts", found) == 0
    alerts = pl.read_csv(found)
    assert alerts["h"].n_unique() == 1
    assert alerts["false_alarm_rate"].is_between(0, 1).all()
    assert "in-control ARL 2000" in capsys.readouterr().out
