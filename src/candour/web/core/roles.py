"""The roles a person can hold in Candour (see docs/reference/roles.md)."""

from django.db import models


class Role(models.TextChoices):
    STAFF = "staff", "Member of staff"
    GUARDIAN = "guardian", "Freedom to Speak Up guardian"
    BOARD = "board", "Board member"
    ANALYST = "analyst", "Analyst"
    REGIONAL = "regional", "Regional oversight"
    TALENT_BOARD = "talent_board", "Talent board member"
    REQUESTER = "requester", "Data requester"
    ADMIN = "admin", "Administrator"


ALL_ROLES = frozenset(Role)
