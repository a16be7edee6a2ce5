"""Rows of the URL × role table (tests/integration/test_access.py) for the speak-up app's URLs,
and the helpers the speak-up tests share.

Markers in the rows (``<case>``, ``<attachment>``, ``<disclosure>``, ``<summary>``,
``<action>``) are replaced by the ids :func:`speakup_ids` returns for objects it creates.
The case belongs to R0B and is sealed only to a guardian created here, so the table's own
``test-guardian`` (assigned nowhere) gets 404 on every case page: only assigned guardians can
read content.
"""

from __future__ import annotations

import functools
import re

from tests.conftest import PASSWORD, ROLES

from candour import crypto
from candour.web.core.roles import Role

ANONYMOUS = None
SIGN_IN = 302
DENIED = 403
NOT_FOUND = 404
NOT_ALLOWED = 405  # POST-only URL fetched with GET, once access is granted
OK = 200

EVERYONE = {ANONYMOUS: OK, **dict.fromkeys(ROLES, OK)}
EVERYONE_REDIRECTED = {ANONYMOUS: 302, **dict.fromkeys(ROLES, 302)}
EVERYONE_POST_ONLY = {ANONYMOUS: NOT_ALLOWED, **dict.fromkeys(ROLES, NOT_ALLOWED)}
ALL_SIGNED_IN = {ANONYMOUS: SIGN_IN, **dict.fromkeys(ROLES, OK)}


def only(*roles: str, status: int = OK) -> dict:
    return {ANONYMOUS: SIGN_IN, **dict.fromkeys(ROLES, DENIED), **dict.fromkeys(roles, status)}


GUARDIAN = only(Role.GUARDIAN)
GUARDIAN_POST_ONLY = only(Role.GUARDIAN, status=NOT_ALLOWED)
# A guardian not sealed to the case gets 404 (GET) or 405 (POST-only URLs, checked first).
GUARDIAN_CASE = only(Role.GUARDIAN, status=NOT_FOUND)
THEME_READERS = only(Role.GUARDIAN, Role.BOARD, Role.REGIONAL, Role.ANALYST)
SECOND_APPROVERS = only(Role.GUARDIAN, Role.BOARD)
SECOND_APPROVERS_POST = only(Role.GUARDIAN, Role.BOARD, status=NOT_ALLOWED)
ADMIN = only(Role.ADMIN)
ADMIN_ONLY = only(Role.ADMIN)

CASE = {"case_id": "<case>"}
ORGANISATION = {"ods_code": "R0B"}
CASE_STEPS = (
    "acknowledge",
    "triage",
    "message",
    "note",
    "action",
    "action_done",
    "referral",
    "conduct",
    "feedback",
    "close",
    "check_in",
    "escalate",
    "speak_up_again",
    "disclosure",
    "identity",
    "share",
    "legal_hold",
)

EXPECTED_SPEAKUP: dict[str, tuple[dict | str, dict]] = {
    # The person speaking up: public, no account.
    "speakup:start": ({}, EVERYONE),
    "speakup:raise": (ORGANISATION, EVERYONE),
    "speakup:receipt": ({}, EVERYONE_REDIRECTED),  # no receipt waiting: to follow-up
    "speakup:follow_up": ({}, EVERYONE),
    "speakup:reporter_case": ({}, EVERYONE_REDIRECTED),  # no receipt given: to follow-up
    "speakup:reporter_reply": ({}, EVERYONE_POST_ONLY),
    "speakup:reporter_feedback": ({}, EVERYONE_POST_ONLY),
    "speakup:reporter_check_in": ({}, EVERYONE_POST_ONLY),
    "speakup:reporter_add_file": ({}, EVERYONE_POST_ONLY),
    "speakup:reporter_leave": ({}, EVERYONE_POST_ONLY),
    "speakup:we_did": (ORGANISATION, EVERYONE),
    # Guardians: keys and session ("test-guardian" has no keys: sent to set them up).
    "speakup:keys": ({}, GUARDIAN),
    "speakup:recover": ({}, only(Role.GUARDIAN, status=302)),
    "speakup:unlock": ({}, only(Role.GUARDIAN, status=302)),
    "speakup:lock": ({}, GUARDIAN_POST_ONLY),
    "speakup:handover": ({}, only(Role.GUARDIAN, status=302)),  # locked: to unlock
    # Guardians: cases; content only for guardians the case is sealed to.
    "speakup:cases": ({}, GUARDIAN),
    "speakup:record": ({}, GUARDIAN),
    "speakup:case": (CASE, GUARDIAN_CASE),
    **{f"speakup:case_{step}": (CASE, GUARDIAN_POST_ONLY) for step in CASE_STEPS},
    "speakup:case_attachment": (
        {"case_id": "<case>", "attachment_id": "<attachment>"},
        GUARDIAN_CASE,
    ),
    # Second approvals, "you said, we did", action owners.
    "speakup:approvals": ({}, SECOND_APPROVERS),
    "speakup:decide_disclosure": ({"pk": "<disclosure>"}, SECOND_APPROVERS_POST),
    "speakup:decide_summary": ({"pk": "<summary>"}, SECOND_APPROVERS_POST),
    "speakup:summaries": ({}, GUARDIAN),
    "speakup:my_actions": ({}, ALL_SIGNED_IN),
    "speakup:action_done": (
        {"pk": "<action>"},
        {ANONYMOUS: SIGN_IN, **dict.fromkeys(ROLES, NOT_ALLOWED)},
    ),
    # Themes and the quarterly return, disclosure-controlled; coverage for administrators.
    "speakup:themes": ({}, THEME_READERS),
    "speakup:return": ({}, THEME_READERS),
    "speakup:return_csv": (
        "/speak-up/return.csv?organisation=R0B",
        THEME_READERS,
    ),
    # true counts in the NGO layout: guardians only, and only of the organisation ("test-guardian"
    # is a guardian of none: 403)
    "speakup:return_ngo_csv": (
        "/speak-up/return-ngo.csv?organisation=R0B",
        only(Role.GUARDIAN, status=DENIED),
    ),
    "speakup:coverage": ({}, ADMIN),
    # The admin site shows speak-up metadata only, read-only.
    "admin:speakup_case_changelist": ({}, ADMIN_ONLY),
    "admin:speakup_case_add": ({}, {**ADMIN_ONLY, Role.ADMIN.value: DENIED}),
    "admin:speakup_case_history": ({"object_id": "<case>"}, ADMIN_ONLY),
    "admin:speakup_case_delete": (
        {"object_id": "<case>"},
        {**ADMIN_ONLY, Role.ADMIN.value: DENIED},
    ),
    "admin:speakup_case_change": ({"object_id": "<case>"}, ADMIN_ONLY),
}


# ------------------------------------------------------------------------ shared test helpers


@functools.cache
def cached_keyring(slot: int = 0) -> tuple[crypto.GuardianKeyring, crypto.RecoveryKey]:
    """A guardian keyring locked with PASSWORD, made once per test run per slot (Argon2id costs
    about 60 ms; the access table would otherwise make hundreds)."""
    return crypto.create_guardian_keys(PASSWORD)


@functools.cache
def cached_keypair(slot: int = 0) -> crypto.KeyPair:
    """The unlocked key pair of :func:`cached_keyring`."""
    return crypto.unlock_with_password(cached_keyring(slot)[0], PASSWORD)


def enrol_quickly(user, organisation_code: str = "R0B", *, slot: int = 0) -> None:
    """Give ``user`` a (cached) guardian keyring and assign them to the organisation.

    Tests of enrolment itself use :func:`candour.web.speakup.actions.enrol_guardian`; this
    stores a pre-made keyring so that tests needing many guardians stay fast.
    """
    from candour.web.speakup import actions
    from candour.web.speakup.models import GuardianKeys

    keyring, _ = cached_keyring(slot)
    GuardianKeys.objects.create(
        user=user,
        public_key=keyring.public_key,
        key_by_password=keyring.by_password,
        key_by_recovery_key=keyring.by_recovery_key,
        created_on=actions.today(),
    )
    actions.assign_guardian(user=user, organisation_code=organisation_code, by="system:test")


def submit(organisation_code: str = "R0B", **overrides):
    """Raise a concern through the action (what the form does), returning (case, receipt)."""
    from candour.web.oversight.models import Organisation
    from candour.web.speakup import actions

    fields = {
        "route": "anonymous",
        "narrative": "Night shifts on ward 9 run with one nurse for 28 patients.",
        "location": "Ward 9",
        "categories": ["patient_safety"],
        "professional_group": "nursing",
        "raised_before": "manager",
        "detriment_at_intake": "no",
    }
    fields.update(overrides)
    submitted = actions.submit_concern(
        organisation=Organisation.objects.get(pk=organisation_code),
        by=actions.REPORTER_FORM,
        **fields,
    )
    return submitted.case, submitted.receipt


def close(case, guardian, slot: int = 0):
    """Take a case from received to closed (detriment watch) through the actions, as the
    guardian enrolled with :func:`enrol_quickly` in ``slot``."""
    from candour.web.speakup import actions, vault
    from candour.web.speakup.models import Case

    def opened():
        return vault.open_for(
            Case.objects.get(pk=case.pk), cached_keypair(slot), guardian_id=guardian.pk
        )

    actions.acknowledge(opened=opened(), by=guardian)
    actions.triage(
        case=case, risk="moderate", immediate_harm=False, categories=["patient_safety"], by=guardian
    )
    actions.refer(case=case, kind="patient_safety", reference="INC-1", by=guardian)
    actions.give_feedback(opened=opened(), body="A second nurse now works nights.", by=guardian)
    return actions.close_case(
        opened=opened(), outcome="addressed", evidence="Rota changed.", by=guardian
    )


def receipt_on_page(html: str) -> str:
    """The receipt shown on the receipt page."""
    return re.search(r'id="receipt">([0-9A-Z-]+)<', html).group(1)


def speakup_ids(owner) -> dict[str, str]:
    """Objects for the access table's markers: a case at R0B sealed to a guardian made here,
    with an attachment, an action owned by ``owner``, a disclosure request and a draft
    summary."""
    from candour.web.core.actions import create_user, grant_role
    from candour.web.oversight.models import Organisation
    from candour.web.speakup import actions, vault
    from candour.web.speakup.models import IdentityDisclosure

    guardian = create_user(
        username="access-guardian", password=PASSWORD, roles=[Role.GUARDIAN], by="system:test"
    )
    # an action's owner holds a role at the case's organisation
    grant_role(user=owner, role=Role.STAFF, organisation_code="R0B", by="system:test")
    enrol_quickly(guardian)
    case, _ = submit(
        route="confidential",
        identity="Access Test, ext 1234",
        attachment=actions.Upload(name="rota.pdf", content_type="application/pdf", data=b"%PDF"),
    )
    opened = vault.open_for(case, cached_keypair(0), guardian_id=guardian.pk)
    actions.acknowledge(opened=opened, by=guardian)
    actions.triage(
        case=case, risk="low", immediate_harm=False, categories=["patient_safety"], by=guardian
    )
    action = actions.add_action(
        case=case, description="Review the rota.", owner=owner, due_on=actions.today(), by=guardian
    )
    disclosure = IdentityDisclosure.objects.create(
        case=case, requested_by=guardian, requested_on=actions.today(), reason="Access test."
    )
    summary = actions.write_summary(
        organisation=Organisation.objects.get(pk="R0B"),
        theme="patient_safety",
        you_said="Staffing at night.",
        we_did="A second nurse on nights.",
        by=guardian,
    )
    return {
        "<case>": str(case.pk),
        "<attachment>": str(case.attachments.get().pk),
        "<action>": str(action.pk),
        "<disclosure>": str(disclosure.pk),
        "<summary>": str(summary.pk),
    }
