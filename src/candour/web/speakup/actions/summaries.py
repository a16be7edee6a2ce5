"""\"You said, we did\" summaries: written by a guardian, published by a second person."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from candour.web.oversight.models import Organisation
from candour.web.speakup import policy
from candour.web.speakup.actions.common import (
    _audit,
    today,
)
from candour.web.speakup.choices import (
    CATEGORIES,
    SummaryStatus,
)
from candour.web.speakup.models import (
    WeDidSummary,
)

# ------------------------------------------------------------------------- you said, we did


@transaction.atomic
def write_summary(
    *, organisation: Organisation, theme: str, you_said: str, we_did: str, by
) -> WeDidSummary:
    if theme not in CATEGORIES:
        raise ValidationError("Choose a theme.")
    if not policy.is_assigned_guardian(by, organisation.pk):
        raise ValidationError(f"You are not a guardian of {organisation.pk}.")
    summary = WeDidSummary.objects.create(
        organisation=organisation,
        theme=theme,
        you_said=you_said,
        we_did=we_did,
        written_by=by,
        written_on=today(),
    )
    _audit(by, "summary.write", organisation=organisation, summary=summary.pk)
    return summary


@transaction.atomic
def decide_summary(*, summary: WeDidSummary, approve: bool, by) -> WeDidSummary:
    """Publish (or send back) a summary: a second person must approve it."""
    summary = WeDidSummary.objects.select_for_update().get(pk=summary.pk)
    if summary.status != SummaryStatus.DRAFT:
        raise ValidationError("This summary has already been decided.")
    if not policy.can_second(
        by, organisation_code=summary.organisation_id, author=summary.written_by
    ):
        raise ValidationError(
            "A summary is approved by a board member of the organisation or another of its "
            "guardians, not by the person who wrote it."
        )
    summary.status = SummaryStatus.PUBLISHED if approve else SummaryStatus.WITHDRAWN
    summary.approved_by = by if approve else None
    summary.published_on = today() if approve else None
    summary.save(update_fields=["status", "approved_by", "published_on"])
    _audit(
        by,
        "summary.publish" if approve else "summary.reject",
        organisation=summary.organisation,
        summary=summary.pk,
    )
    return summary
