"""A guardian refers a case about a board member's behaviour into a conduct concern (issue 12,
item 5), with the consent of the person who spoke up.

What crosses into the leadership app is only what the guardian chooses to write for it: the
board member it is about, the category and the guardian's own summary. The reporter's identity,
the sealed narrative, messages and files stay sealed to the case's guardians; the conduct
concern's readers (those investigating and the chair) never see the case, and the case records
only that it was referred, with the concern's reference, as any onward referral.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from candour.web.leadership.actions_conduct import receive_speak_up_referral
from candour.web.leadership.models import Person
from candour.web.speakup import policy
from candour.web.speakup.actions.common import (
    _audit,
    _locked,
    _mark_actioned,
    _require_triaged,
    sealed_for,
    today,
)
from candour.web.speakup.choices import ReferralKind
from candour.web.speakup.models import Case, Referral


@transaction.atomic
def refer_to_conduct(
    *,
    case: Case,
    subject: Person,
    category: str,
    summary: str,
    consent_on: datetime.date,
    by,
) -> Referral:
    """Create the conduct concern at the case's organisation and record the referral on the case.
    Only a guardian the case is sealed to, assigned to its organisation, refers it."""
    case = _locked(case)
    if not (sealed_for(case, by) and policy.is_assigned_guardian(by, case.organisation_id)):
        raise PermissionDenied("not a guardian of this case")
    _require_triaged(case)
    concern = receive_speak_up_referral(
        organisation=case.organisation,
        subject=subject,
        category=category,
        summary=summary,
        consent_on=consent_on,
        guardian=by,
    )
    referral = Referral.objects.create(
        case=case,
        kind=ReferralKind.CONDUCT,
        reference=concern.reference,
        referred_on=today(),
        referred_by=by,
    )
    _mark_actioned(case)
    _audit(by, "case.refer", case=case, kind=ReferralKind.CONDUCT, category=category)
    return referral
