"""Charts materialised per data version: rendered once, stored, served as stored.

A chart of the oversight pages (an organisation's SPC chart of a measure, a measure's funnel, a
mortality alert's CUSUM) is a pure function of the stored data, and the stored data change only
through the actions that bump the data version (candour.web.oversight.assessment). The *chart
version* is the data version of the last change a chart draws (an import, a measure sync, a
target): the daily speak-up counts and a mortality alert's workflow bump the data version for the
assessment but leave every chart as it was. So each chart is stored in the database under
(chart version, kind, key) as :class:`StoredChart`: a request
serves the stored SVG; on a miss it renders it once, stores it and serves it, and no request
renders it again for that version, in any worker. The Making Data Count icons of an
organisation's (or a measure's) series are stored the same way, as a Parquet frame.

``candour charts render`` (:func:`render_all`, run by the daily job and after imports) renders
every chart of a current measure the pages link to for the current version, then deletes older
versions' charts: a person opening a page never waits for such a chart to be drawn.

Why the database rather than files under ``CANDOUR_VAR_DIR``: every gunicorn worker and the daily
job (which may run on another host) see the same store; a chart row and the data version live in
the same transaction and backup; a database restored to an older version never serves charts of
data it no longer holds; purging is one DELETE.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import polars as pl
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from candour.web.oversight import assessment
from candour.web.oversight.models import StoredChart

logger = logging.getLogger(__name__)

SERIES = "series"  # an organisation's SPC chart of a measure: key "<measure>:<ODS code>"
FUNNEL = "funnel"  # a measure's funnel: key "<measure>"
FUNNEL_OUTLIERS = "funnel-outliers"  # the funnel's outliers with their z-scores: key "<measure>"
MORTALITY_ALERT = "mortality-alert"  # an alert's O/E CUSUM and VLAD: key "<alert id>"
ORGANISATION_ICONS = "org-icons"  # the icons of an organisation's (and predecessors') series
MEASURE_ICONS = "measure-icons"  # the icons of every organisation's series of a measure
SVG = "image/svg+xml"


@dataclass(frozen=True)
class Stored:
    """One stored chart: empty ``body`` when there was nothing to draw."""

    pk: int
    version: int
    body: bytes
    rendered_at: datetime

    @property
    def etag(self) -> str:
        # the row as well as the version: a database restored to an earlier version number can
        # hold other data under it
        return f'"v{self.version}-{self.pk}"'


def series_key(measure_id: str, ods_code: str) -> str:
    return f"{measure_id}:{ods_code}"


def stored(
    kind: str, key: str, render: Callable[[], bytes | None], *, version: int | None = None
) -> Stored | None:
    """The chart of ``kind`` and ``key`` for the chart version (default: the current one): as
    stored, else rendered by ``render()`` now, stored and returned (once per version). A render
    returning None (no such series: any address a person types) is not stored and gives None."""
    version = assessment.chart_version() if version is None else version
    hit = _lookup(version, kind, key)
    if hit is not None:
        return hit
    body = render()
    if body is None:
        return None
    logger.info("rendered %s %s for data version %s", kind, key, version)
    try:
        with transaction.atomic():
            row = StoredChart.objects.create(version=version, kind=kind, key=key, body=body)
    except IntegrityError:  # another worker stored it first: serve theirs
        return _lookup(version, kind, key)
    return Stored(row.pk, version, bytes(body), row.rendered_at)


def _lookup(version: int, kind: str, key: str) -> Stored | None:
    row = (
        StoredChart.objects.filter(version=version, kind=kind, key=key)
        .values_list("pk", "body", "rendered_at")
        .first()
    )
    return None if row is None else Stored(row[0], version, bytes(row[1]), row[2])


def svg_response(request: HttpRequest, chart: Stored) -> HttpResponse:
    """The stored SVG, with its version as ETag (and Last-Modified): the browser revalidates on
    each use and gets 304 Not Modified until the data change."""
    response = HttpResponse(chart.body, content_type=SVG)
    response["ETag"] = chart.etag
    response["Last-Modified"] = http_date(chart.rendered_at.timestamp())
    response["Cache-Control"] = "private, no-cache"
    return get_conditional_response(
        request,
        etag=chart.etag,
        last_modified=int(chart.rendered_at.timestamp()),
        response=response,
    )


def is_stored(kind: str, key: str, version: int) -> bool:
    return StoredChart.objects.filter(version=version, kind=kind, key=key).exists()


def purge_before(version: int, keys: dict[str, list[str]] | None = None) -> int:
    """Delete the charts of every version older than ``version`` (only those of ``keys``, per
    kind, when given); how many were deleted."""
    older = StoredChart.objects.filter(version__lt=version)
    if keys is not None:
        chosen = Q(pk__in=[])
        for kind, names in keys.items():
            chosen |= Q(kind=kind, key__in=names)
        older = older.filter(chosen)
    deleted, _ = older.delete()
    if deleted:
        logger.info("deleted %s charts of data versions before %s", deleted, version)
    return deleted


# --- Frames (the icons) as Parquet: never pickle, the database is not trusted code ---------------


def frame_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def frame_of(body: bytes) -> pl.DataFrame:
    return pl.read_parquet(io.BytesIO(body))
