from __future__ import annotations

import math

from django.db import models

from candour.importers.catalogue import DOMAINS, IMPROVEMENT_DIRECTIONS, UNITS
from candour.importers.datasets import CQC_KEY_QUESTIONS, CQC_RATINGS, PERIOD_TYPES

PROPORTION_UNIT = "proportion"  # a fraction between 0 and 1, shown as a percentage


def _choices(values):
    return [(v, v.replace("_", " ").capitalize()) for v in values]


class Organisation(models.Model):
    """An NHS organisation, identified by its ODS code everywhere in Candour."""

    ods_code = models.CharField("ODS code", max_length=6, primary_key=True)
    name = models.CharField(max_length=200)
    org_type = models.CharField("type", max_length=40, blank=True, default="")
    region_code = models.CharField(max_length=3, blank=True, default="")
    region_name = models.CharField("region", max_length=60, blank=True, default="")
    icb_code = models.CharField("ICB code", max_length=3, blank=True, default="")
    icb_name = models.CharField("ICB", max_length=120, blank=True, default="")
    postcode = models.CharField(max_length=10, blank=True, default="")
    open_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors"
    )
    merged_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["region_code"]), models.Index(fields=["org_type"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"

    @property
    def is_open(self) -> bool:
        return self.close_date is None and self.successor_id is None


class Rating(models.Model):
    """A CQC rating: overall or one of the five key questions, for the trust or one service."""

    RATING_ORDER = {
        r: i for i, r in enumerate(reversed(CQC_RATINGS))
    }  # Inadequate=0 .. Outstanding=3

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="ratings")
    service = models.CharField(max_length=200, default="Overall")
    key_question = models.CharField(max_length=20, choices=_choices(CQC_KEY_QUESTIONS))
    rating = models.CharField(max_length=30, choices=[(r, r) for r in CQC_RATINGS])
    published = models.DateField()
    dataset = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service", "key_question", "published"],
                name="unique_rating",
            )
        ]
        indexes = [models.Index(fields=["key_question", "rating"])]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.service} {self.key_question}: {self.rating} ({self.published})"


class Measure(models.Model):
    """A measure, defined in the reviewed data file ``data/measures.toml``."""

    id = models.SlugField(primary_key=True, max_length=60)
    name = models.CharField(max_length=200)
    description = models.TextField()
    unit = models.CharField(max_length=20, choices=_choices(UNITS))
    improvement = models.CharField(max_length=10, choices=_choices(IMPROVEMENT_DIRECTIONS))
    domain = models.CharField(max_length=20, choices=_choices(DOMAINS))
    source = models.CharField(max_length=40)
    numerator = models.CharField(max_length=200, blank=True, default="")
    denominator = models.CharField(max_length=200, blank=True, default="")
    authored_by = models.CharField(max_length=100)
    checked_by = models.CharField(max_length=100, blank=True, default="")
    next_review = models.DateField()
    relevant_change = models.FloatField(null=True, blank=True)
    frequency = models.CharField(max_length=20, default="month")
    publication_lag_days = models.PositiveIntegerField(default=45)
    peer_groups = models.JSONField(
        default=list, blank=True, help_text="Organisation types it applies to; empty for all."
    )
    comparison = models.CharField(max_length=20, blank=True, null=True)  # noqa: DJ001 - None: from the unit
    freshness_days = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["domain", "name"]

    def __str__(self) -> str:
        return self.name


class Observation(models.Model):
    """One value of one measure for one organisation and period, as published."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="observations"
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="observations")
    period_start = models.DateField()
    period_type = models.CharField(max_length=20, choices=_choices(PERIOD_TYPES))
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    value = models.FloatField()
    dataset = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "measure", "period_type", "period_start"],
                name="unique_observation",
            )
        ]
        indexes = [
            models.Index(fields=["measure", "period_start"]),
            models.Index(fields=["dataset", "measure", "period_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.measure_id} {self.period_start}: {self.value}"


class ImportRun(models.Model):
    """One successful import of a dataset file."""

    dataset = models.CharField(max_length=40)
    source_file = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    replaced = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.dataset} imported {self.imported_at:%Y-%m-%d %H:%M} by {self.imported_by}"


class Target(models.Model):
    """A performance requirement, balanced as the Francis report asks (recommendation 1 and
    chapter 1): it cannot be published unless it names a patient-safety balancing measure, the
    resources and support provided to meet it, and a consequence policy that restricts adverse
    career consequences to misconduct or serious incompetence. The rule is
    :meth:`publication_problems`, enforced on every save and every change of balancing measures."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Comparison(models.TextChoices):
        AT_LEAST = "at_least", "at least"
        AT_MOST = "at_most", "at most"

    class ConsequencePolicy(models.TextChoices):
        NOT_DECLARED = "", "Not declared"
        MISCONDUCT_ONLY = (
            "misconduct_or_serious_incompetence",
            "Adverse career consequences only for misconduct or serious incompetence",
        )
        NONE = "none", "No adverse career consequences"
        OTHER = "other", "Other consequences (cannot be published)"

    ACCEPTABLE_POLICIES = frozenset({ConsequencePolicy.MISCONDUCT_ONLY, ConsequencePolicy.NONE})
    BALANCING_DOMAIN = "safe"  # patient safety and wellbeing remain the priority

    id = models.SlugField(primary_key=True, max_length=60)
    name = models.CharField(max_length=200)
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="targets")
    comparison = models.CharField(max_length=10, choices=Comparison.choices)
    threshold = models.FloatField(help_text="In the measure's unit (a proportion: 0.95 for 95%).")
    set_by = models.CharField("set by", max_length=120)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    organisation_types = models.JSONField(
        default=list, blank=True, help_text="Types of organisation it applies to; empty for all."
    )
    organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="targets",
        help_text="Only these; empty for all of the types.",
    )
    balancing_measures = models.ManyToManyField(Measure, blank=True, related_name="balancing_for")
    resources_and_support = models.TextField(blank=True, default="")
    consequence_policy = models.CharField(
        max_length=40,
        choices=ConsequencePolicy.choices,
        blank=True,
        default=ConsequencePolicy.NOT_DECLARED,
    )
    consequence_notes = models.TextField(blank=True, default="")
    rationale = models.TextField(blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.clean()  # every path (form, API, file, shell) meets the publication rule
        super().save(*args, **kwargs)

    def publication_problems(self, balancing_measures=None) -> list[str]:
        """What stops this target being published; empty when it may be."""
        return list(self.publication_problems_by_field(balancing_measures).values())

    def publication_problems_by_field(self, balancing_measures=None) -> dict[str, str]:
        """What stops this target being published, by the field that must change. The one place
        the three Francis qualifications are checked."""
        problems = {}
        if balancing_measures is None:
            balancing_measures = list(self.balancing_measures.all()) if self.pk else []
        safe = [
            m
            for m in balancing_measures
            if m.domain == self.BALANCING_DOMAIN and m.pk != self.measure_id
        ]
        if not safe:
            problems["balancing_measures"] = (
                "a balancing measure from the patient-safety domain is missing: "
                "patient safety and wellbeing must remain the priority"
            )
        if not self.resources_and_support.strip():
            problems["resources_and_support"] = (
                "the resources and support provided to meet the target are not declared"
            )
        if self.consequence_policy not in self.ACCEPTABLE_POLICIES:
            problems["consequence_policy"] = (
                "the consequence policy does not restrict adverse career consequences to "
                "misconduct or serious incompetence"
            )
        return problems

    def threshold_problem(self) -> str | None:
        """Why the threshold cannot be right for its measure's unit, or None. A proportion is
        stored as a fraction (0.95 for 95%), so 95 would read as 9500%."""
        if self.threshold is None or self.measure_id is None:
            return None
        if not math.isfinite(self.threshold):
            return f"The threshold must be a finite number, not {self.threshold!r}."
        if self.threshold < 0:
            return f"The threshold cannot be negative ({self.threshold!r})."
        if self.measure.unit == PROPORTION_UNIT and self.threshold > 1:
            return (
                f"The threshold of a proportion is between 0 and 1 (0.95 for 95%), "
                f"not {self.threshold!r}."
            )
        return None

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "The end date is before the start date."})
        threshold_problem = self.threshold_problem()
        if threshold_problem:
            raise ValidationError({"threshold": threshold_problem})
        if self.status == self.Status.PUBLISHED:
            problems = self.publication_problems()
            if problems:
                raise ValidationError(
                    f"Target {self.pk} cannot be published: " + "; ".join(problems) + "."
                )

    def met_by(self, value: float) -> bool:
        if self.comparison == self.Comparison.AT_LEAST:
            return value >= self.threshold
        return value <= self.threshold


class Concern(models.Model):
    """A concern about an organisation, raised from a flag or by a person. It has an owner and
    stays open until someone records evidence that resolves it (P9, "sticky concerns"): later
    favourable data never closes it. Mid Staffordshire's mortality alerts were seen 847 times and
    discounted."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Origin(models.TextChoices):
        FLAG = "flag", "Raised from a Candour flag"
        PERSON = "person", "Raised by a person"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="concerns"
    )
    title = models.CharField(max_length=200)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns"
    )
    rule = models.CharField(max_length=120, blank=True, default="")
    explanation = models.TextField()
    severity = models.CharField(max_length=20, blank=True, default="")
    owner = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="owned_concerns")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.CharField(max_length=150)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True, default="")
    closing_evidence = models.ForeignKey(
        "ConcernEvidence", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["status", "-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(closing_evidence__isnull=False),
                name="closed_concern_has_evidence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.title} ({self.status})"


class ConcernEvidence(models.Model):
    """Evidence recorded against a concern (a case-note review, an inspection, a completed
    action plan...). Only evidence closes a concern."""

    class Kind(models.TextChoices):
        CASE_NOTE_REVIEW = "case_note_review", "Case-note review"
        INSPECTION = "inspection", "Inspection"
        ACTION_PLAN = "action_plan_completed", "Action plan completed"
        INVESTIGATION = "investigation", "Investigation report"
        DATA_QUALITY = "data_quality_review", "Data-quality review"
        OTHER = "other", "Other evidence"

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    summary = models.TextField()
    reference = models.CharField(max_length=200, blank=True, default="")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for concern {self.concern_id}"


class DataVersion(models.Model):
    """A single row counting changes to what the concern-first assessment reads (observations,
    measures, organisations, published targets, published speak-up counts): every action that
    changes one bumps it, and one assessment is stored per version (candour.web.oversight.
    assessment)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    number = models.PositiveBigIntegerField(default=0)
    reason = models.CharField(max_length=80, blank=True, default="")
    # The version of the last change to what the charts draw (observations, measures,
    # organisations, targets): the charts are stored under it, so a change that moves only the
    # assessment's reported events (the daily speak-up counts, a mortality alert's response)
    # keeps every stored chart current.
    charts_from = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"data version {self.number}"


class AssessmentSnapshot(models.Model):
    """The assessment of one data version, as Parquet frames in a zip archive: computed when the
    data change, never on a request."""

    version = models.PositiveBigIntegerField(unique=True)
    as_of = models.DateField()
    computed_at = models.DateTimeField(auto_now=True)
    payload = models.BinaryField()

    def __str__(self) -> str:
        return f"assessment of data version {self.version} as of {self.as_of}"


class StoredChart(models.Model):
    """A chart (or the Making Data Count icons of a set of series) rendered once for one data
    version, served as stored by every worker (candour.web.oversight.chart_store). An empty
    ``body`` records that there was nothing to draw, so that is not worked out again either."""

    version = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=120)
    body = models.BinaryField()
    rendered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "kind", "key"], name="one_chart_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} of data version {self.version}"
