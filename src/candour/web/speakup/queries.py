"""Reads: the guardian's case list (overdue first), quarters, and case counts by theme.

Counting uses only plaintext metadata (no keys). Every number that leaves here for a page, a
CSV or the oversight picture goes through :mod:`candour.analytics.disclosure` in
:mod:`candour.web.speakup.returns`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from candour.web.speakup.choices import OPEN_STATUSES, SealedFor, Status
from candour.web.speakup.conf import config
from candour.web.speakup.models import Case, CheckIn, GuardianRead, SealedKey

FINANCIAL_YEAR_START_MONTH = 4  # NHS financial years start on 1 April
_QUARTER_SLUG = re.compile(r"^(\d{4})-(\d{2})-q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of an NHS financial year: ``Quarter(2025, 1)`` is April to June 2025."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError("a quarter is numbered 1 to 4")

    @classmethod
    def containing(cls, day: datetime.date) -> Quarter:
        months_in = (day.month - FINANCIAL_YEAR_START_MONTH) % 12
        year = day.year if day.month >= FINANCIAL_YEAR_START_MONTH else day.year - 1
        return cls(year, months_in // 3 + 1)

    @classmethod
    def parse(cls, slug: str) -> Quarter:
        """``2025-26-q1`` as written by :attr:`slug`; ValueError otherwise."""
        match = _QUARTER_SLUG.match(slug or "")
        if not match or int(match.group(2)) != (int(match.group(1)) + 1) % 100:
            raise ValueError(f"not a quarter: {slug!r} (expected e.g. 2025-26-q1)")
        return cls(int(match.group(1)), int(match.group(3)))

    @property
    def start(self) -> datetime.date:
        month_index = FINANCIAL_YEAR_START_MONTH - 1 + 3 * (self.number - 1)
        return datetime.date(self.year + month_index // 12, month_index % 12 + 1, 1)

    @property
    def end(self) -> datetime.date:
        return self.next().start - datetime.timedelta(days=1)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    @property
    def slug(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}-q{self.number}"

    @property
    def label(self) -> str:
        return (
            f"Q{self.number} {self.year}/{(self.year + 1) % 100:02d} "
            f"({self.start:%B} to {self.end:%B %Y})"
        )

    def __str__(self) -> str:
        return self.slug


def recent_quarters(today: datetime.date, count: int = 8) -> list[Quarter]:
    quarters = [Quarter.containing(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters


# ------------------------------------------------------------------------------ guardian's list


@dataclass(frozen=True)
class CaseRow:
    case: Case
    next_step: str
    due_on: datetime.date | None
    overdue_days: int
    seen: int | None = None  # of the case's reporter_updates, by this guardian (None: never opened)

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0

    @property
    def unread(self) -> bool:
        """The person who spoke up has sent something this guardian has not seen."""
        return self.case.status != Status.EXPIRED and self.case.reporter_updates > (self.seen or 0)

    @property
    def never_opened(self) -> bool:
        return self.seen is None


def next_step(case: Case) -> tuple[str, datetime.date | None]:
    """What the guardian does next and by when (the configurable target times)."""
    targets = config().targets
    acknowledge_by = targets["acknowledge"].due(case.received_on)
    triage_by = targets["triage"].due(case.received_on)
    feedback_by = targets["feedback"].due(case.received_on)
    steps = {
        Status.RECEIVED: ("Acknowledge", acknowledge_by),
        Status.ACKNOWLEDGED: ("Triage", triage_by),
        Status.TRIAGED: ("Record actions or give feedback", feedback_by),
        Status.ACTIONED: ("Give feedback", feedback_by),
        Status.FEEDBACK_GIVEN: ("Close on evidence", None),
    }
    if case.status in steps:
        return steps[case.status]
    if case.status == Status.DETRIMENT_WATCH:
        pending = [c for c in case.check_ins.all() if c.answered_on is None]
        if pending:
            return f"{pending[0].months_after_closure}-month detriment check-in", pending[0].due_on
    return "None", None


def case_rows(cases, today: datetime.date) -> list[CaseRow]:
    """Rows for the guardian's list: overdue first (most overdue first), then by due date,
    then cases with nothing due, closed cases last."""
    rows = []
    for case in cases:
        step, due = next_step(case)
        overdue = (today - due).days if due and due < today else 0
        rows.append(CaseRow(case, step, due, overdue, getattr(case, "seen", None)))
    closed_rank = {Status.DETRIMENT_WATCH: 1, Status.CLOSED: 2, Status.EXPIRED: 3}
    return sorted(
        rows,
        key=lambda row: (
            not row.overdue,
            -row.overdue_days,
            closed_rank.get(row.case.status, 0) if not row.overdue else 0,
            row.due_on or datetime.date.max,
            row.case.received_on,
        ),
    )


def guardian_cases(user, *, expired_at: Iterable[str] = ()) -> QuerySet[Case]:
    """Cases sealed to this guardian (the only ones they can open), and the shredded cases of
    the organisations ``expired_at`` (listed by their metadata; nothing of them can be opened),
    each annotated with ``seen``: how many of the reporter's updates this guardian has seen."""
    sealed = Q(sealed_keys__guardian=user, sealed_keys__purpose=SealedFor.CASE)
    shredded = Q(status=Status.EXPIRED, organisation_id__in=list(expired_at))
    seen = GuardianRead.objects.filter(case=OuterRef("pk"), guardian=user).values("seen")[:1]
    return (
        Case.objects.filter(sealed | shredded)
        .annotate(seen=Subquery(seen))
        .select_related("organisation")
        .prefetch_related(Prefetch("check_ins", queryset=CheckIn.objects.order_by("due_on")))
        .distinct()
    )


def unreadable_cases(user, organisation_codes: list[str]) -> QuerySet[Case]:
    """Cases at the guardian's organisations that are not sealed to them (yet)."""
    sealed = SealedKey.objects.filter(guardian=user, purpose=SealedFor.CASE).values("case_id")
    return (
        Case.objects.filter(organisation_id__in=organisation_codes)
        .exclude(pk__in=sealed)
        .exclude(status=Status.EXPIRED)
        .order_by("-received_on")
    )


def open_case_count(organisation_code: str) -> int:
    return Case.objects.filter(organisation_id=organisation_code, status__in=OPEN_STATUSES).count()
