"""SYNTHETIC talent pools, succession plans and diversity targets for the demo. Nothing here is
real data: every person is invented and stored with ``synthetic`` set, so every page that shows
one says so. The model is documented in docs/reference/leadership.md; the board ledger they go
with is :mod:`candour.analytics.leadership.synthetic`. Deterministic for the same inputs and seed
(NumPy's PCG64).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import polars as pl

from candour.analytics.leadership.constants import (
    CHIEF_EXECUTIVE,
    MOBILITY,
    POOL_KINDS,
    READINESS,
)
from candour.analytics.leadership.frames import as_polars
from candour.analytics.leadership.synthetic import DEFAULT_SEED

# Pool mix, readiness, mobility and routes into pools: assumptions for the demo.
POOL_MIX: Final = (0.5, 0.35, 0.15)  # aspiring director, existing director, chief executive
READINESS_MIX: Final = (0.35, 0.4, 0.25)
MOBILITY_MIX: Final = (0.15, 0.3, 0.45, 0.1)
NOMINATIONS: Final = ("self", "line_manager", "chief_executive", "assessment_panel")
PEOPLE_PER_ORGANISATION: Final = 7  # Poisson mean
OTHER_SECTOR_RATE: Final = 0.12
OTHER_SECTORS: Final = (
    "local government",
    "armed forces",
    "private sector",
    "charity",
    "higher education",
)
# Share of people from Black, Asian and minority ethnic backgrounds (NHS workforce statistics
# put London near 45% and England near 24% for 2023: rounded assumptions for the demo), and the
# share with no consented ethnicity recorded.
BME_SHARE: Final = {"Y56": 0.45}
BME_SHARE_ELSEWHERE: Final = 0.2
NOT_STATED_RATE: Final = 0.1
DIRECTOR_ROLES: Final = ("finance", "nursing", "medical", "operations", "people", "other")
GIVEN_NAMES: Final = (
    "Alex", "Amira", "Ben", "Chidi", "Chloe", "Daniel", "Deepa", "Eilidh", "Farah", "Grace",
    "Hannah", "Imran", "Jasmine", "Kwame", "Laura", "Mei", "Mohammed", "Niamh", "Oliver",
    "Priya", "Rhys", "Sara", "Tomasz", "Yusuf", "Zainab",
)  # fmt: skip
FAMILY_NAMES: Final = (
    "Adeyemi", "Ahmed", "Bennett", "Chen", "Clarke", "Davies", "Evans", "Fraser", "Ghosh",
    "Hughes", "Iqbal", "Jones", "Khan", "Lewis", "Mensah", "Nowak", "Okafor", "Patel", "Quinn",
    "Roberts", "Singh", "Taylor", "Walker", "Wright", "Young",
)  # fmt: skip


def synthetic_talent(organisations: Any, *, seed: int = DEFAULT_SEED) -> dict[str, pl.DataFrame]:
    """SYNTHETIC people and pool memberships for the organisations given (``ods_code``,
    ``region_code``). Returns ``people`` (``person_id, name, ods_code, ethnicity`` -
    ``bme``, ``white`` or null for not stated - ``other_sector``) and ``memberships``
    (``person_id, region_code, pool, readiness, mobility, target_roles, nomination``).
    Deterministic for the same inputs."""
    organisations = as_polars(organisations).select("ods_code", "region_code").sort("ods_code")
    rng = np.random.Generator(np.random.PCG64(seed + 1))
    people, memberships = [], []
    for ods_code, region_code in organisations.iter_rows():
        for _ in range(int(rng.poisson(PEOPLE_PER_ORGANISATION))):
            person_id = f"SYNP{len(people) + 1:06d}"
            people.append(_person(rng, person_id, ods_code, region_code))
            memberships.append(_membership(rng, person_id, region_code))
    return {
        "people": pl.DataFrame(
            people,
            schema={
                "person_id": pl.String,
                "name": pl.String,
                "ods_code": pl.String,
                "ethnicity": pl.String,
                "other_sector": pl.String,
            },
            orient="row",
        ),
        "memberships": pl.DataFrame(
            memberships,
            schema={
                "person_id": pl.String,
                "region_code": pl.String,
                "pool": pl.String,
                "readiness": pl.String,
                "mobility": pl.String,
                "target_roles": pl.List(pl.String),
                "nomination": pl.String,
            },
            orient="row",
        ),
    }


def _person(rng: np.random.Generator, person_id: str, ods_code: str, region_code: str) -> tuple:
    name = f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}"
    draw = rng.random()
    bme = BME_SHARE.get(region_code, BME_SHARE_ELSEWHERE)
    ethnicity = None if draw < NOT_STATED_RATE else "bme" if rng.random() < bme else "white"
    sector = str(rng.choice(OTHER_SECTORS)) if rng.random() < OTHER_SECTOR_RATE else ""
    return (person_id, name, ods_code, ethnicity, sector)


def _membership(rng: np.random.Generator, person_id: str, region_code: str) -> tuple:
    pool = str(rng.choice(POOL_KINDS, p=POOL_MIX))
    if pool == "chief_executive":
        roles = [CHIEF_EXECUTIVE]
    else:
        roles = sorted({str(r) for r in rng.choice(DIRECTOR_ROLES, size=int(rng.integers(1, 3)))})
        if pool == "existing_director" and rng.random() < 0.3:
            roles.append(CHIEF_EXECUTIVE)
    return (
        person_id,
        region_code,
        pool,
        str(rng.choice(READINESS, p=READINESS_MIX)),
        str(rng.choice(MOBILITY, p=MOBILITY_MIX)),
        roles,
        str(rng.choice(NOMINATIONS)),
    )


def synthetic_diversity_targets(organisations: Any, *, seed: int = DEFAULT_SEED) -> pl.DataFrame:
    """SYNTHETIC targets (``ods_code, target``): each organisation's aimed-for share of people
    from Black, Asian and minority ethnic backgrounds, near its region's workforce share (as
    the Model Employer strategy asks), rounded to whole percentages."""
    organisations = as_polars(organisations).select("ods_code", "region_code").sort("ods_code")
    rng = np.random.Generator(np.random.PCG64(seed + 2))
    targets = [
        round(
            min(max(BME_SHARE.get(region, BME_SHARE_ELSEWHERE) + rng.normal(0, 0.05), 0.05), 0.8),
            2,
        )
        for region in organisations["region_code"]
    ]
    return organisations.select("ods_code").with_columns(
        pl.Series("target", targets, dtype=pl.Float64)
    )


# --------------------------------------------------------------------------- succession plans

CRITICAL_ROLES: Final = (CHIEF_EXECUTIVE, "finance", "nursing", "medical")
MAX_SUCCESSORS: Final = 3


def synthetic_succession(
    posts: Any, people: Any, memberships: Any, *, seed: int = DEFAULT_SEED
) -> dict[str, pl.DataFrame]:
    """SYNTHETIC succession plans for the critical posts (chief executive, finance, nursing,
    medical) in ``posts`` (``post_id, ods_code, region_code, role``): up to three ranked
    successors drawn from the region's pool members who target the role, and emergency cover by
    a pool member of the same organisation when there is one. Risk follows the successors:
    ``low`` with a successor ready now, ``high`` with none, else ``medium``. Returns ``plans``
    (``post_id, risk, emergency_cover``) and ``successors`` (``post_id, person_id, rank``)."""
    posts = as_polars(posts).filter(pl.col("role").is_in(CRITICAL_ROLES)).sort("post_id")
    pool = as_polars(memberships).join(
        as_polars(people).select("person_id", pl.col("ods_code").alias("home")), on="person_id"
    )
    rng = np.random.Generator(np.random.PCG64(seed + 3))
    plans, successors = [], []
    for post_id, ods_code, region_code, role in posts.select(
        "post_id", "ods_code", "region_code", "role"
    ).iter_rows():
        eligible = pool.filter(
            (pl.col("region_code") == region_code) & pl.col("target_roles").list.contains(role)
        ).unique("person_id", keep="first", maintain_order=True)
        chosen = (
            eligible.sample(
                min(int(rng.integers(0, MAX_SUCCESSORS + 1)), eligible.height),
                seed=int(rng.integers(0, 2**31)),
            )
            if eligible.height
            else eligible
        )
        for rank, person_id in enumerate(chosen["person_id"], start=1):
            successors.append((post_id, person_id, rank))
        cover = pool.filter(pl.col("home") == ods_code)["person_id"].head(1).to_list()
        ready = chosen.filter(pl.col("readiness") == "ready_now").height
        risk = "low" if ready else ("medium" if chosen.height else "high")
        plans.append((post_id, risk, cover[0] if cover else None))
    return {
        "plans": pl.DataFrame(
            plans,
            schema={"post_id": pl.String, "risk": pl.String, "emergency_cover": pl.String},
            orient="row",
        ),
        "successors": pl.DataFrame(
            successors,
            schema={"post_id": pl.String, "person_id": pl.String, "rank": pl.Int64},
            orient="row",
        ),
    }
