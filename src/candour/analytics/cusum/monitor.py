"""Monitoring observed/expected deaths month by month, as a mortality alert system does: the O/E
CUSUM of every series (trust x diagnosis group) with its threshold designed for a false-alarm
rate per series-year, every signal with the run of months that led to it, and the plain-English
sentence an alert carries. Pure: Polars in, Polars out; no Django.

The threshold. Imperial College set each chart's limit so that, given the unit's own volume, an
in-control chart would signal with a chosen probability (about 0.1%) (Bottle & Aylin 2011). Here
the rate is per *series-year*: a series of n months gets the h at which its chart, in control
over its own expected deaths in time order, would signal at least once with probability
1 - (1 - a)^(n/12) (exact Markov chain, :func:`~candour.analytics.cusum.design.
poisson_threshold_for_false_alarm`). So, with every series in control, about a false alarms a
year are expected per series, and N x a across N monitored series.

The episode of a signal is the run of months from the one where the statistic last rose from 0
(or restarted after a signal) to the signal month: the observed and expected deaths over it are
what the sentence reports.
"""

from __future__ import annotations

import calendar
from collections.abc import Hashable
from dataclasses import dataclass

import polars as pl

from candour.analytics.cusum.constants import IMPERIAL_FALSE_ALARM_RATE, MARKOV_STATES
from candour.analytics.cusum.core import SIGNAL, STATISTIC, poisson_cusum, vlad
from candour.analytics.cusum.design import poisson_threshold_for_false_alarm
from candour.analytics.cusum.options import check_probability, check_ratio
from candour.analytics.cusum.series import series_rows
from candour.exceptions import OptionError

MONTHS_PER_YEAR = 12
# The excess of deaths the alerting chart is tuned to detect: a rate ratio of 1.5, between the
# 20% excess of the conformance O/E examples and the doubling of the odds of death Imperial
# College's patient-level charts look for (at a 5-10% risk of death, a doubling of odds is about
# 1.8 to 1.9 times the deaths). On the synthetic national file it finds every planted series
# earlier than 1.2 and misses none (docs/reference/cusum.md).
ALERT_RATE_RATIO = 1.5
ALERT_FALSE_ALARM_RATE = IMPERIAL_FALSE_ALARM_RATE  # per series-year (Bottle & Aylin 2011)

SERIES = ("ods_code", "group")
MONTH = "month"
OBSERVED = "observed"
EXPECTED = "expected"
SIGNAL_COLUMNS = (
    *SERIES,
    MONTH,
    "statistic",
    "h",
    "episode_start",
    "episode_observed",
    "episode_expected",
)


def per_series_probability(rate_per_year: float, months: int) -> float:
    """The probability over ``months`` months of at least one false alarm that a rate of
    ``rate_per_year`` false alarms per series-year amounts to: 1 - (1 - a)^(months / 12)."""
    rate = check_probability("false_alarm_rate", rate_per_year)
    return 1.0 - (1.0 - rate) ** (months / MONTHS_PER_YEAR)


@dataclass(frozen=True)
class Monitored:
    """The outcome of monitoring: ``charted`` (every row, in series and month order, with
    ``cusum``, ``signal`` and ``vlad``), ``h`` per series key (ods_code, group),
    ``unmonitored`` (series for which no threshold reaches the rate, with the reason),
    ``signals`` (one row per signal: :data:`SIGNAL_COLUMNS`), the options used."""

    charted: pl.DataFrame
    h: dict[Hashable, float]
    unmonitored: dict[Hashable, str]
    signals: pl.DataFrame
    rate_ratio: float
    false_alarm_rate: float

    @property
    def series(self) -> int:
        return len(self.h)

    @property
    def expected_false_alarms_per_year(self) -> float:
        """With every monitored series in control: about one rate's worth a series a year."""
        return self.series * self.false_alarm_rate


def design_per_series_year(
    frame: pl.DataFrame,
    *,
    rate_ratio: float,
    false_alarm_rate: float,
    states: int = MARKOV_STATES,
) -> tuple[dict[Hashable, float], dict[Hashable, str]]:
    """h for each (ods_code, group) series of ``frame`` for ``false_alarm_rate`` per
    series-year; series whose threshold cannot be designed, with the reason."""
    rows = series_rows(
        frame, column=EXPECTED, per_patient=False, group=list(SERIES), order=[MONTH],
        source="monthly deaths",
    )  # fmt: skip
    designed, unmonitored = {}, {}
    for key, expected in zip(rows.keys, rows.values, strict=True):
        probability = per_series_probability(false_alarm_rate, len(expected))
        try:
            designed[key] = poisson_threshold_for_false_alarm(
                expected=expected, rate_ratio=rate_ratio, probability=probability, states=states
            )
        except OptionError as error:
            unmonitored[key] = str(error)
    return designed, unmonitored


def monitor(
    frame: pl.DataFrame,
    *,
    rate_ratio: float = ALERT_RATE_RATIO,
    false_alarm_rate: float = ALERT_FALSE_ALARM_RATE,
    h: dict[Hashable, float] | None = None,
    states: int = MARKOV_STATES,
) -> Monitored:
    """Chart every series of ``frame`` (columns ``ods_code``, ``group``, ``month`` (date),
    ``observed``, ``expected``; others kept) with the upper O/E CUSUM for ``rate_ratio``, each
    series' h designed for ``false_alarm_rate`` per series-year (or taken from ``h``), reset at
    each signal. Bad data raises the core's DataFileError naming the row."""
    ratio = check_ratio("rate_ratio", rate_ratio)
    if ratio <= 1:
        raise OptionError("alerts watch for excess deaths: rate_ratio must be above 1")
    check_probability("false_alarm_rate", false_alarm_rate)
    frame = frame.sort([*SERIES, MONTH])
    unmonitored: dict[Hashable, str] = {}
    if h is None:
        h, unmonitored = design_per_series_year(
            frame, rate_ratio=ratio, false_alarm_rate=false_alarm_rate, states=states
        )
    monitored = frame.join(thresholds_frame(h), on=list(SERIES), how="semi")
    charted = _chart(monitored, ratio, h)
    return Monitored(
        charted=charted,
        h=h,
        unmonitored=unmonitored,
        signals=signals_with_episodes(charted, h),
        rate_ratio=ratio,
        false_alarm_rate=false_alarm_rate,
    )


def thresholds_frame(h: dict[Hashable, float]) -> pl.DataFrame:
    """``h`` (series key -> threshold) as a frame: ods_code, group, h."""
    return pl.DataFrame(
        {"ods_code": [k[0] for k in h], "group": [k[1] for k in h], "h": list(h.values())},
        schema={"ods_code": pl.String, "group": pl.String, "h": pl.Float64},
    )


def _chart(frame: pl.DataFrame, ratio: float, h: dict[Hashable, float]) -> pl.DataFrame:
    options = {"observed": OBSERVED, "expected": EXPECTED, "group": list(SERIES), "order": MONTH}
    if frame.is_empty():
        return frame.with_columns(
            pl.lit(None, pl.Float64).alias(STATISTIC),
            pl.lit(None, pl.Boolean).alias(SIGNAL),
            pl.lit(None, pl.Float64).alias("vlad"),
        )
    charted = poisson_cusum(frame, rate_ratio=ratio, h=h, reset=True, **options)
    return charted.with_columns(vlad(frame, **options).get_column("vlad"))


def signals_with_episodes(charted: pl.DataFrame, h: dict[Hashable, float]) -> pl.DataFrame:
    """One row per signal of ``charted`` (sorted by series then month, reset at each signal):
    the series, the month, the statistic, h, and the episode that led to it (its first month,
    observed and expected deaths from then to the signal)."""
    post_reset = pl.when(pl.col(SIGNAL)).then(0.0).otherwise(pl.col(STATISTIC))
    starts = post_reset.shift(1).over(SERIES).fill_null(0.0) == 0
    episodes = charted.with_columns(starts.cum_sum().over(SERIES).alias("__episode"))
    episode = [*SERIES, "__episode"]
    found = (
        episodes.with_columns(
            pl.col(MONTH).first().over(episode).alias("episode_start"),
            pl.col(OBSERVED).cum_sum().over(episode).alias("episode_observed"),
            pl.col(EXPECTED).cum_sum().over(episode).alias("episode_expected"),
        )
        .filter(pl.col(SIGNAL).fill_null(False))
        .rename({STATISTIC: "statistic"})
    )
    return (
        found.join(thresholds_frame(h), on=list(SERIES), how="left")
        .select(SIGNAL_COLUMNS)
        .with_columns(pl.col("episode_observed").cast(pl.Int64))
    )


# --- Words -------------------------------------------------------------------------------------


def one_in(rate: float) -> str:
    """A false-alarm rate per series-year in words: 0.001 -> "1 false alarm in 1,000
    series-years"."""
    check_probability("false_alarm_rate", rate)
    return f"1 false alarm in {round(1 / rate):,} series-years"


def month_span(start, end) -> str:
    """ "January to June 2025", "December 2024 to March 2025", or "June 2025"."""
    end_words = f"{calendar.month_name[end.month]} {end.year}"
    if (start.year, start.month) == (end.year, end.month):
        return end_words
    start_words = calendar.month_name[start.month]
    if start.year != end.year:
        start_words += f" {start.year}"
    return f"{start_words} to {end_words}"


def group_phrase(group: str) -> str:
    """A diagnosis group as it reads mid-sentence: "Pneumonia" -> "pneumonia", but an
    abbreviation ("COPD", "AMI") stays as it is."""
    if len(group) > 1 and group[0].isupper() and group[1].islower():
        return group[0].lower() + group[1:]
    return group


def alert_sentence(
    *, group: str, observed: int, expected: float, start, end, false_alarm_rate: float
) -> str:
    """What an alert says, in plain English: "Deaths after pneumonia admissions: 34 observed
    against 22.1 expected from January to June 2025, a CUSUM signal (threshold set for 1 false
    alarm in 1,000 series-years)"."""
    span = month_span(start, end)
    joiner = "in" if (start.year, start.month) == (end.year, end.month) else "from"
    return (
        f"Deaths after {group_phrase(group)} admissions: {observed:,} observed against "
        f"{expected:,.1f} expected {joiner} {span}, a CUSUM signal (threshold set for "
        f"{one_in(false_alarm_rate)})"
    )


def expected_false_alarms_sentence(series: int, false_alarm_rate: float) -> str:
    """How many false alarms a year the whole monitoring expects by chance."""
    expected = series * false_alarm_rate
    return (
        f"{series:,} series (trust and diagnosis group) are monitored; with every one in control, "
        f"about {expected:.2g} false alarm{'' if expected == 1 else 's'} a year would be expected "
        "across them by chance"
    )
