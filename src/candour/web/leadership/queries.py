"""Read-side queries for the leadership pages: the stored ledger and pools as Polars frames, and
the analytics on them. Views stay thin; nothing here writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl
from django.db.models import Prefetch

from candour.analytics.leadership import (
    kerr_by_rating,
    match_candidates,
    metrics_from_status,
    pipeline_diversity,
    post_status,
    posts_in_demand,
)
from candour.analytics.leadership.constants import DEMAND_REASONS
from candour.web.leadership.models import (
    BoardPost,
    DiversityTarget,
    Person,
    PoolMembership,
    PostHolding,
    SuccessionDecision,
    SuccessionPlan,
    TalentBoard,
)
from candour.web.oversight.models import Organisation, Rating

POST_SCHEMA = {
    "ods_code": pl.String,
    "post_id": pl.String,
    "role": pl.String,
    "executive": pl.Boolean,
    "voting": pl.Boolean,
}
HOLDING_SCHEMA = {
    "post_id": pl.String,
    "person_id": pl.String,
    "start": pl.Date,
    "end": pl.Date,
    "basis": pl.String,
}
REASON_LABELS = {
    "vacant": "Vacant",
    "interim_over_6_months": "Interim for over 6 months",
    "interim": "Interim",
    "holder_leaving_within_12_months": "Holder leaving within 12 months",
}
PROXIMITY_LABELS = {
    "successor": "named successor",
    "organisation": "same organisation",
    "system": "same system",
    "region": "same region",
    "national": "another region",
}


def ledger_frames(posts=None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The stored ledger (``posts``: a BoardPost queryset, default all) as the frames
    :func:`candour.analytics.leadership.board_metrics` takes."""
    posts = BoardPost.objects.all() if posts is None else posts
    post_rows = list(
        posts.order_by("post_id").values_list(
            "organisation_id", "post_id", "role", "executive", "voting"
        )
    )
    holding_rows = list(
        PostHolding.objects.filter(post__in=posts)
        .order_by("post__post_id", "start")
        .values_list("post__post_id", "person_id", "start", "end", "basis")
    )
    return (
        pl.DataFrame(post_rows, schema=POST_SCHEMA, orient="row"),
        pl.DataFrame(holding_rows, schema=HOLDING_SCHEMA, orient="row"),
    )


def is_synthetic(posts=None) -> bool:
    """Whether any of these posts (default: all) came from a synthetic ledger."""
    posts = BoardPost.objects.all() if posts is None else posts
    return posts.filter(synthetic=True).exists()


def latest_overall_ratings() -> pl.DataFrame:
    rows = (
        Rating.objects.filter(service="Overall", key_question="overall")
        .order_by("organisation_id", "published")
        .values_list("organisation_id", "rating")
    )
    return pl.DataFrame(
        list(rows), schema={"ods_code": pl.String, "rating": pl.String}, orient="row"
    ).unique("ods_code", keep="last", maintain_order=True)


# ---------------------------------------------------------------------------------------- Kerr


# Each Kerr measure's heading and the heading of the count behind it.
KERR_LABELS = {
    "exec_vacancy_rate": ("Executive posts vacant", "Vacant posts"),
    "exec_interim_rate": ("Executive posts held by interims", "Interim posts"),
    "exec_appointed_last_12m_share": (
        "Executives appointed in the last 12 months",
        "Posts filled in the last 12 months",
    ),
    "ceo_tenure_days": (
        "Chief executive's time in post",
        "Trusts with a substantive chief executive",
    ),
}


@dataclass
class KerrAnalysis:
    as_of: dt.date
    organisations: int
    rated: int
    synthetic: bool
    measures: list[tuple[str, str, str, list[dict]]]  # measure, heading, count heading, rows


def kerr_analysis(as_of: dt.date) -> KerrAnalysis:
    posts, holdings = ledger_frames()
    metrics = metrics_from_status(post_status(posts, holdings, as_of=as_of), as_of=as_of)
    ratings = latest_overall_ratings()
    table = kerr_by_rating(metrics, ratings)
    measures = [
        (measure, *KERR_LABELS[measure], table.filter(pl.col("measure") == measure).to_dicts())
        for measure in table["measure"].unique(maintain_order=True)
    ]
    return KerrAnalysis(
        as_of=as_of,
        organisations=metrics.height,
        rated=metrics.join(ratings, on="ods_code").height,
        synthetic=is_synthetic(),
        measures=measures,
    )


# ----------------------------------------------------------------------------------- regions


def region_organisations(region_code: str):
    return Organisation.objects.filter(
        region_code=region_code, close_date__isnull=True, successor__isnull=True
    )


def region_status(region_code: str, as_of: dt.date) -> pl.DataFrame:
    """post_status for every post of the region's open organisations, with the organisation's
    name and system (ICB)."""
    organisations = region_organisations(region_code)
    posts, holdings = ledger_frames(BoardPost.objects.filter(organisation__in=organisations))
    status = post_status(posts, holdings, as_of=as_of)
    names = pl.DataFrame(
        list(organisations.values_list("ods_code", "name", "icb_code", "region_code")),
        schema={
            "ods_code": pl.String,
            "name": pl.String,
            "icb_code": pl.String,
            "region_code": pl.String,
        },
        orient="row",
    ).with_columns(pl.col("icb_code").replace("", None))
    return status.join(names, on="ods_code", how="left")


@dataclass
class Match:
    person: Person
    proximity: str
    successor_rank: int | None
    memberships: list[PoolMembership]

    @property
    def proximity_label(self) -> str:
        return PROXIMITY_LABELS[self.proximity]


@dataclass
class Demand:
    post: BoardPost
    reason: str
    since: dt.date | None
    leaving_on: dt.date | None
    holder_basis: str | None
    holder_start: dt.date | None
    plan: SuccessionPlan | None
    matches: list[Match] = field(default_factory=list)
    decisions: list[SuccessionDecision] = field(default_factory=list)

    @property
    def reason_label(self) -> str:
        return REASON_LABELS[self.reason]


def region_candidates(board: TalentBoard) -> pl.DataFrame:
    """The board's pool members as :func:`match_candidates` takes them. A person's region is
    where they work, or the board's region when they work outside the NHS."""
    rows = [
        (
            m.person.person_id,
            m.person.organisation_id,
            (m.person.organisation.icb_code or None) if m.person.organisation else None,
            (m.person.organisation.region_code if m.person.organisation else "")
            or board.region_code,
            m.readiness,
            m.mobility,
            list(m.target_roles),
        )
        for m in PoolMembership.objects.filter(pool__board=board).select_related(
            "person__organisation"
        )
    ]
    return pl.DataFrame(
        rows,
        schema={
            "person_id": pl.String,
            "ods_code": pl.String,
            "icb_code": pl.String,
            "region_code": pl.String,
            "readiness": pl.String,
            "mobility": pl.String,
            "target_roles": pl.List(pl.String),
        },
        orient="row",
    )


def supply_and_demand(board: TalentBoard, as_of: dt.date) -> list[Demand]:
    """The region's executive posts in demand, most urgent first, each with its succession plan
    and the ready-now people across the region who match it (the rule is
    :func:`candour.analytics.leadership.match_candidates`)."""
    status = region_status(board.region_code, as_of).filter(pl.col("executive"))
    demand = posts_in_demand(status, as_of=as_of)
    if demand.is_empty():
        return []
    post_ids = demand["post_id"].to_list()
    posts = BoardPost.objects.select_related("organisation").in_bulk(post_ids, field_name="post_id")
    plans = {
        plan.post.post_id: plan
        for plan in SuccessionPlan.objects.filter(post__post_id__in=post_ids)
        .select_related("post", "emergency_cover")
        .prefetch_related("successors__person")
    }
    successors = pl.DataFrame(
        [(pid, s.person.person_id, s.rank) for pid, p in plans.items() for s in p.successors.all()],
        schema={"post_id": pl.String, "person_id": pl.String, "rank": pl.Int64},
        orient="row",
    )
    matches = match_candidates(demand, region_candidates(board), successors)
    people = Person.objects.select_related("organisation").prefetch_related(
        Prefetch("memberships", queryset=PoolMembership.objects.select_related("pool"))
    )
    people = people.in_bulk(matches["person_id"].unique().to_list(), field_name="person_id")
    decisions: dict[str, list] = {}
    for decision in SuccessionDecision.objects.filter(
        board=board, post__post_id__in=post_ids
    ).select_related("post", "person", "decided_by"):
        decisions.setdefault(decision.post.post_id, []).append(decision)
    result = []
    for row in demand.iter_rows(named=True):
        found = matches.filter(pl.col("post_id") == row["post_id"])
        result.append(
            Demand(
                post=posts[row["post_id"]],
                reason=row["reason"],
                since=row["without_substantive_since"],
                leaving_on=row["leaving_on"],
                holder_basis=row["holder_basis"],
                holder_start=row["holder_start"],
                plan=plans.get(row["post_id"]),
                matches=[
                    Match(
                        person=people[m["person_id"]],
                        proximity=m["proximity"],
                        successor_rank=m["successor_rank"],
                        memberships=[
                            ms
                            for ms in people[m["person_id"]].memberships.all()
                            if ms.pool.board_id == board.pk
                        ],
                    )
                    for m in found.iter_rows(named=True)
                ],
                decisions=decisions.get(row["post_id"], []),
            )
        )
    return result


def demand_counts(items: list[Demand]) -> list[tuple[str, int]]:
    return [
        (REASON_LABELS[reason], sum(1 for i in items if i.reason == reason))
        for reason in DEMAND_REASONS
    ]


@dataclass
class OrganisationLedger:
    organisation: Organisation
    metrics: dict
    posts: list[dict]


def region_ledger(region_code: str, as_of: dt.date) -> list[OrganisationLedger]:
    """Each open organisation of the region with its board metrics and posts at ``as_of``."""
    status = region_status(region_code, as_of)
    metrics = {
        row["ods_code"]: row
        for row in metrics_from_status(status, as_of=as_of).iter_rows(named=True)
    }
    posts = BoardPost.objects.filter(organisation__region_code=region_code).in_bulk(
        field_name="post_id"
    )
    by_org: dict[str, list[dict]] = {}
    for row in status.sort("ods_code", "post_id").iter_rows(named=True):
        by_org.setdefault(row["ods_code"], []).append({**row, "post": posts[row["post_id"]]})
    return [
        OrganisationLedger(
            organisation, metrics[organisation.ods_code], by_org[organisation.ods_code]
        )
        for organisation in region_organisations(region_code).order_by("name")
        if organisation.ods_code in metrics
    ]


def region_pools(board: TalentBoard):
    return board.pools.prefetch_related(
        Prefetch(
            "memberships",
            queryset=PoolMembership.objects.select_related("person__organisation").order_by(
                "readiness", "person__name"
            ),
        )
    )


def region_plans(board: TalentBoard):
    return (
        SuccessionPlan.objects.filter(post__organisation__region_code=board.region_code)
        .select_related("post__organisation", "emergency_cover")
        .prefetch_related("successors__person__memberships__pool")
        .order_by("post__organisation__name", "post__post_id")
    )


def region_diversity(board: TalentBoard, year: int) -> list[dict]:
    """Pipeline diversity for the organisations of the board's region, disclosure-controlled
    (:func:`candour.analytics.leadership.pipeline_diversity`), with organisation names."""
    members = (
        Person.objects.filter(memberships__pool__board=board)
        .exclude(ethnicity="")
        .exclude(organisation__isnull=True)
        .values_list("person_id", "organisation_id", "ethnicity")
        .distinct()  # one row per person, whatever the number of their pools
    )
    pipeline = pl.DataFrame(
        list(members),
        schema={"person_id": pl.String, "ods_code": pl.String, "ethnicity": pl.String},
        orient="row",
    ).drop("person_id")
    targets = pl.DataFrame(
        list(
            DiversityTarget.objects.filter(
                year=year, organisation__region_code=board.region_code
            ).values_list("organisation_id", "target")
        ),
        schema={"ods_code": pl.String, "target": pl.Float64},
        orient="row",
    )
    table = pipeline_diversity(pipeline, targets)
    names = dict(
        Organisation.objects.filter(pk__in=table["ods_code"].to_list()).values_list("pk", "name")
    )
    return [{**row, "name": names.get(row["ods_code"])} for row in table.iter_rows(named=True)]
