"""What the oversight pages show: the materialised assessment (candour.web.oversight.assessment)
read per organisation, region and measure, and the Making Data Count charts.

- SPC: one XmR series per organisation and measure, its limits rebased at every registered break
  that falls inside it (data/breaks.toml, and each merger), each measure's improvement direction,
  and the target in effect at the series' latest date.
- Funnels: each proportion measure in its comparison window, within one peer group (never
  community or specialist providers beside acute trusts).
- Charts (and the Making Data Count icons of each organisation's and measure's series) are drawn
  once per data version and stored (candour.web.oversight.chart_store): ``candour charts render``
  draws them after the data change; a new import or target redraws them and nothing else does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

import polars as pl

from candour.analytics.concern.constants import CONCERN_LEVELS, LEVEL_RANK, NO_RECENT_DATA
from candour.analytics.spc import SPCResult, spc
from candour.exceptions import UserError
from candour.importers.assessment import breaks_frame
from candour.web.oversight import assessment, chart_store
from candour.web.oversight.chart_options import funnel_chart_options, spc_chart_options
from candour.web.oversight.models import Measure, Organisation, Target

SERIES_KEY = ("measure_id", "ods_code")
# Series shorter than this get no SPC chart: too short for any run rule (shift and trend need 7
# points; NHSRplotthedots warns below 12, and Candour shows that warning for 8 to 11 points).
MIN_SPC_POINTS = 8
PROPORTION = "proportion"


# --- The assessment, per organisation, region and measure -----------------------------------------


def flag_key(flag: dict) -> str:
    """A stable name for a flag, so a person can raise it as a concern: kind, measure, related."""
    return ":".join(
        filter(None, (flag["kind"], flag.get("measure_id"), flag.get("related_measure_id")))
    )


def organisation_picture(ods_code: str, result=None) -> dict:
    """An organisation's status row, its flags (worst first, concerns then "no recent data"),
    each measure's row (compared, reassured, no recent data or history, with its window) and the
    system-wide findings for its peer group, from ``result`` (default: the current assessment;
    the board pack passes a replay of a past date)."""
    result = assessment.current() if result is None else result
    row = result.organisations.filter(pl.col("ods_code") == ods_code)
    flags = [dict(f, key=flag_key(f)) for f in result.flags_for(ods_code).iter_rows(named=True)]
    measures = {m["measure_id"]: m for m in result.measures.iter_rows(named=True)}
    by_measure = [
        dict(r, measure=measures[r["measure_id"]])
        for r in result.by_measure.filter(pl.col("ods_code") == ods_code).iter_rows(named=True)
    ]
    headline = row.row(0, named=True) if row.height else None
    group = headline["peer_group"] if headline else None
    system = (
        [
            dict(s, measure=measures[s["measure_id"]])
            for s in result.system.filter(
                (pl.col("peer_group") == group) & pl.col("system_wide")
            ).iter_rows(named=True)
        ]
        if group
        else []
    )
    return {
        "as_of": result.as_of,
        "headline": headline,
        "flags": [f for f in flags if f["level"] in CONCERN_LEVELS],
        "missing": [f for f in flags if f["level"] == NO_RECENT_DATA],
        "by_measure": sorted(by_measure, key=_measure_order),
        "system": system,
    }


def _measure_order(row: dict) -> tuple:
    return (-LEVEL_RANK.get(row["status"], 0), row["domain"], row["measure"]["name"])


def find_flag(ods_code: str, key: str) -> dict | None:
    return next((f for f in organisation_picture(ods_code)["flags"] if f["key"] == key), None)


def ranking(region_code: str = "") -> list[dict]:
    """Every open organisation (of a region, or nationally), ordered by concern: status first,
    then the headline (its worst test against its threshold), never an average."""
    result = assessment.current()
    organisations = Organisation.objects.filter(close_date__isnull=True, successor__isnull=True)
    if region_code:
        organisations = organisations.filter(region_code=region_code)
    named = {o.ods_code: o for o in organisations}
    rows = {
        r["ods_code"]: r
        for r in result.organisations.filter(pl.col("ods_code").is_in(list(named))).iter_rows(
            named=True
        )
    }
    worst = _worst_flags(result, list(named))
    data_as_of = _data_as_of(result)
    listed = [
        {
            "organisation": organisation,
            "assessment": rows.get(code),
            "worst_flag": worst.get(code),
            "data_as_of": data_as_of.get(rows[code]["peer_group"]) if code in rows else None,
        }
        for code, organisation in named.items()
    ]
    return sorted(listed, key=_concern_order)


def _concern_order(item: dict) -> tuple:
    row = item["assessment"]
    if row is None:
        return (1, 0, 0.0, item["organisation"].name)
    headline = row["headline"] if row["headline"] is not None else float("-inf")
    return (0, -LEVEL_RANK.get(row["status"], 0), -headline, item["organisation"].name)


def _worst_flags(result, codes: list[str]) -> dict[str, dict]:
    flags = result.flags.filter(
        pl.col("ods_code").is_in(codes) & pl.col("level").is_in(list(CONCERN_LEVELS))
    )
    worst = {}
    for flag in flags.iter_rows(named=True):
        worst.setdefault(flag["ods_code"], flag)
    return worst


def _data_as_of(result) -> dict[str, date]:
    """Per peer group, the latest period end among its current windows."""
    current = result.windows.filter(pl.col("state") == "current")
    return dict(current.group_by("peer_group").agg(pl.col("period_end").max()).iter_rows())


def region_ranking(region_code: str) -> list[dict]:
    return ranking(region_code)


def measure_windows(measure: Measure) -> list[dict]:
    """The measure's window per peer group: the period compared, how many reported, its state."""
    result = assessment.current()
    return list(
        result.windows.filter(pl.col("measure_id") == measure.pk)
        .sort("peer_group")
        .iter_rows(named=True)
    )


def measure_summary(measure: Measure, region_code: str = "") -> list[dict]:
    """Per open organisation reporting the measure: its assessment row for it (period, value,
    similar organisations' value, finding) and its series' Making Data Count icons."""
    result = assessment.current()
    organisations = Organisation.objects.filter(close_date__isnull=True, successor__isnull=True)
    if region_code:
        organisations = organisations.filter(region_code=region_code)
    named = {o.ods_code: o for o in organisations}
    icons = {row["ods_code"]: row for row in measure_icons(measure).iter_rows(named=True)}
    rows = [
        dict(r, organisation=named[r["ods_code"]], icons=icons.get(r["ods_code"]))
        for r in result.by_measure.filter(pl.col("measure_id") == measure.pk).iter_rows(named=True)
        if r["ods_code"] in named
    ]
    return sorted(rows, key=lambda r: (-LEVEL_RANK.get(r["status"], 0), r["organisation"].name))


def measure_icons(measure: Measure) -> pl.DataFrame:
    """Every series' variation and assurance icons for one measure (stored per data version)."""

    def compute() -> bytes:
        return chart_store.frame_bytes(
            latest_series_icons(
                compute_spc(assessment.observations_frame(measure_ids=[measure.pk]))
            )
        )

    return chart_store.frame_of(
        chart_store.stored(chart_store.MEASURE_ICONS, measure.pk, compute).body
    )


def organisation_icons(ods_code: str, codes: list[str]) -> pl.DataFrame:
    """The icons of the series an organisation's page shows (``codes``: its own and its
    predecessors'), stored per data version."""

    def compute() -> bytes:
        return chart_store.frame_bytes(latest_series_icons(organisation_spc(codes)))

    return chart_store.frame_of(
        chart_store.stored(chart_store.ORGANISATION_ICONS, ods_code, compute).body
    )


def speakup_themes(ods_code: str) -> dict | None:
    """An organisation's published speak-up theme counts by quarter, for its page; None if it
    had no case in the period."""
    from candour.web.speakup.queries import Quarter
    from candour.web.speakup.returns import THEME_MEASURES

    own = assessment.speakup_published().filter(pl.col("ods_code") == ods_code)
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


# --- SPC charts ----------------------------------------------------------------------------------


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
    for target in Target.objects.filter(status=Target.Status.PUBLISHED):
        by_measure.setdefault(target.measure_id, []).append(target)
    return by_measure


def rebase_dates(frame: pl.DataFrame) -> dict[tuple[str, str], tuple[date, ...]]:
    """Per (measure, organisation) series, the registered breaks (and mergers) inside it."""
    breaks = breaks_frame()
    mergers = Organisation.objects.filter(successor__isnull=False, merged_on__isnull=False)
    merged = {}
    for predecessor in mergers:
        merged.setdefault(predecessor.successor_id, set()).add(predecessor.merged_on)
    spans = frame.group_by(SERIES_KEY).agg(
        first=pl.col("period_start").min(), last=pl.col("period_start").max()
    )
    result = {}
    for measure_id, ods_code, first, last in spans.iter_rows():
        dates = {
            d
            for d, m in breaks.select("date", "measure_id").iter_rows()
            if (m is None or m == measure_id) and first < d <= last
        } | {d for d in merged.get(ods_code, ()) if first < d <= last}
        if dates:
            result[(measure_id, ods_code)] = tuple(sorted(dates))
    return result


def compute_spc(frame: pl.DataFrame) -> SPCResult | None:
    """XmR charts for every (measure, organisation) series in ``frame`` with at least
    MIN_SPC_POINTS points, rebased at the breaks inside each."""
    frame = frame.unique(["ods_code", "measure_id", "period_start"], keep="first").filter(
        pl.len().over(SERIES_KEY) >= MIN_SPC_POINTS
    )
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
    for measure_id, ods_code, latest_date in latest.iter_rows():
        key = (measure_id, ods_code)
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
        rebase=rebase_dates(frame) or (),
        source="stored observations",
    )


def organisation_spc(codes: list[str]) -> SPCResult | None:
    return compute_spc(assessment.observations_frame(codes=codes))


def latest_series_icons(result: SPCResult | None) -> pl.DataFrame:
    """Per organisation and measure, the icons of its series' latest point."""
    if result is None:
        return pl.DataFrame(schema={"ods_code": pl.String, "measure_id": pl.String})
    return result.summary.select(
        "ods_code",
        "measure_id",
        "n",
        "latest_date",
        "latest_value",
        "target",
        pl.col("variation_icon").alias("spc_variation"),
        pl.col("assurance_icon").alias("spc_assurance"),
    )


def render_series_chart(result: SPCResult, measure: Measure, ods_code: str) -> str:
    """The SPC chart of one series of ``result`` as SVG (a pure function of its inputs)."""
    from candour.analytics.spc.chart import chart_svg

    return chart_svg(
        result,
        (measure.pk, ods_code),
        title=f"{measure.name}: {ods_code}",
        **spc_chart_options(measure),
    )


def draw_series_chart(measure_id: str, ods_code: str) -> str | None:
    """The SPC chart of an organisation's series of a measure, drawn now (None: too short)."""
    result = compute_spc(assessment.observations_frame(measure_ids=[measure_id], codes=[ods_code]))
    if result is None:
        return None
    return render_series_chart(result, Measure.objects.get(pk=measure_id), ods_code)


def series_chart(measure_id: str, ods_code: str) -> chart_store.Stored | None:
    """The SPC chart of an organisation's series of a measure, as stored for the current data
    (drawn and stored now if it was not); None when there is no such series to chart."""

    def render() -> bytes | None:
        svg = draw_series_chart(measure_id, ods_code)
        return None if svg is None else svg.encode()

    return chart_store.stored(
        chart_store.SERIES, chart_store.series_key(measure_id, ods_code), render
    )


# --- Funnels -------------------------------------------------------------------------------------


def measure_funnel(measure: Measure, peer_group: str | None = None):
    """The proportions funnel (with overdispersion) of a measure within one peer group (by
    default its largest) in that group's comparison window, as (FunnelResult, window) — or None
    when there is nothing to draw."""
    from candour.analytics.funnel import funnel

    if measure.unit != PROPORTION:
        return None
    windows = [w for w in measure_windows(measure) if w["state"] == "current"]
    if peer_group:
        windows = [w for w in windows if w["peer_group"] == peer_group]
    if not windows:
        return None
    window = max(windows, key=lambda w: w["n_reporting"])
    result = assessment.current()
    codes = (
        result.organisations.filter(pl.col("peer_group") == window["peer_group"])["ods_code"]
        .unique()
        .to_list()
    )
    rows = assessment.observations_frame(measure_ids=[measure.pk], codes=codes).filter(
        (pl.col("period_start") == window["period_start"])
        & (pl.col("period_type") == window["period_type"])
        & (pl.col("denominator") > 0)
    )
    rows = rows.with_columns(pl.col("numerator").fill_null(pl.col("value") * pl.col("denominator")))
    try:
        drawn = funnel(
            rows.select("ods_code", "numerator", "denominator"),
            numerator="numerator",
            denominator="denominator",
            group="ods_code",
            data_type="PR",
            source=f"{measure.pk} {window['period_start']}",
        )
    except UserError:
        return None  # e.g. every trust at 0% or 100%: no funnel to draw
    return drawn, window


def has_funnel(measure: Measure) -> bool:
    """Whether the measure's page links a funnel: a proportion with a denominator."""
    return measure.unit == PROPORTION and bool(measure.denominator)


def render_funnel(measure: Measure) -> str:
    """The funnel chart of a measure in its window within its largest peer group, as SVG ("" when
    there is nothing to draw)."""
    from candour.analytics.concern.explain import peers, period_label
    from candour.analytics.funnel.chart import funnel_svg

    drawn = measure_funnel(measure)
    if drawn is None:
        return ""
    result, window = drawn
    title = (
        f"{measure.name}: {peers(window['peer_group'])}, "
        f"{period_label(window['period_start'], window['period_type'])}"
    )
    options = funnel_chart_options(measure, peers(window["peer_group"]))
    return funnel_svg(result, title=title, **options)


def funnel_outlier_frame(measure: Measure) -> pl.DataFrame | None:
    """The outliers of the measure's funnel (the chart's), furthest from the average first; None
    when there is no funnel to draw."""
    from candour.analytics.funnel.outliers import outlier_table

    drawn = measure_funnel(measure)
    return None if drawn is None else outlier_table(drawn[0], unit=measure.unit)


def funnel_outlier_bytes(measure: Measure) -> bytes:
    """:func:`funnel_outlier_frame` as stored: a Parquet frame, or nothing when there is no funnel."""
    table = funnel_outlier_frame(measure)
    return b"" if table is None else chart_store.frame_bytes(table)


def funnel_outliers(measure: Measure) -> list[dict] | None:
    """The funnel's outliers as the measure page lists them (stored per data version), each
    with its organisation; None when there is no funnel."""
    body = chart_store.stored(
        chart_store.FUNNEL_OUTLIERS, measure.pk, partial(funnel_outlier_bytes, measure)
    ).body
    if not body:
        return None
    table = chart_store.frame_of(body)
    named = Organisation.objects.in_bulk(table["group"].to_list())
    return [dict(row, organisation=named.get(row["group"])) for row in table.iter_rows(named=True)]


def funnel_chart(measure: Measure) -> chart_store.Stored | None:
    """The measure's funnel as stored for the current data (drawn and stored now if it was not;
    "nothing to draw" is stored too); None when there is none."""
    chart = chart_store.stored(
        chart_store.FUNNEL, measure.pk, lambda: render_funnel(measure).encode()
    )
    return chart if chart.body else None
