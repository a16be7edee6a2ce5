"""Appraisals and 360-degree feedback on a leadership competency framework (issue 12, item 3).

The framework (domains, competencies, rating scale) is data, loaded from a reviewed file
(``candour leadership framework``) and versioned by its key: an appraisal keeps the version it
was started with, so the 2026/27 standards replace the 2024 framework without code.

An appraisal is one person's cycle for one year: their self-assessment, their appraiser's
ratings with evidence, objectives, a development plan and a Scope-for-Growth career
conversation. 360 feedback is requested from named raters by relationship; what the person may
see of the answers is :func:`candour.analytics.leadership.release_360`, computed once when the
appraisal closes and stored in :class:`FeedbackRelease`. Who answered what is never shown to
anyone, and not even stored: a response is not linked to its request or rater.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from candour.analytics.leadership.constants import MOBILITY, POOL_KINDS, READINESS

__all__ = [
    "Appraisal",
    "CareerConversation",
    "Competency",
    "CompetencyRating",
    "DevelopmentAction",
    "FeedbackAnswer",
    "FeedbackRelease",
    "FeedbackRequest",
    "FeedbackResponse",
    "Framework",
    "FrameworkDomain",
    "Objective",
    "RatingLevel",
]


def _labelled(values, labels=None):
    labels = labels or {}
    return [(v, labels.get(v, v.replace("_", " ").capitalize())) for v in values]


# ------------------------------------------------------------------------------- framework


class Framework(models.Model):
    """One version of a competency framework, as loaded from its reviewed file."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    publisher = models.CharField(max_length=120)
    source_url = models.URLField(max_length=300)
    in_force_from = models.DateField(help_text="New appraisals from this day use this version.")
    authored_by = models.CharField(max_length=120)
    checked_by = models.CharField(max_length=120, blank=True, default="")
    next_review = models.DateField()
    loaded_on = models.DateField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-in_force_from", "key"]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class FrameworkDomain(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="domains")
    key = models.CharField(max_length=40)
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    summary = models.TextField()

    class Meta:
        ordering = ["framework_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="unique_framework_domain")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Competency(models.Model):
    domain = models.ForeignKey(
        FrameworkDomain, on_delete=models.CASCADE, related_name="competencies"
    )
    key = models.CharField(max_length=40)
    statement = models.TextField()
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["domain__number", "order"]
        verbose_name_plural = "competencies"
        constraints = [models.UniqueConstraint(fields=["domain", "key"], name="unique_competency")]

    def __str__(self) -> str:
        return f"{self.key} {self.statement}"


class RatingLevel(models.Model):
    """One step of the framework's rating scale; ``score`` null: not a rating ("no chance to
    demonstrate"), which counts towards no mean and no 360 group."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    key = models.CharField(max_length=40)
    label = models.CharField(max_length=80)
    score = models.SmallIntegerField(null=True, blank=True)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="unique_rating_level")
        ]

    def __str__(self) -> str:
        return self.label


# ------------------------------------------------------------------------------- appraisals


class Appraisal(models.Model):
    """One person's appraisal cycle for one year."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed and signed off"

    person = models.ForeignKey(
        "leadership.Person", on_delete=models.PROTECT, related_name="appraisals"
    )
    organisation = models.ForeignKey(
        "oversight.Organisation", on_delete=models.PROTECT, related_name="appraisals"
    )
    year = models.PositiveSmallIntegerField(help_text="The year the appraisal cycle starts.")
    appraiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appraisals_given"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="appraisals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField()
    self_assessed_on = models.DateField(null=True, blank=True)
    rated_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True, default="", help_text="The appraiser's summary.")
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-year", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="one_appraisal_a_year"),
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_on__isnull=False),
                name="closed_appraisal_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name}'s appraisal for {self.year}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class CompetencyRating(models.Model):
    """A rating of one competency, by the person themselves or by their appraiser."""

    class Source(models.TextChoices):
        SELF = "self", "Self-assessment"
        APPRAISER = "appraiser", "Appraiser"

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    level = models.ForeignKey(RatingLevel, on_delete=models.PROTECT, related_name="+")
    evidence = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["competency__domain__number", "competency__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "competency", "source"], name="unique_competency_rating"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.competency.key}: {self.level}"


class Objective(models.Model):
    class Status(models.TextChoices):
        AGREED = "agreed", "Agreed"
        MET = "met", "Met"
        PARTLY_MET = "partly_met", "Partly met"
        NOT_MET = "not_met", "Not met"

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="objectives")
    objective = models.TextField()
    success_measure = models.TextField(help_text="How both sides will know it is met.")
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.AGREED)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.objective[:60]


class DevelopmentAction(models.Model):
    """One step of the development plan."""

    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="development_actions"
    )
    action = models.TextField()
    support = models.TextField(blank=True, default="", help_text="Coaching, a course, a stretch.")
    due_on = models.DateField()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.action[:60]


IMPACT_LABELS = {
    "building": "Building impact in the role",
    "performing": "Performing well in the role",
    "outstanding": "Outstanding impact in the role",
}
GROWTH_LABELS = {
    "depth": "Depth: grow further in the current role",
    "breadth": "Breadth: a similar role elsewhere, or wider experience",
    "stretch": "Stretch: a bigger role",
}
READINESS_LABELS = {
    "ready_now": "Ready now (within 12 months)",
    "one_to_two_years": "Ready in 1 to 2 years",
    "three_plus_years": "Ready in 3 years or more",
}


class CareerConversation(models.Model):
    """A Scope-for-Growth career conversation: impact now, the growth the person wants (depth,
    breadth or stretch), readiness and an aspirational plan. Its outcome is recorded to inform
    succession: nominated, it puts the person in their region's talent pool."""

    appraisal = models.OneToOneField(
        Appraisal, on_delete=models.CASCADE, related_name="career_conversation"
    )
    held_on = models.DateField()
    impact = models.CharField(max_length=12, choices=_labelled(IMPACT_LABELS, IMPACT_LABELS))
    growth = models.CharField(max_length=10, choices=_labelled(GROWTH_LABELS, GROWTH_LABELS))
    aspiration = models.TextField(help_text="What they want to do next, in their words.")
    plan = models.TextField(help_text="The aspirational development plan agreed.")
    readiness = models.CharField(
        max_length=20, choices=_labelled(READINESS, READINESS_LABELS), blank=True, default=""
    )
    pool = models.CharField(max_length=20, choices=_labelled(POOL_KINDS), blank=True, default="")
    mobility = models.CharField(max_length=20, choices=_labelled(MOBILITY), blank=True, default="")
    target_roles = models.JSONField(default=list, blank=True)
    nominated = models.BooleanField(default=False)
    membership = models.ForeignKey(
        "leadership.PoolMembership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="career_conversations",
    )

    def __str__(self) -> str:
        return f"Career conversation on {self.held_on}"


# ------------------------------------------------------------------------------ 360 feedback

RELATIONSHIP_LABELS = {
    "line_manager": "Line manager or appraiser",
    "board_colleague": "Board colleague",
    "peer": "Peer in another organisation",
    "direct_report": "Someone who reports to them",
    "partner": "Partner organisation or stakeholder",
}
RELATIONSHIPS = tuple(RELATIONSHIP_LABELS)


class FeedbackRequest(models.Model):
    """A named rater asked for 360 feedback. ``answered_on`` is shown to the rater only; what
    they answered is a :class:`FeedbackResponse` that does not point back here."""

    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="feedback_requests"
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_requests"
    )
    relationship = models.CharField(
        max_length=20, choices=_labelled(RELATIONSHIPS, RELATIONSHIP_LABELS)
    )
    requested_on = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["relationship", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "rater"], name="one_request_per_rater")
        ]

    def __str__(self) -> str:
        return f"360 request {self.pk} for appraisal {self.appraisal_id}"


class FeedbackResponse(models.Model):
    """One rater's answers, kept apart from who gave them: nothing links a response to its
    request or rater (random ids, no time), so not even the database says who answered what;
    the request records only that its rater has answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="feedback_responses"
    )
    relationship = models.CharField(
        max_length=20, choices=_labelled(RELATIONSHIPS, RELATIONSHIP_LABELS)
    )

    def __str__(self) -> str:
        return f"360 response to appraisal {self.appraisal_id}"


class FeedbackAnswer(models.Model):
    """A rating of one competency within a response. Never shown as such: only through the
    release."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="answers")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(RatingLevel, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "competency"], name="one_answer_each")
        ]

    def __str__(self) -> str:
        return f"answer in {self.response_id}"


class FeedbackRelease(models.Model):
    """What the person appraised may see of their 360, fixed when the appraisal closed:
    ``results`` is :func:`candour.analytics.leadership.release_360`'s output as rows."""

    appraisal = models.OneToOneField(
        Appraisal, on_delete=models.CASCADE, related_name="feedback_release"
    )
    released_on = models.DateField()
    min_raters = models.PositiveSmallIntegerField()
    results = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"360 release of appraisal {self.appraisal_id}"
