"""The monitoring job (``candour mortality run``: daily, and after each import).

It charts every stored series (trust x diagnosis group) with the O/E CUSUM, each series'
threshold designed for ``MORTALITY_ALERTS["false_alarm_rate"]`` per series-year
(:mod:`candour.analytics.cusum.monitor`), and turns each new signal into an alert: a signal is
new when it is later than every signal an alert of that series already carries. A new signal on
a series whose alert is still open is added to that alert (it signalled again); otherwise it
raises a new alert, an oversight concern owned at the trust
(:func:`candour.web.mortality.policy.alert_owner`). Then it escalates missed deadlines and flags
alerts seen too often without a response. The charting reads only; everything it writes is in
one transaction with its audit events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl
from django.db import transaction
from django.utils import timezone

from candour.analytics.cusum.constants import MARKOV_STATES
from candour.analytics.cusum.monitor import (
    Monitored,
    alert_sentence,
    expected_false_alarms_sentence,
    monitor,
)
from candour.web.core import audit
from candour.web.core.actions import actor_label
from candour.web.mortality import actions, policy
from candour.web.mortality.conf import config
from candour.web.mortality.models import MonitoringRun, MortalityAlert
from candour.web.mortality.queries import monthly_deaths
from candour.web.oversight import actions as oversight_actions
from candour.web.oversight.models import Concern, Organisation

CONCERN_RULE = "Mortality alert: O/E CUSUM"
CONCERN_SEVERITY = "alert"


@dataclass(frozen=True)
class RunSummary:
    """What one run did."""

    run: MonitoringRun
    raised: list[MortalityAlert] = field(default_factory=list)
    not_raised: list[str] = field(default_factory=list)  # "R0B Pneumonia": nobody to own it
    unmonitored: list[str] = field(default_factory=list)  # "R0B Pneumonia: why"


def run(*, by, today: dt.date | None = None, states: int = MARKOV_STATES) -> RunSummary:
    """Chart every stored series, raise alerts for new signals, escalate missed deadlines and
    flag alerts seen too often without a response."""
    today = today or timezone.localdate()
    settings = config()
    deaths = monthly_deaths()
    monitored = None
    if not deaths.is_empty():
        monitored = monitor(
            deaths,
            rate_ratio=settings.rate_ratio,
            false_alarm_rate=settings.false_alarm_rate,
            states=states,
        )
    return _record(monitored, deaths, by=by, today=today)


@transaction.atomic
def _record(monitored: Monitored | None, deaths: pl.DataFrame, *, by, today) -> RunSummary:
    settings = config()
    run_row = MonitoringRun.objects.create(
        run_by=actor_label(by),
        as_of=today,
        rate_ratio=settings.rate_ratio,
        false_alarm_rate=settings.false_alarm_rate,
        series=monitored.series if monitored else 0,
        unmonitored=len(monitored.unmonitored) if monitored else 0,
        synthetic_series=_synthetic_series(deaths),
        signals=monitored.signals.height if monitored else 0,
        raised=0,
        signalled_again=0,
        not_raised=0,
        escalated=0,
        flagged=0,
    )
    summary = RunSummary(run=run_row)
    if monitored is not None:
        summary.unmonitored.extend(
            f"{c} {g}: {why}" for (c, g), why in monitored.unmonitored.items()
        )
        _turn_signals_into_alerts(monitored, deaths, run_row, summary, by=by, today=today)
    run_row.escalated = actions.escalate_overdue(by=by, today=today)
    run_row.flagged = actions.flag_all_seen_without_response(by=by, today=today)
    run_row.raised = len(summary.raised)
    run_row.not_raised = len(summary.not_raised)
    run_row.save()
    audit.append(
        actor=actor_label(by),
        action="mortality.run",
        target_type="mortality_run",
        target_id=run_row.pk,
        details={
            "as_of": today.isoformat(),
            "series": run_row.series,
            "unmonitored": run_row.unmonitored,
            "signals": run_row.signals,
            "raised": run_row.raised,
            "signalled_again": run_row.signalled_again,
            "not_raised": summary.not_raised,
            "escalated": run_row.escalated,
            "flagged": run_row.flagged,
            "false_alarm_rate": run_row.false_alarm_rate,
            "rate_ratio": run_row.rate_ratio,
        },
    )
    return summary


def _synthetic_series(deaths: pl.DataFrame) -> int:
    return deaths.filter(pl.col("synthetic")).select("ods_code", "group").n_unique()


def _latest_alerts() -> dict[tuple[str, str], MortalityAlert]:
    """The most recent alert of each series."""
    latest: dict[tuple[str, str], MortalityAlert] = {}
    for alert in MortalityAlert.objects.select_related("concern").order_by("first_signal"):
        latest[(alert.organisation_id, alert.group)] = alert
    return latest


def _turn_signals_into_alerts(monitored, deaths, run_row, summary, *, by, today) -> None:
    latest = _latest_alerts()
    synthetic = {
        (c, g)
        for c, g in deaths.filter(pl.col("synthetic")).select("ods_code", "group").unique().rows()
    }
    organisations = Organisation.objects.in_bulk(monitored.signals["ods_code"].unique().to_list())
    for (code, group), signals in monitored.signals.group_by(
        ["ods_code", "group"], maintain_order=True
    ):
        alert = latest.get((code, group))
        new = signals.sort("month")
        if alert is not None:
            new = new.filter(pl.col("month") > alert.latest_signal)
        if new.is_empty():
            continue
        if alert is not None and alert.is_open:
            _signalled_again(alert, new, by=by)
            run_row.signalled_again += 1
            continue
        raised = _raise(
            organisations[code],
            group,
            new,
            monitored,
            run_row,
            synthetic=(code, group) in synthetic,
            by=by,
            today=today,
        )
        if raised is None:
            summary.not_raised.append(f"{code} {group}")
        else:
            summary.raised.append(raised)


def _signalled_again(alert: MortalityAlert, new: pl.DataFrame, *, by) -> None:
    alert.latest_signal = new["month"].max()
    alert.signals += new.height
    alert.save(update_fields=["latest_signal", "signals"])
    actions.alert_event(
        alert,
        "signal",
        by,
        latest_signal=alert.latest_signal.isoformat(),
        signals=alert.signals,
    )


def _explanation(sentence: str, first, monitored: Monitored, *, synthetic: bool, due) -> str:
    parts = [
        "SYNTHETIC DATA: no real patients. " if synthetic else "",
        f"{sentence}.\n\n",
        f"The O/E CUSUM (tuned to detect {monitored.rate_ratio:g} times the expected deaths) "
        f"reached {first['statistic']:.2f} against its threshold h = {first['h']:.2f} in "
        f"{first['month']:%B %Y}. ",
        f"{expected_false_alarms_sentence(monitored.series, monitored.false_alarm_rate)}.\n\n",
        f"The trust is asked to respond by {due.day} {due:%B %Y} with its coding review, case-note "
        "review and action plan; regional oversight reviews the response and closes the alert "
        "only on recorded evidence.",
    ]
    return "".join(parts)


def _raise(organisation, group, new, monitored, run_row, *, synthetic, by, today):
    """Raise an alert from the first of ``new`` signals (the others are counted on it)."""
    owner = policy.alert_owner(organisation)
    if owner is None:
        return None
    first = new.row(0, named=True)
    settings = config()
    due = today + dt.timedelta(days=settings.response_days)
    sentence = alert_sentence(
        group=group,
        observed=first["episode_observed"],
        expected=first["episode_expected"],
        start=first["episode_start"],
        end=first["month"],
        false_alarm_rate=monitored.false_alarm_rate,
    )
    concern = oversight_actions.raise_concern(
        organisation=organisation,
        title=f"Mortality alert: {group}"[:200],
        explanation=_explanation(sentence, first, monitored, synthetic=synthetic, due=due),
        owner=owner,
        by=by,
        origin=Concern.Origin.FLAG,
        rule=CONCERN_RULE,
        severity=CONCERN_SEVERITY,
    )
    alert = MortalityAlert.objects.create(
        concern=concern,
        organisation=organisation,
        group=group,
        run=run_row,
        rate_ratio=monitored.rate_ratio,
        h=first["h"],
        false_alarm_rate=monitored.false_alarm_rate,
        monitored_series=monitored.series,
        expected_false_alarms_per_year=monitored.expected_false_alarms_per_year,
        first_signal=first["month"],
        statistic=first["statistic"],
        episode_start=first["episode_start"],
        observed=first["episode_observed"],
        expected=first["episode_expected"],
        latest_signal=new["month"].max(),
        signals=new.height,
        synthetic=synthetic,
        sentence=sentence,
        response_due=due,
        waiting_since=timezone.now(),
    )
    actions.alert_event(
        alert,
        "raise",
        by,
        group=group,
        concern=concern.pk,
        owner=owner.get_username(),
        first_signal=alert.first_signal.isoformat(),
        statistic=alert.statistic,
        h=alert.h,
        false_alarm_rate=alert.false_alarm_rate,
        monitored_series=alert.monitored_series,
        response_due=due.isoformat(),
        synthetic=synthetic,
    )
    return alert
