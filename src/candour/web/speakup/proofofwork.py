"""Proof of work for the reporter's forms: SHA-256 hashcash, checked with :mod:`hashlib`.

A form carries a *challenge* the server made; the browser's script
(``static/candour/proof-of-work.js``) looks for a number ``N`` such that
``SHA-256(challenge + ":" + N)`` (ASCII, ``N`` in decimal) starts with ``bits`` zero bits, and
sends ``N`` with the form. Finding it takes ``2 ** bits`` hashes on average; checking it, one.
The idea is Adam Back's hashcash (2002), as GlobaLeaks uses for its submissions
(``backend/globaleaks/utils/token.py``).

A challenge is 63 ASCII characters, so that with the ``:`` it fills exactly one 64-byte SHA-256
block and the script hashes one further block per try::

    1-18-1767225600-<16 random>-<30 authentication>
    | |  |          |           keyed BLAKE2b of all before it, the action and the source
    | |  |          random: makes the challenge unique (it can be spent once)
    | |  Unix time it was made (it expires, ``SPEAKUP_PROOF_OF_WORK_VALID_SECONDS``)
    | bits asked for
    version

Nothing is stored when a challenge is made. The authentication binds it to the kind of action
(a concern, a receipt, a reply) and to the source it was made for (the keyed hash of the address
:func:`candour.web.speakup.ratelimit.source_of` gives), so a cheap challenge for one cannot pay
for another. A solution is spent by adding the challenge's random part to the speak-up cache for
as long as the challenge is valid: the same solution never pays twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

from candour.web.speakup.conf import config

VERSION = "1"
CHALLENGE_LENGTH = 63  # + ":" = one SHA-256 block (64 bytes)
RANDOM_BYTES = 12  # 16 characters of URL-safe base64
MAC_BYTES = 22  # 30 characters of URL-safe base64 (63 in all)
MAX_SOLUTION_LENGTH = 20  # decimal digits: far more than any difficulty needs
_PERSON = b"candour:pow-mac"


@dataclass(frozen=True)
class Challenge:
    bits: int
    issued: int
    random: str


def _mac(body: str, *, kind: str, source: str) -> str:
    key = hashlib.blake2b(settings.SECRET_KEY.encode(), digest_size=32, person=_PERSON).digest()
    message = f"{body}|{kind}|{source}".encode()
    digest = hashlib.blake2b(message, key=key, digest_size=MAC_BYTES).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(*, kind: str, source: str, bits: int, now: float | None = None) -> str:
    """A new challenge asking for ``bits`` zero bits, for this kind of action and source."""
    issued = int(time.time() if now is None else now)
    random = base64.urlsafe_b64encode(secrets.token_bytes(RANDOM_BYTES)).decode()
    body = f"{VERSION}-{bits:02d}-{issued:010d}-{random}"
    challenge = f"{body}-{_mac(body, kind=kind, source=source)}"
    assert len(challenge) == CHALLENGE_LENGTH
    return challenge


def parse(challenge: str, *, kind: str, source: str) -> Challenge | None:
    """The challenge's parts if this server made it for this kind and source, else None."""
    if not isinstance(challenge, str) or len(challenge) != CHALLENGE_LENGTH:
        return None
    # fixed positions: the random and authentication parts may contain "-" themselves
    body, separator, mac = challenge[:-31], challenge[-31], challenge[-30:]
    version, bits, issued, random = body[0], body[2:4], body[5:15], body[16:]
    if separator + body[1] + body[4] + body[15] != "----" or version != VERSION:
        return None
    if not (bits + issued).isdigit() or not body.isascii():
        return None
    if not hmac.compare_digest(mac, _mac(body, kind=kind, source=source)):
        return None
    return Challenge(bits=int(bits), issued=int(issued), random=random)


def leading_zero_bits(digest: bytes) -> int:
    """How many zero bits ``digest`` starts with."""
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


def work_done(challenge: str, solution: str) -> int:
    """The zero bits ``SHA-256(challenge:solution)`` starts with (0 for a malformed solution)."""
    if not solution.isdigit() or len(solution) > MAX_SOLUTION_LENGTH:
        return 0
    return leading_zero_bits(hashlib.sha256(f"{challenge}:{solution}".encode("ascii")).digest())


def redeem(challenge: str, solution: str, *, kind: str, source: str, now: float | None = None):
    """The bits a solution proves, once: 0 unless the challenge is this server's, for this kind
    and source, unexpired, solved to the bits it asked for, and not spent before."""
    parsed = parse(challenge, kind=kind, source=source)
    if parsed is None:
        return 0
    valid = config().proof_of_work_valid_seconds
    age = (time.time() if now is None else now) - parsed.issued
    if not 0 <= age <= valid or work_done(challenge, solution) < parsed.bits:
        return 0
    spent = caches[config().cache_alias].add(f"speakup:pow:{parsed.random}", 1, timeout=valid)
    return parsed.bits if spent else 0


def solve(challenge: str) -> str:
    """Find a solution in Python (tests and the benchmarks; browsers run the script)."""
    bits = int(challenge.split("-")[1])
    prefix = hashlib.sha256(f"{challenge}:".encode("ascii"))
    number = 0
    while True:
        attempt = prefix.copy()
        attempt.update(str(number).encode("ascii"))
        if leading_zero_bits(attempt.digest()) >= bits:
            return str(number)
        number += 1
