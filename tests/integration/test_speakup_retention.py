"""Retention: `candour speakup expire` crypto-shreds closed cases once their retention ends,
audits each, keeps cases on legal hold and the metadata the returns need; a copy of the database
taken before the shredding cannot be decrypted; orphan retention keys are swept."""

from __future__ import annotations

import datetime
import os
import time
import uuid

import pytest
from tests.integration.speakup_access import cached_keypair, close, enrol_quickly, submit

from candour import crypto
from candour.cli import main
from candour.crypto.shredding import ORPHAN_MIN_AGE_SECONDS
from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role
from candour.web.speakup import actions, vault
from candour.web.speakup.choices import Status
from candour.web.speakup.models import Attachment, Case, Message, Referral, SealedKey

pytestmark = pytest.mark.django_db

SECRET = "Controlled drugs go missing from ward 4 every weekend."


@pytest.fixture(autouse=True)
def _own_keystore(settings, tmp_path):
    """A key store of this test's own, so that keys aged by one test are not another's orphans."""
    settings.SPEAKUP_KEYSTORE_DIR = str(tmp_path / "keys")


@pytest.fixture
def guardian(make_user):
    user = make_user(Role.GUARDIAN, username="guardian-r0b")
    enrol_quickly(user, "R0B")
    return user


@pytest.fixture
def closed(guardian):
    case, receipt = submit(
        narrative=SECRET,
        attachment=actions.Upload(name="log.pdf", content_type="application/pdf", data=b"%PDF-1"),
    )
    close(case, guardian)
    return Case.objects.get(pk=case.pk), receipt


def expire(on: datetime.date, *extra: str) -> int:
    return main(["speakup", "expire", "--on", on.isoformat(), *extra])


def test_a_closed_case_is_shredded_when_its_retention_ends_and_audited(closed, guardian, capsys):
    case, _ = closed
    assert expire(case.expires_on - datetime.timedelta(days=1)) == 0
    assert "0 case(s) shredded" in capsys.readouterr().out
    assert Case.objects.get(pk=case.pk).status == Status.DETRIMENT_WATCH

    assert expire(case.expires_on) == 0
    out = capsys.readouterr().out
    assert f"shredded case {case.pk} (R0B)" in out
    assert "1 shared text(s) cleared" in out  # the referral's reference (INC-1)
    assert "1 case(s) shredded" in out
    shredded = Case.objects.get(pk=case.pk)
    assert shredded.status == Status.EXPIRED
    assert shredded.shredded_on is not None
    assert bytes(shredded.narrative) == b""
    assert not SealedKey.objects.filter(case=case).exists()
    assert not Attachment.objects.filter(case=case).exists()
    assert not Message.objects.filter(case=case).exists()
    assert Referral.objects.get(case=case).reference == ""  # the row stays, for the counts
    with pytest.raises(crypto.KeyShreddedError):
        vault.keystore().get(case.pk)
    # what the quarterly return needs stays
    assert shredded.patient_safety
    assert shredded.professional_group == "nursing"
    assert shredded.received_on == case.received_on
    event = AuditEvent.objects.filter(action="speakup.case.shred").latest("id")
    assert event.target_id == str(case.pk)
    assert SECRET not in str(event.details)


def test_a_dry_run_changes_nothing(closed, capsys):
    case, _ = closed
    assert expire(case.expires_on, "--dry-run") == 0
    assert f"would shred case {case.pk}" in capsys.readouterr().out
    assert Case.objects.get(pk=case.pk).status == Status.DETRIMENT_WATCH
    assert vault.keystore().get(case.pk)


def test_a_case_on_legal_hold_outlives_its_retention(closed, guardian, capsys):
    case, _ = closed
    actions.set_legal_hold(case=case, hold=True, reason="Inquest pending.", by=guardian)
    assert expire(case.expires_on + datetime.timedelta(days=365)) == 0
    assert "0 case(s) shredded" in capsys.readouterr().out
    opened = vault.open_for(
        Case.objects.get(pk=case.pk), cached_keypair(0), guardian_id=guardian.pk
    )
    assert opened.narrative == SECRET


def test_an_open_case_is_never_expired(guardian, capsys):
    case, _ = submit(narrative=SECRET)
    assert expire(datetime.date(2100, 1, 1)) == 0
    assert Case.objects.get(pk=case.pk).status == Status.RECEIVED


def copy_of_database(case: Case) -> dict:
    """Every stored byte of the case that a backup or pg_dump taken now would hold."""
    return {
        "case": Case.objects.filter(pk=case.pk).values().get(),
        "sealed_keys": list(SealedKey.objects.filter(case=case).values()),
    }


def narrative_from_copy(copy: dict, keypair: crypto.KeyPair, guardian_id: int | None) -> str:
    row = next(r for r in copy["sealed_keys"] if r["guardian_id"] == guardian_id)
    sealed = vault.unwrap(SealedKey(**row))
    case_key = crypto.open_case_key(sealed, keypair, case_id=str(copy["case"]["id"]))
    return crypto.decrypt_text(case_key, "narrative", bytes(copy["case"]["narrative"]))


def test_a_database_copy_taken_before_shredding_cannot_be_decrypted(closed, guardian):
    case, receipt = closed
    reporter = vault.reporter_keypair(vault.reporter_seed(receipt))
    copy = copy_of_database(case)
    # the copy is a real one: today it opens with the guardian's key and with the receipt
    assert narrative_from_copy(copy, cached_keypair(0), guardian.pk) == SECRET
    assert narrative_from_copy(copy, reporter, None) == SECRET

    actions.shred_case(case=case, by="system:test")
    # restore the copy into the database, as restoring that backup would
    SealedKey.objects.bulk_create(SealedKey(**row) for row in copy["sealed_keys"])
    Case.objects.filter(pk=case.pk).update(
        **{column: value for column, value in copy["case"].items() if column != "id"}
    )
    restored = Case.objects.get(pk=case.pk)
    with pytest.raises(vault.NoAccess):
        vault.open_for(restored, cached_keypair(0), guardian_id=guardian.pk)
    with pytest.raises(vault.NoAccess):
        vault.open_for(restored, reporter, guardian_id=None)
    # nor by hand: no key anyone still holds unwraps a sealed key in the copy
    candidates = [
        cached_keypair(0).private_key,
        reporter.private_key,
        vault.reporter_seed(receipt),
        bytes.fromhex("7e57" * 16),  # the receipt pepper
    ]
    for row in copy["sealed_keys"]:
        for key in candidates:
            with pytest.raises(crypto.DecryptionError):
                crypto.unwrap_sealed(
                    key, bytes(row["sealed"]), case_id=str(case.pk), purpose=row["purpose"]
                )


def test_orphan_retention_keys_are_listed_then_deleted_and_live_ones_kept(closed, capsys):
    case, _ = closed
    store = vault.keystore()
    orphan, young_orphan = str(uuid.uuid4()), str(uuid.uuid4())
    store.create(orphan)
    store.create(young_orphan)
    an_hour_ago = time.time() - ORPHAN_MIN_AGE_SECONDS - 1
    for case_id in (orphan, str(case.pk)):
        os.utime(store._path(case_id), (an_hour_ago, an_hour_ago))

    assert main(["speakup", "orphan-keys"]) == 0
    out = capsys.readouterr().out
    assert f"orphan retention key {orphan}" in out
    assert "1 orphan key(s) found (run with --delete" in out
    assert store.has(orphan)

    assert main(["speakup", "orphan-keys", "--delete"]) == 0
    assert "1 orphan key(s) deleted" in capsys.readouterr().out
    assert not store.has(orphan)
    assert store.has(young_orphan)  # may belong to a submission still in its transaction
    assert store.has(case.pk)
    assert AuditEvent.objects.filter(action="speakup.keystore.delete_orphans").exists()


def test_orphan_keys_are_never_deleted_with_the_wrong_key_store(closed, settings, tmp_path, capsys):
    """A key store that does not hold this database's keys (or a database that is not this key
    store's) stops the command before anything is deleted."""
    assert closed  # a case whose key is in the right store, not in this one
    settings.SPEAKUP_KEYSTORE_DIR = str(tmp_path / "another-installation")  # not the case's
    other = vault.keystore()
    stranger = str(uuid.uuid4())
    other.create(stranger)
    an_hour_ago = time.time() - ORPHAN_MIN_AGE_SECONDS - 1
    os.utime(other._path(stranger), (an_hour_ago, an_hour_ago))
    assert main(["speakup", "orphan-keys", "--delete"]) == 2
    assert "does not match this database" in capsys.readouterr().err
    assert other.has(stranger)


def test_a_database_whose_cases_are_all_elsewhere_deletes_nothing(closed, capsys):
    """Every settled key an orphan (e.g. the server pointed at an empty database): refused."""
    case, _ = closed
    store = vault.keystore()
    an_hour_ago = time.time() - ORPHAN_MIN_AGE_SECONDS - 1
    os.utime(store._path(case.pk), (an_hour_ago, an_hour_ago))
    Case.objects.filter(pk=case.pk).update(status=Status.EXPIRED)  # not sampled as recent
    SealedKey.objects.filter(case=case).delete()
    Case.objects.filter(pk=case.pk).delete()
    assert main(["speakup", "orphan-keys", "--delete"]) == 2
    assert store.has(case.pk)


def test_a_shredded_case_stays_on_the_guardians_list_of_closed_cases(closed, guardian, client):
    case, _ = closed
    actions.shred_case(case=case, by="system:test")
    client.force_login(guardian, backend="django.contrib.auth.backends.ModelBackend")
    reference = Case.objects.get(pk=case.pk).reference
    assert reference not in client.get("/speak-up/cases/").content.decode()
    listed = client.get("/speak-up/cases/?show=all").content.decode()
    assert reference in listed
    assert f'href="/speak-up/cases/{case.pk}/"' not in listed  # nothing left to open


def test_what_reporters_did_reaches_the_audit_log_by_day_only(guardian, capsys, client):
    """Concerns, replies and visits finding no guardian are counted per organisation and day
    and audited by the daily job once the day is over: no event dates them within the day."""
    from candour.web.speakup.models import ReporterActivity, TurnedAway

    submit()
    submit()
    client.get("/speak-up/raise/RJ1/")  # no guardian there
    assert not AuditEvent.objects.filter(action__startswith="speakup.reporter").exists()
    today = actions.today()

    assert expire(today) == 0  # the day is not over: nothing yet
    assert "0 audit event(s) written" in capsys.readouterr().out
    assert expire(today + datetime.timedelta(days=1)) == 0
    assert "2 audit event(s) written" in capsys.readouterr().out
    concern = AuditEvent.objects.get(action="speakup.reporter.concern")
    assert (concern.target_id, concern.details) == ("R0B", {"day": today.isoformat(), "count": 2})
    turned = AuditEvent.objects.get(action="speakup.no_guardian")
    assert turned.details == {"day": today.isoformat(), "attempts": 1}
    assert ReporterActivity.objects.get().audited
    assert TurnedAway.objects.get().audited
    assert expire(today + datetime.timedelta(days=2)) == 0  # once only
    assert "0 audit event(s) written" in capsys.readouterr().out
