"""``candour charts render``: the charts the pages link to (of current measures), drawn for the
current data version before anyone asks for them (the daily job, and after imports), then older
versions' charts deleted.

The SPC results are computed once for every linked series together (each series is charted on
its own, so this is the same chart as a request would draw for one series), then each chart is
drawn from them; a chart already stored for the version is not drawn again, so a run that was
interrupted carries on where it stopped.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import polars as pl

from candour.analytics.concern.core import HISTORY
from candour.web.oversight import assessment, chart_store, monitoring, prerender_jobs
from candour.web.oversight.models import Measure, Organisation


@dataclass
class Rendered:
    """What a run did: per kind, charts drawn now and found already stored."""

    version: int
    drawn: dict[str, int] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)
    purged: int = 0
    seconds: float = 0.0

    def count(self, kind: str, *, drawn: bool) -> None:
        counts = self.drawn if drawn else self.found
        counts[kind] = counts.get(kind, 0) + 1


def linked_codes(only: list[str] | None = None) -> dict[str, list[str]]:
    """Each open organisation's code (or only those of ``only``) with its predecessors' (their
    series show on its page)."""
    open_codes = Organisation.objects.filter(close_date__isnull=True, successor__isnull=True)
    if only is not None:
        wanted = {code.upper() for code in only}
        open_codes = open_codes.filter(ods_code__in=wanted)
        missing = wanted - set(open_codes.values_list("ods_code", flat=True))
        if missing:
            raise LookupError(f"no open organisation {', '.join(sorted(missing))}")
    codes = {code: [code] for code in open_codes.values_list("ods_code", flat=True)}
    predecessors = Organisation.objects.filter(successor_id__in=list(codes)).values_list(
        "ods_code", "successor_id"
    )
    for predecessor, successor in predecessors:
        codes[successor].append(predecessor)
    return codes


def render_all(*, organisations: list[str] | None = None, jobs: int = 1) -> Rendered:
    """Store every linked chart of the current data version, then delete older versions' charts
    (with ``organisations``: only those organisations' series charts and icons, and only their
    older versions are deleted). ``jobs`` processes draw the organisations' charts side by side
    (drawing is one core's work per chart)."""
    started = time.perf_counter()
    assessment.refresh()  # the snapshot of this version exists before anything reads it
    version = assessment.chart_version()
    done = Rendered(version)
    linked = linked_codes(organisations)
    keys: dict[str, list[str]] = {}
    if jobs > 1 and len(linked) > 1:
        _in_processes(sorted(linked), version, jobs, done)
    else:
        render_organisations(linked, version, done, keys)
    if organisations is not None:
        done.purged = chart_store.purge_before(version, keys)
        done.seconds = time.perf_counter() - started
        return done
    for measure in Measure.objects.all():
        _store(done, keys, chart_store.MEASURE_ICONS, measure.pk, partial(_measure_icons, measure))
        if monitoring.has_funnel(measure):
            render = partial(_encoded, monitoring.render_funnel, measure)
            _store(done, keys, chart_store.FUNNEL, measure.pk, render)
            outliers = partial(monitoring.funnel_outlier_bytes, measure)
            _store(done, keys, chart_store.FUNNEL_OUTLIERS, measure.pk, outliers)
    for alert_id, render in mortality_charts():
        _store(done, keys, chart_store.MORTALITY_ALERT, str(alert_id), render)
    done.purged = chart_store.purge_before(version)
    done.seconds = time.perf_counter() - started
    return done


def render_organisations(
    linked: dict[str, list[str]], version: int, done: Rendered, keys: dict[str, list[str]]
) -> None:
    """The icons of these organisations (code: its codes and its predecessors') and the SPC
    charts of their current measures, from one SPC computation over all their series. A chart
    of a measure shown only as history (older than its freshness limit: a predecessor's series,
    the 2019 staff survey) is drawn on its first view instead, once per version: nearly half the
    series, and the daily job's time with them."""
    every_code = sorted({c for codes in linked.values() for c in codes})
    result = monitoring.compute_spc(assessment.observations_frame(codes=every_code))
    icons = monitoring.latest_series_icons(result)
    measures = {m.pk: m for m in Measure.objects.all()}
    for ods_code, codes in linked.items():
        own = icons.filter(pl.col("ods_code").is_in(codes))
        render = partial(chart_store.frame_bytes, own)
        _store(done, keys, chart_store.ORGANISATION_ICONS, ods_code, render, version)
    current = current_series()
    for measure_id, ods_code in icons.select("measure_id", "ods_code").iter_rows():
        if (measure_id, ods_code) not in current:
            continue
        render = partial(
            _encoded, monitoring.render_series_chart, result, measures[measure_id], ods_code
        )
        key = chart_store.series_key(measure_id, ods_code)
        _store(done, keys, chart_store.SERIES, key, render, version)


def current_series() -> set[tuple[str, str]]:
    """(measure, organisation) of every measure the assessment reads as current (not history)."""
    rows = assessment.current().by_measure.filter(pl.col("status") != HISTORY)
    return set(rows.select("measure_id", "ods_code").iter_rows())


def _store(done, keys, kind: str, key: str, render, version: int | None = None) -> None:
    version = done.version if version is None else version
    keys.setdefault(kind, []).append(key)
    drawn = not chart_store.is_stored(kind, key, version)
    if drawn:
        chart_store.stored(kind, key, render, version=version)
    done.count(kind, drawn=drawn)


def _encoded(draw, *args) -> bytes:
    return draw(*args).encode()


def _measure_icons(measure: Measure) -> bytes:
    frame = assessment.observations_frame(measure_ids=[measure.pk])
    return chart_store.frame_bytes(monitoring.latest_series_icons(monitoring.compute_spc(frame)))


def _in_processes(codes: list[str], version: int, jobs: int, done: Rendered) -> None:
    """Draw the organisations' charts in ``jobs`` fresh processes (spawned, not forked: each
    starts Django, Polars and vl-convert of its own), a share of the organisations each."""
    from django.db import connections

    connections.close_all()
    shares = [codes[i::jobs] for i in range(jobs)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=prerender_jobs.start) as pool:
        for drawn, found in pool.map(prerender_jobs.render_share, shares, [version] * jobs):
            for kind, n in drawn.items():
                done.drawn[kind] = done.drawn.get(kind, 0) + n
            for kind, n in found.items():
                done.found[kind] = done.found.get(kind, 0) + n


def mortality_charts() -> list[tuple[int, Callable[[], bytes]]]:
    """Each open mortality alert's chart (its page links it)."""
    from candour.web.mortality import charts
    from candour.web.mortality.queries import open_alerts

    return [
        (alert.pk, partial(_encoded, charts.render_alert_chart, alert))
        for alert in open_alerts().select_related("organisation")
    ]
