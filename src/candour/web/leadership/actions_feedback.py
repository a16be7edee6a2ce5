"""360-degree feedback and closing an appraisal, when the feedback is released once.

* the person appraised, or their appraiser, asks named raters, each by relationship;
* each rater answers every competency once (or says they had no chance to observe it); the
  answers are stored as a response that does not point back to the request or the rater, and are
  never shown to anyone as such;
* the appraiser closes the appraisal: :func:`candour.analytics.leadership.release_360` runs once
  on the answers given by then and what it returns is stored; answers are refused from then on.
  The person sees only that stored release, so there is no earlier or later release to compare
  it with.

Audit events name the request or the appraisal, never a rating.
"""

from __future__ import annotations

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction

from candour.analytics.leadership.feedback import MIN_RATERS, release_360
from candour.web.core import audit
from candour.web.core.actions import actor_label
from candour.web.leadership import policy
from candour.web.leadership.actions_appraisal import _audit, locked, today
from candour.web.leadership.models import (
    Appraisal,
    Competency,
    FeedbackAnswer,
    FeedbackRelease,
    FeedbackRequest,
    FeedbackResponse,
    RatingLevel,
)
from candour.web.leadership.models_appraisal import RELATIONSHIPS


@transaction.atomic
def request_feedback(*, appraisal: Appraisal, rater, relationship: str, by) -> FeedbackRequest:
    """Ask ``rater`` (someone with a Candour account) for 360 feedback on the appraisal."""
    appraisal = locked(appraisal)
    if policy.is_person(by):
        policy.require(policy.can_read_appraisal(by, appraisal), "not this appraisal's")
    if relationship not in RELATIONSHIPS:
        raise ValidationError(f"Unknown relationship {relationship!r}.")
    if not rater.is_active:
        raise ValidationError(f"{rater.get_username()}'s account is not active.")
    if appraisal.person.user_id == rater.pk:
        raise ValidationError("The person appraised cannot rate themselves here.")
    if FeedbackRequest.objects.filter(appraisal=appraisal, rater=rater).exists():
        raise ValidationError(f"{rater.get_username()} has already been asked.")
    request = FeedbackRequest.objects.create(
        appraisal=appraisal,
        rater=rater,
        relationship=relationship,
        requested_on=today(),
        requested_by=by if policy.is_person(by) else appraisal.appraiser,
    )
    audit.append(
        actor=actor_label(by),
        action="feedback.request",
        target_type="feedback_request",
        target_id=request.pk,
        details={"appraisal": appraisal.pk, "relationship": relationship},
    )
    return request


@transaction.atomic
def answer_feedback(
    *, request: FeedbackRequest, levels: dict[int, RatingLevel], by
) -> FeedbackRequest:
    """The rater's answers: a level of the framework's scale for every competency (keyed by
    competency id), once. Refused after the appraisal has closed."""
    request = FeedbackRequest.objects.select_for_update().get(pk=request.pk)
    appraisal = locked(request.appraisal)
    if policy.is_person(by):
        policy.require(policy.is_rater(by, request), "not asked for this feedback")
    if request.answered_on is not None:
        raise ValidationError("You have already answered; answers cannot be changed.")
    competencies = list(Competency.objects.filter(domain__framework=appraisal.framework))
    missing = [c.key for c in competencies if c.pk not in levels]
    if missing:
        raise ValidationError(
            f"Answer every competency (choose 'no chance to demonstrate' where you could not "
            f"see it): {len(missing)} left."
        )
    if any(level.framework_id != appraisal.framework_id for level in levels.values()):
        raise ValidationError("An answer is not on this appraisal's scale.")
    response = FeedbackResponse.objects.create(
        appraisal=appraisal, relationship=request.relationship
    )
    FeedbackAnswer.objects.bulk_create(
        FeedbackAnswer(response=response, competency=c, level=levels[c.pk]) for c in competencies
    )
    request.answered_on = today()
    request.save(update_fields=["answered_on"])
    audit.append(
        actor=actor_label(by),
        action="feedback.answer",
        target_type="feedback_request",
        target_id=request.pk,
        details={"appraisal": appraisal.pk},
    )
    return request


def responses_of(appraisal: Appraisal) -> pl.DataFrame:
    """The answers given so far, as :func:`release_360` takes them (rater: the response's
    random id, which names nobody)."""
    rows = FeedbackAnswer.objects.filter(response__appraisal=appraisal).values_list(
        "response_id", "response__relationship", "competency__key", "level__score"
    )
    return pl.DataFrame(
        [(str(response), *rest) for response, *rest in rows],
        schema={
            "rater": pl.String,
            "relationship": pl.String,
            "competency": pl.String,
            "rating": pl.Int64,
        },
        orient="row",
    )


@transaction.atomic
def close_appraisal(
    *, appraisal: Appraisal, summary: str, by, min_raters: int = MIN_RATERS
) -> FeedbackRelease:
    """The appraiser signs the appraisal off (their ratings submitted) with a summary, and the
    360 feedback is released, once: only groups of at least ``min_raters`` raters."""
    appraisal = locked(appraisal)
    if policy.is_person(by):
        policy.require(policy.is_appraiser(by, appraisal), "only the appraiser")
    if appraisal.rated_on is None:
        raise ValidationError("Submit your ratings before closing the appraisal.")
    if not summary.strip():
        raise ValidationError("Write the appraisal's summary.")
    released = release_360(responses_of(appraisal), min_raters=min_raters, closed=True)
    release = FeedbackRelease.objects.create(
        appraisal=appraisal,
        released_on=today(),
        min_raters=min_raters,
        results=released.to_dicts(),
    )
    appraisal.status = Appraisal.Status.CLOSED
    appraisal.closed_on = today()
    appraisal.summary = summary.strip()
    appraisal.save(update_fields=["status", "closed_on", "summary"])
    _audit(by, "close", appraisal, groups_released=released.height)
    return release
