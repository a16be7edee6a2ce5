"""`candour demo-users` creates one account per role, prints each password once, and re-running
gives new passwords (they are stored nowhere else)."""

import re

import pytest

from candour.cli import main
from candour.web.core.models import User
from candour.web.core.roles import Role

pytestmark = pytest.mark.django_db


def authenticate(*, username, password):
    user = User.objects.get(username=username)
    return user if user.check_password(password) else None


def credentials(output: str) -> dict[str, str]:
    return dict(re.findall(r"(demo-[a-z-]+)\s+(\S+)$", output, flags=re.MULTILINE))


def test_one_account_per_role_and_reset_on_rerun(capsys):
    assert main(["demo-users"]) == 0
    first = credentials(capsys.readouterr().out)
    assert len(first) == len(Role)
    for role in Role:
        user = User.objects.get(username=f"demo-{role.value.replace('_', '-')}")
        assert user.role_set() == {role.value}
    assert authenticate(username="demo-analyst", password=first["demo-analyst"]) is not None

    assert main(["demo-users"]) == 0
    second = credentials(capsys.readouterr().out)
    assert second["demo-analyst"] != first["demo-analyst"]
    assert authenticate(username="demo-analyst", password=first["demo-analyst"]) is None
    assert authenticate(username="demo-analyst", password=second["demo-analyst"]) is not None
    assert User.objects.filter(username__startswith="demo-").count() == len(Role)


def test_demo_accounts_sign_in_and_see_their_pages(client, capsys):
    """Roles are scoped to organisations (issue 10, finding 7): demo-board is granted for R0B,
    whose concerns it raises and reads; demo-regional nationally, so it registers targets."""
    assert main(["demo-users"]) == 0
    passwords = credentials(capsys.readouterr().out)
    grants = {
        u.username: sorted(u.role_grants.values_list("organisation_code", flat=True))
        for u in User.objects.filter(username__startswith="demo-")
    }
    assert grants["demo-board"] == ["R0B"]
    assert grants["demo-regional"] == [""]

    def signed_in(username):
        client.logout()
        response = client.post("/sign-in/", {"username": username, "password": passwords[username]})
        assert response.status_code == 302, username
        return client

    for username in passwords:
        assert signed_in(username).get("/").status_code == 200, username
    board = signed_in("demo-board")
    assert "Raise a concern" in board.get("/organisations/R0B/").content.decode()
    assert "Raise a concern" not in board.get("/organisations/RJ1/").content.decode()
    regional = signed_in("demo-regional")
    assert regional.get("/targets/new/").status_code == 200
    assert "demo-board" in regional.get("/organisations/R0B/concerns/new/").content.decode()
