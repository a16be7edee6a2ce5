"""Reading mortality data and alerts (nothing here writes, nor counts a view)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.db.models import Count, Sum
from django.utils import timezone

from candour.analytics.cusum.monitor import EXPECTED, MONTH, OBSERVED
from candour.web.mortality.models import AlertView, MonthlyDeaths, MortalityAlert
from candour.web.oversight.models import Concern

DEATHS_SCHEMA = {
    "ods_code": pl.String,
    "group": pl.String,
    MONTH: pl.Date,
    OBSERVED: pl.Int64,
    EXPECTED: pl.Float64,
    "synthetic": pl.Boolean,
}
# The columns of :func:`open_mortality_alerts`, for the concern-first assessment.
OPEN_ALERT_SCHEMA = {
    "ods_code": pl.String,
    "alert_id": pl.Int64,
    "group": pl.String,
    "first_signal": pl.Date,
    "statistic": pl.Float64,
    "h": pl.Float64,
    "false_alarm_rate": pl.Float64,
    "status": pl.String,
    "days_open": pl.Int64,
    "sentence": pl.String,
    "synthetic": pl.Boolean,
}


def monthly_deaths(**filters) -> pl.DataFrame:
    """Stored observed and expected deaths (:data:`DEATHS_SCHEMA`), filtered by model field
    lookups (``organisation_id=``, ``group=``)."""
    rows = (
        MonthlyDeaths.objects.filter(**filters)
        .order_by("organisation_id", "group", "month")
        .values_list("organisation_id", "group", "month", "observed", "expected", "synthetic")
    )
    return pl.DataFrame(list(rows), schema=DEATHS_SCHEMA, orient="row")


def series_of(alert: MortalityAlert) -> pl.DataFrame:
    return monthly_deaths(organisation_id=alert.organisation_id, group=alert.group)


def open_alerts():
    return MortalityAlert.objects.filter(concern__status=Concern.Status.OPEN)


def open_mortality_alerts(
    ods_codes: list[str] | None = None, *, today: dt.date | None = None
) -> pl.DataFrame:
    """Every open mortality alert (of ``ods_codes`` if given), one row each, for the
    concern-first assessment's mortality evidence (:data:`OPEN_ALERT_SCHEMA`): the trust, the
    alert, its diagnosis group, the month of the first signal, the statistic there, h, the
    false-alarm rate h was set for (per series-year), the workflow status
    (awaiting_response, overdue, awaiting_review), days open and the plain-English sentence.
    Reads only: it neither writes nor counts a view. Sorted by trust, then first signal."""
    today = today or timezone.localdate()
    alerts = open_alerts().select_related("concern").order_by("organisation_id", "first_signal")
    if ods_codes is not None:
        alerts = alerts.filter(organisation_id__in=list(ods_codes))
    rows = [
        (
            a.organisation_id,
            a.pk,
            a.group,
            a.first_signal,
            a.statistic,
            a.h,
            a.false_alarm_rate,
            a.status(today),
            a.days_open(today),
            a.sentence,
            a.synthetic,
        )
        for a in alerts
    ]
    return pl.DataFrame(rows, schema=OPEN_ALERT_SCHEMA, orient="row")


@dataclass(frozen=True)
class Seen:
    """How often an alert was opened while the trust's response was awaited: ``views`` is
    person-days (one person on one day counts once), ``loads`` every opening."""

    views: int
    people: int
    loads: int
    days: int

    def sentence(self) -> str:
        times = "once" if self.views == 1 else f"{self.views} times"
        people = "" if self.people <= 1 else f" by {self.people} people"
        days = "1 day" if self.days == 1 else f"{self.days} days"
        return f"seen {times}{people} in {days}, no response"


def seen_while_waiting(alert: MortalityAlert, today: dt.date | None = None) -> Seen:
    today = today or timezone.localdate()
    since = timezone.localtime(alert.waiting_since).date()
    views = AlertView.objects.filter(alert=alert, day__gte=since)
    totals = views.aggregate(
        views=Count("id"), people=Count("viewer", distinct=True), loads=Sum("loads")
    )
    return Seen(
        views=totals["views"],
        people=totals["people"],
        loads=totals["loads"] or 0,
        days=max(1, (today - since).days + 1),
    )


def views_by_day(alert: MortalityAlert) -> list[dict]:
    """The count of views per day (people and openings), newest first: no names."""
    return list(
        AlertView.objects.filter(alert=alert)
        .values("day")
        .annotate(people=Count("viewer", distinct=True), loads=Sum("loads"))
        .order_by("-day")
    )
