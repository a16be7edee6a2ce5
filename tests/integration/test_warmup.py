"""A gunicorn worker warms up before its first request (issue 11, item 2): the stored assessment
is read into its memory, so its first page does not pay for it."""

from __future__ import annotations

import gc
import logging

import pytest

from candour.cli import main
from candour.web.config import gunicorn
from candour.web.core.models import AuditEvent
from candour.web.core.warmup import candour_templates, draw_one_organisation_page, warm_up
from candour.web.oversight import assessment
from candour.web.oversight.models import StoredChart

pytestmark = pytest.mark.django_db


def test_warm_up_reads_the_stored_assessment_into_memory():
    assessment._cache.clear()
    warm_up()
    assert assessment._cache, "the assessment is held in memory"
    assert assessment.current() is next(iter(assessment._cache.values()))


def test_gunicorn_warms_each_worker_and_never_preloads_in_the_master():
    assert gunicorn.preload_app is False  # Polars' and vl-convert's threads do not survive fork
    assert callable(gunicorn.post_worker_init)


class GunicornWorker:
    """What gunicorn's ``post_worker_init`` hook reads of its worker."""

    pid = 0
    log = logging.getLogger("gunicorn.error")


def test_a_warmed_worker_keeps_what_it_loaded_out_of_the_garbage_collectors_passes():
    # a full collection over the warm-up's objects took ~180 ms of a worker's first request
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        gunicorn.post_worker_init(GunicornWorker())
        assert assessment._cache, "the assessment is held in memory"
        assert gc.get_freeze_count() > 10_000, "the loaded objects are frozen"
        assert gc.get_count()[2] == 0
    finally:
        gc.unfreeze()


def test_the_warm_up_draws_an_organisation_page_whose_icons_are_stored_and_writes_nothing():
    assert draw_one_organisation_page() is None  # nothing stored for the charts yet: no page
    assert main(["charts", "render", "--organisation", "RJ1"]) == 0
    stored, audited = StoredChart.objects.count(), AuditEvent.objects.count()
    assert draw_one_organisation_page() == "RJ1"
    assert (StoredChart.objects.count(), AuditEvent.objects.count()) == (stored, audited)


def test_the_warm_up_compiles_candours_templates_and_only_those():
    names = candour_templates()
    assert "oversight/organisation_detail.html" in names
    assert "mortality/includes/synthetic.html" in names  # an included one
    assert not any(name.startswith("admin/") for name in names)
