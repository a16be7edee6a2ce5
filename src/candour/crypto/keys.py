"""Guardians' key pairs: wrapped under their password and a printed recovery key, never escrowed.

A guardian has one X25519 key pair. The private key is stored only wrapped (XChaCha20-Poly1305):

* **by password** - under Argon2id(password, random salt, 64 MiB, 2 passes; about 50 ms here), so it is
  unwrapped once per sign-in, in that guardian's session;
* **by recovery key** - under BLAKE2b of a 256-bit random recovery key that is shown once, to be
  printed and kept by the guardian (it is random, so it needs no stretching).

Nobody else, administrators included, holds anything that unwraps it: there is no escrow. A
forgotten password is recovered with the recovery key (:func:`reset_password`); a guardian who
leaves hands their cases to a successor by re-sealing each case key to the successor's public key
(:func:`hand_over`) while they can still open them. If both password and recovery key are lost and
no other guardian holds a case, that case cannot be read again - by design.

The associated data of each wrapping names the method and the public key, so a wrapped key cannot
be swapped between guardians or between the password and recovery columns.

Between requests the unwrapped key lives in the session split in two (:func:`lock_for_session`):
the encrypted key in the server-side session store, the key that decrypts it in the guardian's
cookie. Neither a database dump nor a stolen cookie alone yields the private key.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass

import nacl.bindings as sodium
import nacl.utils

from candour.crypto import aead, crockford
from candour.crypto.constants import (
    ARGON2_MEMLIMIT_RANGE,
    ARGON2_OPSLIMIT_RANGE,
    ARGON2_SALT_BYTES,
    FORMAT_VERSION,
    GUARDIAN_ARGON2_MEMLIMIT,
    GUARDIAN_ARGON2_OPSLIMIT,
    KEY_BYTES,
    PERSON_RECOVERY_CHECK,
    PERSON_RECOVERY_KEY,
    RECOVERY_CHECK_BITS,
    RECOVERY_KEY_BYTES,
    RECOVERY_KEY_SYMBOLS,
    WRAP_BY_PASSWORD,
    WRAP_BY_RECOVERY_KEY,
    WRAP_FOR_SESSION,
    X25519_KEY_BYTES,
)
from candour.crypto.envelopes import open_sealed, seal_secret
from candour.crypto.errors import DecryptionError, RecoveryKeyError, WrongPasswordError
from candour.crypto.keymaterial import KeyPair, check_label, check_public_key

_PARAMS_BYTES = 1 + 4 + 8 + ARGON2_SALT_BYTES  # version, opslimit, memlimit, salt


@dataclass(frozen=True)
class GuardianKeyring:
    """What is stored for a guardian: the public key and the two wrappings of the private key."""

    public_key: bytes
    by_password: bytes
    by_recovery_key: bytes

    def __post_init__(self) -> None:
        check_public_key(self.public_key)


@dataclass(frozen=True, repr=False)
class RecoveryKey:
    """A 256-bit recovery key. ``str()`` is the printable form (52 symbols in groups of 4)."""

    secret: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.secret, bytes) or len(self.secret) != RECOVERY_KEY_BYTES:
            raise ValueError(f"a recovery key is {RECOVERY_KEY_BYTES} bytes")

    def __str__(self) -> str:
        value = int.from_bytes(self.secret, "big") << RECOVERY_CHECK_BITS | _check(self.secret)
        return crockford.grouped(crockford.encode(value, RECOVERY_KEY_SYMBOLS))

    def __repr__(self) -> str:
        return "RecoveryKey(<hidden>)"


@dataclass(frozen=True, repr=False)
class SessionLock:
    """An unlocked private key split for a session: ``stored`` server-side, ``cookie_key`` in
    the guardian's browser (a Secure, HttpOnly cookie)."""

    stored: bytes
    cookie_key: bytes

    def __repr__(self) -> str:
        return "SessionLock(<hidden>)"


def create_guardian_keys(password: str) -> tuple[GuardianKeyring, RecoveryKey]:
    """A new key pair for a guardian, wrapped under ``password`` and a new recovery key.

    Show the recovery key once, for printing; it is not stored anywhere.
    """
    keypair = KeyPair.generate()
    recovery_key = RecoveryKey(nacl.utils.random(RECOVERY_KEY_BYTES))
    keyring = GuardianKeyring(
        public_key=keypair.public_key,
        by_password=_wrap_by_password(keypair, password),
        by_recovery_key=_wrap_by_recovery_key(keypair, recovery_key),
    )
    return keyring, recovery_key


def unlock_with_password(keyring: GuardianKeyring, password: str) -> KeyPair:
    """The guardian's key pair. :class:`WrongPasswordError` if the password is wrong."""
    blob = keyring.by_password
    if len(blob) <= _PARAMS_BYTES or blob[0] != FORMAT_VERSION:
        raise DecryptionError("password-wrapped key has an unknown format")
    opslimit = int.from_bytes(blob[1:5], "big")
    memlimit = int.from_bytes(blob[5:13], "big")
    salt = blob[13:_PARAMS_BYTES]
    key = _password_key(password, salt, opslimit, memlimit)
    return _unwrap(keyring, key, blob[_PARAMS_BYTES:], WRAP_BY_PASSWORD)


def unlock_with_recovery_key(keyring: GuardianKeyring, recovery_key: RecoveryKey | str) -> KeyPair:
    """The guardian's key pair from their recovery key (as typed, or parsed)."""
    key = _recovery_wrapping_key(_as_recovery_key(recovery_key))
    return _unwrap(keyring, key, keyring.by_recovery_key, WRAP_BY_RECOVERY_KEY)


def change_password(
    keyring: GuardianKeyring, *, old_password: str, new_password: str
) -> GuardianKeyring:
    """The keyring re-wrapped under a new password (fresh salt); the recovery key still works."""
    keypair = unlock_with_password(keyring, old_password)
    return _replace_password(keyring, keypair, new_password)


def reset_password(
    keyring: GuardianKeyring, *, recovery_key: RecoveryKey | str, new_password: str
) -> GuardianKeyring:
    """A forgotten password replaced, using the recovery key."""
    keypair = unlock_with_recovery_key(keyring, recovery_key)
    return _replace_password(keyring, keypair, new_password)


def replace_recovery_key(
    keyring: GuardianKeyring, *, password: str
) -> tuple[GuardianKeyring, RecoveryKey]:
    """A new recovery key (the old one stops working), e.g. when the printout is lost."""
    keypair = unlock_with_password(keyring, password)
    recovery_key = RecoveryKey(nacl.utils.random(RECOVERY_KEY_BYTES))
    by_recovery_key = _wrap_by_recovery_key(keypair, recovery_key)
    return (
        GuardianKeyring(keyring.public_key, keyring.by_password, by_recovery_key),
        recovery_key,
    )


def parse_recovery_key(text: str) -> RecoveryKey:
    """A recovery key as typed (case, spaces, hyphens, I/L/O forgiven), its check symbol verified."""
    canonical = crockford.normalise(
        text, symbols=RECOVERY_KEY_SYMBOLS, what="recovery key", error=RecoveryKeyError
    )
    value = crockford.decode(canonical)
    secret = (value >> RECOVERY_CHECK_BITS).to_bytes(RECOVERY_KEY_BYTES, "big")
    if value & ((1 << RECOVERY_CHECK_BITS) - 1) != _check(secret):
        raise RecoveryKeyError(
            "This recovery key does not add up: a character is probably mistyped. "
            "Check it against the printed copy."
        )
    return RecoveryKey(secret)


def hand_over(
    sealed: bytes, *, keypair: KeyPair, case_id: str | uuid.UUID, to_public_key: bytes
) -> bytes:
    """Re-seal a sealed case key (or identity key) to another guardian's public key.

    ``keypair`` must be able to open ``sealed``; the key keeps its purpose and case, and is
    never returned to the caller.
    """
    secret, purpose, sealed_case = open_sealed(sealed, keypair)
    if sealed_case != check_label("case_id", case_id):
        raise DecryptionError("sealed key belongs to a different case")
    return seal_secret(secret, purpose, sealed_case, to_public_key)


def lock_for_session(keypair: KeyPair) -> SessionLock:
    """Split an unlocked key pair for keeping between requests (see the module docstring)."""
    cookie_key = nacl.utils.random(KEY_BYTES)
    ad = aead.associated_data(WRAP_FOR_SESSION, keypair.public_key)
    stored = keypair.public_key + aead.encrypt(cookie_key, keypair.private_key, ad)
    return SessionLock(stored=stored, cookie_key=cookie_key)


def unlock_session(stored: bytes, cookie_key: bytes) -> KeyPair:
    """The key pair from its two session halves; :class:`DecryptionError` if they do not match."""
    if not isinstance(stored, bytes) or len(stored) <= X25519_KEY_BYTES:
        raise DecryptionError("session key has an unknown format")
    if not isinstance(cookie_key, bytes) or len(cookie_key) != KEY_BYTES:
        raise DecryptionError("session cookie key has the wrong length")
    public_key = stored[:X25519_KEY_BYTES]
    ad = aead.associated_data(WRAP_FOR_SESSION, public_key)
    private_key = aead.decrypt(cookie_key, stored[X25519_KEY_BYTES:], ad)
    return KeyPair(public_key=public_key, private_key=private_key)


def _replace_password(keyring: GuardianKeyring, keypair: KeyPair, password: str) -> GuardianKeyring:
    return GuardianKeyring(
        keyring.public_key, _wrap_by_password(keypair, password), keyring.by_recovery_key
    )


def _wrap_by_password(keypair: KeyPair, password: str) -> bytes:
    if not isinstance(password, str) or not password:
        raise ValueError("a guardian's password must be non-empty text")
    salt = nacl.utils.random(ARGON2_SALT_BYTES)
    opslimit, memlimit = GUARDIAN_ARGON2_OPSLIMIT, GUARDIAN_ARGON2_MEMLIMIT
    params = (
        bytes([FORMAT_VERSION]) + opslimit.to_bytes(4, "big") + memlimit.to_bytes(8, "big") + salt
    )
    key = _password_key(password, salt, opslimit, memlimit)
    ad = aead.associated_data(WRAP_BY_PASSWORD, keypair.public_key)
    return params + aead.encrypt(key, keypair.private_key, ad)


def _wrap_by_recovery_key(keypair: KeyPair, recovery_key: RecoveryKey) -> bytes:
    ad = aead.associated_data(WRAP_BY_RECOVERY_KEY, keypair.public_key)
    return aead.encrypt(_recovery_wrapping_key(recovery_key), keypair.private_key, ad)


def _unwrap(keyring: GuardianKeyring, key: bytes, wrapped: bytes, method: str) -> KeyPair:
    ad = aead.associated_data(method, keyring.public_key)
    try:
        private_key = aead.decrypt(key, wrapped, ad)
    except DecryptionError:
        what = "password" if method == WRAP_BY_PASSWORD else "recovery key"
        raise WrongPasswordError(f"That {what} does not unlock this guardian's keys.") from None
    return KeyPair(public_key=keyring.public_key, private_key=private_key)


def _password_key(password: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    """Argon2id (libsodium crypto_pwhash) of the NFC-normalised UTF-8 password."""
    low_ops, high_ops = ARGON2_OPSLIMIT_RANGE
    low_mem, high_mem = ARGON2_MEMLIMIT_RANGE
    if not (low_ops <= opslimit <= high_ops and low_mem <= memlimit <= high_mem):
        raise DecryptionError("password-wrapped key has out-of-range Argon2id parameters")
    if not isinstance(password, str):
        raise TypeError("a password is text")
    return sodium.crypto_pwhash_alg(
        KEY_BYTES,
        unicodedata.normalize("NFC", password).encode(),
        salt,
        opslimit,
        memlimit,
        sodium.crypto_pwhash_ALG_ARGON2ID13,
    )


def _recovery_wrapping_key(recovery_key: RecoveryKey) -> bytes:
    return sodium.crypto_generichash_blake2b_salt_personal(
        recovery_key.secret, digest_size=KEY_BYTES, person=PERSON_RECOVERY_KEY
    )


def _check(secret: bytes) -> int:
    """The 4-bit check value appended to a recovery key (catches 15 in 16 typing mistakes)."""
    digest = sodium.crypto_generichash_blake2b_salt_personal(
        secret, digest_size=1, person=PERSON_RECOVERY_CHECK
    )
    return digest[0] >> (8 - RECOVERY_CHECK_BITS)


def _as_recovery_key(recovery_key: RecoveryKey | str) -> RecoveryKey:
    return (
        recovery_key if isinstance(recovery_key, RecoveryKey) else parse_recovery_key(recovery_key)
    )
