"""Guardian keys: password and recovery-key wrapping, change, reset, handover, session locks.

Argon2id runs at its real cost (64 MiB, about 60 ms a call), so the keyring is made once per
module and each test unwraps it at most a few times.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from candour.crypto import (
    DecryptionError,
    GuardianKeyring,
    KeyPair,
    RecoveryKey,
    RecoveryKeyError,
    WrongPasswordError,
    change_password,
    create_guardian_keys,
    hand_over,
    lock_for_session,
    new_case_key,
    new_identity_key,
    open_case_key,
    open_identity_key,
    parse_recovery_key,
    replace_recovery_key,
    reset_password,
    seal_case_key,
    seal_identity_key,
    unlock_session,
    unlock_with_password,
    unlock_with_recovery_key,
)
from candour.crypto.constants import (
    GUARDIAN_ARGON2_MEMLIMIT,
    GUARDIAN_ARGON2_OPSLIMIT,
    RECOVERY_KEY_SYMBOLS,
)
from candour.exceptions import UserError

PASSWORD = "correct horse battery staple"
CASE = "case-0042"


@pytest.fixture(scope="module")
def guardian() -> tuple[GuardianKeyring, RecoveryKey, KeyPair]:
    keyring, recovery_key = create_guardian_keys(PASSWORD)
    return keyring, recovery_key, unlock_with_password(keyring, PASSWORD)


def flip(data: bytes, index: int) -> bytes:
    changed = bytearray(data)
    changed[index] ^= 0x01
    return bytes(changed)


def test_password_unwraps_the_private_key_of_the_stored_public_key(guardian):
    keyring, _, keypair = guardian
    assert keypair.public_key == keyring.public_key
    assert keypair.private_key not in keyring.by_password
    assert keypair.private_key not in keyring.by_recovery_key


def test_stored_wrapping_records_argon2id_parameters(guardian):
    keyring, _, _ = guardian
    assert int.from_bytes(keyring.by_password[1:5], "big") == GUARDIAN_ARGON2_OPSLIMIT == 2
    assert int.from_bytes(keyring.by_password[5:13], "big") == GUARDIAN_ARGON2_MEMLIMIT == 64 << 20


def test_wrong_password_is_a_user_error(guardian):
    keyring, _, _ = guardian
    with pytest.raises(WrongPasswordError, match="password does not unlock") as raised:
        unlock_with_password(keyring, PASSWORD + "!")
    assert isinstance(raised.value, UserError)


def test_password_is_unicode_normalised():
    keyring, _ = create_guardian_keys("caf\u00e9")  # precomposed é
    assert (
        unlock_with_password(keyring, "cafe\u0301").public_key == keyring.public_key
    )  # e + accent


def test_empty_password_is_refused_at_creation():
    with pytest.raises(ValueError, match="non-empty"):
        create_guardian_keys("")


def test_tampered_password_wrapping_fails(guardian):
    keyring, _, _ = guardian
    tampered = dataclasses.replace(keyring, by_password=flip(keyring.by_password, -1))
    with pytest.raises(WrongPasswordError):
        unlock_with_password(tampered, PASSWORD)


def test_hostile_argon2_parameters_are_refused_before_running(guardian):
    keyring, _, _ = guardian
    huge = bytearray(keyring.by_password)
    huge[5:13] = (64 << 30).to_bytes(8, "big")  # 64 GiB
    with pytest.raises(DecryptionError, match="out-of-range"):
        unlock_with_password(dataclasses.replace(keyring, by_password=bytes(huge)), PASSWORD)


def test_wrapping_cannot_be_swapped_between_guardians(guardian):
    keyring, _, _ = guardian
    other, _ = create_guardian_keys(PASSWORD)
    swapped = GuardianKeyring(keyring.public_key, other.by_password, keyring.by_recovery_key)
    with pytest.raises(WrongPasswordError):
        unlock_with_password(swapped, PASSWORD)


def test_wrappings_cannot_be_swapped_between_columns(guardian):
    keyring, recovery_key, _ = guardian
    swapped = GuardianKeyring(keyring.public_key, keyring.by_password, keyring.by_password[29:])
    with pytest.raises(WrongPasswordError):
        unlock_with_recovery_key(swapped, recovery_key)


# ------------------------------------------------------------------------------- recovery key


def test_recovery_key_prints_as_52_symbols_in_groups_of_four(guardian):
    _, recovery_key, _ = guardian
    assert RECOVERY_KEY_SYMBOLS == 52
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){12}[0-9A-HJKMNP-TV-Z]{4}", str(recovery_key))
    assert recovery_key.secret.hex() not in repr(recovery_key)


def test_recovery_key_unlocks_as_printed_or_as_typed_carelessly(guardian):
    keyring, recovery_key, keypair = guardian
    typed = str(recovery_key).lower().replace("-", " ").replace("1", "l").replace("0", "o")
    assert parse_recovery_key(typed) == recovery_key
    assert unlock_with_recovery_key(keyring, typed).private_key == keypair.private_key


def test_recovery_key_check_catches_most_single_typos(guardian):
    _, recovery_key, _ = guardian
    printed = str(recovery_key).replace("-", "")
    caught = 0
    for position in range(len(printed)):
        replacement = "0" if printed[position] != "0" else "1"
        typo = printed[:position] + replacement + printed[position + 1 :]
        try:
            parse_recovery_key(typo)
        except RecoveryKeyError:
            caught += 1
    # A 4-bit check misses about 1 typo in 16 at random; 52 typos must not mostly slip through.
    assert caught >= 36


def test_malformed_recovery_key_is_a_user_error(guardian):
    _, recovery_key, _ = guardian
    with pytest.raises(RecoveryKeyError, match="has 51") as raised:
        parse_recovery_key(str(recovery_key)[:-1])
    assert isinstance(raised.value, UserError)


def test_wrong_recovery_key_does_not_unlock(guardian):
    keyring, _, _ = guardian
    _, someone_elses = create_guardian_keys("another password")
    with pytest.raises(WrongPasswordError, match="recovery key does not unlock"):
        unlock_with_recovery_key(keyring, someone_elses)


def test_reset_forgotten_password_with_recovery_key(guardian):
    keyring, recovery_key, keypair = guardian
    reset = reset_password(keyring, recovery_key=str(recovery_key), new_password="new one")
    assert unlock_with_password(reset, "new one").private_key == keypair.private_key
    with pytest.raises(WrongPasswordError):
        unlock_with_password(reset, PASSWORD)
    assert reset.by_recovery_key == keyring.by_recovery_key


def test_change_password_rewraps_with_a_fresh_salt(guardian):
    keyring, recovery_key, keypair = guardian
    changed = change_password(keyring, old_password=PASSWORD, new_password="Tr0ub4dor&3")
    assert changed.public_key == keyring.public_key
    assert changed.by_password[13:29] != keyring.by_password[13:29]  # salt
    assert unlock_with_password(changed, "Tr0ub4dor&3").private_key == keypair.private_key
    assert unlock_with_recovery_key(changed, recovery_key).private_key == keypair.private_key
    with pytest.raises(WrongPasswordError):
        change_password(keyring, old_password="guess", new_password="x")


def test_replace_recovery_key_retires_the_old_one(guardian):
    keyring, old_recovery_key, keypair = guardian
    replaced, new_recovery_key = replace_recovery_key(keyring, password=PASSWORD)
    assert new_recovery_key != old_recovery_key
    assert unlock_with_recovery_key(replaced, new_recovery_key).private_key == keypair.private_key
    with pytest.raises(WrongPasswordError):
        unlock_with_recovery_key(replaced, old_recovery_key)


# ------------------------------------------------------------------------------------ handover


def test_handover_lets_the_successor_open_the_case_key(guardian):
    _, _, outgoing = guardian
    successor = KeyPair.generate()
    case_key = new_case_key(CASE)
    sealed = seal_case_key(case_key, outgoing.public_key)
    resealed = hand_over(sealed, keypair=outgoing, case_id=CASE, to_public_key=successor.public_key)
    assert open_case_key(resealed, successor, case_id=CASE) == case_key
    with pytest.raises(DecryptionError):
        open_case_key(resealed, outgoing, case_id=CASE)


def test_handover_keeps_an_identity_key_an_identity_key(guardian):
    _, _, outgoing = guardian
    successor = KeyPair.generate()
    identity_key = new_identity_key(CASE)
    sealed = seal_identity_key(identity_key, outgoing.public_key)
    resealed = hand_over(sealed, keypair=outgoing, case_id=CASE, to_public_key=successor.public_key)
    assert open_identity_key(resealed, successor, case_id=CASE) == identity_key
    with pytest.raises(DecryptionError, match="different purpose"):
        open_case_key(resealed, successor, case_id=CASE)


def test_handover_needs_a_guardian_who_can_open_the_case(guardian):
    _, _, outgoing = guardian
    sealed = seal_case_key(new_case_key(CASE), KeyPair.generate().public_key)
    with pytest.raises(DecryptionError):
        hand_over(sealed, keypair=outgoing, case_id=CASE, to_public_key=outgoing.public_key)


def test_handover_refuses_a_key_sealed_for_another_case(guardian):
    _, _, outgoing = guardian
    sealed = seal_case_key(new_case_key(CASE), outgoing.public_key)
    with pytest.raises(DecryptionError, match="different case"):
        hand_over(sealed, keypair=outgoing, case_id="case-9", to_public_key=outgoing.public_key)


# ---------------------------------------------------------------------------------- sessions


def test_session_lock_needs_both_halves(guardian):
    _, _, keypair = guardian
    lock = lock_for_session(keypair)
    assert keypair.private_key not in lock.stored
    assert unlock_session(lock.stored, lock.cookie_key).private_key == keypair.private_key
    other = lock_for_session(keypair)
    with pytest.raises(DecryptionError):
        unlock_session(lock.stored, other.cookie_key)
    with pytest.raises(DecryptionError):
        unlock_session(flip(lock.stored, 40), lock.cookie_key)
    with pytest.raises(DecryptionError):
        unlock_session(lock.stored, lock.cookie_key[:16])


def test_session_lock_cannot_be_moved_to_another_public_key(guardian):
    _, _, keypair = guardian
    lock = lock_for_session(keypair)
    moved = KeyPair.generate().public_key + lock.stored[32:]
    with pytest.raises(DecryptionError):
        unlock_session(moved, lock.cookie_key)
