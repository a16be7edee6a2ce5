"""Read-side helpers for the appraisal pages: ratings side by side, and the 360 release as the
person appraised sees it. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass, field

from candour.web.core.access import SIGNED_IN, organisation_filter, users_with_role_for
from candour.web.leadership import policy
from candour.web.leadership.models import (
    Appraisal,
    Competency,
    CompetencyRating,
    FeedbackRequest,
    FrameworkDomain,
    Person,
)
from candour.web.leadership.models_appraisal import RELATIONSHIP_LABELS, RELATIONSHIPS


@dataclass
class CompetencyRow:
    competency: Competency
    self_rating: CompetencyRating | None = None
    appraiser_rating: CompetencyRating | None = None
    released: list[dict] = field(default_factory=list)


def competency_rows(appraisal: Appraisal) -> list[tuple[FrameworkDomain, list[CompetencyRow]]]:
    """Each domain of the appraisal's framework with its competencies' ratings (and, once the
    appraisal has closed, their released 360 groups)."""
    ratings = {(r.competency_id, r.source): r for r in appraisal.ratings.select_related("level")}
    released = released_by_competency(appraisal)
    rows = []
    for domain in appraisal.framework.domains.prefetch_related("competencies"):
        rows.append(
            (
                domain,
                [
                    CompetencyRow(
                        competency=c,
                        self_rating=ratings.get((c.pk, CompetencyRating.Source.SELF)),
                        appraiser_rating=ratings.get((c.pk, CompetencyRating.Source.APPRAISER)),
                        released=released.get(c.key, []),
                    )
                    for c in domain.competencies.all()
                ],
            )
        )
    return rows


def release_of(appraisal: Appraisal):
    """The stored 360 release, only once the appraisal has closed (nothing before)."""
    if appraisal.is_open:
        return None
    return getattr(appraisal, "feedback_release", None)


def released_by_competency(appraisal: Appraisal) -> dict[str, list[dict]]:
    """Competency key -> its released groups, in the relationships' order, each with its label
    and the full scale (levels nobody chose shown as 0)."""
    release = release_of(appraisal)
    if release is None:
        return {}
    scale = [
        (level.score, level.label)
        for level in appraisal.framework.levels.all()
        if level.score is not None
    ]
    order = {r: i for i, r in enumerate(RELATIONSHIPS)}
    result: dict[str, list[dict]] = {}
    for row in sorted(release.results, key=lambda r: order.get(r["relationship"], 99)):
        counts = {d["rating"]: d["count"] for d in row["distribution"]}
        result.setdefault(row["competency"], []).append(
            {
                "relationship": RELATIONSHIP_LABELS.get(row["relationship"], row["relationship"]),
                "count": row["count"],
                "mean": row["mean"],
                "distribution": [(label, counts.get(score, 0)) for score, label in scale],
            }
        )
    return result


def my_appraisals(user):
    return (
        Appraisal.objects.filter(person__user=user)
        .select_related("organisation", "appraiser", "framework")
        .order_by("-year")
    )


def appraising(user):
    """Appraisals ``user`` conducts and may still open (their role held for the organisation)."""
    candidates = Appraisal.objects.filter(appraiser=user).select_related("person", "organisation")
    return [a for a in candidates if policy.is_appraiser(user, a)]


def feedback_to_give(user):
    return (
        FeedbackRequest.objects.filter(rater=user, appraisal__status=Appraisal.Status.OPEN)
        .select_related("appraisal__person", "appraisal__organisation")
        .order_by("answered_on", "requested_on")
    )


def appraisable_people(user):
    """People with an account at organisations where ``user`` may start appraisals."""
    return (
        Person.objects.filter(organisation_filter(user, policy.APPRAISER_ROLES))
        .filter(user__isnull=False)
        .exclude(user=user)
        .select_related("organisation")
        .order_by("name")
    )


def possible_raters(appraisal: Appraisal):
    """Active people holding any role for the appraisal's organisation, except the person
    appraised and those already asked."""
    asked = appraisal.feedback_requests.values_list("rater_id", flat=True)
    return (
        users_with_role_for(SIGNED_IN, appraisal.organisation)
        .exclude(pk__in=asked)
        .exclude(pk=appraisal.person.user_id or 0)
    )
