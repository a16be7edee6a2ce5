"""Read-side helpers for the board-records pages: who sits on a board now (from the ledger), their
fit-and-proper records, who has left, and which records a person may open. Nothing here
writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.utils import timezone

from candour.analytics.leadership import post_status
from candour.web.core.access import has_role_for
from candour.web.leadership import policy
from candour.web.leadership.models import (
    BoardOfficer,
    BoardPost,
    ConductConcern,
    FitAndProperRecord,
    NewDealPackage,
    Person,
    PostHolding,
)
from candour.web.leadership.queries import ledger_frames

# References are for directors who left in the last year or leave in the next.
LEAVERS_WINDOW_DAYS = 365


@dataclass
class BoardMember:
    post: BoardPost
    person_id: str
    basis: str
    person: Person | None
    record: FitAndProperRecord | None = None


def board_members(organisation, as_of: dt.date | None = None) -> list[BoardMember]:
    """The current holder of each of the organisation's board posts (the ledger's rule)."""
    as_of = as_of or timezone.localdate()
    posts = BoardPost.objects.filter(organisation=organisation)
    post_frame, holdings = ledger_frames(posts)
    if post_frame.is_empty():
        return []
    status = post_status(post_frame, holdings, as_of=as_of).filter(
        pl.col("holder_person_id").is_not_null()
    )
    by_id = posts.in_bulk(field_name="post_id")
    people = Person.objects.in_bulk(status["holder_person_id"].to_list(), field_name="person_id")
    return [
        BoardMember(
            post=by_id[row["post_id"]],
            person_id=row["holder_person_id"],
            basis=row["holder_basis"],
            person=people.get(row["holder_person_id"]),
        )
        for row in status.sort("role", "post_id").iter_rows(named=True)
    ]


def board_people(organisation, as_of: dt.date | None = None) -> list[Person]:
    """The people on the organisation's board now who are known to Candour by name, and anyone
    recorded as working there with a Candour account holding the board role for it."""
    people = {m.person.pk: m.person for m in board_members(organisation, as_of) if m.person}
    for person in Person.objects.filter(organisation=organisation, user__isnull=False):
        if has_role_for(person.user, policy.CHAIR_ROLES, organisation):
            people.setdefault(person.pk, person)
    return sorted(people.values(), key=lambda p: p.name)


def fppt_overview(organisation, year: int) -> tuple[list[BoardMember], list[FitAndProperRecord]]:
    """The board's members with their record for ``year``, and that year's records of people
    no longer on the board."""
    members = board_members(organisation)
    records = {
        r.person.person_id: r
        for r in FitAndProperRecord.objects.filter(organisation=organisation, year=year)
        .select_related("person")
        .prefetch_related("checks")
    }
    for member in members:
        member.record = records.pop(member.person_id, None)
    return members, list(records.values())


def leavers(organisation, as_of: dt.date | None = None) -> list[PostHolding]:
    """Holdings of the organisation's board posts that ended in the last year or end in the
    next: the directors a reference may be needed for."""
    as_of = as_of or timezone.localdate()
    window = dt.timedelta(days=LEAVERS_WINDOW_DAYS)
    return list(
        PostHolding.objects.filter(
            post__organisation=organisation,
            end__isnull=False,
            end__gte=as_of - window,
            end__lte=as_of + window,
        )
        .select_related("post")
        .order_by("-end")
    )


def board_records_for(user) -> dict:
    """For the appraisals page: the organisations whose FPPT records ``user`` keeps, those where
    they are chair (conduct concerns), the concerns they investigate and the new-deal packages
    of their organisations."""
    chair_of = [
        office.organisation
        for office in BoardOfficer.objects.filter(
            user=user, kind=BoardOfficer.Kind.CHAIR
        ).select_related("organisation")
        if policy.is_chair(user, office.organisation)
    ]
    investigating = [
        c
        for c in ConductConcern.objects.filter(investigators=user).select_related(
            "organisation", "subject"
        )
        if policy.can_read_conduct(user, c)
    ]
    packages = [
        p
        for p in NewDealPackage.objects.select_related("organisation", "chief_executive")
        if policy.can_read_package(user, p)
    ]
    return {
        "fppt_organisations": policy.fppt_organisations(user),
        "chair_organisations": chair_of,
        "investigating": investigating,
        "packages": packages,
    }
