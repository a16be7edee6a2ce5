"""Appraisals and 360 feedback in the web app (issue 12, items 3 and 7): a person sees their own
appraisal and its released 360 results, their appraiser sees it too, nobody else does; the 360
is released once, when the appraisal closes, showing only groups of three or more raters; the
framework is versioned data; the career conversation feeds the talent pool; every write is an
audited action whose event never holds what was written."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.integration import leadership_people as build
from tests.integration.test_leadership_pages import text_of

from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.leadership import actions_appraisal, actions_feedback
from candour.web.leadership.models import Appraisal, FeedbackRelease, PoolMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    chair = build.user("ap-chair", Role.BOARD)
    subject = build.user("ap-subject", Role.BOARD)
    appraisal = build.appraisal(subject, chair)
    return chair, subject, appraisal


def answer(appraisal, username: str, relationship: str, score: int):
    rater = build.user(username)
    request = actions_feedback.request_feedback(
        appraisal=appraisal, rater=rater, relationship=relationship, by=build.ACTOR
    )
    actions_feedback.answer_feedback(
        request=request, levels=build.levels(appraisal, score), by=rater
    )
    return request


def close(appraisal, appraiser):
    actions_appraisal.save_appraiser_ratings(
        appraisal=appraisal, ratings=build.ratings(appraisal, 3), submit=True, by=appraiser
    )
    return actions_feedback.close_appraisal(
        appraisal=appraisal, summary="A good year.", by=appraiser
    )


def test_the_person_and_their_appraiser_see_the_appraisal_and_nobody_else(client, people):
    chair, subject, appraisal = people
    url = f"/leadership/appraisals/{appraisal.pk}/"
    assert build.signed_in(client, subject).get(url).status_code == 200
    assert build.signed_in(client, chair).get(url).status_code == 200
    other_board_member = build.user("ap-other", Role.BOARD)
    assert build.signed_in(client, other_board_member).get(url).status_code == 404
    admin = build.user("ap-admin", Role.ADMIN)
    assert build.signed_in(client, admin).get(url).status_code == 404


def test_an_appraiser_who_loses_their_role_loses_the_appraisal(client, people):
    from candour.web.core.actions import grant_role, revoke_role

    chair, _, appraisal = people
    grant_role(user=chair, role=Role.STAFF, organisation_code="R0B", by=build.ACTOR)
    revoke_role(user=chair, role=Role.BOARD, organisation_code="R0B", by=build.ACTOR)
    assert (
        build.signed_in(client, chair).get(f"/leadership/appraisals/{appraisal.pk}/").status_code
        == 404
    )


def test_the_360_shows_nothing_before_closing_then_only_groups_of_three(client, people):
    chair, subject, appraisal = people
    for name in ("ap-c1", "ap-c2", "ap-c3"):
        answer(appraisal, name, "board_colleague", 4)
    for name in ("ap-r1", "ap-r2"):
        answer(appraisal, name, "direct_report", 1)
    page = text_of(build.signed_in(client, subject).get(f"/leadership/appraisals/{appraisal.pk}/"))
    assert "Feedback is released once, when the appraisal closes" in page
    assert "Board colleague: 3" not in page
    close(appraisal, chair)
    page = text_of(build.signed_in(client, subject).get(f"/leadership/appraisals/{appraisal.pk}/"))
    assert "Board colleague: 3 (mean 4.0)" in page
    assert "Almost always 3" in page
    assert "Someone who reports to them" not in page  # two answered: nothing, not even a count
    release = FeedbackRelease.objects.get(appraisal=appraisal)
    assert {r["relationship"] for r in release.results} == {"board_colleague"}
    # The raters' names appear only as people asked, never beside an answer.
    assert "ap-r1" not in json.dumps(release.results)


def test_answers_after_closing_are_refused_so_the_release_never_changes(people):
    chair, _, appraisal = people
    late = [answer(appraisal, f"ap-l{i}", "peer", 2) for i in range(2)]
    waiting = actions_feedback.request_feedback(
        appraisal=appraisal, rater=build.user("ap-late"), relationship="peer", by=build.ACTOR
    )
    close(appraisal, chair)
    assert FeedbackRelease.objects.get(appraisal=appraisal).results == []
    with pytest.raises(ValidationError, match="closed"):
        actions_feedback.answer_feedback(
            request=waiting, levels=build.levels(appraisal, 2), by=waiting.rater
        )
    assert FeedbackRelease.objects.get(appraisal=appraisal).results == []
    assert len(late) == 2


def test_a_rater_answers_once_and_only_their_own_request(client, people):
    _, _, appraisal = people
    rater = build.user("ap-rater")
    request = actions_feedback.request_feedback(
        appraisal=appraisal, rater=rater, relationship="peer", by=build.ACTOR
    )
    assert (
        build.signed_in(client, build.user("ap-nosy"))
        .get(f"/leadership/feedback/{request.pk}/")
        .status_code
        == 404
    )
    form = {f"level_{pk}": str(level.pk) for pk, level in build.levels(appraisal, 3).items()}
    response = build.signed_in(client, rater).post(f"/leadership/feedback/{request.pk}/", form)
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.answered_on is not None
    with pytest.raises(ValidationError, match="already answered"):
        actions_feedback.answer_feedback(
            request=request, levels=build.levels(appraisal, 1), by=rater
        )
    events = AuditEvent.objects.filter(action="feedback.answer")
    assert events.count() == 1
    assert set(events.get().details) == {"appraisal"}  # never a rating


def test_an_incomplete_answer_is_refused_with_the_competency_named(client, people):
    _, _, appraisal = people
    rater = build.user("ap-hasty")
    request = actions_feedback.request_feedback(
        appraisal=appraisal, rater=rater, relationship="peer", by=build.ACTOR
    )
    response = build.signed_in(client, rater).post(f"/leadership/feedback/{request.pk}/", {})
    assert response.status_code == 400
    assert "Choose an answer for 1.1" in text_of(response)


def test_self_assessment_and_ratings_through_the_pages(client, people):
    chair, subject, appraisal = people
    form = {f"level_{pk}": str(level.pk) for pk, level in build.levels(appraisal, 4).items()}
    first = next(iter(build.levels(appraisal, 4)))
    form[f"evidence_{first}"] = "Chaired the quality committee's deep dive."
    response = build.signed_in(client, subject).post(
        f"/leadership/appraisals/{appraisal.pk}/self/", {**form, "submit": "1"}
    )
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.self_assessed_on is not None
    # The appraiser must give evidence with each rating.
    response = build.signed_in(client, chair).post(
        f"/leadership/appraisals/{appraisal.pk}/rate/", form
    )
    assert response.status_code == 400
    assert "Give the evidence for each rating" in text_of(response)
    # The appraisee cannot rate themselves as appraiser, nor the appraiser self-assess.
    assert (
        build.signed_in(client, subject)
        .get(f"/leadership/appraisals/{appraisal.pk}/rate/")
        .status_code
        == 404
    )
    assert (
        build.signed_in(client, chair)
        .get(f"/leadership/appraisals/{appraisal.pk}/self/")
        .status_code
        == 404
    )
    page = text_of(build.signed_in(client, chair).get(f"/leadership/appraisals/{appraisal.pk}/"))
    assert "Chaired the quality committee's deep dive." in page
    event = AuditEvent.objects.filter(action="appraisal.self_assessment").latest("id")
    assert "deep dive" not in json.dumps(event.details)


def test_the_actions_refuse_people_outside_the_appraisal(people):
    _, _, appraisal = people
    stranger = build.user("ap-stranger", Role.BOARD)
    with pytest.raises(PermissionDenied):
        actions_appraisal.add_objective(
            appraisal=appraisal,
            objective="x",
            success_measure="y",
            due_on=appraisal.opened_on,
            by=stranger,
        )
    with pytest.raises(PermissionDenied):
        actions_feedback.close_appraisal(appraisal=appraisal, summary="x", by=stranger)


def test_the_career_conversation_feeds_the_regions_talent_pool(client, people):
    from candour.web.leadership.actions import ensure_talent_board

    chair, _subject, appraisal = people
    ensure_talent_board(region_code="Y63", region_name="North East and Yorkshire", by=build.ACTOR)
    response = build.signed_in(client, chair).post(
        f"/leadership/appraisals/{appraisal.pk}/conversation/",
        {
            "held_on": str(appraisal.opened_on),
            "impact": "outstanding",
            "growth": "stretch",
            "aspiration": "A chief executive role in the region.",
            "plan": "Deputise for the chief executive; the Aspire Together programme.",
            "nominate": "on",
            "readiness": "one_to_two_years",
            "pool": "chief_executive",
            "mobility": "region",
            "target_roles": ["chief_executive"],
        },
    )
    assert response.status_code == 302
    membership = PoolMembership.objects.get(person=appraisal.person)
    assert (membership.pool.kind, membership.readiness, membership.nomination) == (
        "chief_executive",
        "one_to_two_years",
        "line_manager",
    )
    assert appraisal.career_conversation.membership == membership


def test_a_new_framework_version_replaces_the_old_for_new_appraisals_only(tmp_path, people):
    from candour.exceptions import ImportRefused
    from candour.importers.framework import DEFAULT_FRAMEWORK_FILE, load_framework
    from candour.web.leadership.actions_framework import load_framework as store

    _, subject, appraisal = people
    text = DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8")
    changed = tmp_path / "changed.toml"
    changed.write_text(text.replace("Almost always", "Nearly always"), encoding="utf-8")
    with pytest.raises(ImportRefused, match="new key"):
        store(definition=load_framework(changed), by=build.ACTOR)
    standards = tmp_path / "standards.toml"
    standards.write_text(
        text.replace('key = "lcf-2024"', 'key = "mlf-2026"').replace(
            'in_force_from = "2024-04-01"', 'in_force_from = "2026-01-01"'
        ),
        encoding="utf-8",
    )
    new, changed_anything = store(definition=load_framework(standards), by=build.ACTOR)
    assert changed_anything
    later = actions_appraisal.open_appraisal(
        person=appraisal.person, year=2027, appraiser=appraisal.appraiser, by=build.ACTOR
    )
    assert later.framework == new
    assert Appraisal.objects.get(pk=appraisal.pk).framework.key == "lcf-2024"
    assert subject is not None


def test_nothing_stored_links_a_rater_to_their_answers(people):
    """A response keeps its relationship and ratings only: no rater, no request, no time."""
    from candour.web.core.models import User
    from candour.web.leadership.models import FeedbackAnswer, FeedbackRequest, FeedbackResponse

    _, _, appraisal = people
    answer(appraisal, "ap-anon", "peer", 3)
    for model in (FeedbackResponse, FeedbackAnswer):
        related = {f.related_model for f in model._meta.get_fields() if f.is_relation}
        assert not related & {User, FeedbackRequest}, model
        assert not [
            f
            for f in model._meta.get_fields()
            if f.get_internal_type() in ("DateField", "DateTimeField", "AutoField", "BigAutoField")
        ]
    response = FeedbackResponse.objects.get()
    assert (response.relationship, response.answers.count()) == ("peer", 19)
