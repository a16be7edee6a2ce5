"""Receipts: format, forgiving parsing, strict refusal, lookup hash, reporter key."""

from __future__ import annotations

import re

import pytest

from candour.crypto import (
    KeyPair,
    Receipt,
    ReceiptError,
    new_receipt,
    parse_receipt,
    receipt_key,
    receipt_lookup,
    reporter_keypair,
)
from candour.crypto.constants import CROCKFORD_ALPHABET, RECEIPT_BITS
from candour.exceptions import UserError

PEPPER = bytes(range(32))
CONTEXT = "candour:RX1"
KNOWN = "ABCD-EFGH-JKMN-PQRS-TVWX"


def test_receipt_shows_twenty_symbols_in_groups_of_four():
    shown = str(new_receipt())
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}", shown), shown


def test_receipt_has_at_least_100_bits():
    assert RECEIPT_BITS >= 100
    assert len(CROCKFORD_ALPHABET) ** 20 == 2**100


def test_receipts_differ_and_use_the_whole_alphabet():
    receipts = {new_receipt().canonical for _ in range(500)}
    assert len(receipts) == 500
    assert set("".join(receipts)) == set(CROCKFORD_ALPHABET)


def test_first_symbol_is_not_biased():
    # 100 bits in 20 symbols: the leading symbol carries 5 full bits, so all 32 values appear.
    leading = {new_receipt().canonical[0] for _ in range(2000)}
    assert leading == set(CROCKFORD_ALPHABET)


def test_repr_hides_the_receipt():
    receipt = new_receipt()
    assert receipt.canonical not in repr(receipt)
    assert "hidden" in repr(receipt)


@pytest.mark.parametrize(
    "typed",
    [
        "ABCD-EFGH-JKMN-PQRS-TVWX",
        "abcd-efgh-jkmn-pqrs-tvwx",
        "ABCDEFGHJKMNPQRSTVWX",
        " abcd efgh jkmn pqrs tvwx ",
        "AbCd--EfGh  JkMn-PqRs-TvWx",
    ],
)
def test_parsing_forgives_case_spaces_and_hyphens(typed):
    assert str(parse_receipt(typed)) == KNOWN


def test_parsing_reads_confusable_letters_as_digits():
    assert parse_receipt("I0L0-O1i1-0000-0000-0000") == parse_receipt("1010-0111-0000-0000-0000")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ABCD-EFGH-JKMN-PQRS-TVW", "has 19"),
        ("ABCD-EFGH-JKMN-PQRS-TVWXY", "has 21"),
        ("", "has 0"),
        ("ABCD-EFGH-JKMN-PQRS-TVWU", "'U' is not one of them"),
        ("ABCD-EFGH-JKMN-PQRS-TVW!", "'!' is not one of them"),
        ("ABCD_EFGH_JKMN_PQRS_TVWX", "'_' is not one of them"),
    ],
)
def test_parsing_refuses_wrong_length_or_characters(typed, message):
    with pytest.raises(ReceiptError, match=message) as raised:
        parse_receipt(typed)
    assert isinstance(raised.value, UserError)


def test_parsing_refuses_non_text():
    with pytest.raises(ReceiptError):
        parse_receipt(None)  # type: ignore[arg-type]


def test_receipt_constructor_takes_only_canonical_form():
    with pytest.raises(ValueError, match="canonical"):
        Receipt("abcd-efgh-jkmn-pqrs-tvwx")


def test_lookup_is_stable_and_accepts_typed_text():
    receipt = parse_receipt(KNOWN)
    assert receipt_lookup(receipt, PEPPER) == receipt_lookup("abcd efgh jkmn pqrs tvwx", PEPPER)
    assert len(receipt_lookup(receipt, PEPPER)) == 32


def test_lookup_depends_on_pepper_and_receipt():
    receipt = parse_receipt(KNOWN)
    other_pepper = bytes(reversed(PEPPER))
    assert receipt_lookup(receipt, PEPPER) != receipt_lookup(receipt, other_pepper)
    assert receipt_lookup(receipt, PEPPER) != receipt_lookup(new_receipt(), PEPPER)


def test_lookup_is_keyed_blake2b_not_a_plain_hash():
    import hashlib

    receipt = parse_receipt(KNOWN)
    expected = hashlib.blake2b(
        receipt.canonical.encode(), digest_size=32, key=PEPPER, person=b"candour:rcpt-id"
    ).digest()
    assert receipt_lookup(receipt, PEPPER) == expected
    assert (
        receipt_lookup(receipt, PEPPER) != hashlib.blake2b(receipt.canonical.encode()).digest()[:32]
    )


@pytest.mark.parametrize("pepper", [b"", b"short", bytes(31), bytes(65), "x" * 32])
def test_weak_or_wrong_pepper_is_refused_with_a_hint(pepper):
    with pytest.raises(ValueError, match=r"secrets\.token_hex"):
        receipt_lookup(parse_receipt(KNOWN), pepper)


def test_receipt_key_is_deterministic_and_separated_by_context():
    receipt = parse_receipt(KNOWN)
    assert receipt_key(receipt, context=CONTEXT) == receipt_key(KNOWN.lower(), context=CONTEXT)
    assert receipt_key(receipt, context=CONTEXT) != receipt_key(receipt, context="candour:RX2")
    assert receipt_key(receipt, context=CONTEXT) != receipt_key(new_receipt(), context=CONTEXT)
    assert len(receipt_key(receipt, context=CONTEXT)) == 32


def test_receipt_key_differs_from_lookup_hash():
    receipt = parse_receipt(KNOWN)
    assert receipt_key(receipt, context=CONTEXT) != receipt_lookup(receipt, PEPPER)


def test_receipt_key_needs_a_context():
    with pytest.raises(ValueError, match="context"):
        receipt_key(parse_receipt(KNOWN), context="")


def test_reporter_keypair_is_the_same_on_return():
    receipt = new_receipt()
    at_submission = reporter_keypair(receipt, context=CONTEXT)
    on_return = reporter_keypair(parse_receipt(str(receipt).lower()), context=CONTEXT)
    assert isinstance(at_submission, KeyPair)
    assert at_submission.public_key == on_return.public_key
    assert at_submission.private_key == on_return.private_key
    assert reporter_keypair(new_receipt(), context=CONTEXT).public_key != at_submission.public_key
