"""The concern-first assessment: :func:`assess`, from raw observations to each organisation's
status, and its frozen result.

One step per module: choose comparable windows and drop stale or closed (windows), compare each
organisation with its peers (crosssection), read its own recent data (recent), test target/balance
divergence (divergence), note national standards missed system-wide (system), calibrate one error
rate per organisation (family), then gather flags and statuses here. The method is described,
plain English first, in docs/reference/concern.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from candour.analytics.concern import explain
from candour.analytics.concern.constants import (
    CONCERN_LEVELS,
    DIVERGENCE,
    DOMAINS,
    ELEVATED_RISK,
    FUNNEL,
    KINDS,
    LEVEL_RANK,
    MORTALITY_ALERT,
    NO_EVIDENCE,
    NO_RECENT_DATA,
    NO_RECENT_DATA_KIND,
    NOT_COMPARED,
    RISK,
    SPC,
    SPEAK_UP,
    UNINFORMATIVE,
)
from candour.analytics.concern.crosssection import compare_peers
from candour.analytics.concern.divergence import divergence as divergence_tests
from candour.analytics.concern.family import calibrate
from candour.analytics.concern.inputs import (
    checked_breaks,
    checked_measures,
    checked_observations,
    checked_organisations,
    checked_pairs,
    checked_targets,
)
from candour.analytics.concern.mortality import mortality_flags
from candour.analytics.concern.options import AssessOptions
from candour.analytics.concern.recent import recent_signals
from candour.analytics.concern.speakup import speakup_flags
from candour.analytics.concern.system import system_findings
from candour.analytics.concern.windows import (
    CURRENT,
    applicable,
    comparison_windows,
    eligible,
    in_window,
    missing_recent,
)
from candour.exceptions import OptionError

HISTORY = "history"  # a measure whose data are older than its freshness limit
BELOW_THE_LINE = 1 - 1e-9  # an unflaggable test's headline stops just short of 1

FLAG_SCHEMA = {
    "ods_code": pl.String,
    "kind": pl.String,
    "domain": pl.String,
    "measure_id": pl.String,
    "related_measure_id": pl.String,
    "level": pl.String,
    "period_type": pl.String,
    "period_start": pl.Date,
    "base_start": pl.Date,
    "value": pl.Float64,
    "peer_value": pl.Float64,
    "z": pl.Float64,
    "threshold": pl.Float64,
    "p_adjusted": pl.Float64,
    "sentence": pl.String,
    "details": pl.String,
}
ORGANISATION_SCHEMA = {
    "ods_code": pl.String,
    "name": pl.String,
    "peer_group": pl.String,
    "region_code": pl.String,
    "status": pl.String,
    "headline": pl.Float64,
    "headline_domain": pl.String,
    "headline_measure_id": pl.String,
    "n_flags": pl.Int64,
    "flags": pl.List(pl.String),
    "n_tests": pl.Int64,
    "n_compared": pl.Int64,
    "n_reassured": pl.Int64,
    "n_no_recent": pl.Int64,
    "coverage": pl.Float64,
    "worst_z": pl.Float64,
    "threshold": pl.Float64,
    "elevated_threshold": pl.Float64,
    "p_adjusted": pl.Float64,
}


@dataclass(frozen=True, eq=False)
class Assessment:
    """What :func:`assess` found; every frame is sorted, so the inputs' row order is moot.

    - ``organisations``: one row per organisation open on ``as_of`` (``ORGANISATION_SCHEMA``).
    - ``flags``: every concern (and every "no recent data" notice), worst first (``FLAG_SCHEMA``).
    - ``by_measure``: each organisation x measure it reports: compared, reassured or not, no recent
      data, or history.
    - ``windows``: per measure and peer group, the period compared (or why none), "data as of".
    - ``compared``, ``recent``, ``divergence``: the three kinds of test, with their statistics.
    - ``calibration``: per organisation, its tests, worst z and thresholds.
    - ``system``: national standards and how many of each peer group missed them.
    """

    as_of: date
    options: AssessOptions
    measures: pl.DataFrame
    windows: pl.DataFrame
    compared: pl.DataFrame
    recent: pl.DataFrame
    divergence: pl.DataFrame
    calibration: pl.DataFrame
    system: pl.DataFrame
    by_measure: pl.DataFrame
    flags: pl.DataFrame
    organisations: pl.DataFrame

    def flags_for(self, ods_code: str) -> pl.DataFrame:
        return self.flags.filter(pl.col("ods_code") == ods_code)

    def status(self, ods_code: str) -> str:
        row = self.organisations.filter(pl.col("ods_code") == ods_code)
        if row.height == 0:
            raise KeyError(ods_code)
        return row["status"][0]


def assess(
    observations: Any,
    *,
    measures: Any,
    organisations: Any,
    as_of: date | None = None,
    targets: Any = None,
    pairs: Any = (),
    breaks: Any = None,
    speakup: Any = None,
    mortality: Any = None,
    options: AssessOptions | None = None,
) -> Assessment:
    """Assess every open organisation from raw observations (issue 9 item 1).

        ``observations``, ``measures``, ``organisations``, ``targets``, ``pairs`` and ``breaks`` are
        Polars (or pandas) frames with the columns of :mod:`candour.analytics.concern.inputs`;
        ``pairs`` may be a list of (target, balance) measure ids. Only observations whose period ended
        on or before ``as_of`` are used (default: the latest period end in the observations), so any
        past moment can be replayed. ``speakup`` (published speak-up counts) and ``mortality`` (open
    mortality alerts, :mod:`candour.analytics.concern.mortality`) add reported-event flags.
        Options are checked first (:class:`~candour.exceptions.OptionError`), then each input
        (:class:`~candour.exceptions.DataFileError`, naming the input, row and column).
    """
    options = AssessOptions() if options is None else options
    if not isinstance(options, AssessOptions):
        raise OptionError(f"options must be an AssessOptions; got {type(options).__name__}")
    if as_of is not None and not isinstance(as_of, date):
        raise OptionError(f"as_of must be a date; got {as_of!r}")
    catalogue = checked_measures(measures)
    orgs = checked_organisations(organisations)
    obs = checked_observations(observations, catalogue)
    target_frame = checked_targets(targets, catalogue)
    pair_frame = checked_pairs(pairs, catalogue)
    break_frame = pl.concat([checked_breaks(breaks, catalogue), merger_breaks(orgs)])
    if as_of is None:
        as_of = obs["period_end"].max() if obs.height else date.today()
    obs = obs.filter(pl.col("period_end") <= as_of)

    open_orgs = eligible(orgs, as_of)
    usable = applicable(obs, catalogue, open_orgs)
    windows = comparison_windows(usable, as_of, options)
    current = in_window(usable, windows)
    compared = compare_peers(current, catalogue, options.reassurance_alpha)
    recent = recent_signals(usable, catalogue, windows, break_frame, options)
    diverging = divergence_tests(usable, catalogue, pair_frame, windows, break_frame, options)
    named = {row["measure_id"]: row for row in catalogue.iter_rows(named=True)}
    system = system_findings(current, target_frame, named)
    tests = family_tests(compared, recent, diverging)
    calibration = calibrate(tests.select("ods_code", "test", "z"), options)
    missing = missing_recent(usable, windows)
    flags = gather_flags(tests, calibration, compared, recent, diverging, missing, windows, named)
    if speakup is not None:
        flags = pl.concat([flags, spoken_flags(speakup, open_orgs)])
    if mortality is not None:
        flags = pl.concat([flags, alert_flags(mortality, open_orgs)])
    flags = sort_flags(flags)
    by_measure = measure_rows(usable, windows, compared, missing, flags, catalogue)
    organisation_rows = summarise(
        orgs.filter(
            pl.col("ods_code").is_in(open_orgs["ods_code"].implode())
            | (pl.col("org_type").is_null() & _open(as_of))
        ),
        calibration,
        tests,
        flags,
        by_measure,
    )
    return Assessment(
        as_of=as_of,
        options=options,
        measures=catalogue,
        windows=windows,
        compared=compared,
        recent=recent,
        divergence=diverging,
        calibration=calibration,
        system=system,
        by_measure=by_measure,
        flags=flags,
        organisations=organisation_rows,
    )


def _open(as_of: date) -> pl.Expr:
    closed = pl.col("close_date").is_not_null() & (pl.col("close_date") <= as_of)
    merged = pl.col("successor_code").is_not_null() & (
        pl.col("merged_on").is_null() | (pl.col("merged_on") <= as_of)
    )
    return ~closed & ~merged


def merger_breaks(organisations: pl.DataFrame) -> pl.DataFrame:
    """A break in the successor's series on the day each predecessor merged into it."""
    merged = organisations.filter(
        pl.col("successor_code").is_not_null() & pl.col("merged_on").is_not_null()
    )
    return merged.select(
        date=pl.col("merged_on"),
        measure_id=pl.lit(None, dtype=pl.String),
        ods_code=pl.col("successor_code"),
        reason=pl.format("{} merged into {}", pl.col("ods_code"), pl.col("successor_code")),
    )


# --- The family of tests -----------------------------------------------------------------------


def family_tests(
    compared: pl.DataFrame, recent: pl.DataFrame, diverging: pl.DataFrame
) -> pl.DataFrame:
    """Every test as ``ods_code, kind, test, measure_id, related_measure_id, z, flaggable``
    (an SPC test is flaggable only with a point beyond MDC's process limit)."""
    parts = [
        compared.filter(pl.col("z").is_not_null()).select(
            "ods_code",
            "measure_id",
            "z",
            kind=pl.lit(FUNNEL),
            related_measure_id=pl.lit(None, dtype=pl.String),
            flaggable=pl.lit(True),
        ),
        recent.filter(pl.col("z").is_finite()).select(
            "ods_code",
            "measure_id",
            "z",
            kind=pl.lit(SPC),
            related_measure_id=pl.lit(None, dtype=pl.String),
            flaggable="beyond_limit",
        ),
        diverging.filter(pl.col("z").is_finite()).select(
            "ods_code",
            "z",
            measure_id="target_measure_id",
            related_measure_id="balance_measure_id",
            kind=pl.lit(DIVERGENCE),
            flaggable=pl.lit(True),
        ),
    ]
    tests = pl.concat(
        [
            p.select("ods_code", "kind", "measure_id", "related_measure_id", "z", "flaggable")
            for p in parts
        ]
    )
    return tests.with_columns(
        test=pl.concat_str(
            "kind",
            pl.lit(":"),
            "measure_id",
            pl.lit(">"),
            pl.col("related_measure_id").fill_null(""),
        )
    )


def gather_flags(
    tests: pl.DataFrame,
    calibration: pl.DataFrame,
    compared: pl.DataFrame,
    recent: pl.DataFrame,
    diverging: pl.DataFrame,
    missing: pl.DataFrame,
    windows: pl.DataFrame,
    named: dict[str, dict],
) -> pl.DataFrame:
    """Each test at or beyond its organisation's threshold, with its sentence; and a notice for
    each measure with no recent data."""
    thresholds = {row["ods_code"]: row for row in calibration.iter_rows(named=True)}
    flagged = tests.join(calibration.select("ods_code", "threshold"), on="ods_code").filter(
        (pl.col("z") >= pl.col("threshold")) & pl.col("flaggable")
    )
    lookup = {
        FUNNEL: _index(compared, ["ods_code", "measure_id"]),
        SPC: _index(recent, ["ods_code", "measure_id"]),
        DIVERGENCE: _index(diverging, ["ods_code", "target_measure_id", "balance_measure_id"]),
    }
    rows = []
    for test in flagged.iter_rows(named=True):
        calibrated = thresholds[test["ods_code"]]
        level = ELEVATED_RISK if test["z"] >= calibrated["elevated_threshold"] else RISK
        measure = named[test["measure_id"]]
        common = {
            "ods_code": test["ods_code"],
            "kind": test["kind"],
            "measure_id": test["measure_id"],
            "related_measure_id": test["related_measure_id"],
            "level": level,
            "z": test["z"],
            "threshold": calibrated["threshold"],
            "p_adjusted": calibrated["p_adjusted"] if test["z"] == calibrated["worst_z"] else None,
        }
        if test["kind"] == FUNNEL:
            row = lookup[FUNNEL][(test["ods_code"], test["measure_id"])]
            rows.append(
                common
                | {
                    "domain": measure["domain"],
                    "period_type": row["period_type"],
                    "period_start": row["period_start"],
                    "value": row["value"],
                    "peer_value": row["peer_value"],
                    "sentence": explain.funnel_sentence(row, measure),
                    "details": explain.funnel_details(row, calibrated),
                }
            )
        elif test["kind"] == SPC:
            row = lookup[SPC][(test["ods_code"], test["measure_id"])]
            rows.append(
                common
                | {
                    "domain": measure["domain"],
                    "period_type": row["worst_period_type"],
                    "period_start": row["worst_period_start"],
                    "value": row["worst_value"],
                    "peer_value": row["centre"],
                    "sentence": explain.spc_sentence(row, measure),
                    "details": explain.spc_details(row, calibrated),
                }
            )
        else:
            key = (test["ods_code"], test["measure_id"], test["related_measure_id"])
            row = lookup[DIVERGENCE][key]
            balance = named[test["related_measure_id"]]
            rows.append(
                common
                | {
                    "domain": balance["domain"],
                    "period_type": row["period_type"],
                    "period_start": row["now_start"],
                    "base_start": row["base_start"],
                    "value": row["balance_now"],
                    "sentence": explain.divergence_sentence(row, measure, balance),
                    "details": explain.divergence_details(row, calibrated),
                }
            )
    window_of = _index(windows, ["measure_id", "peer_group"])
    for row in missing.iter_rows(named=True):
        measure = named[row["measure_id"]]
        rows.append(
            {
                "ods_code": row["ods_code"],
                "kind": NO_RECENT_DATA_KIND,
                "domain": measure["domain"],
                "measure_id": row["measure_id"],
                "level": NO_RECENT_DATA,
                "sentence": explain.missing_sentence(
                    row, measure, window_of[(row["measure_id"], row["peer_group"])]
                ),
                "details": "",
            }
        )
    return pl.DataFrame(rows, schema=FLAG_SCHEMA) if rows else pl.DataFrame(schema=FLAG_SCHEMA)


def spoken_flags(speakup: Any, open_orgs: pl.DataFrame) -> pl.DataFrame:
    """Reported events from speak-up (not statistical tests, outside the family)."""
    spoken = speakup_flags(speakup).select(
        "ods_code", "domain", "measure_id", "level", sentence="explanation"
    )
    return reported_flags(
        spoken,
        open_orgs,
        kind=SPEAK_UP,
        details=(
            "A reported event, not a statistical test: it counts however few the cases, and it "
            "stays until the guardian's case records show it was answered."
        ),
    )


def alert_flags(alerts: Any, open_orgs: pl.DataFrame) -> pl.DataFrame:
    """Open mortality alerts (rules with their own designed false-alarm rate, outside the
    family)."""
    return reported_flags(
        mortality_flags(alerts).with_columns(measure_id=pl.lit(None, dtype=pl.String)),
        open_orgs,
        kind=MORTALITY_ALERT,
        details=(
            "An O/E CUSUM on the trust's monthly deaths in this diagnosis group crossed its "
            "threshold h, set by simulation for about one false alarm per 1,000 series-years. "
            "It is evidence the trust must answer, not a test in the family above, and it stays "
            "until regional oversight closes the alert on recorded evidence."
        ),
    )


def reported_flags(
    reported: pl.DataFrame, open_orgs: pl.DataFrame, *, kind: str, details: str
) -> pl.DataFrame:
    """Flags of open organisations from reported events: ``reported`` has ``ods_code``,
    ``domain``, ``measure_id``, ``level`` and ``sentence``; the test columns stay empty."""
    given = ("ods_code", "domain", "measure_id", "level", "kind", "sentence", "details")
    return (
        reported.filter(pl.col("ods_code").is_in(open_orgs["ods_code"].implode()))
        .with_columns(kind=pl.lit(kind), details=pl.lit(details))
        .with_columns(
            [pl.lit(None, dtype=t).alias(c) for c, t in FLAG_SCHEMA.items() if c not in given]
        )
        .select([pl.col(c).cast(t) for c, t in FLAG_SCHEMA.items()])
    )


def sort_flags(flags: pl.DataFrame) -> pl.DataFrame:
    return flags.sort(
        pl.col("level").replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int64),
        "z",
        pl.col("kind").cast(pl.Enum(KINDS)),
        "ods_code",
        pl.col("domain").cast(pl.Enum(DOMAINS)),
        "measure_id",
        "related_measure_id",
        descending=[True, True, False, False, False, False, False],
        nulls_last=True,
    )


def _index(frame: pl.DataFrame, keys: list[str]) -> dict:
    return {tuple(row[k] for k in keys): row for row in frame.iter_rows(named=True)}


# --- Organisation x measure, and each organisation ---------------------------------------------


def measure_rows(
    usable: pl.DataFrame,
    windows: pl.DataFrame,
    compared: pl.DataFrame,
    missing: pl.DataFrame,
    flags: pl.DataFrame,
    catalogue: pl.DataFrame,
) -> pl.DataFrame:
    """Every organisation x measure it has reported: compared (flagged, reassured or not), no
    recent data, or history (with its latest period), and the measure's window."""
    key = ["ods_code", "measure_id"]
    latest = (
        usable.sort("period_end")
        .group_by(key)
        .agg(
            pl.col("peer_group").last(),
            last_period_type=pl.col("period_type").last(),
            last_period_start=pl.col("period_start").last(),
            last_value=pl.col("value").last(),
        )
    )
    worst = (
        flags.filter(pl.col("kind").is_in([FUNNEL, SPC]))
        .group_by(key)
        .agg(
            flag_level=pl.col("level")
            .replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int64)
            .max()
        )
    )
    frame = (
        latest.join(
            windows.select(
                "measure_id",
                "peer_group",
                window_state="state",
                window_start="period_start",
                window_end="period_end",
                data_as_of="latest_period_end",
            ),
            on=["measure_id", "peer_group"],
            how="left",
        )
        .join(
            compared.select(*key, "value", "peer_value", "z", "worse_than_share", "reassured"),
            on=key,
            how="left",
        )
        .join(missing.select(*key, missing=pl.lit(True)), on=key, how="left")
        .join(worst, on=key, how="left")
        .join(catalogue.select("measure_id", "domain"), on="measure_id")
    )
    by_rank = {rank: level for level, rank in LEVEL_RANK.items()}
    status = (
        pl.when(pl.col("flag_level").is_not_null())
        .then(pl.col("flag_level").replace_strict(by_rank, return_dtype=pl.String))
        .when(pl.col("missing").fill_null(False))
        .then(pl.lit(NO_RECENT_DATA))
        .when(pl.col("window_state") != CURRENT)
        .then(pl.lit(HISTORY))
        .when(pl.col("reassured").fill_null(False))
        .then(pl.lit(NO_EVIDENCE))
        .when(pl.col("z").is_not_null())
        .then(pl.lit(UNINFORMATIVE))
        .otherwise(pl.lit(NOT_COMPARED))
    )
    return frame.with_columns(status=status).drop("flag_level", "missing").sort(key)


def summarise(
    orgs: pl.DataFrame,
    calibration: pl.DataFrame,
    tests: pl.DataFrame,
    flags: pl.DataFrame,
    by_measure: pl.DataFrame,
) -> pl.DataFrame:
    """One row per organisation: status, headline (worst z / its threshold: 1 is the line of
    risk), the domain and measure of its worst test, its flags' sentences, coverage."""
    # a test that cannot be flagged (an SPC series within its limits) counts towards the
    # headline only up to just below the line of risk, so headline and status never disagree
    effective = (
        tests.join(calibration.select("ods_code", "threshold"), on="ods_code")
        .with_columns(
            effective=pl.when(pl.col("flaggable"))
            .then(pl.col("z"))
            .otherwise(pl.min_horizontal("z", pl.col("threshold") * BELOW_THE_LINE))
        )
        .sort("effective", "kind", "measure_id", descending=[True, False, False])
    )
    worst_test = (
        effective.group_by("ods_code", maintain_order=True)
        .first()
        .select("ods_code", "measure_id", "kind", "related_measure_id", "effective")
    )
    concern = flags.filter(pl.col("level").is_in(list(CONCERN_LEVELS)))
    listed = concern.group_by("ods_code", maintain_order=True).agg(
        n_flags=pl.len().cast(pl.Int64),
        flags=pl.col("sentence"),
        flag_rank=pl.col("level")
        .replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int64)
        .max(),
    )
    counts = by_measure.group_by("ods_code").agg(
        n_compared=pl.col("z").is_not_null().sum().cast(pl.Int64),
        n_reassured=(pl.col("status") == NO_EVIDENCE).sum().cast(pl.Int64),
        n_flagged=pl.col("status").is_in(list(CONCERN_LEVELS)).sum().cast(pl.Int64),
        n_no_recent=(pl.col("status") == NO_RECENT_DATA).sum().cast(pl.Int64),
    )
    frame = (
        orgs.select("ods_code", "name", "region_code", peer_group="org_type")
        .join(calibration, on="ods_code", how="left")
        .join(worst_test, on="ods_code", how="left")
        .join(listed, on="ods_code", how="left")
        .join(counts, on="ods_code", how="left")
        .with_columns(
            pl.col("n_tests", "n_flags", "n_compared", "n_reassured", "n_flagged", "n_no_recent")
            .fill_null(0)
            .cast(pl.Int64),
            pl.col("flags").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
    )
    domains = dict(
        tests.select("measure_id")
        .unique()
        .join(by_measure.select("measure_id", "domain").unique(), on="measure_id", how="left")
        .iter_rows()
    )
    by_rank = {rank: level for level, rank in LEVEL_RANK.items()}
    status = (
        pl.when(pl.col("flag_rank").is_not_null())
        .then(pl.col("flag_rank").replace_strict(by_rank, return_dtype=pl.String))
        .when(pl.col("peer_group").is_null())
        .then(pl.lit(NOT_COMPARED))
        .when((pl.col("n_compared") == 0) & (pl.col("n_tests") == 0) & (pl.col("n_no_recent") > 0))
        .then(pl.lit(NO_RECENT_DATA))
        .when((pl.col("n_compared") == 0) & (pl.col("n_tests") == 0))
        .then(pl.lit(NOT_COMPARED))
        .when((pl.col("n_reassured") == pl.col("n_compared")) & (pl.col("n_no_recent") == 0))
        .then(pl.lit(NO_EVIDENCE))
        .otherwise(pl.lit(UNINFORMATIVE))
    )
    applicable_count = pl.col("n_compared") + pl.col("n_no_recent")
    frame = frame.with_columns(
        status=status,
        headline=pl.col("effective") / pl.col("threshold"),
        headline_domain=pl.when(pl.col("kind") == DIVERGENCE)
        .then(pl.col("related_measure_id"))
        .otherwise(pl.col("measure_id"))
        .replace_strict(domains, default=None, return_dtype=pl.String),
        headline_measure_id=pl.col("measure_id"),
        coverage=pl.when(applicable_count > 0).then(
            (pl.col("n_reassured") + pl.col("n_flagged")) / applicable_count
        ),
    )
    return frame.select([pl.col(c).cast(t) for c, t in ORGANISATION_SCHEMA.items()]).sort(
        "ods_code"
    )
