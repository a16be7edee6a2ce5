"""The demo's mortality steps, read from scripts/demo.sh and run as written: a new user of the
demo sees mortality alerts, labelled synthetic, on R0B's organisation page."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from django.urls import reverse

from candour.cli import main
from candour.web.core.models import User
from candour.web.mortality.models import MortalityAlert

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "scripts" / "demo.sh"
STEPS = re.compile(r'^"\$BIN/candour" (mortality .*|import shmi_monthly .*|demo-users)$')


def demo_steps(directory: Path) -> list[list[str]]:
    """The demo's mortality commands and demo-users, in order, writing into ``directory``."""
    steps = []
    for line in DEMO.read_text(encoding="utf-8").splitlines():
        found = STEPS.match(line.strip())
        if found:
            steps.append([a.replace("var/", f"{directory}/") for a in shlex.split(found[1])])
    return steps


def test_the_demo_shows_synthetic_mortality_alerts_on_r0b(tmp_path, client, capsys):
    steps = demo_steps(tmp_path)
    assert [s[:2] for s in steps] == [
        ["mortality", "synthetic"],
        ["import", "shmi_monthly"],
        ["demo-users"],
        ["mortality", "run"],
    ]
    for step in steps:
        assert main(step) == 0, step
    out = capsys.readouterr().out
    # 22 open acute trusts in Y63 (RNN, North Cumbria Integrated Care, is acute since taking over
    # RNL's hospitals in 2019, as the 2021-24 staff survey groups it) x 4 diagnosis groups
    assert "88 series monitored (88 on SYNTHETIC data)" in out
    raised = set(MortalityAlert.objects.values_list("organisation_id", "group"))
    # the two planted, and one chance alarm: at 1 false alarm per 1,000 series-years, 88 series
    # over 3 years expect 0.26; this seed gives one (RXP, stroke), as a real run might
    assert raised == {("R0B", "Pneumonia"), ("RTD", "Stroke"), ("RXP", "Stroke")}
    alert = MortalityAlert.objects.get(organisation_id="R0B")
    assert alert.concern.owner.username == "demo-board"
    client.force_login(
        User.objects.get(username="demo-board"),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    page = client.get(reverse("oversight:organisation", args=["R0B"])).content.decode()
    assert "Mortality alert: Pneumonia" in page
    assert alert.sentence in page
    assert "Synthetic data" in page
