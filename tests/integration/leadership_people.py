"""Builders the appraisal, fit-and-proper, conduct and new-deal tests share: each makes its
objects through the actions (``system:test``), as the demo and commands do."""

from __future__ import annotations

import datetime as dt

from tests.conftest import PASSWORD

from candour.web.core.roles import Role

ACTOR = "system:test"


def user(username: str, role: str = Role.STAFF, organisation_code: str = "R0B"):
    from candour.web.core.actions import create_user
    from candour.web.core.models import User

    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return create_user(
        username=username,
        password=PASSWORD,
        roles=[role],
        organisation_code=organisation_code,
        first_name=username.split("-")[-1].capitalize(),
        last_name="Tester",
        by=ACTOR,
    )


def signed_in(client, account):
    client.force_login(account, backend="django.contrib.auth.backends.ModelBackend")
    return client


def framework():
    from candour.importers.framework import load_framework
    from candour.web.leadership.actions_framework import load_framework as store

    return store(definition=load_framework(), by=ACTOR)[0]


def person(person_id: str, name: str, *, account=None, organisation_code: str = "R0B", born=None):
    from candour.web.leadership.actions_fitness import register_person
    from candour.web.oversight.models import Organisation

    return register_person(
        person_id=person_id,
        name=name,
        organisation=Organisation.objects.get(pk=organisation_code),
        user=account,
        date_of_birth=born,
        by=ACTOR,
    )


def appraisal(subject_account, appraiser, *, year: int = 2026):
    """An open appraisal of ``subject_account``'s person (made if missing) by ``appraiser``."""
    from candour.web.leadership.actions_appraisal import open_appraisal
    from candour.web.leadership.models import Person

    framework()
    subject = Person.objects.filter(user=subject_account).first() or person(
        f"P-{subject_account.username}",
        f"{subject_account.first_name} Subject",
        account=subject_account,
    )
    return open_appraisal(person=subject, year=year, appraiser=appraiser, by=ACTOR)


def levels(appraisal_, score: int | None):
    """Every competency answered with the level scoring ``score`` (None: no chance)."""
    from candour.web.leadership.models import Competency

    scale = appraisal_.framework.levels
    chosen = scale.get(score=score) if score is not None else scale.get(score__isnull=True)
    return {c.pk: chosen for c in Competency.objects.filter(domain__framework=appraisal_.framework)}


def ratings(appraisal_, score: int, evidence: str = "Seen at board."):
    from candour.web.leadership.actions_appraisal import Rating

    return [Rating(c, level, evidence) for c, level in _pairs(appraisal_, score)]


def _pairs(appraisal_, score):
    from candour.web.leadership.models import Competency

    by_id = levels(appraisal_, score)
    return [
        (c, by_id[c.pk]) for c in Competency.objects.filter(domain__framework=appraisal_.framework)
    ]


def officer(account, kind: str, organisation_code: str = "R0B"):
    from candour.web.leadership.actions_fitness import name_board_officer
    from candour.web.oversight.models import Organisation

    return name_board_officer(
        organisation=Organisation.objects.get(pk=organisation_code),
        user=account,
        kind=kind,
        by=ACTOR,
    )


def fppt_record(subject, *, year: int = 2026, organisation_code: str = "R0B"):
    from candour.web.leadership.actions_fitness import start_fppt_record
    from candour.web.oversight.models import Organisation

    return start_fppt_record(
        organisation=Organisation.objects.get(pk=organisation_code),
        person=subject,
        year=year,
        by=ACTOR,
    )


def conduct_concern(subject, *, organisation_code: str = "R0B"):
    """Needs a chair named for the organisation (it is recorded as theirs)."""
    from candour.web.leadership.actions_conduct import record_conduct_concern
    from candour.web.oversight.models import Organisation

    return record_conduct_concern(
        organisation=Organisation.objects.get(pk=organisation_code),
        subject=subject,
        category="bullying",
        summary="Belittling comments in executive meetings.",
        by=ACTOR,
    )


def package_with_overdue_centre_commitment(*, today: dt.date, organisation_code: str = "R0B"):
    """A package at the organisation whose capital from the region was due a month ago and is not
    done, with the trust's success measure (RTT within 18 weeks) on its trajectory and not due.
    Needs a member on the region's talent board (the package is recorded as theirs)."""
    from candour.web.leadership import actions_newdeal
    from candour.web.oversight.models import Measure, Organisation

    organisation = Organisation.objects.get(pk=organisation_code)
    ceo = person("P-NEW-CEO", "Nadia Newcomer", organisation_code=organisation_code)
    package = actions_newdeal.create_package(
        organisation=organisation,
        chief_executive=ceo,
        starts_on=dt.date(2024, 8, 1),
        agreed_on=dt.date(2024, 7, 1),
        protected_until=dt.date(2026, 1, 31),
        summary="Recover elective waits.",
        by=ACTOR,
    )
    capital = actions_newdeal.add_commitment(
        package=package,
        party="region",
        kind="capital",
        description="Capital for a second endoscopy suite.",
        owner="Regional director",
        due_on=today - dt.timedelta(days=30),
        capital_pounds=4_500_000,
        by=ACTOR,
    )
    coaching = actions_newdeal.add_commitment(
        package=package,
        party="region",
        kind="coaching",
        description="Coaching in the first year.",
        owner="Regional director",
        due_on=today - dt.timedelta(days=60),
        by=ACTOR,
    )
    actions_newdeal.set_commitment_status(commitment=coaching, status="done", by=ACTOR)
    measure = actions_newdeal.add_commitment(
        package=package,
        party="chief_executive",
        kind="success_measure",
        description="Waiting times back towards the standard.",
        owner="Chief executive",
        due_on=today + dt.timedelta(days=200),
        measure=Measure.objects.get(pk="rtt_18wk"),
        baseline_value=0.72,
        baseline_on=dt.date(2024, 8, 1),
        trajectory=[(dt.date(2025, 3, 31), 0.74), (dt.date(2026, 3, 31), 0.78)],
        by=ACTOR,
    )
    return package, capital, measure
