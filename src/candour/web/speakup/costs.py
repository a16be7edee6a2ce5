"""What a person speaking up pays for an action, so that floods are absorbed, not refused.

Three actions cost something: raising a concern, trying a receipt that opens nothing, and adding
to one's concern (a message, an answer, a file). Each is paid one of two ways:

* with **proof of work** (:mod:`candour.web.speakup.proofofwork`): the form carries a challenge
  and the browser's script solves it before sending; a solution good enough for the price pays
  at once;
* otherwise (no JavaScript, an expired challenge), with **time**: the server waits
  :func:`Price.delay` seconds before it acts. A solution worth less than the price (the page was
  loaded before the price rose) pays its share: :func:`owed`.

The price rises with the source's **pressure** (:func:`candour.web.speakup.ratelimit.pressure`):
the first ``free`` events in a window cost the base price; past them, each doubling of the
count adds a step (:func:`steps_over`), one more bit of work (twice the hashing) or twice the
wait, up to ``SPEAKUP_SLOW_DOWN_MAX_STEPS``. Nothing is ever refused on these grounds, so a
colleague behind the same address as someone flooding the form still gets through, at most
``2 ** max_steps`` times slower. A receipt that opens its case is never charged at all.

What bounds storage is :mod:`candour.web.speakup.bounds`, per organisation (or case) and day.
The threat model and its numbers are in ``docs/reference/speakup-security.md`` (availability).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from candour.web.speakup import proofofwork, ratelimit
from candour.web.speakup.conf import config

CONCERN = "concern"
RECEIPT = "receipt"
REPLY = "reply"
KINDS = (CONCERN, RECEIPT, REPLY)
CHALLENGE_FIELD = "pow_challenge"
SOLUTION_FIELD = "pow_solution"


def steps_over(count: int, free: int, max_steps: int) -> int:
    """Price steps for a source that has done ``count`` events: 0 below ``free``, then one more
    step each time the count doubles (free: 1, 2 x free: 2, 4 x free: 3...), at most
    ``max_steps``."""
    if count < free:
        return 0
    return min(max_steps, (count // free).bit_length())


@dataclass(frozen=True)
class Price:
    steps: int

    @property
    def bits(self) -> int:
        """Zero bits of proof of work that pay for the action."""
        return config().proof_of_work_bits + self.steps

    @property
    def delay(self) -> float:
        """Seconds the server waits instead, without a good enough proof of work."""
        return config().no_script_delay_seconds * 2**self.steps


def price(source: str, kind: str) -> Price:
    """The price of this source's next action of this kind."""
    settings = config()
    free = settings.slow_down[kind].free
    return Price(steps_over(ratelimit.pressure(kind, source), free, settings.slow_down_max_steps))


def challenge(request, kind: str) -> str:
    """A proof-of-work challenge, at today's price, for a form of this kind on this page."""
    source = ratelimit.source_of(request)
    return proofofwork.issue(kind=kind, source=source, bits=price(source, kind).bits)


def charge(request, kind: str) -> bool:
    """Count one action of this kind for the request's source and charge its price: nothing
    more if the form carries an unspent solution worth it, otherwise the price's wait. The price
    is set by the actions counted before this one (the count is atomic, so requests sent at once
    each see their own). Returns whether the proof of work paid in full."""
    settings = config()
    source = ratelimit.source_of(request)
    count = ratelimit.note(kind, source)
    due = Price(steps_over(count - 1, settings.slow_down[kind].free, settings.slow_down_max_steps))
    proven = proofofwork.redeem(
        request.POST.get(CHALLENGE_FIELD, ""),
        request.POST.get(SOLUTION_FIELD, ""),
        kind=kind,
        source=source,
    )
    if proven >= due.bits:
        return True
    if due.delay:
        time.sleep(due.delay * owed(proven, due.bits))
    return False


def owed(proven: int, due: int) -> float:
    """The share of the wait still owed after a proof of ``proven`` bits against a price of
    ``due`` bits: work counts for what it is worth (each bit is half the rest). A page loaded just
    before its address's price rose pays the difference, not the whole wait again."""
    if proven <= 0:
        return 1.0
    return max(0.0, 1.0 - 2.0 ** (proven - due))
