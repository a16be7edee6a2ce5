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
