"""Every write to people and roles. Keyword-only arguments; ``by`` is the actor; the audit event
is written in the same transaction as the change."""

from __future__ import annotations

from django.db import transaction

from candour.web.core import audit
from candour.web.core.models import RoleGrant, User
from candour.web.core.roles import Role


def actor_label(by) -> str:
    """Who did it, as the audit log records it: a username, or ``system:<what>`` for commands."""
    if isinstance(by, User):
        return by.get_username()
    if isinstance(by, str) and by.startswith("system:"):
        return by
    raise TypeError("by= must be a User or a 'system:<command>' label")


@transaction.atomic
def create_user(
    *, username: str, password: str, roles: list[str], by, organisation_code: str = "", **fields
) -> User:
    unknown = set(roles) - set(Role)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    user = User(username=username, **fields)
    user.is_staff = Role.ADMIN in roles  # Django's admin site, for administrators only
    user.set_password(password)
    user.save()
    for role in roles:
        RoleGrant.objects.create(user=user, role=role, organisation_code=organisation_code)
    audit.append(
        actor=actor_label(by),
        action="user.create",
        target_type="user",
        target_id=user.pk,
        details={
            "username": username,
            "roles": sorted(roles),
            "organisation_code": organisation_code,
        },
    )
    return user


@transaction.atomic
def grant_role(*, user: User, role: str, by, organisation_code: str = "") -> RoleGrant:
    if role not in set(Role):
        raise ValueError(f"unknown role {role!r}")
    grant, created = RoleGrant.objects.get_or_create(
        user=user, role=role, organisation_code=organisation_code
    )
    if role == Role.ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if created:
        audit.append(
            actor=actor_label(by),
            action="role.grant",
            target_type="user",
            target_id=user.pk,
            details={"role": role, "organisation_code": organisation_code},
        )
    return grant


@transaction.atomic
def revoke_role(*, user: User, role: str, by, organisation_code: str = "") -> int:
    deleted, _ = RoleGrant.objects.filter(
        user=user, role=role, organisation_code=organisation_code
    ).delete()
    if role == Role.ADMIN and not user.role_grants.filter(role=Role.ADMIN).exists():
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    if deleted:
        audit.append(
            actor=actor_label(by),
            action="role.revoke",
            target_type="user",
            target_id=user.pk,
            details={"role": role, "organisation_code": organisation_code},
        )
    return deleted


@transaction.atomic
def set_password(*, user: User, password: str, by) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.append(
        actor=actor_label(by), action="user.set_password", target_type="user", target_id=user.pk
    )
