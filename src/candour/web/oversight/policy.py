"""Who may do what with oversight's concerns and targets, beyond the role a view requires.

Roles open the door (``candour.web.core.access.requires``); these rules, each built on
:func:`~candour.web.core.access.has_role_for`, decide which organisations are behind it. A role
is granted nationally, for one organisation (its ODS code) or for a region (its code):

* **concerns** are about one organisation's performance. Raising one needs regional oversight,
  a board member or an analyst granted for that organisation; recording evidence and closing it
  need regional oversight or a board member granted for it, and only such a person can own it.
  Regional oversight and analysts read every organisation's concerns (oversight compares
  organisations); a board member reads their own organisation's; nobody else reads them.
* **targets** apply to the organisations they list, or to every organisation when they list none
  (the national standards). Drafting or editing one needs regional oversight or an analyst
  granted for every organisation it applies to (so a national grant for a national target);
  publishing and withdrawing it need regional oversight granted the same way. Everyone signed in
  reads targets.

The actions check the same rules, so no path (page, API, shell) writes outside them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from candour.web.core.access import (
    has_national_role,
    has_role,
    has_role_for,
    organisation_filter,
    users_with_role_for,
)
from candour.web.core.roles import Role

CONCERN_RAISERS = (Role.REGIONAL, Role.BOARD, Role.ANALYST)
CONCERN_RESOLVERS = (Role.REGIONAL, Role.BOARD)
CONCERN_READERS_EVERYWHERE = (Role.REGIONAL, Role.ANALYST)
CONCERN_READERS = (*CONCERN_READERS_EVERYWHERE, Role.BOARD)
TARGET_EDITORS = (Role.REGIONAL, Role.ANALYST)
TARGET_PUBLISHERS = (Role.REGIONAL,)


def may_raise_concern(user, organisation) -> bool:
    return has_role_for(user, CONCERN_RAISERS, organisation)


def may_resolve_concern(user, concern) -> bool:
    return has_role_for(user, CONCERN_RESOLVERS, concern.organisation)


def may_read_concerns(user, organisation) -> bool:
    return has_role(user, CONCERN_READERS_EVERYWHERE) or has_role_for(
        user, CONCERN_READERS, organisation
    )


def readable_concerns(user, concerns):
    """The rows of a Concern queryset that ``user`` may read."""
    if has_role(user, CONCERN_READERS_EVERYWHERE):
        return concerns
    return concerns.filter(organisation_filter(user, CONCERN_READERS))


def concern_owners(organisation):
    """The people who may own a concern about ``organisation``: those who may resolve it."""
    return users_with_role_for(CONCERN_RESOLVERS, organisation)


def covers_all(user, roles, organisations) -> bool:
    """Does ``user`` hold one of ``roles`` for every one of ``organisations``? No organisations
    means every organisation, which needs a national grant."""
    organisations = list(organisations)
    if not organisations:
        return has_national_role(user, roles)
    return all(has_role_for(user, roles, organisation) for organisation in organisations)


def _applies_to(target) -> list:
    return list(target.organisations.all()) if target is not None and target.pk else []


def may_edit_target(user, target=None) -> bool:
    """May ``user`` draft or edit ``target`` (``None``: a new target, for every organisation)?"""
    return covers_all(user, TARGET_EDITORS, _applies_to(target))


def may_publish_target(user, target=None) -> bool:
    return covers_all(user, TARGET_PUBLISHERS, _applies_to(target))


def require(allowed: bool, why: str) -> None:
    """Refuse (403) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(why)
