"""The data-request registry: requesting bodies and their staff, requests and their items, and
the returns served from held data (docs/reference/requests.md)."""

from __future__ import annotations

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from candour.analytics.datarequests.model import (
    FREQUENCIES,
    ITEM_PERIODS,
    ITEM_UNITS,
    PARTIAL_DATE,
    held_key,
)
from candour.importers.datarequests import (
    MANDATES,
    NAME_MAX_LENGTH,
    REQUESTER_KINDS,
    SHORT_TEXT_MAX_LENGTH,
    STANDARD_MAX_LENGTH,
)
from candour.importers.datasets import CQC_KEY_QUESTIONS
from candour.web.oversight.models import Measure, Organisation


def _choices(values, labels: dict[str, str] | None = None):
    labels = labels or {}
    return [(v, labels.get(v, v.replace("_", " ").capitalize())) for v in values]


KIND_LABELS = {"icb": "Integrated care board", "national_body": "National body"}
MANDATE_LABELS = {
    "national_collection": "Approved national collection",
    "contract": "NHS Standard Contract",
}
FREQUENCY_LABELS = {"one_off": "Once"}
UNIT_LABELS = {"proportion": "Percentage (a proportion)", "pounds": "Pounds (£)"}
PERIOD_LABELS = {
    "financial_year": "Financial year",
    "point_in_time": "At a point in time",
}
KEY_QUESTION_LABELS = {"well_led": "Well-led"}


class Requester(models.Model):
    """A body that asks organisations for data: NHS England, the CQC, an integrated care board,
    the National Guardian's Office, a royal college."""

    id = models.SlugField(primary_key=True, max_length=60)
    name = models.CharField(max_length=NAME_MAX_LENGTH, unique=True)
    kind = models.CharField(max_length=20, choices=_choices(REQUESTER_KINDS, KIND_LABELS))
    website = models.URLField(blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RequesterStaff(models.Model):
    """A person who registers requests on behalf of a requesting body (with the data-requester
    or regional-oversight role)."""

    requester = models.ForeignKey(Requester, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        "core.User", on_delete=models.CASCADE, related_name="requester_memberships"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["requester", "user"], name="unique_requester_staff")
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.requester}"


class DataRequest(models.Model):
    """One body's ask of a set of organisations, with its mandate, frequency and items."""

    requester = models.ForeignKey(Requester, on_delete=models.PROTECT, related_name="requests")
    title = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(blank=True, default="")
    mandate = models.CharField(max_length=30, choices=_choices(MANDATES, MANDATE_LABELS))
    # Empty: no standard number recorded (never invented).
    standard_number = models.CharField(max_length=STANDARD_MAX_LENGTH, blank=True, default="")
    mandate_note = models.TextField(blank=True, default="")
    frequency = models.CharField(max_length=20, choices=_choices(FREQUENCIES, FREQUENCY_LABELS))
    due = models.CharField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, default="")
    # When it began asking, as precisely as known: YYYY, YYYY-MM or YYYY-MM-DD; empty: not recorded.
    asked_since = models.CharField(
        max_length=10,
        blank=True,
        default="",
        validators=[RegexValidator(PARTIAL_DATE, "Enter a year, a year and month, or a date")],
    )
    periods_from = models.DateField(null=True, blank=True)
    periods_to = models.DateField(null=True, blank=True)
    organisations = models.ManyToManyField(Organisation, related_name="data_requests")
    hours_per_return = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    estimate_source = models.CharField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True, default="")
    source = models.TextField(blank=True, default="")  # where this entry's facts come from
    source_note = models.TextField(blank=True, default="")
    # The key of a request loaded from a registry file (re-loading updates it); null otherwise.
    seed_key = models.SlugField(max_length=60, null=True, blank=True, unique=True)
    synthetic = models.BooleanField(default=False)
    registered_by = models.CharField(max_length=150)
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["requester__name", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(periods_from__isnull=True)
                | models.Q(periods_to__isnull=True)
                | models.Q(periods_to__gte=models.F("periods_from")),
                name="request_periods_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_per_return__isnull=True) | ~models.Q(estimate_source=""),
                name="request_estimate_has_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.requester})"


class RequestItem(models.Model):
    """One figure a request asks for: mapped to a Candour measure or a CQC rating where one fits
    (the same numerator, denominator and period type), or described as a new item."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    definition = models.TextField(blank=True, default="")
    unit = models.CharField(max_length=20, choices=_choices(ITEM_UNITS, UNIT_LABELS))
    period_type = models.CharField(
        "period", max_length=20, choices=_choices(ITEM_PERIODS, PERIOD_LABELS)
    )
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="request_items"
    )
    cqc_key_question = models.CharField(
        "CQC rating",
        max_length=20,
        blank=True,
        default="",
        choices=_choices(CQC_KEY_QUESTIONS, KEY_QUESTION_LABELS),
    )

    class Meta:
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="unique_item_position"),
            models.CheckConstraint(
                condition=models.Q(measure__isnull=True) | models.Q(cqc_key_question=""),
                name="item_maps_to_one_held_thing",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def held(self) -> str | None:
        """The held data it maps to ("measure:<id>", "cqc_rating:<key question>"), or None."""
        if self.measure_id:
            return held_key("measure", self.measure_id)
        if self.cqc_key_question:
            return held_key("cqc_rating", self.cqc_key_question)
        return None


class ServedReturn(models.Model):
    """One organisation's return to one request, for its latest period, served from held data
    (downloaded as CSV or Excel, or read through the API). Each serving is an audit event; this
    row keeps the first and last time and how often, for the hours avoided."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="served")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    period = models.DateField()  # the latest period the return held
    held_items = models.PositiveSmallIntegerField()
    items = models.PositiveSmallIntegerField()
    first_served_at = models.DateTimeField()
    last_served_at = models.DateTimeField()
    times_served = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "organisation", "period"], name="unique_served_return"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.request_id} {self.organisation_id} {self.period}: served {self.times_served}x"
        )
