"""Synthetic national mortality data for trying the charts: no real patient is in it.

No patient-level mortality data is public, so Candour ships this generator. Everything it makes
carries a ``synthetic`` column (always true) and its charts say "SYNTHETIC DATA" in the title.

The model (documented in docs/reference/cusum.md):

* ``trusts`` trusts (codes ``SYN01``, ``SYN02``, ...), each with a size factor drawn from
  Uniform(0.5, 1.5), monitored in every group of :data:`GROUPS`;
* per trust and group, patients arrive as a Poisson process over ``years`` years from
  ``start``: the count is Poisson(group volume x size x years), the dates uniform;
* each patient has a Parsonnet-like score min(71, NegBin(size 1.1, mean 9)) (Steiner et al.
  2000's cardiac-surgery case mix, as the conformance cases) and a predicted risk
  p = logistic(-3.68 + group offset + 0.077 x score), rounded to 8 significant figures;
* the outcome is Bernoulli(p), except in ``planted`` trusts: from ``change`` (by default half-way)
  one group (the first for the first planted trust, the second for the next, ...) has its odds of
  death doubled, p' = 2p / (1 - p + 2p).

The same seed gives the same data. :func:`monthly_observed_expected` aggregates the patients into
NHS Digital's SHMI layout (observed and expected deaths per trust, group and month).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from candour.analytics.cusum.design import true_risk
from candour.exceptions import OptionError

# Steiner et al. (2000), as the conformance README's data: Parsonnet-like score and logistic risk.
PARSONNET_NEGBIN_SIZE = 1.1
PARSONNET_NEGBIN_MEAN = 9.0
PARSONNET_MAX = 71
RISK_INTERCEPT = -3.68
RISK_SLOPE = 0.077
RISK_SIGNIFICANT_FIGURES = 8
PLANTED_ODDS_RATIO = 2.0  # "a doubling of odds": the change Imperial's alerts look for

# (group, offset added to the intercept, patients per trust per year at size 1)
GROUPS = (
    ("Cardiac surgery", 0.0, 350),
    ("Hip fracture", 0.35, 300),
    ("Stroke", 0.7, 250),
    ("Pneumonia", 0.55, 400),
)
SYNTHETIC = "synthetic"
SYNTHETIC_NOTE = "SYNTHETIC DATA (candour.analytics.cusum.synthetic): no real patients"


@dataclass(frozen=True)
class Planted:
    """A series whose odds of death were doubled from ``change`` on."""

    trust: str
    group: str
    change: dt.date
    odds_ratio: float = PLANTED_ODDS_RATIO


@dataclass(frozen=True)
class SyntheticNation:
    patients: pl.DataFrame  # trust, group, date, outcome, risk, score, synthetic
    planted: tuple[Planted, ...]

    def planted_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "trust": [p.trust for p in self.planted],
                "group": [p.group for p in self.planted],
                "change": [p.change for p in self.planted],
                "odds_ratio": [p.odds_ratio for p in self.planted],
                SYNTHETIC: [True] * len(self.planted),
            },
            schema={
                "trust": pl.String,
                "group": pl.String,
                "change": pl.Date,
                "odds_ratio": pl.Float64,
                SYNTHETIC: pl.Boolean,
            },
        )


def trust_codes(n: int) -> list[str]:
    return [f"SYN{i + 1:02d}" for i in range(n)]


def _checked_codes(codes: Sequence[str] | None, trusts: int) -> list[str]:
    if codes is None:
        return trust_codes(trusts)
    codes = list(codes)
    if len(codes) != trusts or len(set(codes)) != trusts:
        raise OptionError(f"codes must name {trusts} different trusts; got {len(codes)}")
    return codes


def _checked_plant(plant: Sequence[tuple[str, str]], codes: list[str]) -> list[tuple[str, str]]:
    groups = [name for name, _, _ in GROUPS]
    for code, group in plant:
        if code not in codes:
            raise OptionError(f"cannot plant a change at {code!r}: it is not one of the trusts")
        if group not in groups:
            raise OptionError(f"cannot plant a change in {group!r}: the groups are {groups}")
    return list(plant)


def parsonnet_scores(rng: np.random.Generator, n: int) -> np.ndarray:
    """min(71, NegBin(size, mean)): NumPy's negative binomial takes p = size / (size + mean)."""
    p = PARSONNET_NEGBIN_SIZE / (PARSONNET_NEGBIN_SIZE + PARSONNET_NEGBIN_MEAN)
    return np.minimum(rng.negative_binomial(PARSONNET_NEGBIN_SIZE, p, n), PARSONNET_MAX)


def predicted_risk(score: np.ndarray, offset: float) -> np.ndarray:
    logit = RISK_INTERCEPT + offset + RISK_SLOPE * score
    risk = 1.0 / (1.0 + np.exp(-logit))
    scale = 10.0 ** (RISK_SIGNIFICANT_FIGURES - 1 - np.floor(np.log10(risk)))
    return np.round(risk * scale) / scale


def dates_from(start: dt.date, day: np.ndarray) -> pl.Series:
    """``start`` plus each number of days."""
    epoch = (start - dt.date(1970, 1, 1)).days
    return pl.Series((day + epoch).astype(np.int32)).cast(pl.Date)


def synthetic_nation(
    *,
    trusts: int = 40,
    planted: int = 4,
    years: float = 3.0,
    start: dt.date = dt.date(2022, 4, 1),
    change: dt.date | None = None,
    seed: int = 20260101,
    codes: Sequence[str] | None = None,
    plant: Sequence[tuple[str, str]] | None = None,
) -> SyntheticNation:
    """Patients of ``trusts`` trusts in every group over ``years`` years; the first ``planted``
    trusts (in a shuffled order) have one group's odds doubled from ``change``.

    ``codes`` names the trusts instead of ``SYN01``... (as many as ``trusts``); ``plant`` names
    the (trust, group) series to plant instead of the shuffled choice (``planted`` is then
    ignored). The same seed gives the same patients either way."""
    rng = np.random.default_rng(seed)
    codes = _checked_codes(codes, trusts)
    days = round(365.25 * years)
    change = change or start + dt.timedelta(days=days // 2)
    sizes = rng.uniform(0.5, 1.5, trusts)
    chosen = rng.permutation(trusts)[:planted]
    plants = tuple(
        Planted(codes[t], GROUPS[i % len(GROUPS)][0], change) for i, t in enumerate(chosen)
    )
    if plant is not None:
        plants = tuple(Planted(code, group, change) for code, group in _checked_plant(plant, codes))
    planted_series = {(p.trust, p.group) for p in plants}
    change_day = (change - start).days
    frames = []
    for t, code in enumerate(codes):
        for group, offset, volume in GROUPS:
            n = int(rng.poisson(volume * sizes[t] * years))
            day = np.sort(rng.integers(0, days, n))
            score = parsonnet_scores(rng, n)
            risk = predicted_risk(score, offset)
            truth = risk
            if (code, group) in planted_series:
                truth = np.where(day >= change_day, true_risk(risk, PLANTED_ODDS_RATIO), risk)
            outcome = (rng.random(n) < truth).astype(np.int8)
            frames.append(
                pl.DataFrame(
                    {
                        "trust": [code] * n,
                        "group": [group] * n,
                        "date": dates_from(start, day),
                        "outcome": outcome,
                        "risk": risk,
                        "score": score.astype(np.int16),
                    },
                    schema={
                        "trust": pl.String,
                        "group": pl.String,
                        "date": pl.Date,
                        "outcome": pl.Int8,
                        "risk": pl.Float64,
                        "score": pl.Int16,
                    },
                )
            )
    patients = pl.concat(frames).with_columns(pl.lit(True).alias(SYNTHETIC))
    # Unsorted, as a national extract would arrive.
    shuffled = patients.sample(fraction=1.0, shuffle=True, seed=seed % (2**32))
    return SyntheticNation(shuffled, plants)


def monthly_observed_expected(patients: pl.DataFrame) -> pl.DataFrame:
    """Observed and expected deaths and spells per trust, group and month, in NHS Digital's
    SHMI layout (expected rounded to 2 decimal places, as SHMI publishes it)."""
    return (
        patients.group_by(
            pl.col("trust").alias("PROVIDER_CODE"),
            pl.col("group").alias("DIAGNOSIS_GROUP"),
            pl.col("date").dt.strftime("%Y-%m").alias("MONTH"),
        )
        .agg(
            pl.len().cast(pl.Int64).alias("SPELLS"),
            pl.col("outcome").cast(pl.Int64).sum().alias("OBSERVED"),
            pl.col("risk").sum().round(2).alias("EXPECTED"),
        )
        .with_columns(
            pl.concat_str(pl.lit("Synthetic trust "), pl.col("PROVIDER_CODE").str.slice(3)).alias(
                "PROVIDER_NAME"
            ),
            pl.lit(True).alias("SYNTHETIC"),
        )
        .sort("PROVIDER_CODE", "DIAGNOSIS_GROUP", "MONTH")
    )


def months_before(month: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` months before ``month``'s."""
    index = month.year * 12 + month.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def synthetic_trust_months(
    names: dict[str, str],
    *,
    plant: Sequence[tuple[str, str]],
    last_month: dt.date,
    years: int = 3,
    seed: int = 20260101,
) -> tuple[pl.DataFrame, SyntheticNation]:
    """A synthetic SHMI-layout file for real trusts (``names``: ODS code -> name), for trying
    the alert workflow: :func:`synthetic_nation` over the ``years`` years up to and including
    ``last_month``, with the (trust, group) series in ``plant`` doubled in odds from half-way.
    Every row is marked SYNTHETIC and its PROVIDER_NAME says so."""
    if not names:
        raise OptionError("name at least one trust to make synthetic data for")
    start = months_before(last_month, years * 12 - 1)
    end = months_before(last_month, -1)
    nation = synthetic_nation(
        trusts=len(names),
        years=(end - start).days / 365.25,
        start=start,
        change=months_before(last_month, years * 6 - 1),
        seed=seed,
        codes=list(names),
        plant=plant,
    )
    monthly = monthly_observed_expected(nation.patients).with_columns(
        pl.col("PROVIDER_CODE")
        .replace_strict(
            {code: f"{name} (SYNTHETIC DATA)" for code, name in names.items()},
            return_dtype=pl.String,
        )
        .alias("PROVIDER_NAME")
    )
    return monthly, nation
