"""The registry's reviewed data files: the bundled national collections load; a bad file names
the key and what was expected; no standard number is invented."""

from __future__ import annotations

import re

import pytest

from candour.exceptions import DataFileError
from candour.importers.catalogue import measures
from candour.importers.datarequests import (
    DEFAULT_REGISTRY_FILE,
    DEMO_REGISTRY_FILE,
    NAME_MAX_LENGTH,
    load_labelled_pairs,
    load_registry,
)

# The national collections issue 15 asks the registry to be seeded with.
SEEDED = {
    "ae_monthly",
    "rtt_monthly",
    "cancer_waiting_times",
    "shmi",
    "staff_survey",
    "ftsu_quarterly",
    "cqc_ratings",
}


def test_the_national_collections_load_with_their_sources():
    registry = load_registry()
    assert {r.key for r in registry.requests} == SEEDED
    for request in registry.requests:
        assert request.source.startswith("https://"), request.key
        assert request.authored_by
        assert not request.synthetic


def test_every_standard_number_is_one_its_source_names():
    """Never an invented number: a standard number's digits appear in the address it was taken
    from, or the entry records none."""
    for request in load_registry().requests:
        if request.standard_number:
            digits = re.sub(r"\D", "", request.standard_number)
            assert digits in request.source, (request.key, request.standard_number)


def test_items_map_to_measures_in_the_measures_file_with_their_unit():
    for request in load_registry().requests:
        for item in request.items:
            if item.held and item.held.startswith("measure:"):
                measure = measures()[item.held.removeprefix("measure:")]
                assert measure.unit == item.unit, item.name


def test_the_demo_requests_are_all_synthetic():
    assert all(r.synthetic for r in load_registry(DEMO_REGISTRY_FILE).requests)


GOOD = """
[requesters.body]
name = "A body"
kind = "icb"

[requests.ask]
requester = "body"
title = "An ask"
mandate = "voluntary"
frequency = "monthly"
asked = { regions = ["Y63"] }
source = "made up for a test"
authored_by = "a test"

[[requests.ask.items]]
name = "Four-hour performance"
unit = "proportion"
period = "month"
measure = "ae_4hr_all"
"""


def write(tmp_path, text: str):
    path = tmp_path / "registry.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path):
    registry = load_registry(write(tmp_path, GOOD))
    (request,) = registry.requests
    assert request.items[0].held == "measure:ae_4hr_all"
    assert request.asked.regions == ("Y63",)


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (
            ('measure = "ae_4hr_all"', 'measure = "ae_5hr"'),
            "requests.ask.items[1].measure",
            "unknown measure",
        ),
        (
            ('unit = "proportion"', 'unit = "count"'),
            "requests.ask.items[1].unit",
            "is in proportion",
        ),
        (
            ('frequency = "monthly"', 'frequency = "fortnightly"'),
            "requests.ask.frequency",
            "expected one of",
        ),
        (
            ('mandate = "voluntary"', 'mandate = "a letter"'),
            "requests.ask.mandate",
            "expected one of",
        ),
        (
            ('requester = "body"', 'requester = "nobody"'),
            "requests.ask.requester",
            "unknown requester",
        ),
        (('source = "made up for a test"\n', ""), "requests.ask.source", "is required"),
        (
            ('asked = { regions = ["Y63"] }', "asked = { everyone = true }"),
            "requests.ask.asked",
            "expected a table",
        ),
        (
            ('asked = { regions = ["Y63"] }', 'asked = { datasets = ["hes"] }'),
            "requests.ask.asked.datasets",
            "unknown dataset",
        ),
        (
            ('title = "An ask"', 'title = "An ask"\nasked_since = "last year"'),
            "requests.ask.asked_since",
            "YYYY",
        ),
        (
            ('title = "An ask"', 'title = "An ask"\nhours_per_return = 3'),
            "requests.ask.estimate_source",
            "needs its source",
        ),
        (('title = "An ask"', 'title = "An ask"\nhours = 3'), "requests.ask.hours", "unknown key"),
        (
            ('name = "Four-hour performance"', f'name = "{"x" * (NAME_MAX_LENGTH + 1)}"'),
            "requests.ask.items[1].name",
            "at most",
        ),
    ],
)
def test_a_bad_file_names_the_key_and_what_was_expected(tmp_path, change, where, words):
    old, new = change
    with pytest.raises(DataFileError) as error:
        load_registry(write(tmp_path, GOOD.replace(old, new, 1)))
    message = str(error.value)
    assert f"column '{where}'" in message, message
    assert words in message, message


def test_not_toml_is_a_clear_error(tmp_path):
    with pytest.raises(DataFileError, match="not valid TOML"):
        load_registry(write(tmp_path, "[requests\n"))


def test_a_labelled_pair_file_is_read_strictly(tmp_path):
    path = tmp_path / "pairs.csv"
    header = "pair,name_a,definition_a,unit_a,period_a,name_b,definition_b,unit_b,period_b,duplicate,why\n"
    path.write_text(header + "1,A,,count,month,B,,count,month,maybe,\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"row 2, column 'duplicate'"):
        load_labelled_pairs(path)


def test_the_bundled_file_is_the_default():
    assert load_registry().path == str(DEFAULT_REGISTRY_FILE)
