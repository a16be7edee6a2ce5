"""From stored observations to SPC results, funnel signals and the concern-first assessment.

The statistics live in :mod:`candour.analytics` (no Django); this module only gathers what is
stored into frames, passes them in, and caches the results until the next write (every write
appends an audit event, so the audit head's count is the cache's version).

- SPC: one XmR series per organisation, measure and dataset (so a five-year gap between two
  publications is not read as a shift), each measure's improvement direction, and the target in
  effect at the series' latest date (the published target with the latest start, for the
  organisation's type).
- Funnel signals: for each measure with a numerator and denominator, its latest period across
  trusts on a proportions funnel with overdispersion (Spiegelhalter).
- Assessment (P1, P2, P3, P6, P7): the signals, the SPC icons of each organisation's latest series,
  the target/balance pairs of the published targets, and the speak-up themes of the last four
  quarters as published (disclosure-controlled) for the staff-voice flags.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

import polars as pl

from candour.analytics.concern import (
    ConcernAssessment,
    assess,
    funnel_scale_change,
    signals_from_funnel,
)
from candour.analytics.funnel import funnel
from candour.analytics.spc import SPCResult, spc
from candour.exceptions import UserError
from candour.web.core.models import AuditHead
from candour.web.oversight.chart_options import funnel_chart_options, spc_chart_options
from candour.web.oversight.models import Measure, Observation, Organisation, Target

SERIES_KEY = ("measure_id", "ods_code", "dataset")
# Series shorter than this get no SPC: too short for any run rule (shift and trend need 7 points;
# NHSRplotthedots warns below 12, and Candour shows that warning for 8 to 11 points).
MIN_SPC_POINTS = 8
CHART_CACHE_SECONDS = 60 * 60
PROPORTION = "proportion"
# Fewer trusts than this in a period and no funnel is drawn: overdispersion cannot be estimated.
MIN_FUNNEL_GROUPS = 10
# Who a funnel compares: every trust reporting the measure in its latest period.
FUNNEL_PEERS = "all trusts reporting it"
# Staff survey files publish the proportion and the respondents, not the item's count: the
# numerator is estimated as proportion × respondents (documented in docs/reference/concern.md).
ROLE_TARGET, ROLE_BALANCE, ROLE_STAFF_VOICE, ROLE_OTHER = (
    "target",
    "balance",
    "staff_voice",
    "other",
)

_cache: dict[str, tuple[int, object]] = {}
_lock = threading.Lock()


def _version() -> int:
    head = AuditHead.objects.filter(id=1).values_list("count", flat=True).first()
    return head or 0


def cached(name: str, compute):
    """The value of ``compute()``, recomputed only after a write."""
    version = _version()
    with _lock:
        hit = _cache.get(name)
        if hit and hit[0] == version:
            return hit[1]
    value = compute()
    with _lock:
        _cache[name] = (version, value)
    return value


def observations(*, measure_ids=None, codes=None) -> pl.DataFrame:
    rows = Observation.objects.all()
    if measure_ids is not None:
        rows = rows.filter(measure_id__in=list(measure_ids))
    if codes is not None:
        rows = rows.filter(organisation_id__in=list(codes))
    columns = (
        "organisation_id",
        "measure_id",
        "dataset",
        "period_type",
        "period_start",
        "numerator",
        "denominator",
        "value",
    )
    schema = {
        "ods_code": pl.String,
        "measure_id": pl.String,
        "dataset": pl.String,
        "period_type": pl.String,
        "period_start": pl.Date,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "value": pl.Float64,
    }
    return pl.DataFrame(list(rows.values_list(*columns)), schema=schema, orient="row")


@dataclass(frozen=True)
class SeriesTarget:
    target: Target
    threshold: float


def target_in_effect(targets: list[Target], org_type: str, on: date) -> Target | None:
    """The published target for a measure in effect on ``on`` for an organisation of this type;
    where several are (a standard and an interim ambition), the one that started last."""
    applicable = [
        t
        for t in targets
        if t.effective_from <= on
        and (t.effective_to is None or on <= t.effective_to)
        and (not t.organisation_types or org_type in t.organisation_types)
    ]
    return max(applicable, key=lambda t: t.effective_from, default=None)


def published_targets() -> dict[str, list[Target]]:
    by_measure: dict[str, list[Target]] = {}
    for target in Target.objects.filter(status=Target.Status.PUBLISHED).prefetch_related(
        "balancing_measures"
    ):
        by_measure.setdefault(target.measure_id, []).append(target)
    return by_measure


def compute_spc(frame: pl.DataFrame) -> SPCResult | None:
    """XmR charts for every (measure, organisation, dataset) series in ``frame`` with at least
    MIN_SPC_POINTS points."""
    frame = frame.filter(pl.len().over(SERIES_KEY) >= MIN_SPC_POINTS)
    if frame.is_empty():
        return None
    measures = {
        m.pk: m for m in Measure.objects.filter(pk__in=frame["measure_id"].unique().to_list())
    }
    org_types = dict(
        Organisation.objects.filter(pk__in=frame["ods_code"].unique().to_list()).values_list(
            "ods_code", "org_type"
        )
    )
    targets = published_targets()
    latest = frame.group_by(SERIES_KEY).agg(pl.col("period_start").max().alias("latest"))
    improvement, target = {}, {}
    for measure_id, ods_code, dataset, latest_date in latest.iter_rows():
        key = (measure_id, ods_code, dataset)
        improvement[key] = measures[measure_id].improvement
        in_effect = target_in_effect(
            targets.get(measure_id, []), org_types.get(ods_code, ""), latest_date
        )
        if in_effect is not None and measures[measure_id].improvement != "neutral":
            target[key] = in_effect.threshold
    return spc(
        frame.select(*SERIES_KEY, "period_start", "value"),
        value="value",
        date="period_start",
        group=list(SERIES_KEY),
        improvement=improvement,
        target=target or None,
        source="stored observations",
    )


def organisation_spc(codes: list[str]) -> SPCResult | None:
    return compute_spc(observations(codes=codes))


def all_spc() -> SPCResult | None:
    return cached("all_spc", lambda: compute_spc(observations()))


def latest_series_icons(result: SPCResult | None) -> pl.DataFrame:
    """Per organisation and measure, the icons of its most recent series."""
    if result is None:
        return pl.DataFrame(schema={"ods_code": pl.String, "measure_id": pl.String})
    return (
        result.summary.sort("latest_date")
        .group_by("ods_code", "measure_id")
        .agg(pl.all().last())
        .select(
            "ods_code",
            "measure_id",
            "dataset",
            "n",
            "latest_date",
            "latest_value",
            "target",
            pl.col("variation_icon").alias("spc_variation"),
            pl.col("assurance_icon").alias("spc_assurance"),
        )
    )


def measure_funnel(frame: pl.DataFrame, measure: Measure):
    """The proportions funnel (with overdispersion) of a measure over every trust in its latest
    period, as (FunnelResult, period) — or None when there is nothing to draw."""
    rows = frame.filter(
        (pl.col("measure_id") == measure.pk)
        & pl.col("denominator").is_not_null()
        & (pl.col("denominator") > 0)
    )
    if measure.unit != PROPORTION or rows.is_empty():
        return None
    latest = rows["period_start"].max()
    rows = rows.filter(pl.col("period_start") == latest).with_columns(
        pl.col("numerator").fill_null(pl.col("value") * pl.col("denominator"))
    )
    if rows.height < MIN_FUNNEL_GROUPS:
        return None
    try:
        result = funnel(
            rows.select("ods_code", "numerator", "denominator"),
            numerator="numerator",
            denominator="denominator",
            group="ods_code",
            data_type="PR",
            source=f"{measure.pk} {latest}",
        )
    except UserError:
        return None  # e.g. every trust at 0% or 100%: no funnel to draw
    return result, latest


def funnel_signals(frame: pl.DataFrame, measures: dict[str, Measure]) -> pl.DataFrame:
    """z and se of each organisation on each proportion measure, in its latest period."""
    parts = []
    for measure in measures.values():
        drawn = measure_funnel(frame, measure)
        if drawn is None:
            continue
        result, latest = drawn
        parts.append(
            signals_from_funnel(result, measure_id=measure.pk).with_columns(
                pl.lit(latest).alias("period_start")
            )
        )
    if not parts:
        return pl.DataFrame(
            schema={
                "ods_code": pl.String,
                "measure_id": pl.String,
                "z": pl.Float64,
                "se": pl.Float64,
                "value": pl.Float64,
            }
        )
    return pl.concat(parts)


def funnel_chart_svg(measure: Measure) -> str | None:
    """The funnel chart of a measure's latest period across trusts, outliers labelled."""
    from django.core.cache import cache

    from candour.analytics.funnel.chart import funnel_svg

    def render():
        drawn = measure_funnel(observations(measure_ids=[measure.pk]), measure)
        if drawn is None:
            return ""
        result, latest = drawn
        options = funnel_chart_options(measure, FUNNEL_PEERS)
        return funnel_svg(result, title=f"{measure.name}, {latest:%B %Y}", **options)

    key = f"candour:funnel-chart:{_version()}:{measure.pk}"
    return cache.get_or_set(key, render, timeout=CHART_CACHE_SECONDS) or None


def catalogue(measures: dict[str, Measure], frame: pl.DataFrame) -> pl.DataFrame:
    """Each measure's domain, direction, role (target / balance / staff voice / other) and the
    relevant change on the funnel's scale (around the national median)."""
    targets = Target.objects.filter(status=Target.Status.PUBLISHED).prefetch_related(
        "balancing_measures"
    )
    target_ids = {t.measure_id for t in targets}
    balance_ids = {m.pk for t in targets for m in t.balancing_measures.all()}
    rows = []
    for measure in measures.values():
        if measure.improvement == "neutral" and measure.domain != "staff_voice":
            continue  # activity volumes are context, not concern (docs/reference/monitoring.md)
        if measure.pk in target_ids:
            role = ROLE_TARGET
        elif measure.domain == "staff_voice":
            role = ROLE_STAFF_VOICE
        elif measure.pk in balance_ids:
            role = ROLE_BALANCE
        else:
            role = ROLE_OTHER
        rows.append(
            {
                "measure_id": measure.pk,
                "name": measure.name,
                "domain": measure.domain,
                "improvement": measure.improvement,
                "role": role,
                "relevant_change": _relevant_change(measure, frame),
            }
        )
    return pl.DataFrame(rows, schema_overrides={"relevant_change": pl.Float64})


def _relevant_change(measure: Measure, frame: pl.DataFrame) -> float | None:
    if measure.relevant_change is None or measure.unit != PROPORTION:
        return None
    values = frame.filter(pl.col("measure_id") == measure.pk)["value"]
    if values.is_empty():
        return None
    median = float(values.median())
    up = min(median + measure.relevant_change, 0.999)
    if up == median:
        return None
    return funnel_scale_change("PR", baseline=median, changed=up)


def target_balance_pairs() -> list[tuple[str, str]]:
    pairs = set()
    for target in Target.objects.filter(status=Target.Status.PUBLISHED).prefetch_related(
        "balancing_measures"
    ):
        pairs |= {(target.measure_id, m.pk) for m in target.balancing_measures.all()}
    return sorted(pairs)


def changes(frame: pl.DataFrame, measure_ids: set[str]) -> pl.DataFrame:
    """For P3: each organisation's first and latest value of its latest series of each measure,
    with binomial standard errors on the proportion scale."""
    rows = frame.filter(
        pl.col("measure_id").is_in(list(measure_ids))
        & pl.col("denominator").is_not_null()
        & (pl.col("denominator") > 0)
    )
    if rows.is_empty():
        return pl.DataFrame(
            schema={
                k: pl.String if k in ("ods_code", "measure_id") else pl.Float64
                for k in ("ods_code", "measure_id", "value_now", "se_now", "value_base", "se_base")
            }
        )
    latest_dataset = (
        rows.sort("period_start").group_by("ods_code", "measure_id").agg(pl.col("dataset").last())
    )
    rows = rows.join(latest_dataset, on=["ods_code", "measure_id", "dataset"]).sort("period_start")
    se = (pl.col("value") * (1 - pl.col("value")) / pl.col("denominator")).sqrt()
    ends = rows.group_by("ods_code", "measure_id").agg(
        pl.col("value").last().alias("value_now"),
        se.last().alias("se_now"),
        pl.col("value").first().alias("value_base"),
        se.first().alias("se_base"),
        pl.len().alias("n"),
    )
    return ends.filter((pl.col("n") > 1) & (pl.col("se_now") > 0) & (pl.col("se_base") > 0)).drop(
        "n"
    )


def compute_assessment() -> ConcernAssessment | None:
    frame = observations()
    if frame.is_empty():
        return None
    measures = {m.pk: m for m in Measure.objects.all()}
    assessed = catalogue(measures, frame)
    icons = latest_series_icons(all_spc()).filter(
        pl.col("measure_id").is_in(assessed["measure_id"].to_list())
    )
    measures = {k: m for k, m in measures.items() if k in set(assessed["measure_id"])}
    signals = funnel_signals(frame, measures).select("ods_code", "measure_id", "z", "se", "value")
    signals = signals.join(
        icons.select("ods_code", "measure_id", "spc_variation", "spc_assurance"),
        on=["ods_code", "measure_id"],
        how="full",
        coalesce=True,
    )
    pairs = target_balance_pairs()
    paired = {m for pair in pairs for m in pair}
    return assess(
        assessed,
        signals,
        changes=changes(frame, paired) if pairs else None,
        pairs=pairs,
        speakup=speakup_published(),
    )


# Speak-up themes enter the picture for the last year of quarters (the NGO reports by year).
SPEAKUP_QUARTERS = 4


def speakup_published() -> pl.DataFrame:
    """Every organisation's speak-up theme counts for the last :data:`SPEAKUP_QUARTERS`
    quarters (the current one included), as published: through the disclosure control only."""
    from django.utils import timezone

    from candour.web.speakup.queries import recent_quarters
    from candour.web.speakup.returns import speakup_signals

    def compute():
        quarters = recent_quarters(timezone.localdate(), SPEAKUP_QUARTERS)
        return pl.concat([speakup_signals(q) for q in reversed(quarters)])

    return cached("speakup", compute)


def speakup_themes(ods_code: str) -> dict | None:
    """An organisation's published speak-up theme counts by quarter, for its page; None if it
    had no case in the period."""
    from candour.web.speakup.queries import Quarter
    from candour.web.speakup.returns import THEME_MEASURES

    own = speakup_published().filter(pl.col("ods_code") == ods_code)
    if own.is_empty():
        return None
    quarters = sorted(own["quarter"].unique())
    display = {(r["measure_id"], r["quarter"]): r["display"] for r in own.iter_rows(named=True)}
    return {
        "quarters": [Quarter.parse(q) for q in quarters],
        "rows": [
            (label, [display.get((f"speakup_{measure}", q), "0") for q in quarters])
            for measure, label in THEME_MEASURES.items()
        ],
    }


def assessment() -> ConcernAssessment | None:
    return cached("assessment", compute_assessment)


# --- What the pages show ---------------------------------------------------------------------


def flag_key(flag: dict) -> str:
    """A stable name for a flag, so a person can raise it as a concern: kind, measure, related."""
    return ":".join(
        filter(
            None,
            (
                flag["kind"],
                flag.get("measure_id") or flag.get("domain"),
                flag.get("related_measure_id"),
            ),
        )
    )


def organisation_picture(ods_code: str) -> dict:
    """An organisation's headline, flags (worst first) and per-measure assessment rows."""
    result = assessment()
    if result is None:
        return {"headline": None, "flags": [], "by_measure": {}, "by_domain": []}
    headline = result.by_organisation.filter(pl.col("ods_code") == ods_code)
    flags = [dict(f, key=flag_key(f)) for f in result.flags_for(ods_code).iter_rows(named=True)]
    by_measure = {
        row["measure_id"]: row
        for row in result.by_measure.filter(pl.col("ods_code") == ods_code).iter_rows(named=True)
    }
    by_domain = list(
        result.by_domain.filter(pl.col("ods_code") == ods_code)
        .sort("scaled", descending=True, nulls_last=True)
        .iter_rows(named=True)
    )
    return {
        "headline": headline.row(0, named=True) if headline.height else None,
        "flags": flags,
        "by_measure": by_measure,
        "by_domain": by_domain,
    }


def find_flag(ods_code: str, key: str) -> dict | None:
    return next((f for f in organisation_picture(ods_code)["flags"] if f["key"] == key), None)


def region_ranking(region_code: str) -> list[dict]:
    """Every open organisation of a region, ordered by concern: status first (elevated risk, risk,
    uninformative, no evidence), then the headline (the worst domain), never an average."""
    from candour.analytics.concern.constants import LEVEL_RANK

    organisations = {
        o.ods_code: o
        for o in Organisation.objects.filter(
            region_code=region_code, close_date__isnull=True, successor__isnull=True
        )
    }
    result = assessment()
    rows = {}
    if result is not None:
        for row in result.by_organisation.filter(
            pl.col("ods_code").is_in(list(organisations))
        ).iter_rows(named=True):
            rows[row["ods_code"]] = row
        divergence = result.divergence.filter(
            pl.col("flagged") & pl.col("ods_code").is_in(list(organisations))
        )
        flags = result.flags.filter(pl.col("ods_code").is_in(list(organisations)))
    ranking = []
    for code, organisation in organisations.items():
        row = rows.get(code)
        ranking.append(
            {
                "organisation": organisation,
                "assessment": row,
                "flags": list(flags.filter(pl.col("ods_code") == code).iter_rows(named=True))
                if row
                else [],
                "divergence": list(
                    divergence.filter(pl.col("ods_code") == code).iter_rows(named=True)
                )
                if row
                else [],
            }
        )

    def order(item):
        row = item["assessment"]
        if row is None:
            return (1, 0, 0.0, item["organisation"].name)
        return (
            0,
            -LEVEL_RANK.get(row["status"], 0),
            -(row["headline"] or 0.0),
            item["organisation"].name,
        )

    return sorted(ranking, key=order)


def measure_summary(measure: Measure, region_code: str = "") -> list[dict]:
    """MDC's summary table for one measure: every open trust's latest series, value and icons."""
    icons = latest_series_icons(all_spc()).filter(pl.col("measure_id") == measure.pk)
    organisations = Organisation.objects.filter(close_date__isnull=True, successor__isnull=True)
    if region_code:
        organisations = organisations.filter(region_code=region_code)
    names = {o.ods_code: o for o in organisations}
    rows = [
        dict(r, organisation=names[r["ods_code"]])
        for r in icons.iter_rows(named=True)
        if r["ods_code"] in names
    ]
    return sorted(rows, key=lambda r: r["organisation"].name)


def series_chart_svg(measure_id: str, ods_code: str) -> str | None:
    """The SPC chart of an organisation's latest series of a measure, as SVG."""
    from candour.analytics.spc.chart import chart_svg

    def render():
        result = organisation_spc([ods_code])
        if result is None:
            return None
        summary = result.summary.filter(pl.col("measure_id") == measure_id).sort("latest_date")
        if summary.is_empty():
            return None
        dataset = summary["dataset"][-1]
        measure = Measure.objects.get(pk=measure_id)
        return chart_svg(
            result,
            (measure_id, ods_code, dataset),
            title=f"{measure.name}: {ods_code}",
            **spc_chart_options(measure),
        )

    # Charts go in Django's cache (bounded, culled), not the in-process dict: there are thousands.
    from django.core.cache import cache

    key = f"candour:spc-chart:{_version()}:{measure_id}:{ods_code}"
    return cache.get_or_set(key, lambda: render() or "", timeout=CHART_CACHE_SECONDS) or None
