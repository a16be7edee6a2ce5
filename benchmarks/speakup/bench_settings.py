"""Settings for ``bench_submissions.py`` only: the production settings, with the two submit rate
limits raised so that the load can be measured at all.

Why: every benchmark client connects from 127.0.0.1, so the server sees one source. In production
``submit_per_source`` refuses a source after 30 concerns an hour (and locks it out for an hour),
which would turn the benchmark into a measurement of the 429 page after its 30th submission; and
``submit_global`` (30,000 a minute, per process while the cache is local memory) is raised so that
a long run cannot reach it either. The limiter still runs on every submission (it counts, in the
same cache, exactly as in production), so its cost is measured; it only never trips. Nothing else
differs from production: every secret and the database come from the environment that
``bench_submissions.py`` sets, and ``DEBUG`` stays off.

Never use this module to serve real users.
"""

from candour.web.config.settings.production import *  # noqa: F403
from candour.web.config.settings.production import SPEAKUP_RATE_LIMITS as _PRODUCTION_LIMITS

_NEVER = 1_000_000_000  # events per window: more than any benchmark run submits

SPEAKUP_RATE_LIMITS = {
    **_PRODUCTION_LIMITS,
    "submit_per_source": (_NEVER, 60 * 60, 60 * 60),
    "submit_global": (_NEVER, 60, 5 * 60),
}
