"""Who may do what in speak up, beyond the role a view requires (``candour.web.core.access``).

Roles open the door; these rules decide which cases and organisations are behind it:

* a guardian reads a case only if a sealed key for them exists (:mod:`candour.web.speakup.vault`)
  and they are still a guardian of its organisation (:func:`is_assigned_guardian`);
* a second approver (identity disclosure, "you said, we did") is a *different* person who is
  either a guardian assigned to the organisation or a board member whose role is granted for it;
* an action's owner sees only the actions they own.
"""

from __future__ import annotations

from candour.web.core.access import has_role
from candour.web.core.models import RoleGrant
from candour.web.core.roles import Role
from candour.web.speakup.models import GuardianAssignment


def guardian_organisation_codes(user) -> list[str]:
    """The organisations a guardian is assigned to (receives concerns for) and still holds the
    guardian role for, unscoped or for that organisation: revoking the role for one
    organisation ends every power there, as it ends new concerns being sealed to them."""
    if not has_role(user, {Role.GUARDIAN}):
        return []
    grants = set(
        RoleGrant.objects.filter(user=user, role=Role.GUARDIAN).values_list(
            "organisation_code", flat=True
        )
    )
    assigned = (
        GuardianAssignment.objects.filter(guardian=user)
        .order_by("organisation_id")
        .values_list("organisation_id", flat=True)
    )
    return [code for code in assigned if "" in grants or code in grants]


def granted_organisation_codes(user, role: str) -> list[str]:
    """Organisations a role is granted for (grants with an ODS code)."""
    if not has_role(user, {role}):
        return []
    return list(
        RoleGrant.objects.filter(user=user, role=role)
        .exclude(organisation_code="")
        .order_by("organisation_code")
        .values_list("organisation_code", flat=True)
    )


def is_assigned_guardian(user, organisation_code: str) -> bool:
    return organisation_code in guardian_organisation_codes(user)


def can_second(user, *, organisation_code: str, author) -> bool:
    """May ``user`` be the second person approving what ``author`` asked for at this
    organisation?"""
    if user is None or author is None or user.pk == author.pk:
        return False
    if is_assigned_guardian(user, organisation_code):
        return True
    return organisation_code in granted_organisation_codes(user, Role.BOARD)


def approver_organisation_codes(user) -> list[str]:
    """Organisations where ``user`` may act as a second approver."""
    codes = set(guardian_organisation_codes(user)) | set(
        granted_organisation_codes(user, Role.BOARD)
    )
    return sorted(codes)


def holds_role_at(user, organisation_code: str) -> bool:
    """Whether ``user`` is active and holds a role granted for this organisation (the people
    who may own an action on one of its cases)."""
    return (
        user is not None
        and user.is_active
        and RoleGrant.objects.filter(user=user, organisation_code=organisation_code).exists()
    )


def people_at(organisation_code: str):
    """Active users holding a role granted for this organisation, by name."""
    from candour.web.core.models import User

    return (
        User.objects.filter(is_active=True, role_grants__organisation_code=organisation_code)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
