"""A gunicorn worker warms up before its first request (issue 11, item 2): the stored assessment
is read into its memory, so its first page does not pay for it."""

from __future__ import annotations

import pytest

from candour.web.config import gunicorn
from candour.web.core.warmup import warm_up
from candour.web.oversight import assessment

pytestmark = pytest.mark.django_db


def test_warm_up_reads_the_stored_assessment_into_memory():
    assessment._cache.clear()
    warm_up()
    assert assessment._cache, "the assessment is held in memory"
    assert assessment.current() is next(iter(assessment._cache.values()))


def test_gunicorn_warms_each_worker_and_never_preloads_in_the_master():
    assert gunicorn.preload_app is False  # Polars' and vl-convert's threads do not survive fork
    assert callable(gunicorn.post_worker_init)
