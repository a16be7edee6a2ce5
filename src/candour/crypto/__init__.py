"""The speak-up cryptography: PyNaCl (libsodium) only, no home-made primitives, no Django.

What is where (``docs/reference/speakup-security.md`` has the full model):

* :mod:`~candour.crypto.receipts` - anonymous reporters' receipts, lookup hash, reporter key.
* :mod:`~candour.crypto.envelopes` - per-case keys, sealed to readers; field encryption.
* :mod:`~candour.crypto.identity` - a confidential reporter's identity in its own envelope.
* :mod:`~candour.crypto.attachments` / :mod:`~candour.crypto.metadata` - files.
* :mod:`~candour.crypto.keys` - guardians' key pairs, recovery keys, handover, session locks.
* :mod:`~candour.crypto.shredding` - per-case retention keys outside the database, so that
  shredding a case also blinds every earlier copy of the database.

How the web layer uses this
---------------------------
A submission (no password KDF anywhere on this path; about 0.3 ms of crypto)::

    from candour import crypto

    receipt = crypto.new_receipt()                      # show str(receipt) to the reporter once
    case_key = crypto.new_case_key(case.id)
    case.receipt_lookup = crypto.receipt_lookup(receipt, settings.RECEIPT_PEPPER)
    case.narrative = crypto.encrypt_field(case_key, "narrative", form["narrative"])
    for guardian in assigned_guardians:                 # one sealed copy per reader
        SealedKey(case=case, guardian=guardian,
                  sealed=crypto.seal_case_key(case_key, guardian.public_key))
    reporter = crypto.reporter_keypair(receipt, context=settings.RECEIPT_CONTEXT)
    SealedKey(case=case, guardian=None, sealed=crypto.seal_case_key(case_key, reporter.public_key))

    cleaned = crypto.strip_metadata(upload.read())      # MetadataError -> form error
    # cleaned.format is None: not JPEG/PNG, stored with its own metadata; tell the reporter
    crypto.encrypt_attachment(case_key, str(attachment.id), cleaned.data, destination_file)

    # a confidential (named) reporter: identity in its own envelope, never in the case fields
    identity_key = crypto.new_identity_key(case.id)
    case.identity = crypto.encrypt_identity(identity_key, form["name_and_contact"])
    for guardian in assigned_guardians:
        SealedIdentityKey(case=case, guardian=guardian,
                          sealed=crypto.seal_identity_key(identity_key, guardian.public_key))

A guardian session::

    keyring = crypto.GuardianKeyring(g.public_key, g.key_by_password, g.key_by_recovery_key)
    keypair = crypto.unlock_with_password(keyring, password)    # Argon2id, once per sign-in
    lock = crypto.lock_for_session(keypair)  # lock.stored -> session store; lock.cookie_key -> cookie
    ...
    keypair = crypto.unlock_session(session["guardian_key"], cookie_key)   # each request
    case_key = crypto.open_case_key(sealed_key.sealed, keypair, case_id=case.id)
    narrative = crypto.decrypt_text(case_key, "narrative", case.narrative)

A returning anonymous reporter::

    receipt = crypto.parse_receipt(form["receipt"])             # ReceiptError -> form error
    case = Case.objects.get(receipt_lookup=crypto.receipt_lookup(receipt, settings.RECEIPT_PEPPER))
    reporter = crypto.reporter_keypair(receipt, context=settings.RECEIPT_CONTEXT)
    case_key = crypto.open_case_key(reporter_sealed_key, reporter, case_id=case.id)

Every sealed copy above is stored wrapped under the case's retention key, which lives in a
:class:`KeyStore` outside the database::

    store = crypto.KeyStore(settings.SPEAKUP_KEYSTORE_DIR)
    retention_key = store.create(case.id)               # on submission, before the rows
    row.sealed = crypto.wrap_sealed(retention_key, sealed, case_id=case.id, purpose="case")
    sealed = crypto.unwrap_sealed(store.get(case.id), row.sealed, case_id=case.id, purpose="case")

Handover: ``crypto.hand_over(sealed, keypair=..., case_id=..., to_public_key=...)`` writes the
successor's sealed copy. Crypto-shredding: ``store.destroy(case.id)`` destroys the retention key,
so every sealed copy of the case's keys - in the database and in every backup or dump taken
before - can no longer be unwrapped, and with them every other ciphertext of the case.
"""

from candour.crypto.attachments import decrypt_attachment, encrypt_attachment
from candour.crypto.envelopes import (
    decrypt_field,
    decrypt_text,
    encrypt_field,
    new_case_key,
    open_case_key,
    seal_case_key,
)
from candour.crypto.errors import (
    DecryptionError,
    MetadataError,
    ReceiptError,
    RecoveryKeyError,
    WrongPasswordError,
)
from candour.crypto.identity import (
    decrypt_identity,
    encrypt_identity,
    new_identity_key,
    open_identity_key,
    seal_identity_key,
)
from candour.crypto.keymaterial import CaseKey, IdentityKey, KeyPair
from candour.crypto.keys import (
    GuardianKeyring,
    RecoveryKey,
    SessionLock,
    change_password,
    create_guardian_keys,
    hand_over,
    lock_for_session,
    parse_recovery_key,
    replace_recovery_key,
    reset_password,
    unlock_session,
    unlock_with_password,
    unlock_with_recovery_key,
)
from candour.crypto.metadata import CleanedFile, strip_metadata
from candour.crypto.receipts import (
    Receipt,
    new_receipt,
    parse_receipt,
    receipt_key,
    receipt_lookup,
    reporter_keypair,
)
from candour.crypto.shredding import KeyShreddedError, KeyStore, unwrap_sealed, wrap_sealed

__all__ = [
    "CaseKey",
    "CleanedFile",
    "DecryptionError",
    "GuardianKeyring",
    "IdentityKey",
    "KeyPair",
    "KeyShreddedError",
    "KeyStore",
    "MetadataError",
    "Receipt",
    "ReceiptError",
    "RecoveryKey",
    "RecoveryKeyError",
    "SessionLock",
    "WrongPasswordError",
    "change_password",
    "create_guardian_keys",
    "decrypt_attachment",
    "decrypt_field",
    "decrypt_identity",
    "decrypt_text",
    "encrypt_attachment",
    "encrypt_field",
    "encrypt_identity",
    "hand_over",
    "lock_for_session",
    "new_case_key",
    "new_identity_key",
    "new_receipt",
    "open_case_key",
    "open_identity_key",
    "parse_receipt",
    "parse_recovery_key",
    "receipt_key",
    "receipt_lookup",
    "replace_recovery_key",
    "reporter_keypair",
    "reset_password",
    "seal_case_key",
    "seal_identity_key",
    "strip_metadata",
    "unlock_session",
    "unlock_with_password",
    "unlock_with_recovery_key",
    "unwrap_sealed",
    "wrap_sealed",
]
