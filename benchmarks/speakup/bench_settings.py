"""Settings for ``bench_submissions.py`` only: the production settings, with what a reporter pays
and the day's bound set aside so that the server's own throughput can be measured at all.

Why: every benchmark client connects from 127.0.0.1, so the server sees one source, and sends its
forms without running the proof-of-work script. In production that source would wait
``SPEAKUP_NO_SCRIPT_DELAY_SECONDS`` (doubling as it sends more, up to 16 times) per concern, and
after ``SPEAKUP_DAILY_LIMITS["concerns_per_organisation"]`` concerns in a day the organisation
takes no more: the benchmark would measure the wait and the "cannot take more today" page. So
the wait is 0 and the bound out of reach. The costs still run on every submission (the source's
count is kept in the same cache, the challenge checked), so their own work is measured; what
they make a flood pay is measured by ``bench_flood.py`` with the production values. Nothing else
differs from production: every secret and the database come from the environment that
``bench_submissions.py`` sets, and ``DEBUG`` stays off.

Never use this module to serve real users.
"""

from candour.web.config.settings.production import *  # noqa: F403
from candour.web.config.settings.production import SPEAKUP_DAILY_LIMITS as _PRODUCTION_BOUNDS

_NEVER = 1_000_000_000  # more than any benchmark run submits

SPEAKUP_NO_SCRIPT_DELAY_SECONDS = 0
SPEAKUP_DAILY_LIMITS = {**_PRODUCTION_BOUNDS, "concerns_per_organisation": _NEVER}
