"""The pages' assurance cell says why an icon is missing: "No target" only without a target
(issue 11: R0B's cancer 62-day row showed "Target: at least 85.0%" beside "No target")."""

from __future__ import annotations

import django
import pytest


@pytest.fixture(autouse=True)
def _django():
    django.setup()


def cell(icon, icons=None) -> str:
    from candour.web.oversight.templatetags.candour_format import assurance_icon

    return str(assurance_icon(icon, icons))


def test_a_series_with_a_target_but_too_few_points_says_so():
    assert "Too few points to judge" in cell(None, {"target": 0.85, "n": 5})
    assert "No target" not in cell(None, {"target": 0.85, "n": 5})


def test_a_series_without_a_target_says_no_target():
    assert "No target" in cell(None, {"target": None, "n": 30})


def test_no_icon_row_at_all_means_too_few_points():
    assert "Too few points to judge" in cell(None)


def test_an_icon_is_drawn_when_there_is_one():
    assert "<svg" in cell("fail", {"target": 0.85})
