"""Telling guardians there is something new, without telling anyone anything else.

Run daily by ``candour speakup notify``. For every organisation where people speaking up did
something (a concern, a reply, an answer, a file) not yet notified, each of its guardians gets
one email: "There is something new at R0B". No content, no case, no count, and the subject
names nothing. Sent through Django's email backend (``EMAIL_BACKEND``: SMTP in production,
local memory in the tests).

Why daily and for finished days only: an email is timestamped by every server it passes and
logged by the mail system. Sent when the reporter acted, it would date their action to the
second (which the day-level design avoids: :class:`~candour.web.speakup.models.ReporterActivity`);
sent by a daily job about the days before, it dates nothing more precisely than the day the
concern already records. ``include_today`` trades that away for speed (documented).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from candour.web.oversight.models import Organisation
from candour.web.speakup.actions.common import _audit, readers_of, today
from candour.web.speakup.models import ReporterActivity

SUBJECT = "Candour: something new for you to read"


@dataclass(frozen=True)
class Notified:
    organisations: list[str]  # ODS codes told about
    emails: int  # sent, one per guardian
    without_email: list[str]  # usernames of guardians who have no email address


def _body(organisations: list[Organisation]) -> str:
    places = "\n".join(f"- {o.name} ({o.pk})" for o in organisations)
    where = (
        f"Sign in to read it: {settings.SITE_URL.rstrip('/')}/speak-up/cases/"
        if getattr(settings, "SITE_URL", "")
        else "Sign in to Candour and open Cases to read it."
    )
    return (
        "Hello,\n\n"
        "There is something new from someone who spoke up at:\n\n"
        f"{places}\n\n"
        f"{where}\n\n"
        "This email says nothing more, on purpose: what people send stays in Candour.\n"
    )


def notify_guardians(*, include_today: bool = False, by) -> Notified:
    """Email each guardian of every organisation with reporter activity not yet notified (on
    finished days only, unless ``include_today``); then mark it notified and audit one event
    per organisation (the number of guardians told). Activity that arrives while this runs is
    left for the next run."""
    pending = ReporterActivity.objects.filter(notified=False)
    if not include_today:
        pending = pending.filter(day__lt=today())
    rows = list(pending.values("pk", "organisation_id", "count"))
    codes = sorted({row["organisation_id"] for row in rows})
    organisations = Organisation.objects.in_bulk(codes)
    per_guardian: dict = defaultdict(list)
    guardians_of: dict[str, int] = {}
    for code in codes:
        users = [keys.user for keys in readers_of(organisations[code])]
        guardians_of[code] = len(users)
        for user in users:
            per_guardian[user].append(organisations[code])
    messages = [
        EmailMessage(SUBJECT, _body(places), to=[user.email])
        for user, places in sorted(per_guardian.items(), key=lambda item: item[0].pk)
        if user.email
    ]
    if messages:
        get_connection().send_messages(messages)
    with transaction.atomic():
        for row in rows:  # unchanged since read: a new event keeps its row pending
            ReporterActivity.objects.filter(pk=row["pk"], count=row["count"]).update(notified=True)
        for code in codes:
            _audit(by, "notify", organisation=organisations[code], guardians=guardians_of[code])
    return Notified(
        organisations=codes,
        emails=len(messages),
        without_email=sorted(u.get_username() for u in per_guardian if not u.email),
    )
