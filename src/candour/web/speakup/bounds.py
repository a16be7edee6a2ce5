"""Bounded storage: at most so much is stored per organisation (or case) and day, whatever the
sources (``SPEAKUP_DAILY_LIMITS``). Floods are slowed by :mod:`candour.web.speakup.costs`; these
bounds make sure that even a flood nobody could slow cannot fill the disk.

Counted from the rows themselves (each query uses an index), so the bounds hold across worker
processes and restarts; concurrent requests can overshoot a bound by at most the number of
requests in flight.
"""

from __future__ import annotations

from django.db.models import Sum
from django.db.models.functions import Coalesce, Length

from candour.web.speakup.actions import today
from candour.web.speakup.choices import Author
from candour.web.speakup.conf import config
from candour.web.speakup.models import Attachment, Case, Message


def _limit(name: str) -> int:
    return config().daily_limits[name]


def concerns_full(organisation_code: str) -> bool:
    """The organisation has stored as many concerns today as it may."""
    stored = Case.objects.filter(organisation_id=organisation_code, received_on=today()).count()
    return stored >= _limit("concerns_per_organisation")


def files_full(organisation_code: str, adding: int) -> bool:
    """Adding ``adding`` bytes of files would take the organisation past today's bound."""
    stored = Attachment.objects.filter(
        case__organisation_id=organisation_code, added_on=today()
    ).aggregate(total=Coalesce(Sum(Length("content")), 0))["total"]
    return stored + adding > _limit("attachment_bytes_per_organisation")


def case_full_today(case: Case) -> bool:
    """The person who spoke up has added as much to this case today as they may (messages,
    answers and files together)."""
    messages = Message.objects.filter(case=case, author=Author.REPORTER, sent_on=today()).count()
    files = Attachment.objects.filter(case=case, added_on=today()).exclude(
        added_on=case.received_on
    )
    return messages + files.count() >= _limit("reporter_messages_per_case")


def case_files_full(case: Case) -> bool:
    """The case holds as many files as it may."""
    return Attachment.objects.filter(case=case).count() >= _limit("files_per_case")
