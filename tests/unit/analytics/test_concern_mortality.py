"""Open mortality alerts as reported evidence: an alert awaiting the trust's answer puts it at
risk, an overdue one at elevated risk, whatever its other measures say; closed alerts are not
evidence; bad input names the row."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from tests.unit.analytics.concern_data import codes, measure, measures, monthly, organisations

from candour.analytics.concern import assess, mortality_flags
from candour.exceptions import DataFileError

SENTENCE = "Observed deaths exceeded expected by 38 over 9 months (O/E 1.42)"


def alerts(*rows: tuple) -> pl.DataFrame:
    """Open alerts from (ods_code, group, status) tuples."""
    return pl.DataFrame(
        [(code, group, dt.date(2025, 3, 1), status, SENTENCE) for code, group, status in rows],
        schema={
            "ods_code": pl.String,
            "group": pl.String,
            "first_signal": pl.Date,
            "status": pl.String,
            "sentence": pl.String,
        },
        orient="row",
    )


def quiet_picture():
    members = codes(20)
    return monthly(members, spread=0.0), measures(measure()), organisations({"Acute": members})


@pytest.mark.parametrize(
    ("status", "level"),
    [
        ("awaiting_response", "risk"),
        ("awaiting_review", "risk"),
        ("overdue", "elevated risk"),
    ],
)
def test_an_open_alert_sets_the_status_by_its_workflow_state(status, level):
    observations, measure_rows, orgs = quiet_picture()
    result = assess(
        observations,
        measures=measure_rows,
        organisations=orgs,
        mortality=alerts(("R01", "Septicaemia", status)),
    )
    assert result.status("R01") == level
    [flag] = result.flags_for("R01").filter(pl.col("kind") == "mortality_alert").to_dicts()
    assert flag["domain"] == "safe"
    assert flag["sentence"].startswith("Mortality alert, Septicaemia: Observed deaths")
    assert flag["z"] is None
    assert flag["p_adjusted"] is None
    assert result.status("R02") != level  # nobody else's picture changes


def test_without_alerts_the_same_data_raise_no_concern():
    observations, measure_rows, orgs = quiet_picture()
    result = assess(observations, measures=measure_rows, organisations=orgs, mortality=alerts())
    assert result.status("R01") not in ("risk", "elevated risk")


def test_an_alert_of_a_closed_organisation_is_not_listed():
    observations, measure_rows, orgs = quiet_picture()
    result = assess(
        observations,
        measures=measure_rows,
        organisations=orgs,
        mortality=alerts(("RZZ", "Septicaemia", "overdue")),
    )
    assert result.flags.filter(pl.col("ods_code") == "RZZ").is_empty()


def test_a_closed_alert_or_unknown_status_is_a_clear_error():
    with pytest.raises(DataFileError) as caught:
        mortality_flags(alerts(("R01", "Septicaemia", "closed")))
    assert "row 1" in str(caught.value)
    assert "status" in str(caught.value)
    assert "'closed'" in str(caught.value)


def test_a_missing_column_is_named():
    with pytest.raises(DataFileError, match="sentence"):
        mortality_flags(alerts(("R01", "Septicaemia", "overdue")).drop("sentence"))
