"""The concern-first assessment: :func:`assess` and its frozen result.

One function per step: weight the catalogue (P6), test each organisation x measure (P1, P2, P7,
SPC), sum each domain against its null distribution (P1), test target/balance divergence (P3),
gather the flags, and take each organisation's worst domain as its headline. The method is
described in docs/reference/concern.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from candour.analytics.concern import explain, rules
from candour.analytics.concern.constants import (
    CONCERN_LEVELS,
    DOMAINS,
    ELEVATED_RISK,
    LEVEL_RANK,
    NO_EVIDENCE,
    RISK,
    SPC_CONCERN_LEVEL,
    STAFF_VOICE,
    TARGET,
    UNINFORMATIVE,
)
from candour.analytics.concern.frames import (
    checked_changes,
    checked_measures,
    checked_pairs,
    checked_signals,
)
from candour.analytics.concern.null import NullDistribution, null_distribution
from candour.analytics.concern.options import ConcernOptions
from candour.analytics.concern.speakup import SPEAKUP_FLAG_KIND, speakup_flags
from candour.exceptions import OptionError

FLAG_KINDS = (
    "measure",
    "domain",
    "divergence",
    "spc",
    SPEAKUP_FLAG_KIND,
)  # the order flags of equal rank are listed

BY_MEASURE_COLUMNS = [
    "ods_code",
    "measure_id",
    "name",
    "domain",
    "role",
    "improvement",
    "weight",
    "weight_used",
    "relevant_change",
    "value",
    "z",
    "se",
    "z_concern",
    "contribution",
    "p",
    "q",
    "power",
    "informative",
    "level",
    "spc_variation",
    "spc_assurance",
    "spc_special_cause",
    "spc_target_fail",
    "spc_concern",
    "status",
    "explanation",
    "spc_explanation",
]
BY_DOMAIN_COLUMNS = [
    "ods_code",
    "domain",
    "n_measures",
    "n_tested",
    "concern",
    "crit",
    "scaled",
    "p",
    "q",
    "test_level",
    "worst_measure",
    "n_measure_flags",
    "coverage",
    "status",
    "explanation",
]
BY_ORGANISATION_COLUMNS = [
    "ods_code",
    "headline",
    "headline_domain",
    "status",
    "coverage",
    "n_measures",
    "n_signals",
    "n_tested",
    "n_informative",
    "n_uninformative",
    "n_flags",
    "flags",
    "explanation",
]
DIVERGENCE_SCHEMA = {
    "ods_code": pl.String,
    "target_measure_id": pl.String,
    "balance_measure_id": pl.String,
    "target_name": pl.String,
    "balance_name": pl.String,
    "domain": pl.String,
    "target_base": pl.Float64,
    "target_now": pl.Float64,
    "balance_base": pl.Float64,
    "balance_now": pl.Float64,
    "dz_target": pl.Float64,
    "dz_balance": pl.Float64,
    "divergence": pl.Float64,
    "p": pl.Float64,
    "level": pl.String,
    "flagged": pl.Boolean,
    "explanation": pl.String,
}
FLAG_SCHEMA = {
    "ods_code": pl.String,
    "kind": pl.String,
    "domain": pl.String,
    "measure_id": pl.String,
    "related_measure_id": pl.String,
    "level": pl.String,
    "p": pl.Float64,
    "q": pl.Float64,
    "explanation": pl.String,
}


@dataclass(frozen=True, eq=False)
class ConcernAssessment:
    """The outcome of :func:`assess`; every frame is sorted, so row order of the inputs is moot.

    - ``measures``: the checked catalogue with ``weight_used`` (after P6) and ``two_sided``.
    - ``domain_nulls``: per domain, ``n_measures`` and ``crit`` (P1's crit_d).
    - ``by_measure``: one row per organisation x measure signalled (columns in
      ``BY_MEASURE_COLUMNS``).
    - ``by_domain``: one row per organisation x domain of the catalogue (``BY_DOMAIN_COLUMNS``).
    - ``by_organisation``: one row per organisation (``BY_ORGANISATION_COLUMNS``); ``flags`` lists
      its flags' explanations, worst first.
    - ``divergence``: one row per organisation x pair with changes on both sides (P3).
    - ``flags``: every concern, worst first.
    """

    options: ConcernOptions
    measures: pl.DataFrame
    domain_nulls: pl.DataFrame
    by_measure: pl.DataFrame
    by_domain: pl.DataFrame
    by_organisation: pl.DataFrame
    divergence: pl.DataFrame
    flags: pl.DataFrame

    def flags_for(self, ods_code: str) -> pl.DataFrame:
        """One organisation's flags, worst first."""
        return self.flags.filter(pl.col("ods_code") == ods_code)

    def headline(self, ods_code: str) -> float:
        """An organisation's headline: its worst domain's scaled concern."""
        row = self.by_organisation.filter(pl.col("ods_code") == ods_code)
        if row.height == 0:
            raise KeyError(ods_code)
        return float(row["headline"][0])


def assess(
    measures: Any,
    signals: Any,
    *,
    changes: Any = None,
    pairs: Any = (),
    speakup: Any = None,
    options: ConcernOptions | None = None,
) -> ConcernAssessment:
    """Assess every organisation in ``signals`` against the catalogue ``measures``.

    ``changes`` and ``pairs`` add P3's target/balance divergence. Inputs are Polars (or pandas)
    frames with the columns of :mod:`candour.analytics.concern.frames`; ``pairs`` may also be a
    list of (target_measure_id, balance_measure_id). ``speakup`` (published speak-up theme
    counts) adds the staff-voice flags of :mod:`candour.analytics.concern.speakup`, which raise
    the organisation's status as a divergence does. Options are checked first
    (:class:`~candour.exceptions.OptionError`), then each input
    (:class:`~candour.exceptions.DataFileError`, naming the input, column and row).
    """
    options = ConcernOptions() if options is None else options
    if not isinstance(options, ConcernOptions):
        raise OptionError(f"options must be a ConcernOptions; got {type(options).__name__}")
    catalogue = weighted_catalogue(checked_measures(measures))
    signalled = checked_signals(signals, catalogue)
    pair_frame = checked_pairs(pairs, catalogue)
    if pair_frame.height and changes is None:
        raise OptionError("pairs were given without changes; P3 divergence needs both")
    change_frame = None if changes is None else checked_changes(changes, catalogue)

    nulls = domain_null_distributions(catalogue)
    domain_nulls = domain_null_table(nulls, options)
    by_measure = assess_measures(catalogue, signalled, options)
    by_domain = assess_domains(by_measure, domain_nulls, nulls, options)
    divergence = assess_divergence(change_frame, pair_frame, catalogue, options)
    spoken = None if speakup is None else speakup_flags(speakup)
    flags = collect_flags(by_measure, by_domain, divergence, spoken)
    by_organisation = assess_organisations(
        by_measure, by_domain, divergence, flags, catalogue, options
    )
    return ConcernAssessment(
        options=options,
        measures=catalogue,
        domain_nulls=domain_nulls,
        by_measure=by_measure,
        by_domain=by_domain,
        by_organisation=by_organisation,
        divergence=divergence,
        flags=flags,
    )


# --- The catalogue -----------------------------------------------------------------------------


def weighted_catalogue(measures: pl.DataFrame) -> pl.DataFrame:
    """P6: staff-voice measures weigh no less than the heaviest target; add ``two_sided``.

    ``weight_used`` = max(weight, largest target weight) for role "staff_voice", else weight. With
    no targets in the catalogue, weights are used as given.
    """
    heaviest_target = pl.col("weight").filter(pl.col("role") == TARGET).max()
    return measures.with_columns(
        weight_used=pl.when(pl.col("role") == STAFF_VOICE)
        .then(pl.max_horizontal(pl.col("weight"), heaviest_target))
        .otherwise(pl.col("weight")),
        two_sided=rules.is_two_sided(pl.col("improvement")),
    ).sort("measure_id")


def domain_null_distributions(catalogue: pl.DataFrame) -> dict[str, NullDistribution]:
    """P1: each domain's null distribution of K over every measure the catalogue puts in it.

    It depends on the catalogue, not on which measures an organisation reported: missing data never
    lowers the bar, and more (favourable) data never raises it.
    """
    return {
        domain: null_distribution(group["weight_used"], group["two_sided"])
        for (domain,), group in catalogue.group_by("domain")
    }


def domain_null_table(nulls: dict[str, NullDistribution], options: ConcernOptions) -> pl.DataFrame:
    """Per domain of the catalogue, in DOMAINS order: n_measures and crit_d."""
    present = [d for d in DOMAINS if d in nulls]
    return pl.DataFrame(
        {
            "domain": present,
            "n_measures": [nulls[d].terms for d in present],
            "crit": [nulls[d].quantile(options.domain_quantile) for d in present],
        },
        schema={"domain": pl.String, "n_measures": pl.Int64, "crit": pl.Float64},
    )


# --- Organisation x measure --------------------------------------------------------------------


def assess_measures(
    catalogue: pl.DataFrame, signals: pl.DataFrame, options: ConcernOptions
) -> pl.DataFrame:
    """P1 contribution, p, BH q (P7), power (P2), level, and the SPC rules, for every signal."""
    frame = (
        signals.join(catalogue, on="measure_id", how="left")
        .with_columns(z_concern=rules.oriented_z(pl.col("z"), pl.col("improvement")))
        .with_columns(
            contribution=rules.concern_contribution(
                pl.col("weight_used"), pl.col("z_concern")
            ).fill_null(0.0),
            spc_special_cause=rules.spc_special_cause_concern(pl.col("spc_variation")),
            spc_target_fail=rules.spc_assurance_fails_target(
                pl.col("spc_assurance"), pl.col("role")
            ),
        )
        .with_columns(spc_concern=pl.col("spc_special_cause") | pl.col("spc_target_fail"))
        .sort("ods_code", "measure_id")
    )
    frame = _with_tests(frame, options)
    frame = frame.with_columns(level=_measure_level(options)).with_columns(
        status=_worst_of(
            pl.col("level"),
            pl.when(pl.col("spc_concern")).then(pl.lit(SPC_CONCERN_LEVEL)),
        )
    )
    frame = _with_text(frame, "explanation", lambda row: explain.measure_explanation(row, options))
    frame = _with_text(frame, "spc_explanation", explain.spc_explanation)
    return frame.select(BY_MEASURE_COLUMNS)


def _with_tests(frame: pl.DataFrame, options: ConcernOptions) -> pl.DataFrame:
    """Add p (one-sided, or two-sided for neutral measures), q over all tests, and power."""
    z = frame["z_concern"].to_numpy(allow_copy=True).astype(float)  # null -> nan
    tested = ~np.isnan(z)
    p = np.full(z.size, np.nan)
    p[tested] = rules.p_value(z[tested], frame["two_sided"].to_numpy()[tested])
    q = np.full(z.size, np.nan)
    q[tested] = rules.benjamini_hochberg(p[tested])
    delta = frame["relevant_change"].to_numpy(allow_copy=True).astype(float)
    se = frame["se"].to_numpy(allow_copy=True).astype(float)
    pi = rules.power(delta, se, options.power_z)  # nan where delta or se is missing
    pi[~tested] = np.nan  # the power of a test not run reassures no one
    return frame.with_columns(
        p=pl.Series(p, nan_to_null=True),
        q=pl.Series(q, nan_to_null=True),
        power=pl.Series(pi, nan_to_null=True),
    ).with_columns(informative=(pl.col("power") >= options.informative_power).fill_null(False))


def _measure_level(options: ConcernOptions) -> pl.Expr:
    """P7 flags at q <= 0.01 and 0.05; silence is "no evidence of concern" only if informative."""
    return (
        pl.when(pl.col("q") <= options.elevated_q)
        .then(pl.lit(ELEVATED_RISK))
        .when(pl.col("q") <= options.risk_q)
        .then(pl.lit(RISK))
        .when(pl.col("q").is_not_null() & pl.col("informative"))
        .then(pl.lit(NO_EVIDENCE))
        .otherwise(pl.lit(UNINFORMATIVE))
    )


# --- Organisation x domain ---------------------------------------------------------------------


def assess_domains(
    by_measure: pl.DataFrame,
    domain_nulls: pl.DataFrame,
    nulls: dict[str, NullDistribution],
    options: ConcernOptions,
) -> pl.DataFrame:
    """P1: K_id = sum of contributions, scaled by crit_d; its p-value, q across organisations x
    domains, and the domain's status: its worst finding, else its coverage (P2)."""
    organisations = by_measure.select("ods_code").unique()
    sums = by_measure.group_by("ods_code", "domain").agg(
        n_tested=pl.col("z").is_not_null().sum().cast(pl.Int64),
        contributions=pl.col("contribution"),
        power_sum=pl.col("power").fill_null(0.0).sum(),
        worst_measure=pl.when(pl.col("contribution").max() > 0).then(
            pl.col("name").sort_by("contribution", "measure_id", descending=[True, False]).first()
        ),
        worst_measure_level=_worst_rank(
            pl.col("status").filter(pl.col("status").is_in(list(CONCERN_LEVELS)))
        ),
        n_measure_flags=pl.col("status").is_in(list(CONCERN_LEVELS)).sum().cast(pl.Int64),
    )
    frame = (
        organisations.join(domain_nulls, how="cross")
        .join(sums, on=["ods_code", "domain"], how="left")
        .with_columns(
            pl.col("n_tested", "n_measure_flags").fill_null(0),
            pl.col("power_sum").fill_null(0.0),
            pl.col("worst_measure_level").fill_null(0),
        )
    )
    concern = exact_sums(frame["contributions"])
    frame = frame.with_columns(
        concern=concern,
        scaled=exact_ratio(concern, frame["crit"]),
        coverage=exact_ratio(frame["power_sum"], frame["n_measures"]),
    ).sort("ods_code", pl.col("domain").cast(pl.Enum(DOMAINS)))
    frame = _with_domain_tests(frame, nulls)
    frame = frame.with_columns(
        test_level=pl.when(pl.col("q") <= options.elevated_q)
        .then(pl.lit(ELEVATED_RISK))
        .when(pl.col("q") <= options.risk_q)
        .then(pl.lit(RISK))
    )
    frame = frame.with_columns(status=_domain_status(options))
    frame = _with_text(frame, "explanation", lambda row: explain.domain_explanation(row, options))
    return frame.select(BY_DOMAIN_COLUMNS)


def exact_sums(lists: pl.Series) -> pl.Series:
    """Each list's sum, correctly rounded (math.fsum): independent of order, and adding a
    favourable result's exact 0 never changes it, so P1's invariants hold to the last bit."""
    return pl.Series([math.fsum(values or ()) for values in lists.to_list()], dtype=pl.Float64)


def exact_ratio(numerator: pl.Series, denominator: pl.Series) -> pl.Series:
    """numerator / denominator, correctly rounded. Polars may divide by multiplying by the
    reciprocal, which can differ in the last bit between frames; NumPy divides."""
    return pl.Series(
        numerator.to_numpy().astype(float) / denominator.to_numpy().astype(float),
        dtype=pl.Float64,
    )


def _with_domain_tests(frame: pl.DataFrame, nulls: dict[str, NullDistribution]) -> pl.DataFrame:
    """p = P(K >= K_id) under the domain's null, for organisation x domains with a test; BH q."""
    concern = frame["concern"].to_numpy()
    tested = frame["n_tested"].to_numpy() > 0
    domains = frame["domain"].to_numpy()
    p = np.full(frame.height, np.nan)
    for domain, null in nulls.items():
        rows = tested & (domains == domain)
        p[rows] = null.p_values(concern[rows])
    q = np.full(frame.height, np.nan)
    q[tested] = rules.benjamini_hochberg(p[tested])
    return frame.with_columns(p=pl.Series(p, nan_to_null=True), q=pl.Series(q, nan_to_null=True))


def _domain_status(options: ConcernOptions) -> pl.Expr:
    """The worse of the domain test and its measures' flags; else reassuring only if covered."""
    finding = _worst_of(pl.col("test_level"), _level_of_rank(pl.col("worst_measure_level")))
    covered = pl.when(pl.col("coverage") >= options.informative_power).then(pl.lit(NO_EVIDENCE))
    return pl.coalesce(finding, covered.otherwise(pl.lit(UNINFORMATIVE)))


# --- Divergence (P3) ---------------------------------------------------------------------------


def assess_divergence(
    changes: pl.DataFrame | None,
    pairs: pl.DataFrame,
    catalogue: pl.DataFrame,
    options: ConcernOptions,
) -> pl.DataFrame:
    """P3: D = min(dz_T, dz_B) per organisation x pair with changes for both measures."""
    if changes is None or pairs.height == 0:
        return pl.DataFrame(schema=DIVERGENCE_SCHEMA)
    moved = changes.join(
        catalogue.select("measure_id", "name", "domain", "improvement"), on="measure_id"
    ).with_columns(
        improved=rules.direction_sign(pl.col("improvement"))
        * rules.change_z(
            pl.col("value_now"),
            pl.col("se_now"),
            pl.col("value_base"),
            pl.col("se_base"),
            pl.col("tau_delta"),
        )
    )
    target = moved.select(
        "ods_code",
        target_measure_id="measure_id",
        target_name="name",
        domain="domain",
        target_base="value_base",
        target_now="value_now",
        dz_target="improved",
    )
    balance = moved.select(
        "ods_code",
        balance_measure_id="measure_id",
        balance_name="name",
        balance_base="value_base",
        balance_now="value_now",
        dz_balance=-pl.col("improved"),
    )
    frame = (
        pairs.join(target, on="target_measure_id")
        .join(balance, on=["ods_code", "balance_measure_id"])
        .sort("ods_code", "target_measure_id", "balance_measure_id")
    )
    d = rules.divergence(frame["dz_target"].to_numpy(), frame["dz_balance"].to_numpy())
    frame = frame.with_columns(
        divergence=pl.Series(d, dtype=pl.Float64),
        p=pl.Series(rules.divergence_p_value(d), dtype=pl.Float64),
    ).with_columns(
        level=pl.when(pl.col("divergence") >= options.divergence_elevated_z)
        .then(pl.lit(ELEVATED_RISK))
        .when(pl.col("divergence") >= options.divergence_z)
        .then(pl.lit(RISK))
    )
    frame = frame.with_columns(flagged=pl.col("level").is_not_null())
    frame = _with_text(
        frame, "explanation", lambda row: explain.divergence_explanation(row, options)
    )
    return frame.select(list(DIVERGENCE_SCHEMA))


# --- Flags and organisations -------------------------------------------------------------------


def collect_flags(
    by_measure: pl.DataFrame,
    by_domain: pl.DataFrame,
    divergence: pl.DataFrame,
    spoken: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every concern, worst first: level, then p (smallest first; SPC has none), then kind."""
    measure = by_measure.filter(pl.col("level").is_in(list(CONCERN_LEVELS))).select(
        "ods_code", "domain", "measure_id", "level", "p", "q", "explanation", kind=pl.lit("measure")
    )
    spc = by_measure.filter(pl.col("spc_concern")).select(
        "ods_code",
        "domain",
        "measure_id",
        level=pl.lit(SPC_CONCERN_LEVEL),
        p=pl.lit(None, dtype=pl.Float64),
        q=pl.lit(None, dtype=pl.Float64),
        explanation="spc_explanation",
        kind=pl.lit("spc"),
    )
    domain = by_domain.filter(pl.col("test_level").is_not_null()).select(
        "ods_code",
        "domain",
        "p",
        "q",
        "explanation",
        level="test_level",
        measure_id=pl.lit(None, dtype=pl.String),
        kind=pl.lit("domain"),
    )
    diverging = divergence.filter(pl.col("flagged")).select(
        "ods_code",
        "domain",
        "level",
        "p",
        "explanation",
        measure_id="target_measure_id",
        related_measure_id="balance_measure_id",
        q=pl.lit(None, dtype=pl.Float64),
        kind=pl.lit("divergence"),
    )
    parts = [measure, spc, domain, diverging]
    if spoken is not None:
        parts.append(spoken.with_columns(kind=pl.lit(SPEAKUP_FLAG_KIND)))
    flags = pl.concat([_with_flag_schema(part) for part in parts])
    return flags.sort(
        pl.col("level").replace_strict(LEVEL_RANK, return_dtype=pl.Int64),
        pl.col("p"),
        pl.col("kind").cast(pl.Enum(FLAG_KINDS)),
        "ods_code",
        pl.col("domain").cast(pl.Enum(DOMAINS)),
        "measure_id",
        "related_measure_id",
        descending=[True, False, False, False, False, False, False],
        nulls_last=True,
    )


def _with_flag_schema(part: pl.DataFrame) -> pl.DataFrame:
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in FLAG_SCHEMA.items() if c not in part]
    return part.with_columns(missing).select(pl.col(c).cast(t) for c, t in FLAG_SCHEMA.items())


def assess_organisations(
    by_measure: pl.DataFrame,
    by_domain: pl.DataFrame,
    divergence: pl.DataFrame,
    flags: pl.DataFrame,
    catalogue: pl.DataFrame,
    options: ConcernOptions,
) -> pl.DataFrame:
    """P1 headline = the worst domain's scaled concern, never an average; status = the worst of
    the domains' statuses and any divergence; coverage = sum of power / catalogue size (P2)."""
    n_measures = catalogue.height
    headline = (
        by_domain.sort(
            "ods_code",
            "scaled",
            pl.col("domain").cast(pl.Enum(DOMAINS)),
            descending=[False, True, False],
        )
        .group_by("ods_code", maintain_order=True)
        .agg(
            headline=pl.col("scaled").first(),
            headline_domain=pl.col("domain").filter(pl.col("scaled") > 0).first(),
            domain_rank=_worst_rank(pl.col("status")),
        )
    )
    counts = by_measure.group_by("ods_code").agg(
        pl.len().alias("n_signals").cast(pl.Int64),
        pl.col("z").is_not_null().sum().alias("n_tested").cast(pl.Int64),
        pl.col("informative").sum().alias("n_informative").cast(pl.Int64),
        (pl.col("level") == UNINFORMATIVE).sum().alias("n_uninformative").cast(pl.Int64),
        power_sum=pl.col("power").fill_null(0.0).sum(),
    )
    counts = counts.with_columns(
        coverage=exact_ratio(counts["power_sum"], pl.Series([n_measures] * counts.height))
    )
    # Divergence and speak-up flags are not part of any domain's score; they raise the status.
    diverging = (
        pl.concat(
            [
                divergence.select("ods_code", "level"),
                flags.filter(pl.col("kind") == SPEAKUP_FLAG_KIND).select("ods_code", "level"),
            ]
        )
        .group_by("ods_code")
        .agg(divergence_rank=_worst_rank(pl.col("level")))
    )
    listed = flags.group_by("ods_code", maintain_order=True).agg(
        n_flags=pl.len(), flags=pl.col("explanation")
    )
    frame = (
        headline.join(counts, on="ods_code", how="left")
        .join(diverging, on="ods_code", how="left")
        .join(listed, on="ods_code", how="left")
        .with_columns(
            n_measures=pl.lit(n_measures, dtype=pl.Int64),
            n_flags=pl.col("n_flags").fill_null(0).cast(pl.Int64),
            flags=pl.col("flags").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            status=_level_of_rank(
                pl.max_horizontal(pl.col("domain_rank"), pl.col("divergence_rank").fill_null(0))
            ),
        )
        .sort("ods_code")
    )
    frame = _with_text(
        frame, "explanation", lambda row: explain.organisation_explanation(row, options)
    )
    return frame.select(BY_ORGANISATION_COLUMNS)


# --- Levels --------------------------------------------------------------------------------------


def _worst_rank(levels: pl.Expr) -> pl.Expr:
    """The rank of the worst level among ``levels`` (0 if none)."""
    return levels.replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int64).max().fill_null(0)


def _level_of_rank(rank: pl.Expr) -> pl.Expr:
    by_rank = {r: level for level, r in LEVEL_RANK.items()}
    return rank.replace_strict(by_rank, default=None, return_dtype=pl.String)


def _worst_of(*levels: pl.Expr) -> pl.Expr:
    """The worst of several level columns, row by row (null where all are null)."""
    ranks = [lv.replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int64) for lv in levels]
    return _level_of_rank(pl.max_horizontal(ranks))


def _with_text(
    frame: pl.DataFrame, column: str, text: Callable[[dict], str | None]
) -> pl.DataFrame:
    """Add a column of sentences, one per row (string formatting is row by row by nature)."""
    values = [text(row) for row in frame.iter_rows(named=True)]
    return frame.with_columns(pl.Series(column, values, dtype=pl.String))
