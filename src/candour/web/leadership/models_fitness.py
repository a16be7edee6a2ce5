"""Fit and proper person records, board references and conduct concerns (issue 12, items 4, 5).

Following NHS England's Fit and Proper Person Test (FPPT) framework (2023): per board member,
organisation and year, the checks (type, date, result and where the evidence is held: the
evidence itself stays local), the leadership-competency self-assessment, the director's
attestation, the chair's sign-off and the return to the region; a standard board reference when
a director leaves. All of it, and the conduct concerns about the director, are kept until the
director's 75th birthday (:mod:`candour.analytics.leadership.retention`), then deleted by
``candour leadership expire``, each deletion audited without its content.

Only the chair and the administrators the organisation names (:class:`BoardOfficer`) read FPPT
records; conduct concerns only those investigating them and the chair
(:mod:`candour.web.leadership.policy`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

__all__ = [
    "BoardOfficer",
    "BoardReference",
    "ConductConcern",
    "FitAndProperCheck",
    "FitAndProperRecord",
]


class BoardOfficer(models.Model):
    """Someone an organisation names for its fit-and-proper work: its chair (who signs off), or
    an administrator (for example the company secretary) who keeps the records."""

    class Kind(models.TextChoices):
        CHAIR = "chair", "Chair"
        FPPT_ADMINISTRATOR = "fppt_administrator", "Fit-and-proper administrator"

    organisation = models.ForeignKey(
        "oversight.Organisation", on_delete=models.CASCADE, related_name="board_officers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_offices"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    named_on = models.DateField()

    class Meta:
        ordering = ["organisation_id", "kind", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "kind"], name="unique_board_officer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_kind_display().lower()} of {self.organisation_id}"


class FitAndProperRecord(models.Model):
    """One board member's fit-and-proper assessment at one organisation for one year."""

    class Outcome(models.TextChoices):
        NOT_DECIDED = "", "Not decided"
        FIT = "fit", "Fit and proper"
        FIT_WITH_ACTIONS = "fit_with_actions", "Fit and proper, with actions"
        NOT_FIT = "not_fit", "Not fit and proper"

    organisation = models.ForeignKey(
        "oversight.Organisation", on_delete=models.PROTECT, related_name="fppt_records"
    )
    person = models.ForeignKey(
        "leadership.Person", on_delete=models.PROTECT, related_name="fppt_records"
    )
    year = models.PositiveSmallIntegerField()
    post = models.ForeignKey(
        "leadership.BoardPost",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fppt_records",
    )
    self_assessed_on = models.DateField(
        null=True, blank=True, help_text="Leadership competency self-assessment completed."
    )
    attested_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(
        max_length=20, choices=Outcome.choices, blank=True, default=Outcome.NOT_DECIDED
    )
    actions = models.TextField(blank=True, default="")
    signed_off_on = models.DateField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_on = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_on = models.DateField()
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["organisation_id", "-year", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person", "year"], name="one_fppt_record_a_year"
            ),
            models.CheckConstraint(
                condition=Q(signed_off_on__isnull=True) | ~Q(outcome=""),
                name="fppt_signed_off_with_an_outcome",
            ),
            models.CheckConstraint(
                condition=Q(submitted_on__isnull=True) | Q(signed_off_on__isnull=False),
                name="fppt_submitted_after_sign_off",
            ),
        ]

    def __str__(self) -> str:
        return f"FPPT {self.year}: {self.person} at {self.organisation_id}"


# The checks of the FPPT framework (2023), as its annual and appointment checklists name them.
FPPT_CHECK_LABELS = {
    "employment_history": "Employment history and references",
    "dbs": "Disclosure and Barring Service check",
    "professional_registration": "Professional registration",
    "qualifications": "Qualifications",
    "insolvency": "Insolvency and bankruptcy register",
    "disqualified_directors": "Disqualified directors register",
    "charity_trustees": "Charity Commission register of removed trustees",
    "employment_tribunals": "Employment tribunal judgments",
    "social_media": "Social media review",
    "right_to_work": "Right to work",
}


class FitAndProperCheck(models.Model):
    """One check: what, when, the result and where the evidence is held (never the evidence)."""

    class Result(models.TextChoices):
        SATISFACTORY = "satisfactory", "Satisfactory"
        CONCERN = "concern", "A concern, for the chair"
        NOT_APPLICABLE = "not_applicable", "Not applicable to this role"

    record = models.ForeignKey(FitAndProperRecord, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=30, choices=list(FPPT_CHECK_LABELS.items()))
    checked_on = models.DateField()
    result = models.CharField(max_length=16, choices=Result.choices)
    evidence_held_at = models.CharField(
        max_length=200, help_text="For example: ESR, or the HR file reference. Not the evidence."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["checked_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.checked_on}"


class BoardReference(models.Model):
    """The standard board reference written when a director leaves (FPPT framework)."""

    person = models.ForeignKey(
        "leadership.Person", on_delete=models.PROTECT, related_name="board_references"
    )
    organisation = models.ForeignKey(
        "oversight.Organisation", on_delete=models.PROTECT, related_name="board_references"
    )
    role_held = models.CharField(max_length=120)
    held_from = models.DateField()
    held_to = models.DateField()
    requested_by = models.CharField(
        max_length=200, help_text="The organisation asking, inside the NHS or not."
    )
    investigations = models.BooleanField(
        help_text="Any investigation into their conduct or performance, open or concluded."
    )
    misconduct_found = models.BooleanField(
        help_text="Any finding of misconduct, or mismanagement, in the role."
    )
    details = models.TextField(blank=True, default="")
    written_on = models.DateField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-written_on", "-id"]

    def __str__(self) -> str:
        return f"Board reference for {self.person} from {self.organisation_id}"


class ConductConcern(models.Model):
    """A concern about a leader's conduct (Kerr: "bad behaviours"), its investigation and outcome,
    linked to the fit-and-proper decision it informs. A guardian's referral from speak up
    carries the category and the guardian's own summary: never who spoke up or what they
    wrote."""

    class Category(models.TextChoices):
        BULLYING = "bullying", "Bullying or harassment"
        DISCRIMINATION = "discrimination", "Discrimination"
        OTHER = "other", "Other inappropriate behaviour"

    class Source(models.TextChoices):
        DIRECT = "direct", "Raised with the chair"
        SPEAK_UP = "speak_up", "Referred by a Freedom to Speak Up guardian"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        INVESTIGATING = "investigating", "Being investigated"
        CONCLUDED = "concluded", "Concluded"

    class Outcome(models.TextChoices):
        NONE = "", "Not concluded"
        UPHELD = "upheld", "Upheld"
        PARTLY_UPHELD = "partly_upheld", "Partly upheld"
        NOT_UPHELD = "not_upheld", "Not upheld"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class FitnessImpact(models.TextChoices):
        NOT_DECIDED = "", "Not decided"
        NONE = "none", "No effect on fitness"
        ACTIONS = "actions", "Actions recorded in the fit-and-proper assessment"
        NOT_FIT = "not_fit", "Not fit and proper"

    organisation = models.ForeignKey(
        "oversight.Organisation", on_delete=models.PROTECT, related_name="conduct_concerns"
    )
    subject = models.ForeignKey(
        "leadership.Person", on_delete=models.PROTECT, related_name="conduct_concerns"
    )
    category = models.CharField(max_length=16, choices=Category.choices)
    summary = models.TextField()
    source = models.CharField(max_length=10, choices=Source.choices)
    received_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reporter_consent_on = models.DateField(
        null=True,
        blank=True,
        help_text="Speak-up referrals: the day the guardian recorded consent.",
    )
    investigators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="conduct_investigations"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    findings = models.TextField(blank=True, default="")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True, default="")
    concluded_on = models.DateField(null=True, blank=True)
    fitness_impact = models.CharField(
        max_length=10, choices=FitnessImpact.choices, blank=True, default=""
    )
    fitness_record = models.ForeignKey(
        FitAndProperRecord,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conduct_concerns",
    )
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="speak_up") | Q(reporter_consent_on__isnull=False),
                name="speak_up_referral_has_consent",
            ),
            models.CheckConstraint(
                condition=~Q(status="concluded") | (~Q(outcome="") & Q(concluded_on__isnull=False)),
                name="concluded_concern_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Conduct concern {self.reference}"

    @property
    def reference(self) -> str:
        return f"CC-{self.pk}"
