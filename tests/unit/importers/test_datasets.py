"""Each bundled dataset loads, validates and reshapes to canonical frames."""

import csv
import itertools
from pathlib import Path

import polars as pl
import pytest

from candour.exceptions import DataFileError
from candour.importers.catalogue import measures, sources
from candour.importers.datasets import DATASETS, load_successors


@pytest.fixture(scope="module")
def loaded():
    return {name: dataset.load() for name, dataset in DATASETS.items()}


def test_every_dataset_has_a_catalogued_source_with_readme_and_ogl_attribution():
    for dataset in DATASETS.values():
        source = sources()[dataset.source_id]
        assert source.path.exists()
        assert (source.path.parent / source.readme).exists()
        assert source.licence_name == "Open Government Licence v3.0"
        assert "Open Government Licence v3.0" in source.attribution


def test_ods_reference_has_every_trust(loaded):
    orgs = loaded["ods_trusts"].organisations
    assert orgs.height == 228
    r0b = orgs.filter(pl.col("ods_code") == "R0B").row(0, named=True)
    assert r0b["name"] == "South Tyneside and Sunderland NHS Foundation Trust"
    assert r0b["region_name"] == "North East and Yorkshire"


def test_cqc_ratings_give_overall_and_five_key_questions(loaded):
    ratings = loaded["cqc_ratings"].ratings
    assert ratings["ods_code"].n_unique() == 226
    assert set(ratings["key_question"]) == {
        "overall",
        "safe",
        "effective",
        "caring",
        "responsive",
        "well_led",
    }
    overall = (
        ratings.filter(pl.col("key_question") == "overall")["rating"].value_counts().sort("rating")
    )
    assert dict(overall.iter_rows()) == {
        "Good": 112,
        "Inadequate": 6,
        "Outstanding": 21,
        "Requires improvement": 87,
    }


def test_staff_survey_sectors_combine_into_their_trust(loaded):
    obs = loaded["staff_survey_2019"].observations
    assert "R1F1" not in set(obs["ods_code"])
    r1f = obs.filter((pl.col("ods_code") == "R1F") & (pl.col("measure_id") == "ss_hba_managers"))
    assert r1f.height == 1
    # weighted by responses, the combined value lies between the sectors' values
    raw = pl.read_csv(sources()["staff_survey_2019"].path).filter(
        pl.col("org_code").str.starts_with("R1F")
    )
    low, high = raw["q13b_hba_from_managers"].min(), raw["q13b_hba_from_managers"].max()
    assert low <= r1f["value"][0] <= high
    assert r1f["denominator"][0] == raw["responses"].sum()


def test_rtt_ae_drops_exact_repeats_and_counts_them(loaded):
    imported = loaded["rtt_ae_monthly"]
    assert imported.skipped == {"rows repeated exactly (kept once)": 4}
    rtt = imported.observations.filter(pl.col("measure_id") == "rtt_18wk")
    assert rtt.select("ods_code", "period_start").is_duplicated().sum() == 0
    row = rtt.filter(
        (pl.col("ods_code") == "R0A") & (pl.col("period_start") == pl.date(2024, 8, 1))
    )
    assert row["value"][0] == pytest.approx(185148 / 385384)


def test_ae_attendances_keeps_trusts_and_counts_others(loaded):
    imported = loaded["ae_attendances"]
    assert imported.skipped == {"rows for providers that are not NHS trusts": 2458}
    type1 = imported.observations.filter(pl.col("measure_id") == "ae_4hr_type1")
    assert type1["value"].min() >= 0
    assert type1["value"].max() <= 1


def test_every_observation_names_a_defined_measure(loaded):
    defined = set(measures())
    for imported in loaded.values():
        if imported.observations is not None:
            assert set(imported.observations["measure_id"]) <= defined


def test_measures_are_reviewed_data_with_provenance():
    for measure in measures().values():
        assert measure.authored_by
        assert measure.next_review.year >= 2026
        assert measure.source in sources()


def test_successor_map_links_rln_and_re9_to_r0b():
    successors = dict(load_successors().select("predecessor_code", "successor_code").iter_rows())
    assert successors["RLN"] == "R0B"
    assert successors["RE9"] == "R0B"


def test_user_file_with_a_bad_row_is_rejected_with_row_and_column(tmp_path):
    path = tmp_path / "ae.csv"
    path.write_text(
        "period,org_code,type,attendances,breaches,admissions\n"
        "2019-01-01,RJ1,1,100,10,20\n"
        "2019-01-01,RJ2,1,lots,10,20\n"
    )
    with pytest.raises(DataFileError) as caught:
        DATASETS["ae_attendances"].load(path)
    assert "row 3, column 'attendances': expected a whole number, found 'lots'" in str(caught.value)


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_user_files_in_excel_and_parquet(tmp_path, suffix):
    frame = pl.DataFrame(
        {
            "period": ["2019-01-01", "2019-02-01"],
            "org_code": ["RJ1", "RJ1"],
            "type": ["1", "1"],
            "attendances": [100, 120],
            "breaches": [10, 30],
            "admissions": [20, 25],
        }
    )
    path = tmp_path / f"ae{suffix}"
    if suffix == ".xlsx":
        frame.write_excel(path)
    else:
        frame.write_parquet(path)
    imported = DATASETS["ae_attendances"].load(path)
    values = imported.observations.filter(pl.col("measure_id") == "ae_4hr_type1")["value"].to_list()
    assert values == [0.9, 0.75]


def _bundled_row(dataset: str, **cells: str) -> tuple[list[str], list[str]]:
    """The bundled file's header and first data row, with ``cells`` changed."""
    with DATASETS[dataset].default_path.open(encoding="utf-8", newline="") as handle:
        header, row = list(itertools.islice(csv.reader(handle), 2))
    for name, value in cells.items():
        row[header.index(name)] = value
    return header, row


def _write(path, header: list[str], *rows: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])


def _problems(tmp_path, dataset: str, **cells: str) -> list[tuple]:
    path = tmp_path / "in.csv"
    _write(path, *_bundled_row(dataset, **cells))
    with pytest.raises(DataFileError) as caught:
        DATASETS[dataset].load(path)
    return [(p.row, p.column, p.message) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("dataset", "cells", "column", "message"),
    [
        (
            "ae_attendances",
            {"attendances": "100", "breaches": "101"},
            "breaches",
            "expected at most attendances (100), found 101",
        ),
        (
            "rtt_ae_monthly",
            {"rtt_incomplete_pathways": "1000", "rtt_within_18_weeks": "1001"},
            "rtt_within_18_weeks",
            "expected at most rtt_incomplete_pathways (1000), found 1001",
        ),
        (
            "rtt_ae_monthly",
            {"rtt_within_18_weeks": "10", "rtt_52_plus_weeks": "999999"},
            "rtt_52_plus_weeks",
            "expected at most rtt_incomplete_pathways (385384), found 999999",
        ),
        (
            "rtt_ae_monthly",
            {"ae_attendances_total": "100.0", "ae_over_4hrs_total": "200.0"},
            "ae_over_4hrs_total",
            "expected at most ae_attendances_total (100), found 200",
        ),
        (
            "rtt_ae_monthly",
            {"ae_emergency_admissions_total": "10.0", "ae_12hr_wait_admissions": "11.0"},
            "ae_12hr_wait_admissions",
            "expected at most ae_emergency_admissions_total (10), found 11",
        ),
        (
            "cancer_waiting_times",
            {"total_treated": "47.0", "within_standard": "48.0", "breaches": "0.0"},
            "within_standard",
            "expected at most total_treated (47), found 48",
        ),
        (
            "cancer_waiting_times",
            {"total_treated": "47.0", "within_standard": "30.0", "breaches": "16.0"},
            "total_treated",
            "expected within_standard + breaches (30 + 16 = 46) to equal total_treated, found 47",
        ),
        (
            "cancer_waiting_times",
            {"total_treated": "inf"},
            "total_treated",
            "expected a finite number, found 'inf'",
        ),
        (
            "staff_survey_2019",
            {"q13b_hba_from_managers": "1.2"},
            "q13b_hba_from_managers",
            "expected a value of at most 1, found '1.2'",
        ),
        (
            "rtt_ae_monthly",
            {"period": "2024-08-15"},
            "period",
            "expected the first day of a month (a monthly period), found '2024-08-15'",
        ),
    ],
)
def test_each_dataset_checks_its_numerators_denominators_and_ranges(
    tmp_path, dataset, cells, column, message
):
    assert (2, column, message) in _problems(tmp_path, dataset, **cells)


@pytest.mark.parametrize(
    ("dataset", "part", "whole", "rows_breaking_it"),
    [
        ("rtt_ae_monthly", "ae_emergency_admissions_total", "ae_attendances_total", 12),
        ("ae_attendances", "admissions", "attendances", 1),
    ],
)
def test_admissions_are_not_held_below_attendances_because_real_data_is_not(
    dataset, part, whole, rows_breaking_it
):
    """The evidence for leaving a rule out (docs/reference/data.md): the published files break
    it, because emergency admissions are not only those through A&E."""
    raw = pl.read_csv(DATASETS[dataset].default_path)
    assert raw.filter(pl.col(part) > pl.col(whole)).height == rows_breaking_it


def test_every_bundled_file_passes_its_rules(loaded):
    """Every rule holds for the real published data (the fixture loads each bundled file)."""
    assert all(imported.rows for imported in loaded.values())


def test_a_row_after_an_exact_repeat_is_named_by_its_row_in_the_file(tmp_path):
    header, row = _bundled_row("ae_attendances")
    bad = [*row[:3], "lots", *row[4:]]
    bad[1] = "RJ2"
    path = tmp_path / "in.csv"
    _write(path, header, row, row, bad)
    with pytest.raises(DataFileError) as caught:
        DATASETS["ae_attendances"].load(path)
    assert [(p.row, p.column) for p in caught.value.problems] == [(4, "attendances")]


def test_cells_are_every_organisation_and_period_the_file_has_rows_for(loaded):
    """Re-importing replaces exactly these (a row with no values still names its cell)."""
    rtt = loaded["rtt_ae_monthly"]
    assert rtt.cells.height == 1812  # 1,816 rows less 4 exact repeats
    assert rtt.cells.columns == ["ods_code", "period_type", "period_start"]
    ae = loaded["ae_attendances"]
    assert set(ae.cells["ods_code"]) == set(ae.observations["ods_code"])


def test_public_names_are_importable_from_the_package():
    from candour.importers import datasets

    for name in ("DATASETS", "load_successors", "CQC_RATINGS", "PERIOD_TYPES", "ImportedData"):
        assert hasattr(datasets, name)
    # each bundled file's dataset, and every one documented in the data reference
    assert len(datasets.DATASETS) == 11
    reference = (Path(__file__).parents[3] / "docs" / "reference" / "data.md").read_text()
    assert all(f"`{name}`" in reference for name in datasets.DATASETS)
