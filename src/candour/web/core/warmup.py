"""A process's warm-up before its first request (gunicorn's ``post_worker_init``, see
candour.web.config.gunicorn): what the first request would otherwise pay for."""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError

logger = logging.getLogger(__name__)

# The pages a person opens first (each role's landing page and the oversight pages): their
# templates are compiled and cached by the production template loader.
TEMPLATES = (
    "oversight/ranking.html",
    "oversight/organisation_detail.html",
    "oversight/region_detail.html",
    "oversight/measure_detail.html",
    "core/sign_in.html",
)


def warm_up() -> float:
    """Import every view (through the URL configuration), compile the first pages' templates and
    read the current assessment into memory; the seconds it took. A database that cannot be read
    yet (before ``migrate``) leaves the assessment to the first request that needs it. The
    database connection stays open for the first request (it is closed as every other is, at the
    start of a request past ``CONN_MAX_AGE``)."""
    from django.template.loader import get_template
    from django.urls import get_resolver

    started = time.perf_counter()
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    get_resolver().reverse_dict  # noqa: B018 - builds the reverse lookup once
    for name in TEMPLATES:
        get_template(name)
    try:
        from candour.web.oversight import assessment
        from candour.web.oversight.models import AssessmentSnapshot

        # only read what is stored: computing is the data-changing commands' job, not a worker's
        if AssessmentSnapshot.objects.filter(version=assessment.data_version()).exists():
            assessment.current()
    except DatabaseError as exc:
        logger.warning("warm-up: the assessment is not readable yet (%s)", type(exc).__name__)
    return time.perf_counter() - started
