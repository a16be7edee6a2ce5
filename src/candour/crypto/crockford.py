"""Crockford base32 (https://www.crockford.com/base32.html) for secrets that people copy by hand.

Encoding writes an integer as a fixed number of symbols. Decoding is forgiving in the ways
Crockford specifies: case, spaces and hyphens are ignored, and I, L and O are read as 1, 1 and 0.
Anything else (including U, which Crockford reserves) is refused with a message naming it.
"""

from __future__ import annotations

from candour.crypto.constants import (
    BITS_PER_SYMBOL,
    CROCKFORD_ALPHABET,
    CROCKFORD_CONFUSABLES,
    CROCKFORD_SEPARATORS,
    DISPLAY_GROUP,
)
from candour.exceptions import UserError

_VALUE = {symbol: index for index, symbol in enumerate(CROCKFORD_ALPHABET)}


def encode(value: int, symbols: int) -> str:
    """``value`` (0 <= value < 32**symbols) as exactly ``symbols`` symbols, most significant first."""
    if not 0 <= value < 1 << (BITS_PER_SYMBOL * symbols):
        raise ValueError(f"value does not fit in {symbols} base32 symbols")
    out = []
    for _ in range(symbols):
        value, digit = divmod(value, 32)
        out.append(CROCKFORD_ALPHABET[digit])
    return "".join(reversed(out))


def normalise(text: str, *, symbols: int, what: str, error: type[UserError]) -> str:
    """The canonical form of ``text`` (upper case, confusables mapped, separators removed).

    Raises ``error`` naming ``what`` when a character is not base32 or the length is wrong.
    """
    if not isinstance(text, str):
        raise error(f"A {what} is text of {symbols} letters and digits.")
    cleaned = []
    for char in text.upper():
        if char in CROCKFORD_SEPARATORS:
            continue
        char = CROCKFORD_CONFUSABLES.get(char, char)
        if char not in _VALUE:
            raise error(
                f"A {what} contains only the digits 0-9 and the letters A-Z except U; "
                f"{char!r} is not one of them."
            )
        cleaned.append(char)
    if len(cleaned) != symbols:
        raise error(
            f"A {what} has {symbols} letters and digits (hyphens and spaces are optional); "
            f"this one has {len(cleaned)}."
        )
    return "".join(cleaned)


def decode(canonical: str) -> int:
    """The integer written by canonical symbols (as returned by :func:`normalise`)."""
    value = 0
    for char in canonical:
        value = value * 32 + _VALUE[char]
    return value


def grouped(canonical: str) -> str:
    """``ABCDEFGH...`` as ``ABCD-EFGH-...`` for display."""
    return "-".join(
        canonical[start : start + DISPLAY_GROUP]
        for start in range(0, len(canonical), DISPLAY_GROUP)
    )
