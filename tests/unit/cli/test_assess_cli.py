"""`candour assess` and `candour backtest` without a database: the bundled files, saved inputs
re-run to the same result, outputs in CSV, Parquet and JSON, errors as messages (exit 2)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from candour.cli import main


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("assess")
    code = main(
        [
            "assess",
            "--observations",
            "bundled",
            "--as-of",
            "2019-04-01",
            "--output",
            str(folder / "result.csv"),
            "--save-inputs",
            str(folder / "inputs.parquet"),
        ]
    )
    assert code == 0
    return folder


def test_assess_writes_organisations_and_findings(saved):
    organisations = pl.read_csv(saved / "result.csv")
    flags = pl.read_csv(saved / "result-flags.csv")
    assert {"ods_code", "status", "headline", "headline_domain", "n_flags", "flags"} <= set(
        organisations.columns
    )
    assert {
        "ods_code",
        "measure_id",
        "kind",
        "period_start",
        "value",
        "peer_value",
        "z",
        "p",
        "sentence",
    } <= set(flags.columns)
    assert organisations.height > 200


def test_saved_inputs_reproduce_the_assessment(saved, tmp_path):
    observations = pl.read_parquet(saved / "inputs.parquet")
    assert str(observations["period_end"].max()) <= "2019-04-01"
    again = tmp_path / "again.csv"
    code = main(
        [
            "assess",
            "--observations",
            str(saved / "inputs.parquet"),
            "--organisations",
            str(saved / "inputs-organisations.parquet"),
            "--as-of",
            "2019-04-01",
            "--output",
            str(again),
        ]
    )
    assert code == 0
    first = pl.read_csv(saved / "result.csv").select("ods_code", "status", "n_flags")
    second = pl.read_csv(again).select("ods_code", "status", "n_flags")
    assert first.equals(second)


def test_json_output_holds_both_tables(tmp_path, capsys):
    path = tmp_path / "result.json"
    assert main(["assess", "--observations", "bundled", "--output", str(path)]) == 0
    document = json.loads(path.read_text())
    assert document["as_of"] == "2025-07-31"
    assert document["organisations"]
    assert document["flags"]
    assert "Assessed as of 31 July 2025" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--output", "x.xlsx", "--observations", "bundled"], "--output must end in"),
        (["--organisations", "orgs.csv"], "--organisations goes with --observations"),
        (["--observations", "missing.csv"], "file not found"),
    ],
)
def test_mistakes_are_messages_with_exit_status_2(arguments, message, capsys):
    assert main(["assess", *arguments]) == 2
    assert message in capsys.readouterr().err


def test_a_date_that_does_not_exist_is_refused(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["assess", "--as-of", "2019-13-01"])
    assert exited.value.code == 2
    assert "expected a date as YYYY-MM-DD" in capsys.readouterr().err


def test_backtest_reports_auc_and_statuses_against_the_bundled_ratings(tmp_path, capsys):
    output = tmp_path / "backtest.json"
    code = main(
        ["backtest", "--observations", "bundled", "--as-of", "2019-04-01", "--output", str(output)]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "headline" in printed
    assert "risk or worse" in printed
    document = json.loads(output.read_text())
    scores = {row["score"]: row for row in document["scores"]}
    assert 0.5 < scores["headline"]["auc"] < 1
    assert document["best_measure"]
    statuses = {row["flagged_at"]: row for row in document["statuses"]}
    assert statuses["risk or worse"]["flag_rate"] <= 0.2


def test_backtest_outcome_columns_are_checked(tmp_path, capsys):
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text("code,rating\nRJ1,Good\n")
    assert main(["backtest", "--observations", "bundled", "--outcomes", str(outcomes)]) == 2
    assert "column 'org_code'" in capsys.readouterr().err
