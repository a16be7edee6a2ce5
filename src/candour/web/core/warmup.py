"""A process's warm-up before its first request (gunicorn's ``post_worker_init``, see
candour.web.config.gunicorn): what the first request would otherwise pay for."""

from __future__ import annotations

import logging
import time
from contextlib import suppress
from pathlib import Path

from django.db import DatabaseError

logger = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parents[2]  # src/candour


def candour_templates() -> list[str]:
    """The name of every HTML template in Candour's own directories (not Django's or other
    libraries'): compiled by the warm-up rather than by the first page that includes each."""
    from django.template import engines

    names = set()
    for directory in map(Path, engines["django"].template_dirs):
        if directory.is_dir() and directory.resolve().is_relative_to(PACKAGE):
            names.update(p.relative_to(directory).as_posix() for p in directory.rglob("*.html"))
    return sorted(names)


def populate(resolver, namespace: str = "") -> None:
    """Build the reverse lookup of the URL configuration and of every namespace it includes:
    ``reverse("ns:name")`` uses a resolver of its own per namespace, built on its first use."""
    from django.urls import NoReverseMatch, URLResolver, reverse

    names = [name for name in resolver.reverse_dict if isinstance(name, str)]
    if namespace and names:
        # a name that takes arguments fails to reverse: the namespace's resolver is built anyway
        with suppress(NoReverseMatch):
            reverse(f"{namespace}:{names[0]}")
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, (namespace, pattern.namespace)))
            populate(pattern, inner)


def draw_one_organisation_page() -> str | None:
    """Draw one organisation's page as a person with no grant would see it, and throw it away:
    the first real page then finds Polars, the ORM's query compiler and the database session's
    catalogue warm. Only an organisation whose icons are stored for the current charts, so the
    warm-up writes nothing; its code (None: none stored yet)."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from candour.web.oversight import assessment, chart_store, views
    from candour.web.oversight.models import StoredChart

    code = (
        StoredChart.objects.filter(
            version=assessment.chart_version(), kind=chart_store.ORGANISATION_ICONS
        )
        .order_by("key")
        .values_list("key", flat=True)
        .first()
    )
    if code is None:
        return None
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = f"/organisations/{code}/"
    request.META = {"SERVER_NAME": "warm-up", "SERVER_PORT": "443", "REMOTE_ADDR": "127.0.0.1"}
    request.user = AnonymousUser()
    views.organisation_detail(request, code)
    return code


def draw_page() -> None:
    """:func:`draw_one_organisation_page`, never stopping a worker from serving: the warm-up
    only saves the first person some time."""
    try:
        draw_one_organisation_page()
    except Exception:  # logged, and the worker serves as it would have done cold
        logger.exception("warm-up: drawing an organisation page failed")


def warm_up() -> float:
    """Import every view (through the URL configuration) and build every reverse lookup, compile
    every template of Candour's, read the current assessment into memory and draw one
    organisation page; the seconds it took. A database that cannot be read yet (before ``migrate``) leaves the assessment to the
    first request that needs it. The database connection stays open for the first request (it is
    closed as every other is, at the start of a request past ``CONN_MAX_AGE``)."""
    from django.template.loader import get_template
    from django.urls import get_resolver

    from candour.importers.catalogue import sources

    started = time.perf_counter()
    populate(get_resolver())  # imports every view module on the way
    for name in candour_templates():
        get_template(name)
    sources()  # the bundled data's catalogue, which pages cite
    try:
        from candour.web.oversight import assessment
        from candour.web.oversight.models import AssessmentSnapshot

        # only read what is stored: computing is the data-changing commands' job, not a worker's
        if AssessmentSnapshot.objects.filter(version=assessment.data_version()).exists():
            assessment.current()
            draw_page()
    except DatabaseError as exc:
        logger.warning("warm-up: the assessment is not readable yet (%s)", type(exc).__name__)
    return time.perf_counter() - started
