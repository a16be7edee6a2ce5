"""The retention key store: keys outside the database, written durably, never overwritten,
destroyed for good; wrapped sealed keys bound to their case and purpose."""

from __future__ import annotations

import os
import stat
import time
import uuid

import pytest

from candour import crypto
from candour.crypto import DecryptionError, KeyShreddedError, KeyStore
from candour.crypto.shredding import ORPHAN_MIN_AGE_SECONDS

CASE = str(uuid.UUID("6f1d2c3b-0000-4000-8000-000000000001"))
OTHER = str(uuid.UUID("6f1d2c3b-0000-4000-8000-000000000002"))


@pytest.fixture
def store(tmp_path):
    return KeyStore(tmp_path / "keys")


def test_a_key_is_created_once_readable_only_by_its_owner_and_read_back(store):
    key = store.create(CASE)
    assert len(key) == 32
    assert store.get(CASE) == key
    [path] = (store.directory).glob("*/*.key")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.name == f"{CASE}.key"
    assert not list(store.directory.glob("*/*.tmp"))


def test_a_case_key_is_never_overwritten(store):
    key = store.create(CASE)
    with pytest.raises(FileExistsError):
        store.create(CASE)
    assert store.get(CASE) == key


def test_keys_differ_between_cases(store):
    assert store.create(CASE) != store.create(OTHER)


def test_a_destroyed_key_is_gone(store):
    store.create(CASE)
    assert store.destroy(CASE) is True
    with pytest.raises(KeyShreddedError, match="shredded"):
        store.get(CASE)
    assert store.destroy(CASE) is False


def test_a_damaged_key_file_is_reported(store):
    store.create(CASE)
    [path] = store.directory.glob("*/*.key")
    path.write_bytes(b"short")
    with pytest.raises(DecryptionError, match="damaged"):
        store.get(CASE)


def test_only_case_ids_name_key_files(store):
    with pytest.raises(ValueError, match="badly formed"):
        store.create("../../etc/passwd")


def test_settled_lists_keys_old_enough_to_be_orphans(store):
    store.create(CASE)
    store.create(OTHER)
    [old] = [p for p in store.directory.glob("*/*.key") if p.name.startswith(CASE)]
    an_hour_ago = time.time() - ORPHAN_MIN_AGE_SECONDS - 1
    os.utime(old, (an_hour_ago, an_hour_ago))
    assert store.settled() == [CASE]
    assert sorted(store.settled(now=time.time() + 2 * ORPHAN_MIN_AGE_SECONDS)) == sorted(
        [CASE, OTHER]
    )


def test_an_empty_store_has_no_keys(tmp_path):
    assert KeyStore(tmp_path / "nowhere").settled() == []


def test_a_wrapped_sealed_key_opens_only_with_its_key_case_and_purpose(store):
    key = store.create(CASE)
    sealed = crypto.seal_case_key(crypto.new_case_key(CASE), crypto.KeyPair.generate().public_key)
    wrapped = crypto.wrap_sealed(key, sealed, case_id=CASE, purpose="case")
    assert sealed not in wrapped
    assert crypto.unwrap_sealed(key, wrapped, case_id=CASE, purpose="case") == sealed
    for case_id, purpose, wrong_key in [
        (OTHER, "case", key),
        (CASE, "identity", key),
        (CASE, "case", store.create(OTHER)),
    ]:
        with pytest.raises(DecryptionError):
            crypto.unwrap_sealed(wrong_key, wrapped, case_id=case_id, purpose=purpose)
