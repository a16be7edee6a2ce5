"""Raising a concern: the form (no JavaScript, no account), receipts, storage per the security
model, attachments, organisations without a guardian, and nothing about the reporter kept."""

from __future__ import annotations

import io
import logging
import struct
import zlib

import pytest
from django.core.cache import caches
from django.utils import timezone
from tests.integration.speakup_access import (
    cached_keypair,
    enrol_quickly,
    receipt_on_page,
    submit,
)

from candour import crypto
from candour.crypto.constants import RECEIPT_BITS
from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.speakup import vault
from candour.web.speakup.choices import SealedFor
from candour.web.speakup.models import Attachment, Case, ReporterActivity, SealedKey, TurnedAway

pytestmark = pytest.mark.django_db

NARRATIVE = "The charge nurse shouts at new starters in front of patients every night shift."
IDENTITY = "Sam Example, staff nurse, 07700 900123"
FORM = {
    "route": "anonymous",
    "narrative": NARRATIVE,
    "location": "Ward 12",
    "happened_day": "3",
    "happened_month": "2",
    "happened_year": "2025",
    "categories": ["bullying", "behaviours"],
    "professional_group": "nursing",
    "raised_before": "no",
    "detriment_at_intake": "not_sure",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    caches["speakup"].clear()


@pytest.fixture
def guardian(make_user):
    user = make_user(Role.GUARDIAN, username="guardian-r0b")
    enrol_quickly(user, "R0B")
    return user


def raise_concern(client, **changes):
    data = {**FORM, **changes}
    return client.post("/speak-up/raise/R0B/", {k: v for k, v in data.items() if v is not None})


def png_with_text_chunk() -> bytes:
    """A 1x1 PNG carrying a tEXt chunk with a 'GPS' secret."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00GPS 54.9069N 1.3838W")
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


# ------------------------------------------------------------------------------------ the form


def test_start_page_searches_organisations_and_marks_those_without_a_guardian(client, guardian):
    html = client.get("/speak-up/", {"q": "sunderland"}).content.decode()
    assert "South Tyneside and Sunderland NHS Foundation Trust" in html
    assert 'href="/speak-up/raise/R0B/"' in html
    assert "No guardian yet" not in html.split("R0B")[1].split("</li>")[0]
    other = client.get("/speak-up/", {"q": "RJ1"}).content.decode()
    assert "No guardian yet" in other


def test_an_anonymous_concern_gives_a_receipt_shown_until_confirmed(client, guardian):
    response = raise_concern(client)
    assert response.status_code == 302
    assert response["Location"] == "/speak-up/receipt/"
    page = client.get("/speak-up/receipt/")
    assert page["Cache-Control"].startswith("max-age=0")
    assert "no-store" in page["Cache-Control"]
    receipt = receipt_on_page(page.content.decode())
    groups = receipt.split("-")
    assert len(groups) == 5
    assert all(len(g) == 4 for g in groups)
    assert len("".join(groups)) * 5 >= 100 == RECEIPT_BITS
    # a wrong confirmation is refused and the receipt is still shown
    wrong = client.post(
        "/speak-up/receipt/", {"last_group": "ZZZZ" if groups[-1] != "ZZZZ" else "YYYY"}
    )
    assert wrong.status_code == 400
    assert receipt in wrong.content.decode()
    confirmed = client.post("/speak-up/receipt/", {"last_group": groups[-1].lower()})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/speak-up/follow-up/case/"  # no ?sent=1: the session says
    # never shown again
    again = client.get("/speak-up/receipt/")
    assert again.status_code == 302
    case_page = client.get("/speak-up/follow-up/case/").content.decode()
    assert receipt not in case_page
    assert "Your concern has reached the guardian" in case_page
    assert "Come back with your receipt to read their reply" in case_page  # the "Sent" banner
    # shown once
    assert (
        "Come back with your receipt"
        not in client.get("/speak-up/follow-up/case/").content.decode()
    )


def test_the_stored_case_is_encrypted_and_sealed_to_guardian_and_reporter(client, guardian):
    raise_concern(client)
    receipt = receipt_on_page(client.get("/speak-up/receipt/").content.decode())
    case = Case.objects.get()
    assert case.route == "anonymous"
    assert case.organisation_id == "R0B"
    assert case.bullying
    assert case.behaviours
    assert not case.patient_safety
    assert case.received_on == timezone.localdate()
    assert NARRATIVE.encode() not in bytes(case.narrative)
    assert case.identity is None
    rows = SealedKey.objects.filter(case=case)
    assert {(r.purpose, r.guardian_id) for r in rows} == {
        (SealedFor.CASE, guardian.pk),
        (SealedFor.CASE, None),
    }
    assert bytes(case.receipt_lookup) == vault.receipt_lookup(crypto.parse_receipt(receipt))
    # the guardian and the reporter each open it
    by_guardian = vault.open_for(case, cached_keypair(0), guardian_id=guardian.pk)
    assert by_guardian.narrative == NARRATIVE
    assert by_guardian.location == "Ward 12"
    assert by_guardian.happened_on.isoformat() == "2025-02-03"
    reporter = crypto.reporter_keypair(receipt, context="candour")
    assert vault.open_for(case, reporter, guardian_id=None).narrative == NARRATIVE


def test_a_field_ciphertext_moved_to_another_case_does_not_open(guardian):
    first, _ = submit(narrative="First concern")
    second, _ = submit(narrative="Second concern")
    Case.objects.filter(pk=second.pk).update(narrative=bytes(first.narrative))
    second.refresh_from_db()
    opened = vault.open_for(second, cached_keypair(0), guardian_id=guardian.pk)
    with pytest.raises(crypto.DecryptionError):
        opened.narrative  # noqa: B018 - the property decrypts


def test_confidential_identity_is_in_its_own_envelope(client, guardian):
    response = raise_concern(client, route="confidential", identity=IDENTITY)
    assert response.status_code == 302
    case = Case.objects.get()
    assert IDENTITY.encode() not in bytes(case.identity)
    identity_rows = SealedKey.objects.filter(case=case, purpose=SealedFor.IDENTITY)
    assert [r.guardian_id for r in identity_rows] == [guardian.pk]  # never the reporter
    opened = vault.open_for(case, cached_keypair(0), guardian_id=guardian.pk)
    assert IDENTITY not in opened.narrative
    assert vault.open_identity(case, cached_keypair(0), guardian_id=guardian.pk) == IDENTITY


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"route": "anonymous", "identity": IDENTITY}, "identity", "Delete your name"),
        ({"route": "open", "identity": ""}, "identity", "Enter your name, role and how"),
        ({"categories": None}, "categories", "Select what your concern is about"),
        ({"categories": ["discrimination"]}, "protected_characteristic", "grounds"),
        ({"narrative": ""}, "narrative", "Enter what happened"),
        ({"happened_day": "31", "happened_month": "2"}, "happened_day", "must be a real date"),
        ({"happened_year": "2099"}, "happened_day", "today or in the past"),
        ({"happened_month": ""}, "happened_day", "day, month and year"),
    ],
)
def test_form_errors_name_the_field(client, guardian, changes, field, message):
    response = raise_concern(client, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert not Case.objects.exists()


def test_discrimination_records_its_protected_characteristic(client, guardian):
    raise_concern(client, categories=["discrimination"], protected_characteristic="race")
    case = Case.objects.get()
    assert case.discrimination
    assert case.protected_characteristic == "race"


def test_a_signed_in_person_is_not_linked_to_their_concern(client_for, guardian):
    client = client_for(Role.STAFF)
    page = client.get("/speak-up/raise/R0B/").content.decode()
    assert "not</strong> linked to your account" in page
    before = AuditEvent.objects.count()
    raise_concern(client)
    assert Case.objects.count() == 1
    # nothing names the signed-in person, and nothing is timed: the concern is only counted
    assert AuditEvent.objects.count() == before
    counted = ReporterActivity.objects.get(kind="concern")
    assert (counted.organisation_id, counted.count) == ("R0B", 1)


def test_photo_metadata_is_stripped_and_the_file_encrypted(client, guardian):
    photo = io.BytesIO(png_with_text_chunk())
    photo.name = "IMG_0001.png"
    response = raise_concern(client, attachment=photo)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.cleaned_format == "png"
    assert b"GPS" not in bytes(attachment.content)
    assert b"IMG_0001" not in bytes(attachment.description)
    opened = vault.open_for(attachment.case, cached_keypair(0), guardian_id=guardian.pk)
    data = opened.attachment_content(attachment)
    assert data.startswith(b"\x89PNG")
    assert b"GPS" not in data
    assert opened.attachment_description(attachment) == ("IMG_0001.png", "image/png")


def test_a_damaged_photo_is_refused_with_a_message(client, guardian):
    broken = io.BytesIO(png_with_text_chunk()[:-6])
    broken.name = "broken.png"
    response = raise_concern(client, attachment=broken)
    assert response.status_code == 400
    assert "damaged" in response.content.decode()
    assert not Case.objects.exists()


def test_an_attachment_over_the_limit_is_refused(client, guardian, settings):
    settings.SPEAKUP_MAX_ATTACHMENT_BYTES = 1000
    big = io.BytesIO(b"%PDF" + b"x" * 5000)
    big.name = "big.pdf"
    response = raise_concern(client, attachment=big)
    assert response.status_code == 400
    assert "The selected file must be smaller than" in response.content.decode()
    assert not Case.objects.exists()


def test_organisation_without_a_guardian_refuses_and_tells_the_administrator(client, client_for):
    page = client.get("/speak-up/raise/RJ1/")
    html = page.content.decode()
    assert "You cannot raise a concern here yet" in html
    assert "Send concern" not in html
    client.get("/speak-up/raise/RJ1/")  # the same source again the same day: counted once
    seen = TurnedAway.objects.get(organisation_id="RJ1")
    assert seen.attempts == 1
    assert not AuditEvent.objects.filter(action="speakup.no_guardian").exists()  # not timed
    # a POST cannot create a case either
    assert raise_concern_at(client, "RJ1").status_code == 200
    assert not Case.objects.exists()
    admin_page = client_for(Role.ADMIN).get("/speak-up/coverage/").content.decode()
    assert "RJ1" in admin_page


def raise_concern_at(client, code):
    return client.post(f"/speak-up/raise/{code}/", FORM)


def test_closed_organisations_have_no_form(client):
    assert client.get("/speak-up/raise/RLN/").status_code == 404  # merged into R0B
    assert client.get("/speak-up/raise/NOPE/").status_code == 404


def test_nothing_about_the_reporter_is_stored(client, guardian):
    raise_concern(
        client,
        route="confidential",
        identity=IDENTITY,
        REMOTE_ADDR="198.51.100.77",
        HTTP_USER_AGENT="Mozilla/5.0 (Reporter's phone) UniqueAgent/42",
    )
    case = Case.objects.get()
    from django.db import connection

    with connection.cursor() as cursor:
        everything = []
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from Django
            everything += [repr(row) for row in cursor.fetchall()]
    blob = "\n".join(everything)
    for secret in ("198.51.100.77", "UniqueAgent", "Sam Example", NARRATIVE[:30]):
        assert secret not in blob
    assert case.received_on  # a day, not a time


def test_request_logging_carries_no_content(client, guardian, caplog):
    caplog.set_level(logging.DEBUG)
    raise_concern(client, route="confidential", identity=IDENTITY, REMOTE_ADDR="198.51.100.78")
    receipt = receipt_on_page(client.get("/speak-up/receipt/").content.decode())
    raise_concern(client, narrative="")  # a failing submission logs a 400 warning
    client.post("/speak-up/follow-up/", {"receipt": "0000-0000-0000-0000-0000"})
    records = "\n".join(f"{r.name} {r.getMessage()} {r.__dict__}" for r in caplog.records)
    # Django logs 4xx responses with their path and time; for the reporter's pages it must not
    assert "/speak-up/raise/" not in records
    assert "/speak-up/follow-up/" not in records
    for secret in (
        NARRATIVE[:40],
        "Sam Example",
        receipt,
        receipt.replace("-", ""),
        "198.51.100.78",
    ):
        assert secret not in records


def test_request_logs_keep_other_pages_and_server_errors():
    from candour.web.speakup.logfilter import DropReporterRequests

    def record(name, message, path, status, *, request_line=False):
        if request_line:  # the development server's access log
            made = logging.LogRecord(
                name,
                logging.INFO,
                __file__,
                1,
                message,
                (f"POST {path} HTTP/1.1", str(status), "0"),
                None,
            )
        else:
            made = logging.LogRecord(name, logging.WARNING, __file__, 1, message, (path,), None)
            made.request = type("Request", (), {"path": path})()
        made.status_code = status
        return made

    keep = DropReporterRequests().filter
    assert not keep(record("django.request", "Bad Request: %s", "/speak-up/raise/R0B/", 400))
    assert not keep(record("django.request", "Too Many Requests: %s", "/speak-up/follow-up/", 429))
    assert not keep(
        record("django.server", '"%s" %s %s', "/speak-up/receipt/", 302, request_line=True)
    )
    assert not keep(record("django.server", '"%s" %s %s', "/speak-up/", 200, request_line=True))
    assert keep(record("django.request", "Internal Server Error: %s", "/speak-up/raise/R0B/", 500))
    assert keep(record("django.request", "Forbidden: %s", "/speak-up/cases/", 403))
    assert keep(record("django.server", '"%s" %s %s', "/organisations/", 200, request_line=True))
