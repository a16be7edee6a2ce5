"""New-deal starting packages (Kerr review; issue 12, item 6).

An agreement between NHS England's region, the integrated care board, the trust's chair and its
incoming chief executive, holding commitments on both sides:

* the trust's success measures, each a Candour measure with a baseline, a trajectory and review
  dates, whose progress shows as an SPC chart against the trajectory;
* the centre's support: capital in pounds, improvement support, posts, coaching, a protected
  period.

Every commitment has an owner, a due date and a status; one past its due date and not done is
overdue, whichever side made it (:func:`candour.analytics.leadership.newdeal.is_overdue`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from candour.analytics.leadership.newdeal import PARTIES, STATUSES, is_overdue

__all__ = ["Commitment", "NewDealPackage", "TrajectoryPoint"]


class NewDealPackage(models.Model):
    organisation = models.ForeignKey(
        "oversight.Organisation", on_delete=models.PROTECT, related_name="new_deals"
    )
    chief_executive = models.ForeignKey(
        "leadership.Person", on_delete=models.PROTECT, related_name="new_deals"
    )
    chair = models.ForeignKey(
        "leadership.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="new_deals_as_chair",
    )
    starts_on = models.DateField(help_text="The chief executive's first day.")
    agreed_on = models.DateField()
    protected_until = models.DateField(
        null=True,
        blank=True,
        help_text="The end of the protected period ('the right balance of space').",
    )
    summary = models.TextField(blank=True, default="", help_text="What success looks like.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-agreed_on", "-id"]

    def __str__(self) -> str:
        return f"New deal at {self.organisation_id} from {self.starts_on}"


PARTY_LABELS = {
    "region": "NHS England region",
    "icb": "Integrated care board",
    "chair": "Chair",
    "chief_executive": "Chief executive",
}
KIND_LABELS = {
    "success_measure": "Success measure",
    "capital": "Capital",
    "improvement_support": "Improvement support",
    "posts": "Posts",
    "coaching": "Coaching",
    "protected_period": "Protected period",
    "other": "Other",
}
# The centre's support items and the trust's success measures.
CENTRE_KINDS = ("capital", "improvement_support", "posts", "coaching", "protected_period", "other")
STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "at_risk": "At risk",
    "done": "Done",
}


class Commitment(models.Model):
    """One commitment in a package, by one party (``side`` follows from it)."""

    package = models.ForeignKey(
        NewDealPackage, on_delete=models.CASCADE, related_name="commitments"
    )
    party = models.CharField(max_length=20, choices=list(PARTY_LABELS.items()))
    kind = models.CharField(max_length=20, choices=list(KIND_LABELS.items()))
    description = models.TextField()
    owner = models.CharField(max_length=120, help_text="The named person who answers for it.")
    due_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=[(s, STATUS_LABELS[s]) for s in STATUSES], default="not_started"
    )
    status_on = models.DateField()
    capital_pounds = models.PositiveBigIntegerField(null=True, blank=True)
    # Success measures: the Candour measure, its baseline, and review dates.
    measure = models.ForeignKey(
        "oversight.Measure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_on = models.DateField(null=True, blank=True)
    review_dates = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["package_id", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="capital") | Q(capital_pounds__isnull=False),
                name="capital_commitment_has_pounds",
            ),
            models.CheckConstraint(
                condition=~Q(kind="success_measure")
                | (
                    Q(measure__isnull=False)
                    & Q(baseline_value__isnull=False)
                    & Q(baseline_on__isnull=False)
                ),
                name="success_measure_has_measure_and_baseline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_party_display()}), due {self.due_on}"

    @property
    def side(self) -> str:
        return PARTIES[self.party]

    @property
    def is_centre(self) -> bool:
        return self.side == "centre"

    def overdue_on(self, day) -> bool:
        return is_overdue(self.due_on, self.status, day)


class TrajectoryPoint(models.Model):
    """A point the success measure is expected to reach by a date."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="trajectory")
    on = models.DateField()
    value = models.FloatField()

    class Meta:
        ordering = ["commitment_id", "on"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "on"], name="one_trajectory_point_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.value} by {self.on}"
