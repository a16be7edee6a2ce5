"""Which region's talent board a person sits on: the second test after the role.

The role test is :mod:`candour.web.core.access` (every view declares ``requires(TALENT_BOARD)``);
this module narrows it to the regions of the boards the person is a member of, for the pages
that show a region's pools, plans, ledger and supply and demand. A talent-board member of no
board, or of another region's board, is refused (403).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from candour.web.core.access import has_role
from candour.web.core.roles import Role
from candour.web.leadership.models import TalentBoard

TALENT_BOARD_ROLES = (Role.TALENT_BOARD,)


def boards_of(user) -> list[TalentBoard]:
    """The talent boards ``user`` sits on, when they hold the talent-board role."""
    if not has_role(user, TALENT_BOARD_ROLES):
        return []
    return list(TalentBoard.objects.filter(memberships__user=user).order_by("region_name"))


def board_for(user, region_code: str) -> TalentBoard:
    """The region's board, if ``user`` sits on it; PermissionDenied otherwise."""
    for board in boards_of(user):
        if board.region_code == region_code.upper():
            return board
    raise PermissionDenied("not a member of this region's talent board")
