"""SYNTHETIC board ledgers for the demo. Nothing here is real data (the pools that go with them:
:mod:`candour.analytics.leadership.synthetic_talent`).

No public board ledger exists in Candour's bundled data, so the demo generates one: every post,
holding and vacancy made here is invented, and carries
``synthetic = "yes"`` so every page, chart and file that shows it says so. The model (documented
in docs/reference/leadership.md) follows what the Kerr review and the work it quoted found,
by each trust's real 2019 CQC overall rating:

* executive vacancy: 3% of executive posts in trusts rated Outstanding and 14% in Inadequate
  (King's Fund, quoted by Kerr [S7]); 8% nationally, used for trusts without a rating; Good and
  Requires improvement are interpolated (6%, 10%) - an assumption;
* interim cover (posts held only on an interim or acting basis): 3% / 6% / 9% / 15% - an
  assumption, no published rate was found;
* executives appointed in the last 12 months: 20% in Outstanding and 72% in Inadequate [S7];
  30% and 45% for Good and Requires improvement (assumed). A substantive holder's time in post is
  exponential with the mean that gives that share within a year;
* chief-executive tenure: median over 7 years in Outstanding trusts and 11 months in Inadequate
  ones [S8a], 3 years nationally [S7]; Good 4 years and Requires improvement 2.5 (assumed);
  exponential with that median;
* 6% of substantive executives have an announced leaving date within the next 12 months
  (assumed); a quarter of long-serving holders have a renewed contract (two chained holdings).

The generator is deterministic: the same organisations, ``as_of`` and ``seed`` give the same
ledger (NumPy's PCG64). Dates are relative to ``as_of`` so the demo always has current vacancies.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import polars as pl

from candour.analytics.leadership.constants import (
    CHIEF_EXECUTIVE,
)
from candour.analytics.leadership.frames import as_polars

DEFAULT_SEED: Final = 2018  # the year of the Kerr review
SYNTHETIC: Final = "yes"
UNRATED: Final = None

# Per CQC overall rating (None: not rated): see the module docstring for the source of each.
VACANCY_RATE: Final = {
    "Outstanding": 0.03,
    "Good": 0.06,
    "Requires improvement": 0.10,
    "Inadequate": 0.14,
    UNRATED: 0.08,
}
INTERIM_RATE: Final = {
    "Outstanding": 0.03,
    "Good": 0.06,
    "Requires improvement": 0.09,
    "Inadequate": 0.15,
    UNRATED: 0.07,
}
APPOINTED_LAST_YEAR: Final = {
    "Outstanding": 0.20,
    "Good": 0.30,
    "Requires improvement": 0.45,
    "Inadequate": 0.72,
    UNRATED: 0.35,
}
CEO_MEDIAN_TENURE_YEARS: Final = {
    "Outstanding": 7.5,
    "Good": 4.0,
    "Requires improvement": 2.5,
    "Inadequate": 11 / 12,
    UNRATED: 3.0,
}
LEAVING_SOON_RATE: Final = 0.06
CONTRACT_RENEWED_RATE: Final = 0.25
NEVER_FILLED_RATE: Final = 0.1  # of vacant posts: new posts not yet filled
DAYS_PER_YEAR: Final = 365.25
MAX_TENURE_DAYS: Final = 20 * 365

# Each trust's board: the six executive portfolios, 0-3 other executive directors (non-voting),
# a chair and 5-7 non-executive directors.
CORE_EXECUTIVES: Final = (
    (CHIEF_EXECUTIVE, "CEO"),
    ("finance", "FD"),
    ("nursing", "DN"),
    ("medical", "MD"),
    ("operations", "COO"),
    ("people", "DP"),
)
OTHER_EXECUTIVE_TITLES: Final = (
    "Director of Strategy",
    "Chief Digital Information Officer",
    "Director of Estates and Facilities",
)
NEDS: Final = (5, 7)
LEAVING_REASONS: Final = ("retirement", "resignation", "new NHS post", "end of term")
ROUTES: Final = ("talent_pool", "internal", "agency", "other_sector")

LEDGER_COLUMNS: Final = (
    "ods_code",
    "post_id",
    "role",
    "title",
    "executive",
    "voting",
    "entry",
    "person_id",
    "start",
    "end",
    "basis",
    "leaving_reason",
    "recruitment_rounds",
    "recruitment_route",
    "synthetic",
)


def exponential_mean_for_share(share_within_year: float) -> float:
    """The mean (days) of an exponential time in post with ``share_within_year`` under a year."""
    return -DAYS_PER_YEAR / math.log(1 - share_within_year)


def exponential_mean_for_median(median_years: float) -> float:
    """The mean (days) of an exponential time in post whose median is ``median_years``."""
    return median_years * DAYS_PER_YEAR / math.log(2)


@dataclass
class _Ledger:
    """Rows of the ledger being written, in file order."""

    as_of: dt.date
    rng: np.random.Generator
    rows: list[dict] = field(default_factory=list)
    people: int = 0

    def person(self) -> str:
        self.people += 1
        return f"SYN{self.people:06d}"

    def days_ago(self, days: float) -> dt.date:
        return self.as_of - dt.timedelta(days=int(days))

    def add(self, post: dict, entry: str, **values: Any) -> None:
        self.rows.append({**post, "entry": entry, "synthetic": SYNTHETIC, **values})

    def left_on(self, post: dict, left: dt.date, *, served_at_least: int) -> None:
        """A substantive holder who served from ``served_at_least`` days to about 7 years and
        left on ``left``."""
        self.add(
            post,
            "holding",
            person_id=self.person(),
            start=left - dt.timedelta(days=int(self.rng.integers(served_at_least, 2500))),
            end=left,
            basis="substantive",
            leaving_reason=str(self.rng.choice(LEAVING_REASONS)),
        )


def synthetic_ledger(
    organisations: Any, *, as_of: dt.date, seed: int = DEFAULT_SEED
) -> pl.DataFrame:
    """A SYNTHETIC board ledger, in the format ``candour import board_ledger`` reads, for each
    organisation in ``organisations`` (``ods_code`` and ``rating``: its CQC overall rating, or
    null). Deterministic for the same inputs."""
    organisations = as_polars(organisations).select("ods_code", "rating").sort("ods_code")
    ledger = _Ledger(as_of=as_of, rng=np.random.Generator(np.random.PCG64(seed)))
    for ods_code, rating in organisations.iter_rows():
        rating = rating if rating in VACANCY_RATE else UNRATED
        for post in _board(ods_code, ledger.rng):
            if post["executive"] == "yes":
                _executive_post(ledger, post, rating)
            else:
                _non_executive_post(ledger, post)
    frame = pl.DataFrame(ledger.rows, infer_schema_length=None)
    return frame.select(
        [
            (pl.col(c) if c in frame.columns else pl.lit(None)).cast(
                pl.Date if c in ("start", "end") else pl.String
            )
            for c in LEDGER_COLUMNS
        ]
    )


def _board(ods_code: str, rng: np.random.Generator) -> list[dict]:
    def post(suffix, role, title, executive, voting):
        return {
            "ods_code": ods_code,
            "post_id": f"{ods_code}-{suffix}",
            "role": role,
            "title": title,
            "executive": "yes" if executive else "no",
            "voting": "yes" if voting else "no",
        }

    posts = [
        post(code, role, "", True, role != "people" or rng.random() < 0.5)
        for role, code in CORE_EXECUTIVES
    ]
    for n, title in enumerate(OTHER_EXECUTIVE_TITLES[: int(rng.integers(0, 4))], start=1):
        posts.append(post(f"EXEC{n}", "other", title, True, False))
    posts.append(post("CHAIR", "chair", "", False, True))
    for n in range(1, int(rng.integers(NEDS[0], NEDS[1] + 1)) + 1):
        posts.append(post(f"NED{n}", "non_executive", "", False, True))
    return posts


def _executive_post(ledger: _Ledger, post: dict, rating: str | None) -> None:
    rng = ledger.rng
    draw = rng.random()
    if draw < VACANCY_RATE[rating]:
        _vacant(ledger, post)
    elif draw < VACANCY_RATE[rating] + INTERIM_RATE[rating]:
        _interim(ledger, post)
    else:
        if post["role"] == CHIEF_EXECUTIVE:
            mean = exponential_mean_for_median(CEO_MEDIAN_TENURE_YEARS[rating])
        else:
            mean = exponential_mean_for_share(APPOINTED_LAST_YEAR[rating])
        _substantive(ledger, post, min(rng.exponential(mean), MAX_TENURE_DAYS))


def _substantive(ledger: _Ledger, post: dict, tenure_days: float) -> None:
    rng = ledger.rng
    start = ledger.days_ago(tenure_days)
    end = None
    leaving = ""
    if rng.random() < LEAVING_SOON_RATE:
        end = ledger.as_of + dt.timedelta(days=int(rng.integers(30, 330)))
        leaving = str(rng.choice(LEAVING_REASONS))
    person = ledger.person()
    if tenure_days > 3 * 365 and rng.random() < CONTRACT_RENEWED_RATE:
        renewed = start + dt.timedelta(days=int(tenure_days / 2))
        ledger.add(
            post,
            "holding",
            person_id=person,
            start=start,
            end=renewed - dt.timedelta(days=1),
            basis="substantive",
            leaving_reason="",
        )
        start = renewed
    ledger.add(
        post,
        "holding",
        person_id=person,
        start=start,
        end=end,
        basis="substantive",
        leaving_reason=leaving,
    )
    _predecessor(ledger, post, start)


def _predecessor(ledger: _Ledger, post: dict, successor_start: dt.date) -> None:
    """The holder before: left the day before, or with a vacancy (covered by an interim half
    the time) between them."""
    rng = ledger.rng
    gap = int(rng.integers(30, 200)) if rng.random() < 0.5 else 0
    left = successor_start - dt.timedelta(days=gap + 1)
    ledger.left_on(post, left, served_at_least=400)
    if gap:
        ledger.add(
            post,
            "vacancy",
            start=left + dt.timedelta(days=1),
            end=successor_start,
            recruitment_rounds=str(int(rng.integers(1, 4))),
            recruitment_route=str(rng.choice(ROUTES)),
        )
        if rng.random() < 0.5:
            ledger.add(
                post,
                "holding",
                person_id=ledger.person(),
                start=left + dt.timedelta(days=1),
                end=successor_start - dt.timedelta(days=1),
                basis="interim",
                leaving_reason="end of interim",
            )


def _vacant(ledger: _Ledger, post: dict) -> None:
    rng = ledger.rng
    if rng.random() < NEVER_FILLED_RATE:
        ledger.add(post, "post")
        ledger.add(post, "vacancy", start=ledger.days_ago(rng.integers(14, 200)), end=None)
        return
    left = ledger.days_ago(rng.integers(14, 300))
    ledger.left_on(post, left, served_at_least=300)
    ledger.add(
        post,
        "vacancy",
        start=left + dt.timedelta(days=1),
        end=None,
        recruitment_rounds=str(int(rng.integers(1, 4))),
    )


def _interim(ledger: _Ledger, post: dict) -> None:
    rng = ledger.rng
    start = ledger.days_ago(rng.integers(10, 400))
    left = start - dt.timedelta(days=1)
    ledger.left_on(post, left, served_at_least=300)
    ledger.add(
        post,
        "holding",
        person_id=ledger.person(),
        start=start,
        end=None,
        basis="interim" if rng.random() < 0.7 else "acting",
        leaving_reason="",
    )
    ledger.add(
        post,
        "vacancy",
        start=start,
        end=None,
        recruitment_rounds=str(int(rng.integers(1, 3))),
    )


def _non_executive_post(ledger: _Ledger, post: dict) -> None:
    rng = ledger.rng
    if rng.random() < 0.05:
        _vacant(ledger, post)
        return
    start = ledger.days_ago(rng.integers(30, 6 * 365))
    ledger.add(
        post,
        "holding",
        person_id=ledger.person(),
        start=start,
        end=None,
        basis="substantive",
        leaving_reason="",
    )
