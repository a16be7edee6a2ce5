"""Every write to the leadership data: keyword-only arguments, ``by`` the actor, one transaction
that also records the audit event."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from candour.analytics.leadership.constants import POOL_KINDS, ROLES
from candour.exceptions import DataFileError, Problem
from candour.importers.board_ledger import DATASET, ROW, BoardLedger
from candour.web.core import audit
from candour.web.core.actions import actor_label
from candour.web.leadership.models import (
    BoardPost,
    DiversityTarget,
    Person,
    PoolMembership,
    PostHolding,
    SuccessionDecision,
    SuccessionPlan,
    Successor,
    TalentBoard,
    TalentBoardMember,
    TalentPool,
    VacancyEpisode,
)
from candour.web.oversight.models import ImportRun, Organisation

BATCH_SIZE = 2000


def today():
    return timezone.localdate()


# ------------------------------------------------------------------------------------ ledger


@dataclass(frozen=True)
class LedgerSummary:
    organisations: int
    posts: int
    holdings: int
    vacancies: int
    posts_removed: int
    synthetic_posts: int


@transaction.atomic
def import_board_ledger(*, ledger: BoardLedger, by) -> LedgerSummary:
    """Store a validated ledger file, replacing the whole ledger (posts, holdings, vacancies) of
    every organisation in it. All or nothing: a problem found against what is stored (an unknown
    organisation, a post_id used by another organisation, a post left out of the file that has a
    succession plan or decisions) raises DataFileError naming the rows, and nothing changes.
    Posts are matched by post_id, so succession plans on posts still in the file stay."""
    codes = ledger.organisations
    _check_against_database(ledger, codes)
    existing = {p.post_id: p for p in BoardPost.objects.filter(organisation_id__in=codes)}
    kept = set(ledger.posts["post_id"])
    removed = [p.pk for post_id, p in existing.items() if post_id not in kept]
    PostHolding.objects.filter(post__organisation_id__in=codes).delete()
    VacancyEpisode.objects.filter(post__organisation_id__in=codes).delete()
    BoardPost.objects.filter(pk__in=removed).delete()
    posts = _upsert_posts(ledger.posts, existing)
    PostHolding.objects.bulk_create(
        [
            PostHolding(post=posts[row["post_id"]], **_without(row, ROW, "post_id"))
            for row in ledger.holdings.iter_rows(named=True)
        ],
        batch_size=BATCH_SIZE,
    )
    VacancyEpisode.objects.bulk_create(
        [
            VacancyEpisode(post=posts[row["post_id"]], **_without(row, ROW, "post_id"))
            for row in ledger.vacancies.iter_rows(named=True)
        ],
        batch_size=BATCH_SIZE,
    )
    summary = LedgerSummary(
        organisations=len(codes),
        posts=ledger.posts.height,
        holdings=ledger.holdings.height,
        vacancies=ledger.vacancies.height,
        posts_removed=len(removed),
        synthetic_posts=int(ledger.posts["synthetic"].sum()),
    )
    sha256 = hashlib.sha256(Path(ledger.path).read_bytes()).hexdigest()
    run = ImportRun.objects.create(
        dataset=DATASET,
        source_file=ledger.path,
        sha256=sha256,
        rows=ledger.rows,
        replaced=len(existing),
        imported_by=actor_label(by),
    )
    audit.append(
        actor=actor_label(by),
        action="board_ledger.import",
        target_type="import_run",
        target_id=run.pk,
        details={"file": Path(ledger.path).name, "sha256": sha256, **asdict(summary)},
    )
    return summary


def _without(row: dict, *names: str) -> dict:
    return {k: v for k, v in row.items() if k not in names}


def _check_against_database(ledger: BoardLedger, codes: list[str]) -> None:
    known = set(Organisation.objects.filter(pk__in=codes).values_list("pk", flat=True))
    posts = ledger.posts
    problems = [
        Problem(
            f"organisation {code!r} is not known; import the ODS reference first "
            "(candour import ods_trusts)",
            row=int(posts.filter(pl.col("ods_code") == code)[ROW].min()),
            column="ods_code",
        )
        for code in codes
        if code not in known
    ]
    elsewhere = dict(
        BoardPost.objects.filter(post_id__in=posts["post_id"].to_list())
        .exclude(organisation_id__in=codes)
        .values_list("post_id", "organisation_id")
    )
    problems += [
        Problem(
            f"post_id {post_id!r} belongs to organisation {elsewhere[post_id]!r}, which is not "
            "in this file; post ids are unique across organisations",
            row=row,
            column="post_id",
        )
        for row, post_id in posts.select(ROW, "post_id").iter_rows()
        if post_id in elsewhere
    ]
    kept = set(posts["post_id"])
    in_use = (
        BoardPost.objects.filter(organisation_id__in=codes)
        .exclude(post_id__in=kept)
        .filter(_has_plan_or_decision())
        .values_list("post_id", flat=True)
        .distinct()
    )
    problems += [
        Problem(
            f"post {post_id!r} is stored with a succession plan or decisions but is not in this "
            "file; keep it in the file (a row with entry 'post' is enough)",
            column="post_id",
        )
        for post_id in sorted(in_use)
    ]
    if problems:
        raise DataFileError(ledger.path, problems, consequence="nothing was imported")


def _has_plan_or_decision() -> Q:
    return Q(succession_plan__isnull=False) | Q(decisions__isnull=False)


def _upsert_posts(frame: pl.DataFrame, existing: dict[str, BoardPost]) -> dict[str, BoardPost]:
    fields = ("role", "title", "executive", "voting", "synthetic")
    to_create, to_update = [], []
    for row in frame.iter_rows(named=True):
        values = {f: row[f] for f in fields}
        post = existing.get(row["post_id"])
        if post is None:
            to_create.append(
                BoardPost(post_id=row["post_id"], organisation_id=row["ods_code"], **values)
            )
        else:
            for name, value in values.items():
                setattr(post, name, value)
            to_update.append(post)
    BoardPost.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    BoardPost.objects.bulk_update(to_update, fields, batch_size=BATCH_SIZE)
    return {p.post_id: p for p in BoardPost.objects.filter(post_id__in=frame["post_id"].to_list())}


# ----------------------------------------------------------------------------- talent boards


@transaction.atomic
def ensure_talent_board(*, region_code: str, region_name: str, by) -> TalentBoard:
    """The region's talent board with its three pools, created if missing."""
    board, created = TalentBoard.objects.get_or_create(
        region_code=region_code, defaults={"region_name": region_name}
    )
    for kind in POOL_KINDS:
        TalentPool.objects.get_or_create(board=board, kind=kind)
    if created:
        audit.append(
            actor=actor_label(by),
            action="talent_board.create",
            target_type="talent_board",
            target_id=board.pk,
            details={"region_code": region_code},
        )
    return board


@transaction.atomic
def add_board_member(*, board: TalentBoard, user, by) -> TalentBoardMember:
    member, created = TalentBoardMember.objects.get_or_create(
        board=board, user=user, defaults={"added_on": today()}
    )
    if created:
        audit.append(
            actor=actor_label(by),
            action="talent_board.add_member",
            target_type="talent_board",
            target_id=board.pk,
            details={"region_code": board.region_code, "user": user.get_username()},
        )
    return member


@dataclass(frozen=True)
class TalentSummary:
    people: int
    memberships: int
    plans: int
    successors: int
    targets: int


@transaction.atomic
def load_talent(
    *,
    people: pl.DataFrame,
    memberships: pl.DataFrame,
    plans: pl.DataFrame,
    successors: pl.DataFrame,
    targets: pl.DataFrame,
    year: int,
    synthetic: bool,
    by,
) -> TalentSummary:
    """Store people, pool memberships, succession plans and diversity targets (the frames of
    :mod:`candour.analytics.leadership.synthetic`), creating or updating by their keys, in one
    transaction with one audit event. Each plan's successors are replaced."""
    stored = _upsert_people(people, synthetic=synthetic)
    _upsert_memberships(memberships, stored)
    plan_of = _upsert_plans(plans, stored, synthetic=synthetic)
    Successor.objects.filter(plan__in=plan_of.values()).delete()
    Successor.objects.bulk_create(
        [
            Successor(plan=plan_of[post_id], person=stored[person_id], rank=rank)
            for post_id, person_id, rank in successors.select(
                "post_id", "person_id", "rank"
            ).iter_rows()
        ],
        batch_size=BATCH_SIZE,
    )
    for ods_code, target in targets.select("ods_code", "target").iter_rows():
        DiversityTarget.objects.update_or_create(
            organisation_id=ods_code,
            year=year,
            defaults={"target": target, "synthetic": synthetic},
        )
    summary = TalentSummary(
        people=people.height,
        memberships=memberships.height,
        plans=plans.height,
        successors=successors.height,
        targets=targets.height,
    )
    audit.append(
        actor=actor_label(by),
        action="talent.load",
        details={**asdict(summary), "synthetic": synthetic, "year": year},
    )
    return summary


def _upsert(model, key: str, rows: dict, fields: tuple[str, ...]) -> dict:
    """Create or update ``model`` rows keyed by ``key`` (rows: key -> field values)."""
    existing = model.objects.in_bulk(list(rows), field_name=key)
    new, changed = [], []
    for value, values in rows.items():
        instance = existing.get(value)
        if instance is None:
            new.append(model(**{key: value}, **values))
            continue
        for name, field_value in values.items():
            setattr(instance, name, field_value)
        changed.append(instance)
    model.objects.bulk_create(new, batch_size=BATCH_SIZE)
    model.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)
    return model.objects.in_bulk(list(rows), field_name=key)


def _upsert_people(people: pl.DataFrame, *, synthetic: bool) -> dict[str, Person]:
    known = set(Organisation.objects.values_list("pk", flat=True))
    rows = {
        row["person_id"]: {
            "name": row["name"],
            "organisation_id": row["ods_code"] if row["ods_code"] in known else None,
            "ethnicity": row["ethnicity"] or "",
            "other_sector": row["other_sector"] or "",
            "synthetic": synthetic,
        }
        for row in people.iter_rows(named=True)
    }
    fields = ("name", "organisation_id", "ethnicity", "other_sector", "synthetic")
    return _upsert(Person, "person_id", rows, fields)


def _upsert_memberships(memberships: pl.DataFrame, stored: dict[str, Person]) -> None:
    pools = {(p.board.region_code, p.kind): p for p in TalentPool.objects.select_related("board")}
    existing = {(m.pool_id, m.person_id): m for m in PoolMembership.objects.all()}
    new, changed = [], []
    fields = ("readiness", "mobility", "target_roles", "nomination")
    for row in memberships.iter_rows(named=True):
        pool = pools.get((row["region_code"], row["pool"]))
        if pool is None:
            raise ValidationError(f"no talent board for region {row['region_code']}")
        _check_roles(row["target_roles"])
        values = {f: row[f] for f in fields} | {"target_roles": list(row["target_roles"])}
        person = stored[row["person_id"]]
        membership = existing.get((pool.pk, person.pk))
        if membership is None:
            new.append(PoolMembership(pool=pool, person=person, joined_on=today(), **values))
            continue
        for name, value in values.items():
            setattr(membership, name, value)
        changed.append(membership)
    PoolMembership.objects.bulk_create(new, batch_size=BATCH_SIZE)
    PoolMembership.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)


def _upsert_plans(
    plans: pl.DataFrame, stored: dict[str, Person], *, synthetic: bool
) -> dict[str, SuccessionPlan]:
    posts = BoardPost.objects.in_bulk(plans["post_id"].to_list(), field_name="post_id")
    existing = {p.post_id: p for p in SuccessionPlan.objects.filter(post__in=posts.values())}
    new, changed = [], []
    fields = ("risk", "emergency_cover", "last_reviewed", "synthetic")
    for row in plans.iter_rows(named=True):
        post = posts[row["post_id"]]
        values = {
            "risk": row["risk"],
            "emergency_cover": stored.get(row["emergency_cover"]),
            "last_reviewed": today(),
            "synthetic": synthetic,
        }
        plan = existing.get(post.pk)
        if plan is None:
            new.append(SuccessionPlan(post=post, **values))
            continue
        for name, value in values.items():
            setattr(plan, name, value)
        changed.append(plan)
    SuccessionPlan.objects.bulk_create(new, batch_size=BATCH_SIZE)
    SuccessionPlan.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)
    return {
        plan.post.post_id: plan
        for plan in SuccessionPlan.objects.filter(post__in=posts.values()).select_related("post")
    }


def _check_roles(roles) -> None:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValidationError(f"unknown target roles: {sorted(unknown)}")


@transaction.atomic
def record_succession_decision(
    *,
    board: TalentBoard,
    post: BoardPost,
    kind: str,
    person: Person | None,
    rationale: str,
    by,
) -> SuccessionDecision:
    """Record what the board decided about a post in its region. Adding a successor also puts
    the person at the end of the post's succession plan (creating the plan, risk medium, when
    there is none)."""
    if post.organisation.region_code != board.region_code:
        raise ValidationError("The post is not in this talent board's region.")
    if kind not in SuccessionDecision.Kind.values:
        raise ValidationError(f"Unknown decision {kind!r}.")
    if kind in SuccessionDecision.PERSON_KINDS and person is None:
        raise ValidationError("Choose the person this decision is about.")
    if kind not in SuccessionDecision.PERSON_KINDS:
        person = None
    if not rationale.strip():
        raise ValidationError("Give the reason for the decision.")
    decision = SuccessionDecision.objects.create(
        board=board,
        post=post,
        kind=kind,
        person=person,
        rationale=rationale.strip(),
        decided_on=today(),
        decided_by=by,
    )
    if kind == SuccessionDecision.Kind.ADD_SUCCESSOR:
        _add_successor(post, person)
    audit.append(
        actor=actor_label(by),
        action="talent_board.succession_decision",
        target_type="board_post",
        target_id=post.post_id,
        details={
            "decision": decision.pk,
            "kind": kind,
            "person_id": person.person_id if person else "",
            "region_code": board.region_code,
        },
    )
    return decision


def _add_successor(post: BoardPost, person: Person) -> None:
    plan, _ = SuccessionPlan.objects.get_or_create(
        post=post, defaults={"risk": SuccessionPlan.Risk.MEDIUM}
    )
    if plan.successors.filter(person=person).exists():
        return
    last = plan.successors.aggregate(last=Max("rank"))["last"] or 0
    Successor.objects.create(plan=plan, person=person, rank=last + 1)
    plan.last_reviewed = today()
    plan.save(update_fields=["last_reviewed"])
