"""SYNTHETIC appraisals, 360 feedback, fit-and-proper records, a conduct concern and a new-deal
package for the demo accounts (``candour leadership demo-people``, after ``candour demo-users``).
Every row is marked synthetic and every page showing one says so. Everything is written through
the actions, so the audit log records the demo like anything else.

At the demo organisation (R0B), demo-board is the chair (the current holder of the ledger's
chair post, when there is a ledger) and is appraised by demo-regional (NHS England's regional
director appraises trust chairs):

* last year's appraisal is closed, and its 360 released: three board colleagues answered
  (demo-analyst, demo-guardian, demo-talent-board), so that group shows; two people who report
  to the chair answered (demo-staff, demo-admin), fewer than three, so that group shows nothing;
* this year's appraisal is open: a self-assessment saved but not submitted, and 360 requests
  out to demo-staff (to answer as a new user would) and others;
* demo-admin is R0B's fit-and-proper administrator; two other board members have records (one
  signed off and returned to the region), one has a conduct concern being investigated;
* R0B has a new-deal package whose capital from the centre is overdue, with success measures on
  the real published referral-to-treatment and 12-hour-wait data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from candour.exceptions import OptionError
from candour.importers.framework import load_framework as read_framework
from candour.web.core.models import User
from candour.web.leadership import (
    actions_appraisal,
    actions_conduct,
    actions_feedback,
    actions_fitness,
    actions_framework,
    actions_newdeal,
)
from candour.web.leadership.models import (
    Appraisal,
    BoardPost,
    NewDealPackage,
    Person,
)
from candour.web.leadership.queries_people import board_members
from candour.web.oversight.models import Measure, Observation, Organisation

DEMO_ORGANISATION = "R0B"
CHAIR_ACCOUNT = "demo-board"
APPRAISER_ACCOUNT = "demo-regional"
FPPT_ADMINISTRATOR_ACCOUNT = "demo-admin"
BOARD_COLLEAGUES = ("demo-analyst", "demo-guardian", "demo-talent-board")
DIRECT_REPORTS = ("demo-staff", "demo-admin")
CHAIR_PERSON_ID = "SYN-DEMO-CHAIR"
SYNTHETIC_DATE_OF_BIRTH = dt.date(1966, 5, 17)
# A rating pattern for the synthetic raters: each rater's scores cycle through these.
RATER_SCORES = ((4, 3, 4, 3), (3, 3, 4, 4), (4, 4, 3, 2), (2, 3, 3, 4), (3, 2, 4, 3))


@dataclass
class Seeded:
    appraisals: int = 0
    feedback_answers: int = 0
    fppt_records: int = 0
    conduct_concerns: int = 0
    packages: int = 0


def _account(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise OptionError(f"no {username} account: run 'candour demo-users' first")
    return user


@transaction.atomic
def seed(*, by: str, today: dt.date | None = None) -> Seeded:
    today = today or timezone.localdate()
    organisation = Organisation.objects.filter(pk=DEMO_ORGANISATION).first()
    if organisation is None:
        raise OptionError("the demo organisation R0B is missing: run 'candour import all' first")
    actions_framework.load_framework(definition=read_framework(), by=by)
    seeded = Seeded()
    chair = _chair(organisation, by)
    for username, kind in (
        (CHAIR_ACCOUNT, "chair"),
        (FPPT_ADMINISTRATOR_ACCOUNT, "fppt_administrator"),
    ):
        actions_fitness.name_board_officer(
            organisation=organisation, user=_account(username), kind=kind, by=by
        )
    if not Appraisal.objects.filter(person=chair).exists():
        _appraisals(chair, today, by, seeded)
    _fitness(organisation, chair, today, by, seeded)
    if not NewDealPackage.objects.filter(organisation=organisation, synthetic=True).exists():
        _new_deal(organisation, today, by, seeded)
    return seeded


def _chair(organisation, by) -> Person:
    """demo-board's person: the ledger's current chair of R0B, or a person of their own."""
    chair_post = BoardPost.objects.filter(organisation=organisation, role="chair").first()
    holder = next(
        (m.person_id for m in board_members(organisation) if chair_post and m.post == chair_post),
        None,
    )
    existing = Person.objects.filter(user__username=CHAIR_ACCOUNT).first()
    return actions_fitness.register_person(
        person_id=existing.person_id if existing else holder or CHAIR_PERSON_ID,
        name="Morgan Ellis (synthetic chair)",
        organisation=organisation,
        date_of_birth=SYNTHETIC_DATE_OF_BIRTH,
        user=_account(CHAIR_ACCOUNT),
        synthetic=True,
        by=by,
    )


def _ratings(appraisal, seed: int, *, evidence: str) -> list[actions_appraisal.Rating]:
    levels = {level.score: level for level in appraisal.framework.levels.all()}
    competencies = [
        c
        for d in appraisal.framework.domains.prefetch_related("competencies")
        for c in d.competencies.all()
    ]
    pattern = RATER_SCORES[seed % len(RATER_SCORES)]
    return [
        actions_appraisal.Rating(c, levels[pattern[i % len(pattern)]], evidence)
        for i, c in enumerate(competencies)
    ]


def _appraisals(chair: Person, today: dt.date, by: str, seeded: Seeded) -> None:
    appraiser = _account(APPRAISER_ACCOUNT)
    last = actions_appraisal.open_appraisal(
        person=chair, year=today.year - 1, appraiser=appraiser, synthetic=True, by=by
    )
    actions_appraisal.save_self_assessment(
        appraisal=last,
        ratings=_ratings(last, 0, evidence="Synthetic evidence for the demo."),
        submit=True,
        by=by,
    )
    actions_appraisal.save_appraiser_ratings(
        appraisal=last,
        ratings=_ratings(last, 1, evidence="Synthetic: seen at board and in the region's review."),
        submit=True,
        by=by,
    )
    actions_appraisal.add_objective(
        appraisal=last,
        objective="Make speaking up safe at board level: a board development session on "
        "civility and a review of how concerns about directors are handled.",
        success_measure="Staff survey: fewer staff reporting bullying from managers.",
        due_on=dt.date(today.year - 1, 12, 31),
        by=by,
    )
    for i, username in enumerate(BOARD_COLLEAGUES + DIRECT_REPORTS):
        relationship = "board_colleague" if username in BOARD_COLLEAGUES else "direct_report"
        request = actions_feedback.request_feedback(
            appraisal=last, rater=_account(username), relationship=relationship, by=by
        )
        levels = {r.competency.pk: r.level for r in _ratings(last, i + 2, evidence="")}
        actions_feedback.answer_feedback(request=request, levels=levels, by=by)
        seeded.feedback_answers += 1
    actions_feedback.close_appraisal(
        appraisal=last, summary="Synthetic summary: a strong year on governance.", by=by
    )
    current = actions_appraisal.open_appraisal(
        person=chair, year=today.year, appraiser=appraiser, synthetic=True, by=by
    )
    half = _ratings(current, 3, evidence="Synthetic evidence, still being written.")
    actions_appraisal.save_self_assessment(
        appraisal=current, ratings=half[: len(half) // 2], submit=False, by=by
    )
    for username in ("demo-staff", "demo-analyst", "demo-talent-board"):
        relationship = "direct_report" if username == "demo-staff" else "board_colleague"
        actions_feedback.request_feedback(
            appraisal=current, rater=_account(username), relationship=relationship, by=by
        )
    seeded.appraisals += 2


def _fitness(organisation, chair: Person, today: dt.date, by: str, seeded: Seeded) -> None:
    others = [m for m in board_members(organisation) if m.person_id != chair.person_id][:2]
    names = ("Jordan Hale (synthetic)", "Sam Okafor (synthetic)")
    for i, (member, name) in enumerate(zip(others, names, strict=False)):
        person = member.person or actions_fitness.register_person(
            person_id=member.person_id,
            name=name,
            organisation=organisation,
            date_of_birth=dt.date(1970 + 5 * i, 3, 9),
            synthetic=True,
            by=by,
        )
        if person.fppt_records.filter(year=today.year).exists():
            continue
        record = actions_fitness.start_fppt_record(
            organisation=organisation,
            person=person,
            year=today.year,
            post=member.post,
            synthetic=True,
            by=by,
        )
        for kind in ("dbs", "disqualified_directors", "insolvency", "social_media"):
            actions_fitness.add_fppt_check(
                record=record,
                kind=kind,
                checked_on=today - dt.timedelta(days=30 + 7 * i),
                result="satisfactory",
                evidence_held_at="ESR (synthetic)",
                by=by,
            )
        actions_fitness.record_fppt_date(
            record=record, step="attested", on=today - dt.timedelta(days=20), by=by
        )
        seeded.fppt_records += 1
        if i == 0:
            actions_fitness.sign_off_fppt(record=record, outcome="fit", actions="", by=by)
            actions_fitness.submit_fppt(record=record, by=by)
        else:
            concern = actions_conduct.record_conduct_concern(
                organisation=organisation,
                subject=person,
                category="bullying",
                summary="Synthetic: two directors describe belittling comments in executive "
                "meetings.",
                synthetic=True,
                by=by,
            )
            actions_conduct.assign_investigators(
                concern=concern, investigators=[_account(FPPT_ADMINISTRATOR_ACCOUNT)], by=by
            )
            seeded.conduct_concerns += 1


def _baseline(organisation, measure_id: str) -> tuple[dt.date, float] | None:
    first = (
        Observation.objects.filter(organisation=organisation, measure_id=measure_id)
        .order_by("period_start")
        .first()
    )
    return (first.period_start, first.value) if first else None


def _new_deal(organisation, today: dt.date, by: str, seeded: Seeded) -> None:
    ceo = actions_fitness.register_person(
        person_id="SYN-DEMO-CEO",
        name="Riley Morgan (synthetic incoming chief executive)",
        organisation=organisation,
        synthetic=True,
        by=by,
    )
    chair = Person.objects.filter(user__username=CHAIR_ACCOUNT).first()
    starts = dt.date(2024, 8, 1)  # the start of the bundled monthly performance data
    package = actions_newdeal.create_package(
        organisation=organisation,
        chief_executive=ceo,
        chair=chair,
        starts_on=starts,
        agreed_on=dt.date(2024, 7, 15),
        protected_until=dt.date(2026, 1, 31),
        summary="Synthetic: recover elective waiting times without longer waits in A&E.",
        synthetic=True,
        by=by,
    )
    centre = (
        ("region", "capital", "£4.5m capital for a second endoscopy suite.", 4_500_000,
         dt.date(2025, 3, 31), "in_progress"),
        ("icb", "improvement_support", "A quality-improvement team for elective flow.", None,
         dt.date(today.year + 1, 3, 31), "in_progress"),
        ("region", "coaching", "Executive coaching for the chief executive's first year.", None,
         dt.date(2025, 7, 31), "done"),
        ("region", "protected_period", "No new regional reporting asks for 18 months.", None,
         dt.date(2026, 1, 31), "done"),
    )  # fmt: skip
    for party, kind, description, pounds, due, status in centre:
        commitment = actions_newdeal.add_commitment(
            package=package,
            party=party,
            kind=kind,
            description=description,
            owner="Regional director (synthetic)"
            if party == "region"
            else "ICB chief executive (synthetic)",
            due_on=due,
            capital_pounds=pounds,
            by=by,
        )
        actions_newdeal.set_commitment_status(commitment=commitment, status=status, by=by)
    for measure_id, change in (("rtt_18wk", 0.06), ("ae_12hr_waits", -0.02)):
        baseline = _baseline(organisation, measure_id)
        if baseline is None or not Measure.objects.filter(pk=measure_id).exists():
            continue
        day, value = baseline
        commitment = actions_newdeal.add_commitment(
            package=package,
            party="chief_executive",
            kind="success_measure",
            description=f"Synthetic trajectory for {Measure.objects.get(pk=measure_id).name}.",
            owner="Chief executive (synthetic)",
            due_on=dt.date(today.year + 1, 3, 31),
            measure=Measure.objects.get(pk=measure_id),
            baseline_value=value,
            baseline_on=day,
            trajectory=[
                (dt.date(2025, 3, 31), value + change / 3),
                (dt.date(2026, 3, 31), value + change),
            ],
            review_dates=[dt.date(2025, 3, 31), dt.date(2025, 9, 30), dt.date(2026, 3, 31)],
            by=by,
        )
        actions_newdeal.set_commitment_status(commitment=commitment, status="in_progress", by=by)
    seeded.packages += 1
