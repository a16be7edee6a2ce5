"""A dump of the database after speaking up holds none of what was said.

After an anonymous and a confidential concern go through their whole life (raised through the
form with a file, acknowledged, messages both ways, a private note, feedback, closure on
evidence, the "would you speak up again?" answer), the whole database is dumped the way an
administrator or an attacker with a backup would see it: on SQLite the database file's bytes
(and ``iterdump``'s SQL), on PostgreSQL ``pg_dump``'s output. None of the unique markers written
into the concern's text, messages, notes, identity or files appears there, in any encoding a
careless implementation could have used; neither does the receipt, an unkeyed hash of it or the
reporter's key seed. The admin site shows none of it either.

Positive controls keep the test honest: text that is plaintext by design (an action's
description, which its owner reads) and metadata (the worker group, the case id, the keyed
receipt lookup, the ciphertexts themselves) are found in the same dump with the same search, so
an empty or unreadable dump fails.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import secrets
import shutil
import sqlite3
import struct
import subprocess
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.urls import reverse
from tests.integration.speakup_access import cached_keypair, enrol_quickly, receipt_on_page

from candour import crypto
from candour.crypto.constants import PERSON_RECEIPT_LOOKUP
from candour.web.core.actions import create_user
from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.speakup import actions, vault
from candour.web.speakup.models import Case

# Committed data: pg_dump runs in another process and must see it.
committed = pytest.mark.django_db(transaction=True)

ADMIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def marker(what: str) -> str:
    """A unique marker, letters and digits only (nothing HTML or SQL would escape)."""
    return f"ZQ{what.upper()}X{secrets.token_hex(8).upper()}QZ"


def png_with_secrets(text: str) -> bytes:
    """A 10x1 PNG whose pixels are random (its IDAT chunk is unique to this run) and with a
    tEXt chunk carrying ``text`` (the form strips tEXt; the pixels stay)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 10, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + os.urandom(30), level=0)  # stored: the random bytes show
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00" + text.encode())
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def pdf_with(text: str) -> bytes:
    """A small PDF (kept as sent by the form) with ``text`` in its content and metadata."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        + f"3 0 obj << /Author ({text}) >> endobj\n".encode()
        + f"4 0 obj << /Length {len(stream)} >> stream\n".encode()
        + stream
        + b"\nendstream endobj\ntrailer << /Root 1 0 R /Info 3 0 R >>\n%%EOF\n"
    )


def encodings(secret: bytes | str) -> dict[str, bytes]:
    """The ways a secret could appear in a dump: as text (UTF-8, UTF-16 both ways), as bytes in
    a BLOB or bytea (raw, hex either case, as pg_dump and iterdump print them) and as base64 at
    each of its three alignments."""
    raw = secret.encode() if isinstance(secret, str) else secret
    forms = {"raw": raw, "hex": raw.hex().encode(), "HEX": raw.hex().upper().encode()}
    if isinstance(secret, str):
        forms["utf-16-le"] = secret.encode("utf-16-le")
        forms["utf-16-be"] = secret.encode("utf-16-be")
        forms["utf-16-le hex"] = forms["utf-16-le"].hex().encode()
    for shift in range(3):
        encoded = base64.b64encode(b"\x00" * shift + raw)
        # drop the characters that depend on the neighbouring bytes
        forms[f"base64+{shift}"] = encoded[4 if shift else 0 : -4]
    return forms


def found_in(dump: bytes, secret: bytes | str) -> list[str]:
    return [name for name, form in encodings(secret).items() if form and form in dump]


@dataclass
class Scenario:
    secrets: dict[str, bytes | str] = field(default_factory=dict)  # must appear nowhere
    controls: dict[str, bytes | str | tuple] = field(default_factory=dict)  # must appear (one of)
    cases: list[Case] = field(default_factory=list)


def confirm_receipt(client) -> str:
    receipt = receipt_on_page(client.get("/speak-up/receipt/").content.decode())
    confirmed = client.post("/speak-up/receipt/", {"last_group": receipt.split("-")[-1]})
    assert confirmed.status_code == 302, "the receipt confirmation was refused"
    return receipt


def raise_through_the_form(client, **fields) -> str:
    data = {
        "location": "",
        "categories": ["patient_safety", "worker_safety"],
        "professional_group": "scientists",
        "raised_before": "manager",
        "detriment_at_intake": "not_sure",
        **fields,
    }
    response = client.post("/speak-up/raise/R0B/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return confirm_receipt(client)


@pytest.fixture
def scenario() -> Scenario:
    from candour.importers.datasets import DATASETS
    from candour.web.oversight.actions import import_dataset

    caches["speakup"].clear()
    # A transactional test may follow another that emptied the tables: load the trusts.
    import_dataset(imported=DATASETS["ods_trusts"].load(), by="system:test")
    guardian = create_user(
        username="dump-guardian", password="x" * 20, roles=[Role.GUARDIAN], by="system:test"
    )
    enrol_quickly(guardian, "R0B")
    keypair = cached_keypair(0)
    found = Scenario()
    s = found.secrets

    # --- raised through the form: anonymous with a photo, confidential with a PDF
    s["anonymous narrative"] = marker("anonnarrative")
    s["anonymous location"] = marker("anonlocation")
    s["photo text chunk"] = marker("phototext")
    s["photo file name"] = marker("photoname") + ".png"
    photo_bytes = png_with_secrets(str(s["photo text chunk"]))
    photo = io.BytesIO(photo_bytes)
    photo.name = s["photo file name"]
    anonymous_client = Client()
    anonymous_receipt = raise_through_the_form(
        anonymous_client,
        route="anonymous",
        narrative=f"On ward 9 {s['anonymous narrative']} every night.",
        location=s["anonymous location"],
        attachment=photo,
    )

    s["confidential narrative"] = marker("confnarrative")
    s["confidential location"] = marker("conflocation")
    s["identity"] = marker("identity")
    s["pdf text"] = marker("pdftext")
    s["pdf file name"] = marker("pdfname") + ".pdf"
    pdf_bytes = pdf_with(str(s["pdf text"]))
    pdf = io.BytesIO(pdf_bytes)
    pdf.name = s["pdf file name"]
    confidential_client = Client()
    confidential_receipt = raise_through_the_form(
        confidential_client,
        route="confidential",
        identity=f"{s['identity']}, staff nurse, ext 4321",
        narrative=s["confidential narrative"],
        location=s["confidential location"],
        attachment=pdf,
    )

    cases = list(Case.objects.order_by("route"))  # anonymous, confidential
    assert [c.route for c in cases] == ["anonymous", "confidential"]
    found.cases = cases
    attachments = [c.attachments.get() for c in cases]
    # The photo's pixels survive metadata stripping, so the stored file is unique to this run.
    idat = photo_bytes[photo_bytes.index(b"IDAT") - 4 : photo_bytes.index(b"IEND") - 4]
    s["photo pixels (IDAT chunk)"] = idat
    s["whole PDF"] = pdf_bytes
    s["PDF content stream"] = pdf_bytes[pdf_bytes.index(b"BT ") : pdf_bytes.index(b" ET") + 3]

    def opened(case):
        return vault.open_for(Case.objects.get(pk=case.pk), keypair, guardian_id=guardian.pk)

    # the guardian could read exactly what was sent (so the markers really went in)
    assert s["anonymous narrative"] in opened(cases[0]).narrative
    assert opened(cases[1]).location == s["confidential location"]
    assert idat in opened(cases[0]).attachment_content(attachments[0])
    assert opened(cases[1]).attachment_content(attachments[1]) == pdf_bytes
    assert vault.open_identity(cases[1], keypair, guardian_id=guardian.pk).startswith(
        str(s["identity"])
    )

    # --- the guardian and the reporter write to each other, the case closes
    for case, client, label in (
        (cases[0], anonymous_client, "anon"),
        (cases[1], confidential_client, "conf"),
    ):
        s[f"{label} acknowledgement"] = marker(f"{label}ack")
        s[f"{label} guardian message"] = marker(f"{label}guardianmessage")
        s[f"{label} reporter reply"] = marker(f"{label}reporterreply")
        s[f"{label} note"] = marker(f"{label}note")
        s[f"{label} feedback"] = marker(f"{label}feedback")
        s[f"{label} closure evidence"] = marker(f"{label}closure")
        s[f"{label} speak up again comment"] = marker(f"{label}again")
        found.controls[f"{label} action description (plaintext by design)"] = marker(
            f"{label}actioncontrol"
        )

        actions.acknowledge(opened=opened(case), message=s[f"{label} acknowledgement"], by=guardian)
        actions.send_message(opened=opened(case), body=s[f"{label} guardian message"], by=guardian)
        reply = client.post(
            "/speak-up/follow-up/reply/", {"reply-body": s[f"{label} reporter reply"]}
        )
        assert reply.status_code == 302, reply.content.decode()[:2000]
        actions.add_note(opened=opened(case), body=s[f"{label} note"], by=guardian)
        actions.triage(
            case=case, risk="moderate", immediate_harm=False, categories=["worker_safety"],
            by=guardian,
        )  # fmt: skip
        action = actions.add_action(
            case=case,
            description=found.controls[f"{label} action description (plaintext by design)"],
            owner=guardian,
            due_on=actions.today(),
            by=guardian,
        )
        actions.complete_action(action=action, evidence="Rota changed.", by=guardian)
        actions.give_feedback(opened=opened(case), body=s[f"{label} feedback"], by=guardian)
        actions.close_case(
            opened=opened(case),
            outcome="addressed",
            evidence=s[f"{label} closure evidence"],
            by=guardian,
        )
        answered = client.post(
            "/speak-up/follow-up/feedback/",
            {"feedback-answer": "maybe", "feedback-comment": s[f"{label} speak up again comment"]},
        )
        assert answered.status_code == 302, answered.content.decode()[:2000]

    # every message reached its reader (again: the markers really were stored)
    guardian_view = [opened(cases[1]).message(m) for m in cases[1].messages.all()]
    assert s["conf reporter reply"] in guardian_view
    assert s["conf speak up again comment"] == opened(cases[1]).speak_up_again_comment

    # --- the receipt must not be stored, nor anything derived from it without the pepper
    for label, receipt_text in (("anon", anonymous_receipt), ("conf", confidential_receipt)):
        receipt = crypto.parse_receipt(receipt_text)
        s[f"{label} receipt as shown"] = str(receipt)
        s[f"{label} receipt canonical"] = receipt.canonical
        s[f"{label} receipt lower case"] = receipt.canonical.lower()
        s[f"{label} receipt unkeyed BLAKE2b"] = hashlib.blake2b(
            receipt.canonical.encode(), digest_size=32, person=PERSON_RECEIPT_LOOKUP
        ).digest()
        s[f"{label} receipt SHA-256"] = hashlib.sha256(receipt.canonical.encode()).digest()
        s[f"{label} receipt SHA-256 of shown form"] = hashlib.sha256(str(receipt).encode()).digest()
        s[f"{label} reporter key seed"] = vault.reporter_seed(receipt)
        s[f"{label} reporter private key"] = vault.reporter_keypair(
            vault.reporter_seed(receipt)
        ).private_key

    # --- what must be there: metadata, keyed lookup, ciphertext, plaintext-by-design text
    for label, case in (("anon", cases[0]), ("conf", cases[1])):
        case.refresh_from_db()
        assert case.speak_up_again == "maybe"
        # SQLite stores a UUID as 32 hex digits, PostgreSQL prints it with hyphens
        found.controls[f"{label} case id"] = (case.pk.hex, str(case.pk))
        found.controls[f"{label} keyed receipt lookup"] = bytes(case.receipt_lookup)
        found.controls[f"{label} narrative ciphertext"] = bytes(case.narrative)
    found.controls["attachment ciphertext"] = bytes(attachments[1].content)
    found.controls["worker group"] = "scientists"
    found.controls["action evidence (plaintext by design)"] = "Rota changed."
    return found


def assert_nothing_leaks(dump: bytes, scenario: Scenario, what: str) -> None:
    assert len(dump) > 10_000, f"the {what} is suspiciously small ({len(dump)} bytes)"
    missing = [
        name
        for name, value in scenario.controls.items()
        if not any(found_in(dump, v) for v in (value if isinstance(value, tuple) else [value]))
    ]
    assert not missing, f"the {what} does not hold what it should: {missing}"
    leaks = {name: found_in(dump, v) for name, v in scenario.secrets.items()}
    leaks = {name: forms for name, forms in leaks.items() if forms}
    assert not leaks, f"the {what} holds speak-up content: {leaks}"


def test_the_encodings_would_find_a_leak():
    """The search itself works: a marker stored in each encoding is found."""
    secret = marker("selftest")
    for name, form in encodings(secret).items():
        assert found_in(b"\x01junk" + form + b"junk\x02", secret), name
    leaked = base64.b64encode(b"ab" + secret.encode() + b"c")
    assert found_in(leaked, secret)
    assert not found_in(b"nothing here", secret)


@committed
def test_sqlite_file_holds_no_speak_up_content(scenario, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip(f"SQLite dump: this run is on {connection.vendor} (CANDOUR_DATABASE_URL set)")
    connection.ensure_connection()
    path = tmp_path / "dump.sqlite3"
    copy = sqlite3.connect(path)
    try:
        connection.connection.backup(copy)  # the test database may be in memory
        logical = "\n".join(copy.iterdump()).encode()
    finally:
        copy.close()
    file_bytes = path.read_bytes()
    assert file_bytes.startswith(b"SQLite format 3\x00")
    assert_nothing_leaks(file_bytes, scenario, "SQLite database file")
    assert_nothing_leaks(logical, scenario, "SQLite iterdump")


@committed
def test_pg_dump_holds_no_speak_up_content(scenario, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(f"pg_dump: this run is on {connection.vendor} (CANDOUR_DATABASE_URL unset)")
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is not installed (Debian: apt-get install postgresql-client)"
    db = connection.settings_dict
    out = Path(tmp_path / "dump.sql")
    subprocess.run(
        [
            pg_dump,
            "--format=plain",
            "--no-owner",
            f"--file={out}",
            f"--host={db['HOST'] or '127.0.0.1'}",
            f"--port={db['PORT'] or 5432}",
            f"--username={db['USER']}",
            db["NAME"],
        ],
        env={**os.environ, "PGPASSWORD": db["PASSWORD"] or ""},
        check=True,
        timeout=120,
    )
    dump = out.read_bytes()
    assert b"COPY public.speakup_case " in dump, "the dump has no speak-up case table"
    assert_nothing_leaks(dump, scenario, "pg_dump output")


@committed
def test_the_admin_site_shows_no_speak_up_content(scenario, client):
    admin_user = create_user(
        username="dump-admin", password="x" * 20, roles=[Role.ADMIN], by="system:test"
    )
    client.force_login(admin_user, backend=ADMIN_BACKEND)
    speakup_models = [m for m in admin.site._registry if m._meta.app_label == "speakup"]
    assert speakup_models, "no speak-up model is registered with the admin site"
    pages = [reverse("admin:index"), reverse("admin:app_list", args=["speakup"])]
    for model in speakup_models:
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        for pk in model.objects.values_list("pk", flat=True):
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
            pages.append(reverse("admin:{}_{}_history".format(*info), args=[pk]))
    # the audit log of everything done to the cases, in the admin site too
    pages.append(reverse("admin:core_auditevent_changelist"))
    for pk in AuditEvent.objects.values_list("pk", flat=True):
        pages.append(reverse("admin:core_auditevent_change", args=[pk]))
    shown = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        shown.append(response.content)
    everything = b"\n".join(shown)
    for case in scenario.cases:
        assert case.reference.encode() in everything  # the pages did show the cases
    assert b"Healthcare scientists" in everything
    leaks = {name: found_in(everything, v) for name, v in scenario.secrets.items()}
    assert not {name: forms for name, forms in leaks.items() if forms}
