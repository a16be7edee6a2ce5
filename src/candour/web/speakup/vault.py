"""Where the web layer meets :mod:`candour.crypto`: sealing, opening and reading cases.

Everything that turns a stored row into plaintext goes through :class:`OpenCase`, which exists
only once a reader (a guardian's unlocked key pair, or a reporter's receipt-derived key pair) has
opened the case key from its own sealed row. Nothing here writes to the database; the actions do.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass

from candour import crypto
from candour.crypto import CaseKey, KeyPair, Receipt
from candour.web.speakup.choices import SealedFor
from candour.web.speakup.conf import config
from candour.web.speakup.models import Attachment, Case, GuardianKeys, SealedKey


class NoAccess(Exception):
    """This reader holds no sealed key that opens this case (views answer 404)."""


def keyring_of(keys: GuardianKeys) -> crypto.GuardianKeyring:
    return crypto.GuardianKeyring(
        bytes(keys.public_key), bytes(keys.key_by_password), bytes(keys.key_by_recovery_key)
    )


def keystore() -> crypto.KeyStore:
    """The retention keys, outside the database (``SPEAKUP_KEYSTORE_DIR``)."""
    return crypto.KeyStore(config().keystore_dir)


def wrap(case: Case, retention_key: bytes, purpose: str, sealed: bytes) -> bytes:
    """A sealed key as it is stored: wrapped under the case's retention key."""
    return crypto.wrap_sealed(retention_key, sealed, case_id=str(case.id), purpose=purpose)


def unwrap(row: SealedKey) -> bytes:
    """The sealed key in a stored row; :class:`NoAccess` once the case has been shredded."""
    try:
        retention_key = keystore().get(row.case_id)
    except crypto.KeyShreddedError:
        raise NoAccess from None
    return crypto.unwrap_sealed(
        retention_key, bytes(row.sealed), case_id=str(row.case_id), purpose=row.purpose
    )


def receipt_lookup(receipt: Receipt) -> bytes:
    return crypto.receipt_lookup(receipt, config().receipt_pepper)


def reporter_seed(receipt: Receipt) -> bytes:
    return crypto.receipt_key(receipt, context=config().receipt_context)


def reporter_keypair(seed: bytes) -> KeyPair:
    return KeyPair.from_seed(seed)


def sealed_rows(
    case: Case,
    *,
    retention_key: bytes,
    case_key: CaseKey,
    identity_key: crypto.IdentityKey | None,
    guardians: Iterable[GuardianKeys],
    reporter_public_key: bytes | None,
) -> list[SealedKey]:
    """Unsaved rows sealing the case key to every guardian (and the reporter), and the identity
    key to every guardian, each wrapped under the case's retention key."""
    rows = []
    for keys in guardians:
        public_key = bytes(keys.public_key)
        rows.append(
            SealedKey(
                case=case,
                purpose=SealedFor.CASE,
                guardian_id=keys.user_id,
                public_key=public_key,
                sealed=wrap(
                    case, retention_key, SealedFor.CASE, crypto.seal_case_key(case_key, public_key)
                ),
            )
        )
        if identity_key is not None:
            rows.append(
                SealedKey(
                    case=case,
                    purpose=SealedFor.IDENTITY,
                    guardian_id=keys.user_id,
                    public_key=public_key,
                    sealed=wrap(
                        case,
                        retention_key,
                        SealedFor.IDENTITY,
                        crypto.seal_identity_key(identity_key, public_key),
                    ),
                )
            )
    if reporter_public_key is not None:
        rows.append(
            SealedKey(
                case=case,
                purpose=SealedFor.CASE,
                guardian=None,
                # not stored: it derives from the receipt alone, so a dump would let anyone test
                # guessed receipts without the pepper
                public_key=b"",
                sealed=wrap(
                    case,
                    retention_key,
                    SealedFor.CASE,
                    crypto.seal_case_key(case_key, reporter_public_key),
                ),
            )
        )
    return rows


def sealed_key_for(case: Case, *, guardian_id: int | None, purpose: str) -> SealedKey:
    row = SealedKey.objects.filter(case=case, purpose=purpose, guardian_id=guardian_id).first()
    if row is None:
        raise NoAccess
    return row


def open_for(case: Case, keypair: KeyPair, *, guardian_id: int | None) -> OpenCase:
    """The case opened with a reader's key pair (``guardian_id`` None for the reporter)."""
    row = sealed_key_for(case, guardian_id=guardian_id, purpose=SealedFor.CASE)
    if guardian_id is not None and bytes(row.public_key) != keypair.public_key:
        raise NoAccess  # sealed to this guardian's previous keys
    key = crypto.open_case_key(unwrap(row), keypair, case_id=str(case.id))
    return OpenCase(case=case, key=key)


def open_identity(case: Case, keypair: KeyPair, *, guardian_id: int) -> str:
    """The identity envelope's text. Call only from the disclosure workflow's action."""
    row = sealed_key_for(case, guardian_id=guardian_id, purpose=SealedFor.IDENTITY)
    if bytes(row.public_key) != keypair.public_key or case.identity is None:
        raise NoAccess
    identity_key = crypto.open_identity_key(unwrap(row), keypair, case_id=str(case.id))
    return crypto.decrypt_identity(identity_key, bytes(case.identity))


@dataclass(frozen=True)
class OpenCase:
    """A case whose key is in hand: read and write its sealed fields."""

    case: Case
    key: CaseKey

    def seal(self, field: str, text: str) -> bytes:
        return crypto.encrypt_field(self.key, field, text)

    def read(self, field: str, ciphertext) -> str:
        if ciphertext is None:
            return ""
        return crypto.decrypt_text(self.key, field, bytes(ciphertext))

    @property
    def narrative(self) -> str:
        return self.read("narrative", self.case.narrative)

    @property
    def location(self) -> str:
        return self.read("location", self.case.location)

    @property
    def happened_on(self) -> datetime.date | None:
        text = self.read("happened_on", self.case.happened_on)
        return datetime.date.fromisoformat(text) if text else None

    @property
    def closure_evidence(self) -> str:
        return self.read("closure_evidence", self.case.closure_evidence)

    @property
    def speak_up_again_comment(self) -> str:
        return self.read("speak_up_again_comment", self.case.speak_up_again_comment)

    def message(self, message) -> str:
        return self.read(message.field, message.body)

    def note(self, note) -> str:
        return self.read(note.field, note.body)

    def check_in_comment(self, check_in) -> str:
        return self.read(check_in.field, check_in.comment)

    def attachment_description(self, attachment: Attachment) -> tuple[str, str]:
        """(file name, content type) as uploaded."""
        name, _, content_type = self.read(
            f"attachment-name:{attachment.id}", attachment.description
        ).partition("\n")
        return name, content_type

    def attachment_content(self, attachment: Attachment) -> bytes:
        sink = io.BytesIO()
        crypto.decrypt_attachment(self.key, str(attachment.id), bytes(attachment.content), sink)
        return sink.getvalue()

    def seal_attachment(self, attachment_id: str, data: bytes) -> bytes:
        sink = io.BytesIO()
        crypto.encrypt_attachment(self.key, attachment_id, data, sink)
        return sink.getvalue()
