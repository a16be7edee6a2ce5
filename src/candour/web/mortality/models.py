"""Mortality monitoring: observed and expected deaths per trust, diagnosis group and month (NHS
Digital's SHMI layout), each run of the monitoring job, and the alerts it raises.

An alert is an oversight :class:`~candour.web.oversight.models.Concern` (sticky, owned, closed
only on recorded evidence) with the statistics a reader needs to judge it, a deadline for the
trust's response, the responses (their findings are the concern's evidence), regional
oversight's reviews, escalations of missed deadlines and a count of who viewed it on which day.
See docs/reference/cusum.md, "Alerts that must be answered".
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from candour.web.oversight.models import Concern, ConcernEvidence, Organisation


class MonthlyDeaths(models.Model):
    """Observed and expected deaths of one trust, diagnosis group and month, as imported."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="monthly_deaths"
    )
    group = models.CharField("diagnosis group", max_length=200)
    month = models.DateField(help_text="The month's first day.")
    spells = models.PositiveIntegerField()
    observed = models.PositiveIntegerField()
    expected = models.FloatField()
    banding = models.CharField("SHMI banding", max_length=1, blank=True, default="")
    synthetic = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "monthly deaths"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "group", "month"], name="unique_monthly_deaths"
            ),
            models.CheckConstraint(condition=Q(expected__gt=0), name="expected_deaths_positive"),
            models.CheckConstraint(
                condition=Q(observed__lte=models.F("spells")), name="deaths_within_spells"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "month"])]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.group} {self.month:%Y-%m}: {self.observed}/{self.expected}"


class MonitoringRun(models.Model):
    """One run of ``candour mortality run``: what it charted and what it did."""

    run_at = models.DateTimeField(auto_now_add=True)
    run_by = models.CharField(max_length=150)
    as_of = models.DateField()
    rate_ratio = models.FloatField()
    false_alarm_rate = models.FloatField(help_text="Per series-year.")
    series = models.PositiveIntegerField(help_text="Series charted.")
    unmonitored = models.PositiveIntegerField(help_text="Series no threshold could be set for.")
    synthetic_series = models.PositiveIntegerField(default=0)
    signals = models.PositiveIntegerField()
    raised = models.PositiveIntegerField()
    signalled_again = models.PositiveIntegerField()
    not_raised = models.PositiveIntegerField(help_text="New signals with nobody to own them.")
    escalated = models.PositiveIntegerField()
    flagged = models.PositiveIntegerField()

    class Meta:
        ordering = ["-run_at"]

    def __str__(self) -> str:
        return f"mortality run {self.run_at:%Y-%m-%d %H:%M}: {self.raised} raised"

    @property
    def expected_false_alarms_per_year(self) -> float:
        return self.series * self.false_alarm_rate


class MortalityAlert(models.Model):
    """A signal of the O/E CUSUM at a trust, raised as a concern the trust must answer."""

    class Status(models.TextChoices):
        AWAITING_RESPONSE = "awaiting_response", "Awaiting the trust's response"
        OVERDUE = "overdue", "Response overdue"
        AWAITING_REVIEW = "awaiting_review", "Awaiting regional review"
        CLOSED = "closed", "Closed on evidence"

    concern = models.OneToOneField(
        Concern, on_delete=models.PROTECT, related_name="mortality_alert"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="mortality_alerts"
    )
    group = models.CharField("diagnosis group", max_length=200)
    run = models.ForeignKey(MonitoringRun, on_delete=models.PROTECT, related_name="alerts")
    # The chart and its threshold, as designed when the alert was raised.
    rate_ratio = models.FloatField()
    h = models.FloatField()
    false_alarm_rate = models.FloatField(help_text="Per series-year, what h was set for.")
    monitored_series = models.PositiveIntegerField()
    expected_false_alarms_per_year = models.FloatField()
    # The signal and the run of months that led to it.
    first_signal = models.DateField()
    statistic = models.FloatField()
    episode_start = models.DateField()
    observed = models.PositiveIntegerField()
    expected = models.FloatField()
    latest_signal = models.DateField()
    signals = models.PositiveIntegerField(default=1)
    synthetic = models.BooleanField(default=False)
    sentence = models.TextField()
    # The workflow.
    raised_at = models.DateTimeField(auto_now_add=True)
    response_due = models.DateField()
    waiting_since = models.DateTimeField(
        help_text="Since when the trust's response has been awaited: raised, or returned."
    )
    escalated_due = models.DateField(
        null=True, blank=True, help_text="The missed deadline last escalated."
    )
    escalations = models.PositiveIntegerField(default=0)
    seen_flagged_at = models.DateTimeField(
        null=True, blank=True, help_text="When views without a response crossed the threshold."
    )

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "group", "first_signal"], name="one_alert_per_signal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.group}: alert {self.first_signal:%Y-%m}"

    @property
    def is_open(self) -> bool:
        return self.concern.status == Concern.Status.OPEN

    def latest_response(self):
        return self.responses.order_by("-submitted_at", "-pk").first()

    def awaiting_trust(self) -> bool:
        """Open, and no response since the wait began (raised, or the last one returned)."""
        return (
            self.is_open
            and not self.responses.filter(submitted_at__gte=self.waiting_since).exists()
        )

    def overdue(self, today: dt.date) -> bool:
        return self.awaiting_trust() and today > self.response_due

    def days_overdue(self, today: dt.date) -> int:
        return max(0, (today - self.response_due).days) if self.awaiting_trust() else 0

    def status(self, today: dt.date) -> str:
        if not self.is_open:
            return self.Status.CLOSED
        if not self.awaiting_trust():
            return self.Status.AWAITING_REVIEW
        if today > self.response_due:
            return self.Status.OVERDUE
        return self.Status.AWAITING_RESPONSE

    def status_label(self, today: dt.date) -> str:
        return self.Status(self.status(today)).label

    def days_open(self, today: dt.date) -> int:
        """Days from raising to closing, or to ``today`` while open."""
        closed = self.concern.closed_at
        last = timezone.localtime(closed).date() if closed else today
        return (last - timezone.localtime(self.raised_at).date()).days

    def seen_without_response(self) -> bool:
        """Flagged as seen too often, and still no response."""
        return self.seen_flagged_at is not None and self.awaiting_trust()

    def escalated(self) -> bool:
        """Is the current deadline's miss escalated?"""
        return self.escalated_due is not None and self.escalated_due == self.response_due


# Each part of the trust's response, the kind of evidence it is recorded as, and its label.
RESPONSE_PARTS = (
    ("coding_review", ConcernEvidence.Kind.DATA_QUALITY, "Coding review"),
    ("case_note_review", ConcernEvidence.Kind.CASE_NOTE_REVIEW, "Case-note review"),
    ("action_plan", ConcernEvidence.Kind.OTHER, "Action plan"),
)


class AlertResponse(models.Model):
    """The trust's findings. Each part is recorded as evidence on the alert's concern, so that
    regional oversight can close the concern on it."""

    alert = models.ForeignKey(MortalityAlert, on_delete=models.PROTECT, related_name="responses")
    coding_review = models.ForeignKey(ConcernEvidence, on_delete=models.PROTECT, related_name="+")
    case_note_review = models.ForeignKey(
        ConcernEvidence, on_delete=models.PROTECT, related_name="+"
    )
    action_plan = models.ForeignKey(ConcernEvidence, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return f"response to alert {self.alert_id} by {self.submitted_by}"

    def parts(self) -> list[tuple[str, ConcernEvidence]]:
        """(label, evidence) of each part, in the order the form asks for them."""
        return [(label, getattr(self, name)) for name, _, label in RESPONSE_PARTS]


class AlertReview(models.Model):
    """Regional oversight's decision on a response: accept it and close the alert on one piece
    of recorded evidence, or return it to the trust with a new deadline."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", "Accept and close the alert on evidence"
        RETURN = "return", "Return to the trust for more"

    alert = models.ForeignKey(MortalityAlert, on_delete=models.PROTECT, related_name="reviews")
    response = models.ForeignKey(AlertResponse, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = models.TextField()
    closed_on = models.ForeignKey(
        ConcernEvidence, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["reviewed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="return") | Q(closed_on__isnull=False),
                name="accepted_review_names_evidence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision} of response {self.response_id} by {self.reviewed_by}"


class AlertView(models.Model):
    """How many times one person opened an alert's page on one day: a count, nothing else.
    The first opening of the day is also an audit event; reloads only add to ``loads``."""

    alert = models.ForeignKey(MortalityAlert, on_delete=models.PROTECT, related_name="views")
    viewer = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    loads = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "viewer", "day"], name="one_view_a_day")
        ]

    def __str__(self) -> str:
        return f"alert {self.alert_id} viewed by {self.viewer_id} on {self.day}: {self.loads}"
