"""How long fit-and-proper person records are kept.

NHS England's Fit and Proper Person Test framework (2023) keeps a director's FPPT data until
their 75th birthday (``../shared/reference/leadership.md``, [S5c]). Candour reads "until" as: the
records are kept up to the day before the 75th birthday and are deleted on it or on any later
day (``candour leadership expire``). Someone born on 29 February reaches an age on 1 March in a
year without one (the usual reading of the Family Law Reform Act 1969, section 9).

Pure Python; never imports Django.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

# FPPT framework: records are kept until the director's 75th birthday [S5c].
RETENTION_AGE_YEARS: Final = 75


def birthday_at_age(born: dt.date, years: int) -> dt.date:
    """The day someone born on ``born`` turns ``years`` old (29 February: 1 March when the year
    has none)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February in a year without one
        return dt.date(born.year + years, 3, 1)


def retain_until(born: dt.date) -> dt.date:
    """The director's 75th birthday: the first day their FPPT records are no longer kept."""
    return birthday_at_age(born, RETENTION_AGE_YEARS)


def retention_ended(born: dt.date | None, as_of: dt.date) -> bool:
    """Whether FPPT records about someone born on ``born`` must be deleted on ``as_of``. Without
    a date of birth, nothing can be worked out, so nothing is deleted."""
    return born is not None and as_of >= retain_until(born)


def latest_birth_date_expired(as_of: dt.date) -> dt.date:
    """The latest date of birth whose records have expired by ``as_of`` (for a database query:
    born on or before this day)."""
    candidate = birthday_at_age(as_of, -RETENTION_AGE_YEARS)
    # 29 February moves birthdays by a day: step to the exact boundary.
    while retention_ended(candidate + dt.timedelta(days=1), as_of):
        candidate += dt.timedelta(days=1)
    while not retention_ended(candidate, as_of):
        candidate -= dt.timedelta(days=1)
    return candidate
