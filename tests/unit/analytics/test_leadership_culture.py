"""Leadership culture by region: latest year per organisation, region medians, small results
left out, respondents through the disclosure rule."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from candour.analytics.leadership import culture_by_region
from candour.exceptions import DataFileError

D = dt.date


def observations(*rows) -> pl.DataFrame:
    return pl.DataFrame(
        list(rows),
        schema={
            "ods_code": pl.String,
            "region_code": pl.String,
            "measure_id": pl.String,
            "period_start": pl.Date,
            "value": pl.Float64,
            "denominator": pl.Float64,
        },
        orient="row",
    )


def test_each_organisation_counts_once_with_its_latest_year():
    table = culture_by_region(
        observations(
            ("A", "Y1", "m", D(2022, 1, 1), 0.9, 500.0),
            ("A", "Y1", "m", D(2024, 1, 1), 0.1, 500.0),
            ("B", "Y1", "m", D(2023, 1, 1), 0.3, 400.0),
            ("C", "Y1", "m", D(2024, 1, 1), 0.2, 300.0),
        )
    ).row(0, named=True)
    assert table["organisations"] == 3
    assert table["median"] == pytest.approx(0.2)
    assert (table["first_year"], table["latest_year"]) == (2023, 2024)
    assert (table["respondents"], table["respondents_display"]) == (1200, "1,200")


def test_a_result_from_fewer_than_11_respondents_is_left_out():
    table = culture_by_region(
        observations(
            ("A", "Y1", "m", D(2024, 1, 1), 0.1, 10.0),
            ("B", "Y1", "m", D(2024, 1, 1), 0.3, 11.0),
            ("C", "Y2", "m", D(2024, 1, 1), 0.5, 3.0),
        )
    )
    assert table.select("region_code", "organisations", "median").rows() == [("Y1", 1, 0.3)]


def test_respondents_are_rounded_and_unknown_ones_not_published():
    table = culture_by_region(
        observations(
            ("A", "Y1", "m", D(2024, 1, 1), 0.1, 123.0),
            ("B", "Y2", "m", D(2024, 1, 1), 0.3, None),
        )
    )
    assert table["respondents_display"].to_list() == ["125", "not published"]


def test_no_observations_give_an_empty_table():
    assert culture_by_region(observations()).is_empty()


def test_bad_input_names_the_column():
    with pytest.raises(DataFileError, match="column 'region_code'"):
        culture_by_region(pl.DataFrame({"ods_code": ["A"]}))
