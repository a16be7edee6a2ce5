"""Who may do what with the data-request registry, beyond the role a view requires.

Roles open the door (``candour.web.core.access.requires``); these rules, built on
:func:`~candour.web.core.access.has_role_for`, decide what is behind it:

* **registering** a request needs the data-requester role (staff of a requesting body: NHS
  England, the CQC, an integrated care board, a royal college...) or regional oversight, *and* a
  place on the staff of the body it is registered for (``RequesterStaff``), *and* the role granted
  for every organisation it asks (nationally, for their region or for each organisation). The
  same person maps its items to held data.
* **reading** the registry (every request, its items and duplicates): data requesters, regional
  oversight and analysts, whatever their scope. A request is not sensitive, and a requester
  should see what others already ask before asking; an organisation's analysts find what is
  asked of it with the organisation filter.
* **answering** from held data (downloading the return, or reading it through the API): the
  body's staff for every organisation asked; analysts and regional oversight for the
  organisations asked that they are granted for.
* **the burden view**: regional oversight, analysts and data requesters whose role is granted
  nationally or for a region; an organisation's own page also to its analysts.

The actions check the same rules, so no path (page, API, shell) writes outside them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from candour.importers.datasets import REGIONS
from candour.web.core.access import (
    NATIONAL,
    granted_scopes,
    has_role,
    has_role_for,
)
from candour.web.core.roles import Role
from candour.web.datarequests.models import DataRequest, Requester
from candour.web.oversight.models import Organisation

REGISTRARS = (Role.REQUESTER, Role.REGIONAL)
ANSWERERS = (Role.ANALYST, Role.REGIONAL)
READERS = (Role.REQUESTER, Role.REGIONAL, Role.ANALYST)
BURDEN_ROLES = (Role.REGIONAL, Role.ANALYST, Role.REQUESTER)
ORGANISATION_BURDEN_ROLES = (Role.ANALYST,)


def bodies_of(user) -> list[Requester]:
    """The requesting bodies ``user`` registers requests for."""
    if not has_role(user, REGISTRARS):
        return []
    return list(Requester.objects.filter(staff__user=user).order_by("name"))


def is_staff_of(user, requester: Requester) -> bool:
    return has_role(user, REGISTRARS) and requester.staff.filter(user=user).exists()


def may_register(user) -> bool:
    return bool(bodies_of(user))


def may_ask(user, organisation: Organisation) -> bool:
    """May ``user`` put a request to ``organisation``?"""
    return has_role_for(user, REGISTRARS, organisation)


def _scoped(user, roles) -> Q | None:
    """Organisations ``user`` holds one of ``roles`` for, as a filter on Organisation; None for
    every organisation (a national grant)."""
    scopes = granted_scopes(user, roles)
    if NATIONAL in scopes:
        return None
    return Q(ods_code__in=scopes) | Q(region_code__in=scopes)


def readable_requests(user, requests=None):
    """The requests ``user`` may read: all of them, for the reading roles."""
    requests = DataRequest.objects.all() if requests is None else requests
    return requests if has_role(user, READERS) else requests.none()


def may_read_request(user, request: DataRequest) -> bool:
    return has_role(user, READERS)


def answerable_organisations(user, request: DataRequest):
    """The organisations asked by ``request`` whose held answer ``user`` may have."""
    asked = request.organisations.all()
    if is_staff_of(user, request.requester):
        return asked
    if not has_role(user, ANSWERERS):
        return asked.none()
    scoped = _scoped(user, ANSWERERS)
    return asked if scoped is None else asked.filter(scoped)


def may_edit_request(user, request: DataRequest) -> bool:
    """Map its items to held data: its body's staff."""
    return is_staff_of(user, request.requester)


def may_read_burden(user) -> bool:
    """A burden role granted nationally or for a region."""
    return any(
        scope == NATIONAL or scope in REGIONS for scope in granted_scopes(user, BURDEN_ROLES)
    )


def may_read_organisation_burden(user, organisation: Organisation) -> bool:
    return may_read_burden(user) or has_role_for(user, ORGANISATION_BURDEN_ROLES, organisation)


def require(allowed: bool, why: str) -> None:
    """Refuse (403) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(why)
