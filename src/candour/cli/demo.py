"""``candour demo-users``: one account per role for trying Candour out."""

from __future__ import annotations

import argparse
import secrets

from candour.cli.django_setup import setup_django

DEMO_ORGANISATION = (
    "R0B"  # South Tyneside and Sunderland: a merged trust with data under three codes
)
NATIONAL = ""  # a grant with no organisation code covers every organisation
DEMO_REGION = "Y63"  # the demo organisation's NHS England region, North East and Yorkshire
# Each demo account's role is granted for the demo organisation, except regional oversight's,
# which is national so that demo-regional can register and publish the national targets, and the
# data requester's, granted for the demo organisation's region: an integrated care board asks the
# organisations of its area.
DEMO_SCOPES = {"regional": NATIONAL, "requester": DEMO_REGION}
# The requesting bodies the demo accounts register requests for (the example ICB is SYNTHETIC,
# from data_requests_demo.toml; NHS England from data_requests.toml).
DEMO_REQUESTERS = {
    "requester": ("example_icb", "Example integrated care board", "icb"),
    "regional": ("nhs_england", "NHS England", "national_body"),
}
PASSWORD_BYTES = 12  # 16 URL-safe characters
ACTOR = "system:candour-demo-users"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo-users",
        help="create one demo account per role and print the credentials once",
        description=(
            "Create one account per role (demo-staff, demo-guardian, ...) with a random password, "
            f"and print the usernames and passwords once. Each role is granted for {DEMO_ORGANISATION} "
            "(South Tyneside and Sunderland), except demo-regional's, which is national, and "
            f"demo-requester's, granted for its region ({DEMO_REGION}). The passwords are not stored anywhere else: "
            "running it again gives the existing demo accounts new passwords. demo-guardian gets "
            "speak-up case keys for the demo organisation and its recovery key is printed once; "
            "a re-run replaces those keys, so concerns raised before it can no longer be read by "
            "demo-guardian (there is no escrow). demo-talent-board sits on the talent board of "
            "the demo organisation's region. demo-requester registers data requests for the "
            "example (synthetic) integrated care board, demo-regional for NHS England."
        ),
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.core import actions
    from candour.web.core.models import User
    from candour.web.core.roles import Role

    rows = []
    for role in Role:
        username = f"demo-{role.value.replace('_', '-')}"
        password = secrets.token_urlsafe(PASSWORD_BYTES)
        scope = DEMO_SCOPES.get(role.value, DEMO_ORGANISATION)
        existing = User.objects.filter(username=username).first()
        if existing:
            actions.set_password(user=existing, password=password, by=ACTOR)
            actions.grant_role(user=existing, role=role.value, organisation_code=scope, by=ACTOR)
        else:
            actions.create_user(
                username=username,
                password=password,
                roles=[role.value],
                organisation_code=scope,
                first_name="Demo",
                last_name=role.label,
                by=ACTOR,
            )
        rows.append((role.label, username, password))
        if role == Role.GUARDIAN:
            recovery_key = _enrol_demo_guardian(User.objects.get(username=username), password)
        if role == Role.TALENT_BOARD:
            _seat_on_talent_board(User.objects.get(username=username))
        if role.value in DEMO_REQUESTERS:
            _join_requester(User.objects.get(username=username), *DEMO_REQUESTERS[role.value])
    width = max(len(label) for label, _, _ in rows)
    print("Demo accounts (shown once; sign in at http://127.0.0.1:8000/sign-in/):")
    for label, username, password in rows:
        print(f"  {label:<{width}}  {username:<20}  {password}")
    print(f"Speak-up case keys for the guardian at {DEMO_ORGANISATION}; recovery key (shown once):")
    print(f"  {recovery_key}")
    return 0


def _seat_on_talent_board(user) -> None:
    """The demo talent-board member sits on the board of the demo organisation's region."""
    from candour.web.leadership import actions
    from candour.web.oversight.models import Organisation

    organisation = Organisation.objects.filter(pk=DEMO_ORGANISATION).first()
    if organisation is None or not organisation.region_code:
        return
    board = actions.ensure_talent_board(
        region_code=organisation.region_code, region_name=organisation.region_name, by=ACTOR
    )
    actions.add_board_member(board=board, user=user, by=ACTOR)


def _join_requester(user, requester_id: str, name: str, kind: str) -> None:
    """Put the demo account on a requesting body's staff, creating the body if the registry has
    not been loaded yet."""
    from candour.web.datarequests import actions
    from candour.web.datarequests.models import Requester

    requester = Requester.objects.filter(pk=requester_id).first() or actions.ensure_requester(
        id=requester_id, name=name, kind=kind, by=ACTOR
    )
    actions.add_requester_staff(requester=requester, user=user, by=ACTOR)


def _enrol_demo_guardian(user, password: str):
    """Case keys for the demo guardian (new ones on a re-run: the old password is gone)."""
    from candour.web.speakup import actions
    from candour.web.speakup.models import GuardianKeys

    if GuardianKeys.objects.filter(user=user).exists():
        recovery_key = actions.replace_guardian_keys(user=user, password=password, by=ACTOR)
        actions.assign_guardian(user=user, organisation_code=DEMO_ORGANISATION, by=ACTOR)
        return recovery_key
    return actions.enrol_guardian(
        user=user, password=password, organisation_code=DEMO_ORGANISATION, by=ACTOR
    )
