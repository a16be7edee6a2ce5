"""Who may do what with mortality alerts, beyond the role a view requires.

An alert is a concern about one organisation, so it is read as concerns are
(:func:`candour.web.oversight.policy.may_read_concerns`: regional oversight and analysts every
organisation's, a board member their own organisation's). On top of that, each built on
:func:`~candour.web.core.access.has_role_for`:

* **responding** is the trust's: a board member granted for the organisation;
* **reviewing** a response, and closing the alert on evidence, is regional oversight's, granted
  for the organisation;
* the alert's **owner** is someone at the trust: a board member granted for the organisation by
  its own ODS code; failing that, regional oversight granted for it (its region, then national).

The actions check the same rules, so no path (page, shell) writes outside them.
"""

from __future__ import annotations

from candour.web.core.access import has_role_for, users_with_role_for
from candour.web.core.roles import Role
from candour.web.oversight import policy as oversight_policy

ALERT_READERS = oversight_policy.CONCERN_READERS
RESPONDERS = (Role.BOARD,)
REVIEWERS = (Role.REGIONAL,)


def may_read_alerts(user, organisation) -> bool:
    return oversight_policy.may_read_concerns(user, organisation)


def readable_alerts(user, alerts):
    """The rows of a MortalityAlert queryset that ``user`` may read (the concern rule: alerts,
    like concerns, have an ``organisation``)."""
    return oversight_policy.readable_concerns(user, alerts)


def may_respond(user, alert) -> bool:
    return has_role_for(user, RESPONDERS, alert.organisation)


def may_review(user, alert) -> bool:
    return has_role_for(user, REVIEWERS, alert.organisation)


def alert_owner(organisation):
    """Who owns a new alert about ``organisation``: a board member granted for it by its own
    code (the first by username), else regional oversight granted for its region, else
    national regional oversight; ``None`` when nobody may own it."""
    board = users_with_role_for(RESPONDERS, organisation)
    at_the_trust = board.filter(
        role_grants__role__in=RESPONDERS, role_grants__organisation_code=organisation.ods_code
    ).first()
    if at_the_trust is not None:
        return at_the_trust
    regional = users_with_role_for(REVIEWERS, organisation)
    for scope in (organisation.region_code, ""):
        owner = regional.filter(
            role_grants__role__in=REVIEWERS, role_grants__organisation_code=scope
        ).first()
        if owner is not None:
            return owner
    return None


require = oversight_policy.require
