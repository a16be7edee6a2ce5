"""The mortality importers: a patient-level file and NHS Digital's SHMI layout. Anything a chart
could not use is an error naming the file, the row as a spreadsheet shows it, the column and the
value."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from candour.exceptions import DataFileError
from candour.importers.mortality import read_observed_expected, read_patient_level

PATIENTS = (
    "trust,group,date,outcome,risk,synthetic\n"
    "RAA,CABG,2024-01-01,0,0.1,true\n"
    "RAA,CABG,2024-01-02,1,0.25,true\n"
)
SHMI = (
    "PROVIDER_CODE,PROVIDER_NAME,DIAGNOSIS_GROUP,MONTH,SPELLS,OBSERVED,EXPECTED,SHMI_BANDING\n"
    "RAA,Trust A,Pneumonia,2024-01,120,14,11.52,2\n"
    "RAA,Trust A,Pneumonia,2024-02,110,9,10.01,\n"
)


def write(tmp_path, text: str):
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_patient_level_file_is_typed_and_keeps_other_columns(tmp_path):
    frame = read_patient_level(write(tmp_path, PATIENTS))
    assert frame.schema["outcome"] == pl.Int8
    assert frame["date"].to_list() == [dt.date(2024, 1, 1), dt.date(2024, 1, 2)]
    assert frame["synthetic"].to_list() == ["true", "true"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "RAA,CABG,2024-01-03,1,0",
            "row 4, column 'risk': a risk must be strictly between 0 and 1; found 0.0",
        ),
        (
            "RAA,CABG,2024-01-03,1,1.5",
            "row 4, column 'risk': expected a value of at most 1, found '1.5'",
        ),
        ("RAA,CABG,2024-01-03,2,0.1", "row 4, column 'outcome': expected one of 0, 1, found '2'"),
        ("RAA,CABG,2024-01-03,,0.1", "row 4, column 'outcome': a value is required"),
        (
            "RAA,CABG,03/01/2024,1,0.1",
            "row 4, column 'date': expected a date (YYYY-MM-DD), found '03/01/2024'",
        ),
        ("raa,CABG,2024-01-03,1,0.1", "row 4, column 'trust': expected text matching"),
    ],
)
def test_bad_patient_rows_are_named(tmp_path, row, expected):
    path = write(
        tmp_path, PATIENTS.replace(",true", "").replace("risk,synthetic", "risk") + row + "\n"
    )
    with pytest.raises(DataFileError) as raised:
        read_patient_level(path)
    assert f"{path}, {expected}" in str(raised.value)


def test_shmi_layout_is_typed_by_month(tmp_path):
    frame = read_observed_expected(write(tmp_path, SHMI))
    assert frame["MONTH"].to_list() == [dt.date(2024, 1, 1), dt.date(2024, 2, 1)]
    assert frame["OBSERVED"].dtype == pl.Int64
    assert "PROVIDER_NAME" in frame.columns


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "RAA,Trust A,Pneumonia,2024-03,100,-1,9.0,2",
            "row 4, column 'OBSERVED': expected a value of at least 0, found '-1'",
        ),
        (
            "RAA,Trust A,Pneumonia,2024-03,100,9.5,9.0,2",
            "row 4, column 'OBSERVED': expected a whole number, found '9.5'",
        ),
        (
            "RAA,Trust A,Pneumonia,2024-03,100,9,0,2",
            "row 4, column 'EXPECTED': expected deaths must be above 0; found 0.0",
        ),
        (
            "RAA,Trust A,Pneumonia,2024-03,5,9,3.2,2",
            "row 4, column 'OBSERVED': there cannot be more deaths than spells; found 9",
        ),
        (
            "RAA,Trust A,Pneumonia,2024-03,100,9,9.2,4",
            "row 4, column 'SHMI_BANDING': a SHMI banding is 1 (higher), 2 (as expected) or 3 (lower); found '4'",
        ),
        (
            "RAA,Trust A,Pneumonia,2024-13,100,9,9.2,2",
            "row 4, column 'MONTH': expected text matching",
        ),
        (
            "RAA,Trust A,Pneumonia,2024-02,100,9,9.2,2",
            "row 3, column 'PROVIDER_CODE': duplicate key",
        ),
    ],
)
def test_bad_shmi_rows_are_named(tmp_path, row, expected):
    path = write(tmp_path, SHMI + row + "\n")
    with pytest.raises(DataFileError) as raised:
        read_observed_expected(path)
    assert f"{path}, {expected}" in str(raised.value)


def test_missing_column_is_named(tmp_path):
    path = write(tmp_path, "trust,group,date,outcome\nRAA,CABG,2024-01-01,0\n")
    with pytest.raises(DataFileError, match="column 'risk' is missing"):
        read_patient_level(path)
