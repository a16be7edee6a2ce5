"""Mortality alerts that must be answered: importing an SHMI-layout file and running the O/E
CUSUM raises alerts that appear on the organisation page; an alert left unanswered past its
deadline escalates; repeated views without a response are flagged; an alert closes only on
regional oversight's review, on recorded evidence; access follows the concern rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from tests.integration.mortality_access import (
    EXCESS_FROM,
    deaths_csv,
    load_deaths,
    month,
    run_job,
    write,
)

from candour.cli import main
from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.mortality import actions, queries
from candour.web.mortality.models import AlertReview, AlertView, MortalityAlert
from candour.web.oversight import actions as oversight_actions
from candour.web.oversight.models import Concern

pytestmark = pytest.mark.django_db

RESPONSE = {
    "coding_review": "120 records re-checked; coding was right.",
    "case_note_review": "Delays in antibiotics for 9 of 34 deaths.",
    "action_plan": "Sepsis pathway audit monthly, led by the medical director, from May.",
}


def signed_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def people(make_user):
    return {
        "board": make_user(Role.BOARD, username="r0b-board", organisation_code="R0B"),
        "regional": make_user(Role.REGIONAL, username="regional"),
        "analyst": make_user(Role.ANALYST, username="analyst"),
    }


@pytest.fixture
def alert(tmp_path, people):
    load_deaths(tmp_path)
    (raised,) = run_job().raised
    return raised


def respond(alert, by):
    return actions.respond(alert=alert, by=by, **RESPONSE)


def audit_actions(alert) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="mortality_alert", target_id=str(alert.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


# --- Raising: import, chart, alert, organisation page -------------------------------------------


def test_importing_and_running_raises_alerts_that_appear_on_the_organisation_page(
    tmp_path, people, client, capsys
):
    assert main(["import", "shmi_monthly", str(write(tmp_path, deaths_csv()))]) == 0
    assert main(["mortality", "run"]) == 0
    out = capsys.readouterr().out
    assert "6 series monitored (6 on SYNTHETIC data)" in out
    assert "about 0.006 false alarms a year are expected by chance" in out
    assert "raised: R0B Pneumonia: Deaths after pneumonia admissions:" in out
    alert = MortalityAlert.objects.get()  # only the planted series signalled
    assert (alert.organisation_id, alert.group) == ("R0B", "Pneumonia")
    assert alert.episode_start == month(EXCESS_FROM)
    assert alert.false_alarm_rate == 0.001
    assert alert.monitored_series == 6
    assert alert.expected_false_alarms_per_year == pytest.approx(0.006)
    assert alert.concern.owner == people["board"]  # someone at the trust owns it
    assert alert.concern.status == Concern.Status.OPEN
    assert alert.response_due == timezone.localdate() + dt.timedelta(days=30)
    assert alert.synthetic
    assert alert.sentence == (
        f"Deaths after pneumonia admissions: {alert.observed} observed against "
        f"{alert.expected:.1f} expected from January to {alert.first_signal:%B %Y}, a CUSUM "
        "signal (threshold set for 1 false alarm in 1,000 series-years)"
    )
    page = signed_in(client, people["board"]).get(reverse("oversight:organisation", args=["R0B"]))
    html = page.content.decode()
    assert "Mortality alerts" in html
    assert alert.sentence in html
    assert reverse("mortality:alert", args=[alert.pk]) in html
    assert "Synthetic data" in html
    signed_in(client, people["analyst"])  # a board member at R0B reads only R0B's
    other = client.get(reverse("oversight:organisation", args=["RTD"])).content.decode()
    assert "No open mortality alerts: 2 diagnosis groups of this organisation are monitored" in (
        other
    )
    assert "mortality.alert.raise" in audit_actions(alert)


def test_the_alert_page_carries_the_chart_threshold_and_expected_false_alarms(
    alert, client, people
):
    html = (
        signed_in(client, people["analyst"])
        .get(reverse("mortality:alert", args=[alert.pk]))
        .content.decode()
    )
    assert f"h = {alert.h:.2f}, set for 1 false alarm in 1,000 series-years" in html
    assert "6 series (trust and diagnosis group) are monitored" in html
    assert "about 0.006 false alarms a year would be expected across them by chance" in html
    assert reverse("mortality:alert_chart", args=[alert.pk]) in html
    chart = client.get(reverse("mortality:alert_chart", args=[alert.pk]))
    assert chart["Content-Type"] == "image/svg+xml"
    assert b"SYNTHETIC DATA" in chart.content
    assert b"VLAD" in chart.content


def test_running_again_raises_nothing_new_and_a_later_signal_joins_the_open_alert(tmp_path, alert):
    assert run_job().raised == []
    assert MortalityAlert.objects.count() == 1
    # Twelve more months of excess: the chart (reset after each signal) signals again.
    load_deaths(tmp_path, deaths_csv(months=36))
    summary = run_job()
    assert summary.raised == []
    assert summary.run.signalled_again == 1
    alert.refresh_from_db()
    assert alert.signals > 1
    assert alert.latest_signal > alert.first_signal
    assert "mortality.alert.signal" in audit_actions(alert)


def test_a_new_signal_after_closure_raises_a_new_alert(tmp_path, alert, people):
    respond(alert, people["board"])
    actions.review(
        alert=alert,
        decision="accept",
        note="Case-note review is convincing.",
        evidence=alert.concern.evidence.first(),
        by=people["regional"],
    )
    load_deaths(tmp_path, deaths_csv(months=36))
    (second,) = run_job().raised
    assert second.first_signal > alert.latest_signal
    assert MortalityAlert.objects.count() == 2


def test_a_signal_nobody_may_own_is_not_raised_and_the_job_says_so(tmp_path, capsys, make_user):
    load_deaths(tmp_path)
    assert main(["mortality", "run"]) == 3
    assert "no one may own an alert for R0B Pneumonia" in capsys.readouterr().err
    assert not MortalityAlert.objects.exists()
    make_user(Role.REGIONAL, username="north-east", organisation_code="Y63")
    assert main(["mortality", "run"]) == 0
    assert MortalityAlert.objects.get().concern.owner.username == "north-east"


# --- Escalation ---------------------------------------------------------------------------------


def test_an_alert_left_unanswered_past_its_deadline_escalates(alert):
    run_job(today=alert.response_due)  # due today: not yet late
    alert.refresh_from_db()
    assert alert.escalations == 0
    late = alert.response_due + dt.timedelta(days=1)
    assert run_job(today=late).run.escalated == 1
    alert.refresh_from_db()
    assert alert.escalated()
    assert alert.escalations == 1
    assert alert.status(late) == MortalityAlert.Status.OVERDUE
    event = AuditEvent.objects.filter(action="mortality.alert.escalate").get()
    assert event.details["days_overdue"] == 1
    assert event.actor == "system:test"
    assert run_job(today=late + dt.timedelta(days=1)).run.escalated == 0  # once per deadline


def test_an_escalation_shows_on_the_alert_and_organisation_pages(tmp_path, people, client):
    load_deaths(tmp_path)
    long_ago = timezone.localdate() - dt.timedelta(days=45)
    (alert,) = run_job(today=long_ago).raised  # due 15 days ago
    run_job()
    alert.refresh_from_db()
    assert alert.escalated()
    signed_in(client, people["board"])
    html = client.get(reverse("mortality:alert", args=[alert.pk])).content.decode()
    assert "Escalated: the response is late" in html
    assert "is 15 days late" in html
    page = client.get(reverse("oversight:organisation", args=["R0B"])).content.decode()
    assert "Escalated: 15 days late" in page
    listing = client.get(reverse("mortality:alerts")).content.decode()
    assert "Escalated" in listing
    respond(alert, people["board"])
    assert AuditEvent.objects.filter(action="mortality.alert.respond").get().details["late"]
    html = client.get(reverse("mortality:alert", args=[alert.pk])).content.decode()
    assert "Escalated: the response is late" not in html  # answered, if late


def test_an_alerts_workflow_leaves_the_stored_charts_current(alert, client, people):
    # a response changes the assessment (a new data version), not what any chart draws
    from candour.web.oversight import assessment

    signed_in(client, people["regional"])
    chart = reverse("mortality:alert_chart", args=[alert.pk])
    series = "/organisations/R0B/measures/rtt_18wk/chart.svg"
    before = {path: client.get(path) for path in (chart, series)}
    assert [r.status_code for r in before.values()] == [200, 200]
    version = assessment.data_version()
    respond(alert, people["board"])
    assert assessment.data_version() == version + 1
    for path, response in before.items():
        again = client.get(path, headers={"If-None-Match": response["ETag"]})
        assert again.status_code == 304, path


def test_a_response_ends_the_overdue_state(alert, people):
    late = alert.response_due + dt.timedelta(days=3)
    run_job(today=late)
    respond(alert, people["board"])
    alert.refresh_from_db()
    assert alert.status(late) == MortalityAlert.Status.AWAITING_REVIEW
    assert not alert.overdue(late)
    assert run_job(today=late + dt.timedelta(days=1)).run.escalated == 0


# --- Views and the seen-without-response flag ---------------------------------------------------


def test_every_view_is_counted_once_a_day_per_person_and_audited_once(alert, client, people):
    signed_in(client, people["analyst"])
    url = reverse("mortality:alert", args=[alert.pk])
    for _ in range(3):
        assert client.get(url).status_code == 200
    view = AlertView.objects.get(alert=alert, viewer=people["analyst"])
    assert view.loads == 3
    assert audit_actions(alert).count("mortality.alert.view") == 1
    event = AuditEvent.objects.filter(action="mortality.alert.view").get()
    assert event.actor == "analyst"
    assert set(event.details) == {"organisation", "day"}  # content-free
    html = client.get(url).content.decode()
    assert "1 view by 1 person since the response was asked for (4 openings" in html


@override_settings(MORTALITY_ALERTS={"seen_without_response": 3, "response_days": 30})
def test_an_alert_viewed_many_times_without_a_response_is_flagged(alert, client, people):
    start = timezone.localdate() - dt.timedelta(days=39)
    for days, who in ((0, "board"), (1, "board"), (1, "board")):  # a reload counts once
        actions.record_view(alert=alert, by=people[who], today=start + dt.timedelta(days=days))
    alert.refresh_from_db()
    assert alert.seen_flagged_at is None
    actions.record_view(alert=alert, by=people["regional"], today=start + dt.timedelta(days=5))
    alert.refresh_from_db()
    assert alert.seen_flagged_at is None  # views before the alert was raised do not count
    MortalityAlert.objects.filter(pk=alert.pk).update(
        waiting_since=timezone.now() - dt.timedelta(days=39)
    )
    actions.flag_all_seen_without_response(by="system:test")
    alert.refresh_from_db()
    assert alert.seen_without_response()
    event = AuditEvent.objects.filter(action="mortality.alert.seen_without_response").get()
    assert (event.details["views"], event.details["people"]) == (3, 2)
    html = (
        signed_in(client, people["regional"])
        .get(reverse("mortality:alert", args=[alert.pk]))
        .content.decode()
    )
    assert "Seen 4 times by 2 people in 40 days, no response" in html
    page = client.get(reverse("oversight:organisation", args=["R0B"])).content.decode()
    assert "Seen 4 times by 2 people in 40 days, no response" in page
    respond(alert, people["board"])
    alert.refresh_from_db()
    assert not alert.seen_without_response()  # answered: the flag stands down


@override_settings(MORTALITY_ALERTS={"seen_without_response": 2})
def test_the_view_that_crosses_the_threshold_flags_at_once(alert, client, people):
    signed_in(client, people["board"]).get(reverse("mortality:alert", args=[alert.pk]))
    signed_in(client, people["regional"]).get(reverse("mortality:alert", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.seen_without_response()


# --- Closing only on evidence -------------------------------------------------------------------


def test_the_concern_page_cannot_close_an_alert(alert, client, people):
    respond(alert, people["board"])
    evidence = alert.concern.evidence.first()
    for who in ("board", "regional"):
        response = signed_in(client, people[who]).post(
            reverse("oversight:concern", args=[alert.concern.pk]),
            {"close": "1", "evidence": evidence.pk},
        )
        assert "regional oversight closes it by reviewing" in response.content.decode()
        alert.concern.refresh_from_db()
        assert alert.concern.status == Concern.Status.OPEN
    with pytest.raises(ValidationError):
        oversight_actions.close_concern(concern=alert.concern, evidence=evidence, by="system:x")


def test_regional_oversight_closes_the_alert_on_recorded_evidence(alert, client, people):
    signed_in(client, people["regional"])
    review_url = reverse("mortality:alert_review", args=[alert.pk])
    assert (
        "There is no response from the trust to review" in client.get(review_url).content.decode()
    )
    respond(alert, people["board"])
    evidence = alert.concern.evidence.get(kind="case_note_review")
    page = client.post(review_url, {"decision": "accept", "note": "Convincing."})
    assert "Select the evidence the alert is closed on" in page.content.decode()
    alert.concern.refresh_from_db()
    assert alert.concern.status == Concern.Status.OPEN
    page = client.post(
        review_url, {"decision": "accept", "note": "Convincing.", "evidence": evidence.pk}
    )
    assert page.status_code == 302
    alert.refresh_from_db()
    assert alert.concern.status == Concern.Status.CLOSED
    assert alert.concern.closing_evidence == evidence
    assert alert.status(timezone.localdate()) == MortalityAlert.Status.CLOSED
    assert queries.open_mortality_alerts().is_empty()
    assert audit_actions(alert)[-1] == "mortality.alert.review"
    assert AuditEvent.objects.filter(action="concern.close").exists()


def test_a_returned_response_sets_a_new_deadline_and_waits_for_the_trust(alert, people):
    respond(alert, people["board"])
    later = timezone.localdate() + dt.timedelta(days=20)
    actions.review(
        alert=alert, decision="return", note="Review all 34 deaths.", by=people["regional"],
        today=later,
    )  # fmt: skip
    alert.refresh_from_db()
    assert alert.response_due == later + dt.timedelta(days=30)
    assert alert.awaiting_trust()
    assert alert.concern.status == Concern.Status.OPEN
    assert AlertReview.objects.get().closed_on is None
    with pytest.raises(ValidationError, match="no response from the trust"):
        actions.review(
            alert=alert,
            decision="accept",
            note="x",
            evidence=alert.concern.evidence.first(),
            by=people["regional"],
        )
    respond(alert, people["board"])  # the trust answers again
    assert alert.responses.count() == 2


def test_a_response_needs_every_part(alert, client, people):
    page = signed_in(client, people["board"]).post(
        reverse("mortality:alert_respond", args=[alert.pk]),
        {"coding_review": "Fine.", "case_note_review": "", "action_plan": ""},
    )
    html = page.content.decode()
    assert "Enter the findings of the case-note review" in html
    assert "Enter the action plan" in html
    assert not alert.responses.exists()
    with pytest.raises(ValidationError, match="Action plan"):
        actions.respond(
            alert=alert,
            coding_review="a",
            case_note_review="b",
            action_plan=" ",
            by=people["board"],
        )


def test_the_trust_responds_through_the_page_and_each_part_becomes_evidence(alert, client, people):
    signed_in(client, people["board"])
    page = client.post(reverse("mortality:alert_respond", args=[alert.pk]), RESPONSE)
    assert page.status_code == 302
    kinds = sorted(alert.concern.evidence.values_list("kind", flat=True))
    assert kinds == ["case_note_review", "data_quality_review", "other"]
    html = client.get(reverse("mortality:alert", args=[alert.pk])).content.decode()
    assert "Delays in antibiotics for 9 of 34 deaths." in html
    assert "Awaiting regional review" in html
    again = client.get(reverse("mortality:alert_respond", args=[alert.pk])).content.decode()
    assert "the trust has responded and regional oversight is reviewing" in again


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "scope", "alert_page", "respond_page", "review_page"),
    [
        (Role.BOARD, "R0B", 200, 200, 403),
        (Role.BOARD, "Y63", 200, 200, 403),  # R0B's region
        (Role.BOARD, "RJ1", 403, 403, 403),  # another trust
        (Role.REGIONAL, "Y63", 200, 403, 200),
        (Role.REGIONAL, "Y56", 200, 403, 403),  # reads every alert, reviews only its region's
        (Role.ANALYST, "RJ1", 200, 403, 403),
    ],
)
def test_scoped_access(
    alert, client, make_user, role, scope, alert_page, respond_page, review_page
):
    signed_in(client, make_user(role, username=f"{role}-{scope}", organisation_code=scope))
    for name, status in (
        ("mortality:alert", alert_page),
        ("mortality:alert_chart", alert_page),
        ("mortality:alert_respond", respond_page),
        ("mortality:alert_review", review_page),
    ):
        assert client.get(reverse(name, args=[alert.pk])).status_code == status, name


def test_another_trusts_board_member_sees_neither_the_alert_nor_its_panel(alert, client, make_user):
    signed_in(client, make_user(Role.BOARD, username="rj1-board", organisation_code="RJ1"))
    assert "R0B" not in client.get(reverse("mortality:alerts")).content.decode().split("<main")[1]
    page = client.get(reverse("oversight:organisation", args=["R0B"])).content.decode()
    assert "Mortality alerts" not in page.split("<main")[1]


def test_the_actions_refuse_people_without_the_grant(alert, people, make_user):
    with pytest.raises(PermissionDenied):
        respond(alert, people["regional"])  # regional oversight does not answer for the trust
    with pytest.raises(PermissionDenied):
        respond(alert, make_user(Role.BOARD, username="rj1", organisation_code="RJ1"))
    respond(alert, people["board"])
    with pytest.raises(PermissionDenied):  # the trust does not review its own response
        actions.review(
            alert=alert,
            decision="accept",
            note="We are fine.",
            evidence=alert.concern.evidence.first(),
            by=people["board"],
        )


# --- The assessment's mortality evidence --------------------------------------------------------


def test_open_mortality_alerts_gives_the_assessment_its_evidence(alert, people):
    frame = queries.open_mortality_alerts(today=alert.response_due + dt.timedelta(days=2))
    assert frame.columns == list(queries.OPEN_ALERT_SCHEMA)
    row = frame.row(0, named=True)
    assert row["ods_code"] == "R0B"
    assert row["alert_id"] == alert.pk
    assert row["group"] == "Pneumonia"
    assert row["first_signal"] == alert.first_signal
    assert row["h"] == pytest.approx(alert.h)
    assert row["false_alarm_rate"] == 0.001
    assert row["status"] == "overdue"
    assert row["days_open"] == 32
    assert row["sentence"].startswith("Deaths after pneumonia admissions: ")
    assert queries.open_mortality_alerts(["RTD"]).is_empty()
    assert AlertView.objects.count() == 0  # reading it counts no view


def mortality_flags_of(code: str) -> list[dict]:
    from candour.web.oversight import assessment

    result = assessment.current()
    return result.flags_for(code).filter(kind="mortality_alert").to_dicts()


def test_an_open_alert_is_in_the_trusts_assessment_until_closed(tmp_path, people):
    load_deaths(tmp_path)
    long_ago = timezone.localdate() - dt.timedelta(days=45)
    (alert,) = run_job(today=long_ago).raised  # due 15 days ago
    [flag] = mortality_flags_of("R0B")
    assert flag["level"] == "elevated risk"  # overdue: seen and not answered
    assert flag["sentence"].startswith("Mortality alert, Pneumonia: Deaths after pneumonia")
    assert flag["sentence"].endswith("the trust's response is overdue.")
    respond(alert, people["board"])  # a new data version: recomputed
    [flag] = mortality_flags_of("R0B")
    assert flag["level"] == "risk"
    assert flag["sentence"].endswith("regional oversight is reviewing it.")
    actions.review(
        alert=alert,
        by=people["regional"],
        decision=AlertReview.Decision.ACCEPT,
        note="Convincing.",
        evidence=alert.concern.evidence.get(kind="case_note_review"),
    )
    assert mortality_flags_of("R0B") == []


def test_a_fresh_alert_puts_the_trust_at_risk(alert):
    [flag] = mortality_flags_of("R0B")
    assert flag["level"] == "risk"
    assert flag["sentence"].endswith("the trust's response is awaited.")
