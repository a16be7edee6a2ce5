"""Speak-up data: guardians' keys, cases and everything recorded on them.

Sensitivity is marked on every field in the same way:

* ``SEALED`` - ciphertext under the case key (or the identity key), bound to its case and field
  by associated data. Only readers holding a sealed key row can open it.
* ``SHARED`` - plaintext written by a guardian *for* someone without the case key (an action's
  owner, a second approver, the public "you said, we did" page). The forms say so.
* everything else is reportable metadata, plaintext on purpose so that the quarterly return and
  the theme views need no keys: categories, worker group, route, dates (to the day), status.

Retention: a case's ``expires_on`` is set when it closes; ``candour speakup expire`` then deletes
its sealed keys (crypto-shredding) and every ciphertext, and keeps the metadata row (status
``expired``) so past quarterly returns do not change.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from candour.web.speakup.choices import (
    ApprovalStatus,
    Author,
    Channel,
    Detriment,
    DetrimentAtIntake,
    Outcome,
    ProfessionalGroup,
    ProtectedCharacteristic,
    RaisedBefore,
    ReferralKind,
    Risk,
    Route,
    SealedFor,
    SpeakUpAgain,
    Status,
    SummaryStatus,
)

SEALED = "sealed"  # marker for sealed columns (see the module docstring)
SHARED = "shared"


def sealed_field(**kwargs) -> models.BinaryField:
    """A column holding ciphertext under the case (or identity) key."""
    field = models.BinaryField(**kwargs)
    field.candour_sensitivity = SEALED
    return field


def shared_text(**kwargs) -> models.TextField:
    """Plaintext a guardian writes for someone without the case key."""
    field = models.TextField(**kwargs)
    field.candour_sensitivity = SHARED
    return field


class GuardianKeys(models.Model):
    """A guardian's X25519 public key and their private key wrapped twice (by password, by
    recovery key). Nothing here opens without the password or the printed recovery key."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="guardian_keys",
    )
    public_key = models.BinaryField()
    key_by_password = models.BinaryField()
    key_by_recovery_key = models.BinaryField()
    created_on = models.DateField()
    recovery_key_confirmed_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "guardian keys"

    def __str__(self) -> str:
        return f"keys of {self.user}"


class GuardianAssignment(models.Model):
    """A guardian receives every concern raised at this organisation."""

    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardian_assignments"
    )
    organisation = models.ForeignKey(
        "oversight.Organisation", on_delete=models.CASCADE, related_name="guardian_assignments"
    )
    assigned_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "organisation"], name="unique_guardian_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.guardian} for {self.organisation_id}"


class Case(models.Model):
    """One concern. Content is sealed; the rest is reportable metadata (module docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "oversight.Organisation", on_delete=models.PROTECT, related_name="speakup_cases"
    )
    route = models.CharField(max_length=12, choices=Route.choices)
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    received_on = models.DateField()

    # Reportable metadata: the national categories, local themes, the speaker's worker group.
    patient_safety = models.BooleanField(default=False)
    worker_safety = models.BooleanField(default=False)
    bullying = models.BooleanField(default=False)
    behaviours = models.BooleanField(default=False)
    other_matter = models.BooleanField(default=False)
    discrimination = models.BooleanField(default=False)
    protected_characteristic = models.CharField(
        max_length=24, choices=ProtectedCharacteristic.choices, blank=True, default=""
    )
    professional_group = models.CharField(max_length=24, choices=ProfessionalGroup.choices)
    raised_before = models.CharField(max_length=12, choices=RaisedBefore.choices)
    detriment_at_intake = models.CharField(max_length=8, choices=DetrimentAtIntake.choices)

    # Sealed content.
    narrative = sealed_field()
    location = sealed_field(null=True, blank=True)
    happened_on = sealed_field(null=True, blank=True)
    identity = sealed_field(null=True, blank=True)  # under the identity key, not the case key
    receipt_lookup = models.BinaryField(max_length=32, unique=True, null=True)

    # Triage.
    risk = models.CharField(max_length=8, choices=Risk.choices, blank=True, default="")
    immediate_harm = models.BooleanField(default=False)

    # Lifecycle, to the day.
    acknowledged_on = models.DateField(null=True, blank=True)
    triaged_on = models.DateField(null=True, blank=True)
    actioned_on = models.DateField(null=True, blank=True)
    feedback_given_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    closure_evidence = sealed_field(null=True, blank=True)

    # "Given your experience, would you speak up again?"
    speak_up_again = models.CharField(
        max_length=10, choices=SpeakUpAgain.choices, blank=True, default=""
    )
    speak_up_again_on = models.DateField(null=True, blank=True)
    speak_up_again_comment = sealed_field(null=True, blank=True)

    # Retention.
    expires_on = models.DateField(null=True, blank=True)
    legal_hold = models.BooleanField(default=False)  # see LegalHold for who, when and why
    shredded_on = models.DateField(null=True, blank=True)

    # How many things the person who spoke up has sent on this case: the concern itself, then each
    # message, answer and file. A count, never a time: a guardian has something unread while it is
    # above what they have seen (GuardianRead).
    reporter_updates = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "received_on"]),
            models.Index(fields=["status", "expires_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[Status.DETRIMENT_WATCH, Status.CLOSED, Status.EXPIRED])
                | Q(closed_on__isnull=True),
                name="speakup_closed_on_only_when_closed",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.DETRIMENT_WATCH, Status.CLOSED])
                | (Q(closed_on__isnull=False) & ~Q(outcome="") & Q(closure_evidence__isnull=False)),
                name="speakup_closed_only_with_outcome_and_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.reference} at {self.organisation_id}"

    @property
    def reference(self) -> str:
        """A short reference guardians can say aloud (the first 8 hex digits of the id)."""
        return self.id.hex[:8].upper()

    @property
    def route_short(self) -> str:
        return Route(self.route).short

    @property
    def categories(self) -> list[str]:
        from candour.web.speakup.choices import CATEGORIES

        return [label for name, label in CATEGORIES.items() if getattr(self, name)]

    @property
    def is_open(self) -> bool:
        from candour.web.speakup.choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES


class GuardianRead(models.Model):
    """How much of what the person who spoke up sent a guardian has seen: ``seen`` is the case's
    ``reporter_updates`` when they last opened it. No time is kept (see the unread marker in
    ``docs/reference/speakup.md``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reads")
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    seen = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "guardian"], name="unique_guardian_read")
        ]

    def __str__(self) -> str:
        return f"{self.guardian_id} has seen {self.seen} on {self.case_id}"


class LegalHold(models.Model):
    """A case kept past its retention date: who placed the hold, on what day and why, and who
    released it and why. The reasons are shared text (administrators read them; the form says
    so) and are cleared when the case is finally shredded."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_holds")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_on = models.DateField()
    reason = shared_text()
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_on = models.DateField(null=True, blank=True)
    release_reason = shared_text(blank=True, default="")

    class Meta:
        ordering = ["-placed_on", "-id"]

    def __str__(self) -> str:
        return f"legal hold {self.pk} on {self.case_id}"


class SealedKey(models.Model):
    """The case key (or identity key) sealed to one reader: a guardian, or the reporter's
    receipt-derived key (``guardian`` null). Deleting a case's rows here is crypto-shredding."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sealed_keys")
    purpose = models.CharField(max_length=8, choices=SealedFor.choices)
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sealed_keys",
    )
    public_key = models.BinaryField()  # the reader's public key it was sealed to
    sealed = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "purpose", "guardian"],
                condition=Q(guardian__isnull=False),
                name="unique_sealed_key_per_guardian",
            ),
            models.UniqueConstraint(
                fields=["case", "purpose"],
                condition=Q(guardian__isnull=True),
                name="unique_sealed_key_for_reporter",
            ),
        ]

    def __str__(self) -> str:
        reader = self.guardian or "reporter"
        return f"{self.get_purpose_display()} of {self.case_id} for {reader}"


class Attachment(models.Model):
    """A file sent with a concern: metadata stripped (JPEG, PNG), then encrypted with
    secretstream; kept in the database so that backups and shredding treat it like the rest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    description = sealed_field()  # file name and type, sealed
    content = sealed_field()
    cleaned_format = models.CharField(max_length=8, blank=True, default="")  # jpeg, png or ""
    # The day it was stored: the concern's day, or a later day when the person added it with
    # their receipt. Day only, like every date a reporter's action leaves.
    added_on = models.DateField()

    def __str__(self) -> str:
        return f"attachment {self.id} of {self.case_id}"


class Message(models.Model):
    """A message between the guardian and the person who spoke up (both can read it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    sequence = models.PositiveIntegerField()
    author = models.CharField(max_length=10, choices=Author.choices)
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    body = sealed_field()
    sent_on = models.DateField()

    class Meta:
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="unique_message_sequence")
        ]

    def __str__(self) -> str:
        return f"message {self.sequence} on {self.case_id}"

    @property
    def field(self) -> str:
        return f"message:{self.id}"


class Note(models.Model):
    """A guardian's private note: sealed, never shown to the person who spoke up."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    body = sealed_field()
    written_on = models.DateField()

    class Meta:
        ordering = ["written_on", "id"]

    def __str__(self) -> str:
        return f"note on {self.case_id}"

    @property
    def field(self) -> str:
        return f"note:{self.id}"


class CaseAction(models.Model):
    """Something someone must do about a case. Its owner sees only ``description`` (shared
    text), never the case's content or the reporter's identity."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    description = shared_text()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="speakup_actions"
    )
    due_on = models.DateField()
    created_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    done_on = models.DateField(null=True, blank=True)
    evidence = shared_text(blank=True, default="")

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"action {self.pk} on {self.case_id}"

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class Referral(models.Model):
    """An onward referral into another process (HR, safeguarding, PSIRF, counter-fraud,
    regulator)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(max_length=16, choices=ReferralKind.choices)
    reference = models.CharField(max_length=60, blank=True, default="")
    referred_on = models.DateField()
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["referred_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} referral of {self.case_id}"


class CheckIn(models.Model):
    """A scheduled detriment check-in after closure, answered by the person who spoke up
    (through their receipt) or recorded by the guardian."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="check_ins")
    months_after_closure = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    answer = models.CharField(max_length=10, choices=Detriment.choices, blank=True, default="")
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.CharField(max_length=10, choices=Author.choices, blank=True, default="")
    comment = sealed_field(null=True, blank=True)
    escalated_on = models.DateField(null=True, blank=True)
    escalation = models.ForeignKey(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "months_after_closure"], name="unique_check_in_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.months_after_closure}-month check-in on {self.case_id}"

    @property
    def field(self) -> str:
        return f"check-in:{self.id}"


class IdentityDisclosure(models.Model):
    """A guardian's request to read a confidential reporter's identity. It needs a second
    approver (another guardian of the organisation, or a board member granted for it); once
    approved the requester may open the identity envelope, and the reporter is told."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_on = models.DateField()
    reason = shared_text()
    status = models.CharField(
        max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    reporter_told_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_on", "-id"]

    def __str__(self) -> str:
        return f"identity disclosure {self.pk} on {self.case_id}"


class WeDidSummary(models.Model):
    """A "you said, we did" summary for one theme at one organisation: written by a guardian,
    published only after a second person (a board member for the organisation or another
    guardian) approves it. It names no case."""

    organisation = models.ForeignKey(
        "oversight.Organisation", on_delete=models.CASCADE, related_name="we_did_summaries"
    )
    theme = models.CharField(max_length=20)
    you_said = shared_text()
    we_did = shared_text()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=SummaryStatus.choices, default=SummaryStatus.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-published_on", "-written_on", "-id"]
        verbose_name = "“you said, we did” summary"
        verbose_name_plural = "“you said, we did” summaries"

    def __str__(self) -> str:
        return f"you said, we did: {self.theme} at {self.organisation_id}"

    @property
    def theme_label(self) -> str:
        from candour.web.speakup.choices import CATEGORIES

        return CATEGORIES.get(self.theme, self.theme)


class TurnedAway(models.Model):
    """Someone tried to raise a concern at an organisation with no guardian: counted per day so
    administrators see where a guardian is missing (never who, never when within the day). The
    audit log gets each day's count once the day is over (``audited``)."""

    organisation = models.ForeignKey(
        "oversight.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    seen_on = models.DateField()
    attempts = models.PositiveIntegerField(default=1)
    audited = models.BooleanField(default=False)

    class Meta:
        ordering = ["-seen_on"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "seen_on"], name="unique_turned_away")
        ]

    def __str__(self) -> str:
        return f"{self.attempts} turned away at {self.organisation_id} on {self.seen_on}"


class ReporterActivity(models.Model):
    """What people speaking up did (a concern sent, a reply, an answer), counted per
    organisation and day: never per case, never at what time. An audit event written when it
    happened would date it to the microsecond (and, by its place in the chain, between the
    guardians' events around it); instead the daily job (``candour speakup expire``) writes each
    finished day's counts to the audit log and marks them ``audited``."""

    class Kind(models.TextChoices):
        CONCERN = "concern", "Concerns raised online"
        REPLY = "reply", "Replies to a guardian"
        SPEAK_UP_AGAIN = "speak_up_again", "Answers to 'would you speak up again?'"
        CHECK_IN = "check_in", "Detriment check-ins answered"
        FILE = "file", "Files added to a concern later"

    organisation = models.ForeignKey(
        "oversight.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    count = models.PositiveIntegerField(default=0)
    audited = models.BooleanField(default=False)
    # False until the daily notification job has told the organisation's guardians that there is
    # something new (each new event of the day sets it back to False).
    notified = models.BooleanField(default=False)

    class Meta:
        ordering = ["-day", "organisation_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", "kind"], name="unique_reporter_activity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.kind} at {self.organisation_id} on {self.day}"
