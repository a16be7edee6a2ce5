"""Identity disclosure on the confidential route: a request, a second approver, the reveal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from candour.crypto import KeyPair
from candour.web.speakup import policy, vault
from candour.web.speakup.actions.common import (
    _add_message,
    _audit,
    _locked,
    today,
)
from candour.web.speakup.choices import (
    ApprovalStatus,
    Author,
    Route,
)
from candour.web.speakup.models import (
    Case,
    IdentityDisclosure,
)
from candour.web.speakup.vault import OpenCase

# ---------------------------------------------------------------------------------- identity


@transaction.atomic
def request_disclosure(*, case: Case, reason: str, by) -> IdentityDisclosure:
    """Ask to read a confidential reporter's identity; a second person must approve."""
    if case.route != Route.CONFIDENTIAL or case.identity is None:
        raise ValidationError("Only a confidential concern has an identity to disclose.")
    if not reason.strip():
        raise ValidationError("Give the reason the identity is needed.")
    if case.disclosures.filter(requested_by=by, status=ApprovalStatus.REQUESTED).exists():
        raise ValidationError("You have already asked; it is waiting for a second approver.")
    disclosure = IdentityDisclosure.objects.create(
        case=case, requested_by=by, requested_on=today(), reason=reason
    )
    _audit(by, "identity.request", case=case, disclosure=disclosure.pk)
    return disclosure


@transaction.atomic
def decide_disclosure(*, disclosure: IdentityDisclosure, approve: bool, by) -> IdentityDisclosure:
    """The second approver's decision: another guardian of the organisation or a board member
    granted for it, never the requester."""
    disclosure = IdentityDisclosure.objects.select_for_update().get(pk=disclosure.pk)
    case = disclosure.case
    if disclosure.status != ApprovalStatus.REQUESTED:
        raise ValidationError("This request has already been decided.")
    if not policy.can_second(
        by, organisation_code=case.organisation_id, author=disclosure.requested_by
    ):
        raise ValidationError(
            "A second approver is another guardian of this organisation or one of its board "
            "members, not the person who asked."
        )
    disclosure.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REFUSED
    disclosure.decided_by = by
    disclosure.decided_on = today()
    disclosure.save(update_fields=["status", "decided_by", "decided_on"])
    _audit(
        by,
        "identity.approve" if approve else "identity.refuse",
        case=case,
        disclosure=disclosure.pk,
    )
    return disclosure


@transaction.atomic
def reveal_identity(*, opened: OpenCase, keypair: KeyPair, by) -> str:
    """Open the identity envelope. Open route: any assigned guardian. Confidential route: only
    the requester of an approved disclosure, and the person who spoke up is told (once per
    disclosure) in a message on their case. Audited every time."""
    case = _locked(opened.case)
    disclosure = None
    if case.route == Route.CONFIDENTIAL:
        disclosure = (
            case.disclosures.filter(requested_by=by, status=ApprovalStatus.APPROVED)
            .order_by("-decided_on", "-id")
            .first()
        )
        if disclosure is None:
            raise ValidationError("Reading this identity needs an approved disclosure request.")
    elif case.route != Route.OPEN:
        raise ValidationError("An anonymous concern has no identity.")
    identity = vault.open_identity(case, keypair, guardian_id=by.pk)
    if disclosure is not None and disclosure.reporter_told_on is None:
        disclosure.reporter_told_on = today()
        disclosure.save(update_fields=["reporter_told_on"])
        _add_message(
            opened,
            author=Author.SYSTEM,
            body=(
                f"Your name and contact details were shared with your guardian on "
                f"{today():%-d %B %Y}, approved by a second person (disclosure {disclosure.pk}). "
                f"The reason given: {disclosure.reason}"
            ),
        )
    _audit(by, "identity.read", case=case, disclosure=disclosure.pk if disclosure else None)
    return identity
