"""Leadership data (issue 12): the board posts ledger and regional talent boards here; appraisals
and 360-degree feedback (:mod:`.models_appraisal`), fit-and-proper records and conduct concerns
(:mod:`.models_fitness`) and new-deal packages (:mod:`.models_newdeal`) in their own modules,
imported at the end of this one so Django registers them.

The ledger stores posts, holdings and vacancy episodes only; every metric (vacancy, interim
cover, tenure, recent appointments) is computed from them by
:mod:`candour.analytics.leadership` whenever it is shown, never stored twice.

``synthetic`` marks rows generated for the demo (``candour leadership synthetic-ledger``,
``candour leadership demo-talent``): every page showing one says so.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from candour.analytics.leadership.constants import (
    BASES,
    MOBILITY,
    POOL_KINDS,
    READINESS,
    ROLE_LABELS,
    ROLES,
)
from candour.importers.board_ledger import ROUTES


def _labelled(values, labels=None):
    labels = labels or {}
    return [(v, labels.get(v, v.replace("_", " ").capitalize())) for v in values]


ROLE_CHOICES = _labelled(ROLES, ROLE_LABELS)
READINESS_LABELS = {
    "ready_now": "Ready now (within 12 months)",
    "one_to_two_years": "Ready in 1 to 2 years",
    "three_plus_years": "Ready in 3 years or more",
}
MOBILITY_LABELS = {
    "organisation": "Own organisation only",
    "system": "Within their integrated care system",
    "region": "Anywhere in the region",
    "national": "Anywhere in England",
}
POOL_LABELS = {
    "aspiring_director": "Aspiring directors",
    "existing_director": "Existing directors",
    "chief_executive": "Aspiring and existing chief executives",
}


# ------------------------------------------------------------------------------------ ledger


class BoardPost(models.Model):
    """A seat on an organisation's board. ``post_id`` comes from the ledger file."""

    post_id = models.CharField(max_length=40, unique=True)
    organisation = models.ForeignKey(
        "oversight.Organisation", on_delete=models.PROTECT, related_name="board_posts"
    )
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    title = models.CharField(max_length=120, blank=True, default="")
    executive = models.BooleanField()
    voting = models.BooleanField()
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["organisation_id", "post_id"]

    def __str__(self) -> str:
        return f"{self.post_id} ({self.get_role_display()})"

    @property
    def name(self) -> str:
        return self.title or self.get_role_display()


class PostHolding(models.Model):
    """One person holding a post from ``start`` to ``end`` (null: still in post)."""

    post = models.ForeignKey(BoardPost, on_delete=models.CASCADE, related_name="holdings")
    person_id = models.CharField(max_length=40)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    basis = models.CharField(max_length=12, choices=_labelled(BASES))
    leaving_reason = models.CharField(max_length=120, blank=True, default="")

    class Meta:
        ordering = ["post_id", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "person_id", "start"], name="unique_post_holding"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="holding_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.post_id} from {self.start}"


class VacancyEpisode(models.Model):
    """A post vacant and being recruited to, from ``opened`` to ``filled`` (null: still open)."""

    post = models.ForeignKey(BoardPost, on_delete=models.CASCADE, related_name="vacancies")
    opened = models.DateField()
    filled = models.DateField(null=True, blank=True)
    rounds = models.PositiveSmallIntegerField(null=True, blank=True)
    route = models.CharField(max_length=20, choices=_labelled(ROUTES), blank=True, default="")

    class Meta:
        ordering = ["post_id", "opened"]
        constraints = [
            models.UniqueConstraint(fields=["post", "opened"], name="unique_vacancy_episode"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} vacant from {self.opened}"


# ----------------------------------------------------------------------------- talent boards


class Person(models.Model):
    """Someone in a regional talent pipeline. ``person_id`` matches the ledger's identifier when
    the person holds or held a board post. Ethnicity is recorded only with consent, and shown
    only as disclosure-controlled counts."""

    class Ethnicity(models.TextChoices):
        NOT_STATED = "", "Not stated"
        BME = "bme", "Black, Asian and minority ethnic"
        WHITE = "white", "White"

    person_id = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    organisation = models.ForeignKey(
        "oversight.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="talent_people",
        help_text="Where they work now.",
    )
    ethnicity = models.CharField(
        max_length=10, choices=Ethnicity.choices, blank=True, default=Ethnicity.NOT_STATED
    )
    other_sector = models.CharField(
        max_length=80,
        blank=True,
        default="",
        help_text="The sector they come from, when not the NHS (for example local government).",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leadership_person",
        help_text="Their Candour account, when they have one: they see their own appraisals.",
    )
    # Sensitive: for the fit-and-proper retention rule only (records are kept until the 75th
    # birthday); shown on no page.
    date_of_birth = models.DateField(null=True, blank=True)
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "person_id"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"{self.name} ({self.person_id})"


class TalentBoard(models.Model):
    """A regional talent board (one per NHS England region)."""

    region_code = models.CharField(max_length=3, unique=True)
    region_name = models.CharField(max_length=60)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TalentBoardMember", related_name="talent_boards"
    )

    class Meta:
        ordering = ["region_name"]

    def __str__(self) -> str:
        return f"{self.region_name} talent board"


class TalentBoardMember(models.Model):
    board = models.ForeignKey(TalentBoard, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="talent_board_seats"
    )
    added_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["board", "user"], name="unique_talent_board_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} on the {self.board}"


class TalentPool(models.Model):
    board = models.ForeignKey(TalentBoard, on_delete=models.CASCADE, related_name="pools")
    kind = models.CharField(max_length=20, choices=_labelled(POOL_KINDS, POOL_LABELS))

    class Meta:
        ordering = ["board_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["board", "kind"], name="unique_talent_pool")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.board.region_name})"


class PoolMembership(models.Model):
    """A person in a pool: how ready they are, how far they will move, what roles they aim for
    and how they were nominated."""

    class Nomination(models.TextChoices):
        SELF = "self", "Self-nominated"
        LINE_MANAGER = "line_manager", "Nominated by their line manager"
        CHIEF_EXECUTIVE = "chief_executive", "Nominated by their chief executive"
        ASSESSMENT_PANEL = "assessment_panel", "Through an assessment panel"

    pool = models.ForeignKey(TalentPool, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    readiness = models.CharField(max_length=20, choices=_labelled(READINESS, READINESS_LABELS))
    mobility = models.CharField(max_length=20, choices=_labelled(MOBILITY, MOBILITY_LABELS))
    target_roles = models.JSONField(default=list, help_text="Board roles they aim for.")
    nomination = models.CharField(max_length=20, choices=Nomination.choices)
    joined_on = models.DateField()

    class Meta:
        ordering = ["pool_id", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "person"], name="unique_pool_membership")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.pool}"

    @property
    def target_role_labels(self) -> list[str]:
        return [ROLE_LABELS.get(role, role) for role in self.target_roles]


class SuccessionPlan(models.Model):
    """The plan for one critical post: ranked successors, emergency cover and the risk."""

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    post = models.OneToOneField(BoardPost, on_delete=models.PROTECT, related_name="succession_plan")
    risk = models.CharField(max_length=10, choices=Risk.choices)
    emergency_cover = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="covering"
    )
    last_reviewed = models.DateField(null=True, blank=True)
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["post__organisation_id", "post__post_id"]

    def __str__(self) -> str:
        return f"Succession plan for {self.post}"


class Successor(models.Model):
    plan = models.ForeignKey(SuccessionPlan, on_delete=models.CASCADE, related_name="successors")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="successor_of")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["plan_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "rank"], name="unique_successor_rank"),
            models.UniqueConstraint(fields=["plan", "person"], name="unique_successor_person"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.person} for {self.plan.post}"


class SuccessionDecision(models.Model):
    """What a talent board decided about a post in demand, and who decided it."""

    class Kind(models.TextChoices):
        DEPLOY_INTERIM = "deploy_interim", "Deploy as interim cover"
        PUT_FORWARD = "put_forward", "Put forward for substantive appointment"
        ADD_SUCCESSOR = "add_successor", "Add to the post's succession plan"
        RECRUIT_EXTERNALLY = "recruit_externally", "Recruit openly, including other sectors"
        HOLD = "hold", "No change for now"

    PERSON_KINDS = frozenset({"deploy_interim", "put_forward", "add_successor"})

    board = models.ForeignKey(TalentBoard, on_delete=models.PROTECT, related_name="decisions")
    post = models.ForeignKey(BoardPost, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    rationale = models.TextField()
    decided_on = models.DateField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="succession_decisions"
    )

    class Meta:
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["recruit_externally", "hold"]) | Q(person__isnull=False),
                name="person_decision_names_a_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.post} on {self.decided_on}"


class DiversityTarget(models.Model):
    """An organisation's aimed-for share of board-pipeline people from Black, Asian and minority
    ethnic backgrounds (A Model Employer; WRES indicator 9), for a year."""

    organisation = models.ForeignKey(
        "oversight.Organisation", on_delete=models.CASCADE, related_name="diversity_targets"
    )
    year = models.PositiveSmallIntegerField()
    target = models.FloatField(help_text="A share between 0 and 1.")
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["organisation_id", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="unique_diversity_target"
            ),
            models.CheckConstraint(
                condition=Q(target__gte=0) & Q(target__lte=1), name="diversity_target_is_a_share"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}: {self.target:.0%}"


# The other leadership models, by area (imported here so that Django registers them).
from candour.web.leadership.models_appraisal import *  # noqa: E402, F403
from candour.web.leadership.models_fitness import *  # noqa: E402, F403
from candour.web.leadership.models_newdeal import *  # noqa: E402, F403
