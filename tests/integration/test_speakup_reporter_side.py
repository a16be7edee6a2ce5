"""The reporter's side (issue 14, finding 5): with the receipt they re-read what they sent and add
files later, sealed like the rest; "Other ways to speak up" links to the national bodies and a
deployment can set its own; errors follow the NHS.UK error-message pattern."""

from __future__ import annotations

import io
import re

import pytest
from django.core.cache import caches
from django.test import Client
from tests.integration.speakup_access import cached_keypair, enrol_quickly, submit
from tests.integration.test_speakup_reporting import png_with_text_chunk

from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.speakup import vault
from candour.web.speakup.models import Attachment, Case, ReporterActivity

pytestmark = pytest.mark.django_db

NARRATIVE = "Agency nurses are given the drug-round keys without an induction."


@pytest.fixture(autouse=True)
def _fresh_cache():
    caches["speakup"].clear()


@pytest.fixture
def guardian(make_user):
    user = make_user(Role.GUARDIAN, username="guardian-r0b")
    enrol_quickly(user, "R0B")
    return user


def following_up(receipt) -> Client:
    client = Client()
    assert client.post("/speak-up/follow-up/", {"receipt": str(receipt)}).status_code == 302
    return client


def upload(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_the_reporter_reads_again_what_they_sent_but_never_their_identity(guardian):
    import datetime

    _, receipt = submit(
        route="confidential",
        identity="Robin Example, ward 3, 07700 900456",
        narrative=NARRATIVE,
        location="Ward 3",
        happened_on=datetime.date(2026, 1, 5),
        categories=["patient_safety", "behaviours"],
        attachment=vault_upload(b"%PDF-1.4 rota", "rota.pdf"),
    )
    page = following_up(receipt).get("/speak-up/follow-up/case/").text
    sent = page.split('id="what-you-sent"')[1]
    assert NARRATIVE in sent
    assert "Ward 3" in sent
    assert "5 January 2026" in sent
    assert "Patient safety or quality, Inappropriate attitudes or behaviours" in sent
    assert "Confidential" in sent
    assert "rota.pdf" in sent
    assert "Robin Example" not in page  # the identity envelope is sealed to guardians only


def vault_upload(data: bytes, name: str):
    from candour.web.speakup import actions

    return actions.Upload(name=name, content_type="application/pdf", data=data)


def test_the_reporter_adds_a_file_later_sealed_like_the_rest(guardian):
    case, receipt = submit(narrative=NARRATIVE)
    client = following_up(receipt)
    response = client.post(
        "/speak-up/follow-up/file/", {"attachment": upload(png_with_text_chunk(), "door.png")}
    )
    assert response.status_code == 302
    assert response["Location"] == "/speak-up/follow-up/case/"
    page = client.get("/speak-up/follow-up/case/").text
    assert "File added" in page
    assert "door.png" in page.split('id="sent-files"')[1]
    attachment = Attachment.objects.get(case=case)
    assert attachment.added_on == case.received_on
    assert attachment.cleaned_format == "png"
    assert b"GPS" not in bytes(attachment.content)
    assert b"door.png" not in bytes(attachment.description)
    opened = vault.open_for(
        Case.objects.get(pk=case.pk), cached_keypair(0), guardian_id=guardian.pk
    )
    assert b"GPS" not in opened.attachment_content(attachment)  # hidden details removed
    assert opened.attachment_description(attachment) == ("door.png", "image/png")
    # counted for the day, never timed
    assert ReporterActivity.objects.get(kind="file").count == 1
    assert not AuditEvent.objects.filter(action__startswith="speakup.reporter").exists()


def test_adding_no_file_or_a_damaged_one_says_what_to_do(guardian):
    _, receipt = submit()
    client = following_up(receipt)
    empty = client.post("/speak-up/follow-up/file/", {})
    assert empty.status_code == 400
    assert "Select a file" in empty.text
    damaged = client.post(
        "/speak-up/follow-up/file/",
        {"attachment": upload(b"\x89PNG\r\n\x1a\n" + b"broken", "bad.png")},
    )
    assert damaged.status_code == 400
    assert not Attachment.objects.exists()


def test_a_case_holds_a_bounded_number_of_files(guardian, settings):
    settings.SPEAKUP_DAILY_LIMITS = {**settings.SPEAKUP_DAILY_LIMITS, "files_per_case": 1}
    _, receipt = submit(attachment=vault_upload(b"%PDF-1.4", "first.pdf"))
    response = following_up(receipt).post(
        "/speak-up/follow-up/file/", {"attachment": upload(b"%PDF-1.4 x", "second.pdf")}
    )
    assert response.status_code == 400
    assert "the most it can hold" in response.text
    assert Attachment.objects.count() == 1


# ------------------------------------------------------------------- other ways to speak up

NATIONAL = [
    "https://nationalguardian.org.uk/",
    "https://www.cqc.org.uk/",
    "https://www.england.nhs.uk/",
]


def test_other_ways_to_speak_up_link_to_the_national_bodies(client):
    for url in ("/speak-up/", "/speak-up/raise/RJ1/"):  # RJ1 has no guardian
        page = client.get(url).text
        links = re.findall(r'<a href="(https://[^"]+)" rel="noreferrer noopener">', page)
        for national in NATIONAL:
            assert any(link.startswith(national) for link in links), (url, national)


def test_a_deployment_lists_its_own_other_ways(client, settings):
    settings.SPEAKUP_OTHER_WAYS = [
        {
            "name": "Our guardians confidential line",
            "url": "https://intranet.example.nhs.uk/speak-up",
            "description": "0191 000 0000, weekdays 8 to 6.",
        }
    ]
    page = client.get("/speak-up/raise/RJ1/").text
    assert "Our guardians confidential line" in page
    assert "https://intranet.example.nhs.uk/speak-up" in page
    assert "https://www.cqc.org.uk/" not in page


# ------------------------------------------------------------------------ NHS.UK error messages


def summary_items(html: str) -> list[str]:
    body = html.split('class="nhsuk-error-summary__body">')[1].split("</div>")[0]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", body)]


def test_errors_follow_the_nhs_pattern(client, guardian):
    response = client.post("/speak-up/raise/R0B/", {"narrative": ""})
    assert response.status_code == 400
    items = summary_items(response.text)
    assert items == [
        "Select how you want to speak up",
        "Select what your concern is about",
        "Enter what happened",
        "Select which group of staff you work in",
        "Select whether you have raised this before",
        "Select whether you have been treated badly for speaking up",
    ]
    assert "This field is required" not in response.text
    assert "How do you want to speak up?:" not in response.text
    # each links to its field (a radio group to its first option)
    assert 'href="#id_route_0"' in response.text
    assert 'href="#id_narrative"' in response.text


def test_every_reporter_form_field_has_its_own_message():
    from candour.web.speakup import forms

    for form_class in (
        forms.ConcernForm,
        forms.ConfirmReceiptForm,
        forms.ReceiptForm,
        forms.ReplyForm,
        forms.SpeakUpAgainForm,
        forms.CheckInForm,
        forms.AddFileForm,
    ):
        for name, field in form_class().fields.items():
            message = field.error_messages["required"]
            if field.required:
                assert message.split()[0] in ("Select", "Enter"), (form_class, name, message)
                assert not message.endswith("."), (form_class, name)
