"""The competency framework file: the bundled one loads; a bad one is refused naming the
entry."""

from __future__ import annotations

import pytest

from candour.exceptions import DataFileError
from candour.importers.framework import DEFAULT_FRAMEWORK_FILE, load_framework


def test_the_bundled_framework_has_six_domains_and_a_scale_to_no_chance():
    framework = load_framework()
    assert framework.key == "lcf-2024"
    assert [d.number for d in framework.domains] == [1, 2, 3, 4, 5, 6]
    assert framework.domains[3].name == "Creating a compassionate, just and positive culture"
    assert all(d.competencies for d in framework.domains)
    assert framework.scale[0].label == "Almost always"
    assert (framework.scale[-1].label, framework.scale[-1].score) == (
        "No chance to demonstrate",
        None,
    )
    assert framework.source_url.startswith("https://www.england.nhs.uk/")


def write(tmp_path, text: str):
    path = tmp_path / "framework.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_problems_name_the_entry(tmp_path):
    text = DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8")
    text = text.replace('key = "1.2"', 'key = "1.1"').replace(
        'in_force_from = "2024-04-01"', 'in_force_from = "April"'
    )
    text = text.replace('summary = "Puts safety', 'colour = "blue"\nsummary = "Puts safety')
    with pytest.raises(DataFileError) as error:
        load_framework(write(tmp_path, text))
    message = str(error.value)
    assert (
        "column 'framework.in_force_from': expected a date (YYYY-MM-DD), found 'April'" in message
    )
    assert "column 'competency key': '1.1' is used twice" in message
    assert "column 'domains[1].colour': unknown key" in message
    assert "nothing was loaded" in message


def test_a_file_that_is_not_toml_or_missing(tmp_path):
    with pytest.raises(DataFileError, match="not valid TOML"):
        load_framework(write(tmp_path, "[framework"))
    with pytest.raises(DataFileError, match="file not found"):
        load_framework(tmp_path / "missing.toml")
