from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from candour.web.core.roles import Role


class User(AbstractUser):
    """A person who signs in. What they may do comes from their role grants, nothing else."""

    class Meta:
        db_table = "candour_user"

    def role_set(self) -> frozenset[str]:
        return frozenset(role for role, _ in self.grant_set())

    def grant_set(self) -> frozenset[tuple[str, str]]:
        """Every (role, organisation_code) this user holds, read once per request."""
        cached = getattr(self, "_grant_cache", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", "organisation_code"))
            self._grant_cache = cached
        return cached


class RoleGrant(models.Model):
    """One role held by one user, for a scope (see ``candour.web.core.access.has_role_for``):
    every organisation (no code: national), one organisation (its ODS code, e.g. ``R0B``) or
    every organisation of one NHS England region (the region's code, e.g. ``Y56``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    organisation_code = models.CharField(max_length=6, blank=True, default="")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation_code"], name="unique_role_grant"
            )
        ]

    def __str__(self) -> str:
        scope = f" for {self.organisation_code}" if self.organisation_code else ""
        return f"{self.user} is {self.get_role_display()}{scope}"


class AuditEvent(models.Model):
    """One recorded write. Events form a keyed hash chain (candour.web.core.audit): each stores
    the previous event's hash and an HMAC of that and its own content, under a key held outside
    the database, so editing, deleting, reordering or adding a row is detected."""

    # 1, 2, 3, ... in the order written, with no gaps: a deleted event leaves a gap.
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)  # username, or "system:<command>"
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True, default="")
    target_id = models.CharField(max_length=80, blank=True, default="")
    details = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    # Null only between the insert that assigns the id and the update that sets the hash, both
    # inside the appending transaction.
    hash = models.CharField(max_length=64, unique=True, null=True)  # noqa: DJ001 - see above

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_type} {self.target_id}"


class AuditHead(models.Model):
    """The latest hash and the number of events: a single row, locked while an event is appended,
    so concurrent writers cannot fork the chain and deleting the newest events is detected."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)  # the last event's sequence number
    # Events 1..unkeyed_until were written before the chain was keyed (SHA-256 only), and
    # unkeyed_seal is the keyed seal over that number and the last of their hashes (0 and "" when
    # the chain was keyed from its first event).
    unkeyed_until = models.PositiveBigIntegerField(default=0)
    unkeyed_seal = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"audit head after {self.count} events"
