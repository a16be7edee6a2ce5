"""The guardian's working day (issue 14, finding 4): an unread marker without a time; a triage
target separate from feedback, overdue cases first; content-free email notifications; the
guardian's own return with true counts in the National Guardian's Office layout while everything
published stays suppressed; action owners chosen by name from the organisation; legal hold with a
reason (tested with the case steps)."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import models
from django.test import Client
from tests.integration.speakup_access import cached_keypair, enrol_quickly, submit

from candour.web.core.actions import create_user, grant_role
from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.speakup import actions, vault, workdays
from candour.web.speakup.models import Case, GuardianRead, ReporterActivity
from candour.web.speakup.queries import Quarter
from candour.web.speakup.sessions import GUARDIAN_COOKIE

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
NARRATIVE = "The theatre list on Fridays routinely overruns into the night."


@pytest.fixture(autouse=True)
def _fresh_cache():
    caches["speakup"].clear()


def guardian(username="guardian-r0b", code="R0B", slot=0, email="guardian@example.nhs.uk"):
    user = create_user(
        username=username, password=PASSWORD, roles=[], by="system:test", email=email
    )
    grant_role(user=user, role=Role.GUARDIAN, organisation_code=code, by="system:test")
    enrol_quickly(user, code, slot=slot)
    return user


def unlocked(user, slot=0) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post("/speak-up/guardian/unlock/", {"password": PASSWORD}).status_code == 302
    assert client.cookies[GUARDIAN_COOKIE]
    return client


def row_of(html: str, case) -> str:
    # the reference as the link's text: its 8 hex digits can also stand in the link's address
    return html.split(f">{case.reference}<")[1].split("</tr>")[0]


def opened(case, user, slot=0):
    return vault.open_for(Case.objects.get(pk=case.pk), cached_keypair(slot), guardian_id=user.pk)


# ------------------------------------------------------------------------------ unread marker


def test_new_concerns_and_replies_are_marked_until_the_guardian_opens_them():
    g = guardian()
    other = guardian("second-guardian", slot=1)
    case, _ = submit()
    client = unlocked(g)
    assert "New concern" in row_of(client.get("/speak-up/cases/").text, case)
    client.get(f"/speak-up/cases/{case.pk}/")
    assert "New" not in row_of(client.get("/speak-up/cases/").text, case)

    actions.reporter_reply(opened=opened(case, g), body="It happened again.", by="system:test")
    assert "New from the person" in row_of(client.get("/speak-up/cases/").text, case)
    client.get(f"/speak-up/cases/{case.pk}/")
    assert "New" not in row_of(client.get("/speak-up/cases/").text, case)
    # each guardian has their own marker
    assert "New concern" in row_of(unlocked(other, slot=1).get("/speak-up/cases/").text, case)


def test_the_unread_marker_keeps_no_time():
    """A count of what was seen, never when: no date or time column, and the audit event for
    reading the case does not say whether there was anything new."""
    kinds = (models.DateField, models.DateTimeField, models.TimeField)
    assert not [f.name for f in GuardianRead._meta.get_fields() if isinstance(f, kinds)]
    g = guardian()
    case, _ = submit()
    actions.record_case_read(case=case, by=g)
    event = AuditEvent.objects.filter(action="speakup.case.read").latest("id")
    assert event.details == {}


def test_a_concern_a_guardian_recorded_is_not_new_to_them():
    g = guardian()
    submitted = actions.submit_concern(
        organisation=Case._meta.get_field("organisation").related_model.objects.get(pk="R0B"),
        route="anonymous",
        narrative="Told to me in the canteen.",
        categories=["worker_safety"],
        professional_group="estates",
        raised_before="no",
        detriment_at_intake="no",
        channel="in_person",
        by=g,
    )
    html = unlocked(g).get("/speak-up/cases/").text
    assert "New" not in row_of(html, submitted.case)


# ----------------------------------------------------------------------------- target times


@pytest.mark.parametrize(
    ("start", "count", "due"),
    [
        ("2026-12-04", 2, "2026-12-08"),  # Friday + 2 working days: Tuesday
        ("2026-12-07", 7, "2026-12-16"),  # Monday + 7: Wednesday week
        ("2026-12-24", 2, "2026-12-30"),  # Christmas; Boxing Day (Saturday) on Monday 28
        ("2027-03-25", 1, "2027-03-30"),  # Good Friday and Easter Monday
        ("2023-05-05", 1, "2023-05-09"),  # the Coronation bank holiday
    ],
)
def test_working_days_skip_weekends_and_bank_holidays(start, count, due):
    start_day = datetime.date.fromisoformat(start)
    assert workdays.add_working_days(start_day, count) == datetime.date.fromisoformat(due)


def test_an_untriaged_concern_is_overdue_after_7_working_days_and_listed_first():
    g = guardian()
    today = actions.today()
    waiting, _ = submit(categories=["patient_safety"])
    recent, _ = submit()
    received = today - datetime.timedelta(days=20)  # 14 or more working days ago
    Case.objects.filter(pk=waiting.pk).update(
        received_on=received, status="acknowledged", acknowledged_on=received
    )
    html = unlocked(g).get("/speak-up/cases/").text
    order = re.findall(r"/speak-up/cases/([0-9a-f-]{36})/", html)
    assert order[0] == str(waiting.pk)
    row = row_of(html, waiting)
    due = workdays.add_working_days(received, 7)
    assert "Triage" in row
    assert f"Overdue by {(today - due).days} day" in row
    assert "Acknowledge" in row_of(html, recent)


def test_the_default_targets_acknowledge_in_2_working_days_and_triage_in_7():
    from candour.web.speakup.conf import config
    from candour.web.speakup.queries import next_step

    targets = config().targets
    assert (targets["acknowledge"].days, targets["acknowledge"].working) == (2, True)
    assert (targets["triage"].days, targets["triage"].working) == (7, True)
    assert (targets["feedback"].days, targets["feedback"].working) == (90, False)
    g = guardian()
    case, _ = submit()
    Case.objects.filter(pk=case.pk).update(received_on=datetime.date(2026, 12, 4))
    case.refresh_from_db()
    assert next_step(case) == ("Acknowledge", datetime.date(2026, 12, 8))
    actions.acknowledge(opened=opened(case, g), by=g)
    case.refresh_from_db()
    assert next_step(case) == ("Triage", datetime.date(2026, 12, 15))


# ---------------------------------------------------------------------------- notifications


def yesterday(kind=None):
    rows = (
        ReporterActivity.objects.all()
        if kind is None
        else ReporterActivity.objects.filter(kind=kind)
    )
    rows.update(day=actions.today() - datetime.timedelta(days=1))


def test_a_guardian_is_emailed_about_a_new_concern_and_a_reply_without_any_content():
    g = guardian()
    absent = guardian("no-email", slot=1, email="")
    elsewhere = guardian("rj1-guardian", code="RJ1", slot=2, email="rj1@example.nhs.uk")
    case, receipt = submit(narrative=NARRATIVE)
    actions.reporter_reply(opened=opened(case, g), body="Secret detail ZQ42.", by="system:test")
    yesterday()

    notified = actions.notify_guardians(by="system:test")
    assert notified.organisations == ["R0B"]
    assert notified.without_email == [absent.username]
    [email] = mail.outbox
    assert email.to == [g.email]
    assert elsewhere.email not in email.to
    assert "R0B" not in email.subject
    assert case.reference not in email.subject
    text = email.subject + email.body
    assert "something new" in email.body
    assert "R0B" in email.body
    for secret in (NARRATIVE, "Secret detail ZQ42", case.reference, str(case.pk), str(receipt)):
        assert secret not in text
    assert not re.search(r"\b\d+ (concern|repl|message)", email.body)  # no counts either
    event = AuditEvent.objects.get(action="speakup.notify")
    assert (event.target_id, event.details) == ("R0B", {"guardians": 2})

    # told once; a new reply is told again
    assert actions.notify_guardians(include_today=True, by="system:test").emails == 0
    actions.reporter_reply(opened=opened(case, g), body="And again.", by="system:test")
    assert actions.notify_guardians(include_today=True, by="system:test").emails == 1
    assert len(mail.outbox) == 2


def test_today_is_told_tomorrow_unless_asked():
    guardian()
    submit()
    assert actions.notify_guardians(by="system:test").emails == 0  # finished days only
    assert actions.notify_guardians(include_today=True, by="system:test").emails == 1


def test_the_notify_command(capsys):
    from candour.cli import main

    guardian()
    submit()
    yesterday()
    assert main(["speakup", "notify"]) == 0
    assert "1 email(s) sent about 1 organisation(s): R0B." in capsys.readouterr().out
    assert len(mail.outbox) == 1


# ------------------------------------------------------------------------- quarterly return


def quarter_now() -> Quarter:
    return Quarter.containing(actions.today())


def test_the_guardian_exports_true_counts_and_everyone_else_sees_them_suppressed(make_user):
    g = guardian()
    for _ in range(3):
        submit(route="anonymous", categories=["patient_safety"])
    quarter = quarter_now().slug
    query = f"?organisation=R0B&quarter={quarter}"
    client = Client()
    client.force_login(g, backend="django.contrib.auth.backends.ModelBackend")

    page = client.get("/speak-up/return/" + query).text
    assert "True counts, for your submission" in page
    assert re.search(r"Anonymous</th><td[^>]*>3</td>", page)

    ngo = list(csv.reader(io.StringIO(client.get("/speak-up/return-ngo.csv" + query).text)))
    header, row = ngo
    values = dict(zip(header, row, strict=True))
    assert values["Organisation code"] == "R0B"
    assert values["Number of cases brought to Freedom to Speak Up guardians"] == "3"
    assert values["Number of cases raised anonymously"] == "3"
    assert values["Number of cases with an element of patient safety/quality"] == "3"
    assert (
        values["Cases raised by professional/worker group: Registered nurses and midwives"] == "3"
    )

    # the published CSV stays suppressed, even for the guardian
    published = client.get("/speak-up/return.csv" + query).text
    assert "R0B," + quarter + ",route,anonymous,*" in published
    # a board member sees the return suppressed and cannot have the true counts
    board = make_user(Role.BOARD, username="board-r0b")
    grant_role(user=board, role=Role.BOARD, organisation_code="R0B", by="system:test")
    board_client = Client()
    board_client.force_login(board, backend="django.contrib.auth.backends.ModelBackend")
    board_page = board_client.get("/speak-up/return/" + query).text
    assert "True counts" not in board_page
    assert re.search(r"Anonymous</th><td[^>]*>\*</td>", board_page)
    assert board_client.get("/speak-up/return-ngo.csv" + query).status_code == 403
    # so does a guardian of another organisation
    other = guardian("rj1-guardian", code="RJ1", slot=1)
    other_client = Client()
    other_client.force_login(other, backend="django.contrib.auth.backends.ModelBackend")
    assert other_client.get("/speak-up/return-ngo.csv" + query).status_code == 403
    assert "True counts" not in other_client.get("/speak-up/return/" + query).text
    # and the themes and oversight signals, for everyone
    themes = client.get(f"/speak-up/themes/?quarter={quarter}").text
    assert re.search(r"R0B\)</th>\s*<td[^>]*>\*</td>", themes)


# -------------------------------------------------------------------------------- owners


def test_action_owners_are_people_at_the_cases_organisation_by_name():
    g = guardian()
    matron = create_user(
        username="m.jones", password=PASSWORD, roles=[], by="system:test",
        first_name="Mary", last_name="Jones",
    )  # fmt: skip
    grant_role(user=matron, role=Role.STAFF, organisation_code="R0B", by="system:test")
    elsewhere = create_user(
        username="x.smith", password=PASSWORD, roles=[], by="system:test",
        first_name="Xavier", last_name="Smith",
    )  # fmt: skip
    grant_role(user=elsewhere, role=Role.STAFF, organisation_code="RJ1", by="system:test")
    national = create_user(
        username="analyst", password=PASSWORD, roles=[Role.ANALYST], by="system:test"
    )
    case, _ = submit()
    actions.acknowledge(opened=opened(case, g), by=g)
    actions.triage(case=case, risk="low", immediate_harm=False, categories=["patient_safety"], by=g)
    page = unlocked(g).get(f"/speak-up/cases/{case.pk}/").text
    owners = page.split('name="action-owner"')[1].split("</select>")[0]
    assert "Mary Jones (Member of staff)" in owners
    assert "Xavier" not in owners
    assert national.username not in owners
    with pytest.raises(Exception, match="holds no role at R0B"):
        actions.add_action(
            case=case, description="x", owner=elsewhere, due_on=actions.today(), by=g
        )
