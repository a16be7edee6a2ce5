"""Who may read and write the leadership records about people, beyond the role a view requires.

Every rule goes through :func:`candour.web.core.access.has_role_for` (a role granted nationally,
for the organisation or for its region), then narrows it to the object:

* **appraisals** - the person appraised (their own, whatever role they hold) and their appraiser
  (holding the board or regional role for the appraisal's organisation); 360 answers only
  through the release, once the appraisal has closed;
* **360 requests** - the rater named, to answer it;
* **fit-and-proper records and board references** - the organisation's chair and the
  administrators it names (:class:`~candour.web.leadership.models.BoardOfficer`), holding the
  board or administrator role for the organisation; only the chair signs off;
* **conduct concerns** - those investigating it (holding any role for the organisation) and the
  chair; never the person it is about, even when they are the chair;
* **new-deal packages** - members of the region's talent board (read and write), and board
  members and regional oversight of the organisation (read).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from candour.web.core.access import SIGNED_IN, has_role, has_role_for
from candour.web.core.roles import Role

APPRAISER_ROLES = (Role.BOARD, Role.REGIONAL)
FPPT_ROLES = (Role.BOARD, Role.ADMIN)
CHAIR_ROLES = (Role.BOARD,)
PACKAGE_READER_ROLES = (Role.BOARD, Role.REGIONAL)


def person_of(user):
    """The leadership Person linked to ``user``'s account, if any."""
    from candour.web.leadership.models import Person

    if not has_role(user, SIGNED_IN):
        return None
    return Person.objects.filter(user=user).first()


# ---------------------------------------------------------------------------------- appraisals


def is_appraisee(user, appraisal) -> bool:
    return has_role(user, SIGNED_IN) and appraisal.person.user_id == user.pk


def is_appraiser(user, appraisal) -> bool:
    return appraisal.appraiser_id == user.pk and has_role_for(
        user, APPRAISER_ROLES, appraisal.organisation
    )


def can_read_appraisal(user, appraisal) -> bool:
    return is_appraisee(user, appraisal) or is_appraiser(user, appraisal)


def can_appraise_at(user, organisation) -> bool:
    """May ``user`` start appraisals for people of this organisation?"""
    return has_role_for(user, APPRAISER_ROLES, organisation)


def is_rater(user, request) -> bool:
    return has_role(user, SIGNED_IN) and request.rater_id == user.pk


# ------------------------------------------------------------------------- fit and proper


def _named(user, organisation, kinds) -> bool:
    from candour.web.leadership.models import BoardOfficer

    return BoardOfficer.objects.filter(
        organisation=organisation, user=user, kind__in=list(kinds)
    ).exists()


def is_chair(user, organisation) -> bool:
    """The organisation's chair: named as chair and holding the board role for it."""
    from candour.web.leadership.models import BoardOfficer

    return has_role_for(user, CHAIR_ROLES, organisation) and _named(
        user, organisation, [BoardOfficer.Kind.CHAIR]
    )


def can_read_fppt(user, organisation) -> bool:
    """The chair and the named fit-and-proper administrators of the organisation."""
    from candour.web.leadership.models import BoardOfficer

    return has_role_for(user, FPPT_ROLES, organisation) and _named(
        user, organisation, BoardOfficer.Kind.values
    )


def fppt_organisations(user):
    """The organisations whose fit-and-proper records ``user`` may read."""
    from candour.web.leadership.models import BoardOfficer

    offices = BoardOfficer.objects.filter(user=user).select_related("organisation")
    seen = {}
    for office in offices:
        if can_read_fppt(user, office.organisation):
            seen[office.organisation_id] = office.organisation
    return list(seen.values())


# ------------------------------------------------------------------------ conduct concerns


def is_subject(user, concern) -> bool:
    return concern.subject.user_id is not None and concern.subject.user_id == user.pk


def is_investigator(user, concern) -> bool:
    return (
        has_role_for(user, SIGNED_IN, concern.organisation)
        and concern.investigators.filter(pk=user.pk).exists()
    )


def can_read_conduct(user, concern) -> bool:
    if is_subject(user, concern):
        return False
    return is_investigator(user, concern) or is_chair(user, concern.organisation)


def can_record_conduct(user, organisation) -> bool:
    return is_chair(user, organisation)


# ------------------------------------------------------------------------ new-deal packages


def sits_on_board_of(user, organisation) -> bool:
    """A member of the talent board of the organisation's region."""
    from candour.web.leadership.access import boards_of

    return any(board.region_code == organisation.region_code for board in boards_of(user))


def can_read_package(user, package) -> bool:
    return sits_on_board_of(user, package.organisation) or has_role_for(
        user, PACKAGE_READER_ROLES, package.organisation
    )


def can_write_package(user, package) -> bool:
    return sits_on_board_of(user, package.organisation)


# ---------------------------------------------------------------------------------- actions


def require(allowed: bool, why: str) -> None:
    """Refuse (403) unless ``allowed``: the actions check the same rules as the pages."""
    if not allowed:
        raise PermissionDenied(why)


def is_person(by) -> bool:
    """An action done by someone signed in (rules apply), not a ``system:`` command."""
    from candour.web.core.models import User

    return isinstance(by, User)
