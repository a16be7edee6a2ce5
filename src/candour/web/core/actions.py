"""Every write to people, roles and the audit chain's checkpoints. Keyword-only arguments; ``by`` is the actor; the audit event
is written in the same transaction as the change."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from candour.web.core import audit
from candour.web.core.audit_checkpoints import Checkpoint, append_line, sign
from candour.web.core.audit_keys import checkpoint_path, signing_key
from candour.web.core.audit_verify import VerifyResult, verify
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


def checkpoint_audit_chain(
    *, by, restored_reason: str = ""
) -> tuple[VerifyResult, Checkpoint | None]:
    """Verify the chain, then sign its end (sequence number and hash) into the checkpoint file.

    A broken chain gets no checkpoint (the result says why). With ``restored_reason``, after an
    older copy of the database was restored on purpose: when the only problem is checkpoints
    the chain no longer matches (its own hashes intact), record the restore in the chain
    (``audit.restore``, naming what was lost) and in the file, so those checkpoints are superseded
    from then on.
    """
    path = checkpoint_path()
    if path is None:
        raise ImproperlyConfigured(
            "AUDIT_CHECKPOINTS is not set: set CANDOUR_AUDIT_CHECKPOINTS to a file outside the "
            "database and its backups (for example /var/lib/candour/audit/checkpoints.jsonl)"
        )
    key = signing_key()
    result = verify(checkpoints=path, verify_key=key.verify_key)
    if not restored_reason:
        if not result.ok:
            return result, None
        checkpoint = sign(key, seq=result.last_seq, hash=result.last_hash)
        append_line(path, checkpoint)
        return result, checkpoint
    lost = [f.checkpoint for f in result.findings if f.checkpoint is not None]
    if not lost or len(lost) != len(result.findings):
        return result, None
    lost_from = min(c.seq for c in lost)
    with transaction.atomic():
        event = audit.append(
            actor=actor_label(by),
            action="audit.restore",
            details={
                "lost_from": lost_from,
                "lost_up_to": max(c.seq for c in lost),
                "lost_checkpoints": sorted({c.at for c in lost}),
                "reason": restored_reason,
            },
        )
    checkpoint = sign(
        key, seq=event.seq, hash=event.hash, lost_from=lost_from, reason=restored_reason
    )
    append_line(path, checkpoint)
    return result, checkpoint
