"""``candour demo-users``: one account per role for trying Candour out."""

from __future__ import annotations

import argparse
import secrets

from candour.cli.django_setup import setup_django

DEMO_ORGANISATION = (
    "R0B"  # South Tyneside and Sunderland: a merged trust with data under three codes
)
PASSWORD_BYTES = 12  # 16 URL-safe characters
ACTOR = "system:candour-demo-users"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo-users",
        help="create one demo account per role and print the credentials once",
        description=(
            "Create one account per role (demo-staff, demo-guardian, ...) with a random password, "
            "and print the usernames and passwords once. They are not stored anywhere else: "
            "running it again gives the existing demo accounts new passwords."
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
        existing = User.objects.filter(username=username).first()
        if existing:
            actions.set_password(user=existing, password=password, by=ACTOR)
        else:
            actions.create_user(
                username=username,
                password=password,
                roles=[role.value],
                organisation_code=DEMO_ORGANISATION,
                first_name="Demo",
                last_name=role.label,
                by=ACTOR,
            )
        rows.append((role.label, username, password))
    width = max(len(label) for label, _, _ in rows)
    print("Demo accounts (shown once; sign in at http://127.0.0.1:8000/sign-in/):")
    for label, username, password in rows:
        print(f"  {label:<{width}}  {username:<20}  {password}")
    return 0
