"""The board pack: an organisation's integrated performance report, as the organisation page
shows it, gathered once for a PDF (docs/reference/board-pack.md).

Every number comes from the functions the organisation page calls (the concern-first picture,
the SPC icons and charts, the targets beside their balancing measures, the published speak-up
themes, the open mortality alerts), so the pack and the page cannot disagree. ``as_of`` replays
the assessment at a past date (:func:`candour.web.oversight.assessment.compute`) and keeps only
the periods that had ended by then. Nothing here writes: recording that a pack was made is
:func:`candour.web.oversight.actions.record_board_pack`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl
from django.utils import timezone

from candour.analytics.spc.constants import ASSURANCE_WORDS, VARIATION_ICONS, VARIATION_WORDS
from candour.exceptions import OptionError
from candour.importers.catalogue import Source, sources
from candour.web.oversight import assessment, monitoring, queries
from candour.web.oversight.models import Concern, ImportRun, Organisation

# The Making Data Count summary matrix: a row per variation icon, a column per assurance icon
# (NHS England, "Making Data Count: getting started", the icon pairs) and one for series with no
# target; series too short for SPC icons are listed under it.
NO_SPC = "no_spc"  # fewer than monitoring.MIN_SPC_POINTS points: no chart, no icons
NO_TARGET = "no_target"
ASSURANCE_COLUMNS = ("pass", "fail", "inconsistent", NO_TARGET)
MATRIX_ROW_LABELS = {icon: VARIATION_WORDS[icon].capitalize() for icon in VARIATION_ICONS}
MATRIX_COLUMN_LABELS = {
    **{icon: ASSURANCE_WORDS[icon].split(":")[0].capitalize() for icon in ASSURANCE_COLUMNS[:3]},
    NO_TARGET: "No target",
}


class UnknownOrganisation(OptionError):
    """No organisation is held under the ODS code given."""


@dataclass(frozen=True)
class Series:
    """One measure series of the organisation (or of a predecessor, before a merger): its
    latest value, the periods it covers, its SPC icons and where its data come from."""

    trend: queries.MeasureTrend
    first_period: date
    icons: dict | None
    source: Source | None
    imported_on: date | None
    chart_svg: str | None = None

    @property
    def measure(self):
        return self.trend.measure

    @property
    def chart_uri(self) -> str:
        """The chart as a data: URI, so the PDF renderer fetches nothing."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.chart_svg.encode()).decode()

    @property
    def variation(self) -> str:
        return (self.icons or {}).get("spc_variation") or NO_SPC

    @property
    def assurance(self) -> str:
        return (self.icons or {}).get("spc_assurance") or NO_TARGET


@dataclass(frozen=True)
class MatrixRow:
    variation: str
    label: str
    cells: list[list[Series]]


@dataclass(frozen=True)
class BoardPack:
    organisation: Organisation
    as_of: date  # the assessment's date: the latest period end held, or the date replayed
    replayed: bool
    generated_at: datetime
    picture: dict
    concerns_shown: bool
    open_concerns: list[Concern]
    series: list[Series]
    target_rows: list[queries.TargetRow]
    speakup: dict | None
    alerts_shown: bool
    alerts: list[dict]
    synthetic: bool
    matrix: list[MatrixRow] = field(default_factory=list)

    @property
    def charts(self) -> list[Series]:
        return [s for s in self.series if s.chart_svg]

    @property
    def without_spc(self) -> list[Series]:
        return [s for s in self.series if s.variation == NO_SPC]


def organisation_for(ods_code: str) -> Organisation:
    organisation = (
        Organisation.objects.select_related("successor").filter(pk=ods_code.strip().upper()).first()
    )
    if organisation is None:
        raise UnknownOrganisation(
            f"no organisation has the ODS code {ods_code!r}; import the datasets first "
            "(candour import all) or check the code"
        )
    return organisation


def gather(
    organisation: Organisation,
    *,
    as_of: date | None = None,
    concerns_shown: bool = True,
    alerts_shown: bool = True,
) -> BoardPack:
    """Everything the pack shows. ``concerns_shown``/``alerts_shown``: whether the reader may
    see the concerns raised and the mortality alerts (the page's rule; the command sees all)."""
    result = assessment.current() if as_of is None else assessment.compute(as_of=as_of)
    trends = queries.measure_trends(organisation, as_of=as_of)
    codes = sorted({t.organisation_code for t in trends} or {organisation.ods_code})
    spc = series_spc(codes, as_of)
    icons = {
        (row["measure_id"], row["ods_code"]): row
        for row in monitoring.latest_series_icons(spc).iter_rows(named=True)
    }
    series = series_rows(trends, icons, codes, as_of, spc)
    alerts = open_alerts(organisation) if alerts_shown else []
    return BoardPack(
        organisation=organisation,
        as_of=result.as_of,
        replayed=as_of is not None,
        generated_at=timezone.now(),
        picture=monitoring.organisation_picture(organisation.ods_code, result),
        concerns_shown=concerns_shown,
        open_concerns=list(
            organisation.concerns.filter(status=Concern.Status.OPEN).select_related("owner")
        )
        if concerns_shown
        else [],
        series=series,
        target_rows=queries.targets_for(organisation, icons, as_of=as_of),
        speakup=monitoring.speakup_themes(organisation.ods_code),
        alerts_shown=alerts_shown,
        alerts=alerts,
        synthetic=holds_synthetic_data(organisation),
        matrix=mdc_matrix(series),
    )


def series_spc(codes: list[str], as_of: date | None):
    """The SPC of every series of these organisations, as the organisation page computes it;
    for a replay, from the periods that had ended by ``as_of``."""
    if as_of is None:
        return monitoring.organisation_spc(codes)
    frame = assessment.observations_frame(codes=codes)
    ended = frame.filter(pl.col("period_start") <= as_of).filter(
        pl.struct("period_start", "period_type").map_elements(
            lambda row: queries.period_end(row["period_start"], row["period_type"]) <= as_of,
            return_dtype=pl.Boolean,
        )
    )
    return monitoring.compute_spc(ended)


def series_rows(trends, icons: dict, codes: list[str], as_of: date | None, spc) -> list[Series]:
    firsts = first_periods(codes, as_of)
    catalogue = sources()
    imported = imported_on()
    rows = []
    for trend in trends:
        if not trend.points:
            continue
        key = (trend.measure.pk, trend.organisation_code)
        rows.append(
            Series(
                trend=trend,
                first_period=firsts.get((*key, trend.period_type), trend.points[0][0]),
                icons=icons.get(key),
                source=catalogue.get(trend.measure.source),
                imported_on=imported.get(trend.measure.source),
                chart_svg=chart(key, as_of, spc) if key in icons else None,
            )
        )
    return rows


def chart(key: tuple[str, str], as_of: date | None, spc) -> str | None:
    """The series' SPC chart: the organisation page's (cached) chart, or for a replay the same
    chart drawn from the periods that had ended by ``as_of``."""
    measure_id, ods_code = key
    if as_of is None:
        stored = monitoring.series_chart(measure_id, ods_code)
        return None if stored is None or not stored.body else stored.body.decode()
    from candour.web.oversight.models import Measure

    return monitoring.render_series_chart(spc, Measure.objects.get(pk=measure_id), ods_code)


def first_periods(codes: list[str], as_of: date | None) -> dict[tuple[str, str, str], date]:
    """Per (measure, organisation, period type), the first period held (up to ``as_of``)."""
    from django.db.models import Min

    from candour.web.oversight.models import Observation

    rows = Observation.objects.filter(organisation_id__in=codes)
    if as_of is not None:
        rows = rows.filter(period_start__lte=as_of)
    return {
        (m, o, p): first
        for m, o, p, first in rows.values_list("measure_id", "organisation_id", "period_type")
        .annotate(first=Min("period_start"))
        .values_list("measure_id", "organisation_id", "period_type", "first")
    }


def imported_on() -> dict[str, date]:
    """Each dataset -> the day Candour last imported it."""
    latest: dict[str, date] = {}
    for dataset, at in ImportRun.objects.order_by("imported_at").values_list(
        "dataset", "imported_at"
    ):
        latest[dataset] = timezone.localtime(at).date()
    return latest


def mdc_matrix(series: list[Series]) -> list[MatrixRow]:
    """Making Data Count's summary: every series with SPC icons in the cell of its variation
    (row) and assurance (column) icons; rows with no series are left out."""
    rows = []
    for variation in VARIATION_ICONS:
        cells = [
            [s for s in series if s.variation == variation and s.assurance == assurance]
            for assurance in ASSURANCE_COLUMNS
        ]
        if any(cells):
            rows.append(MatrixRow(variation, MATRIX_ROW_LABELS[variation], cells))
    return rows


def open_alerts(organisation: Organisation) -> list[dict]:
    from candour.web.mortality.queries import open_mortality_alerts

    return list(open_mortality_alerts([organisation.ods_code]).iter_rows(named=True))


def holds_synthetic_data(organisation: Organisation) -> bool:
    """Does anything the pack can show about this organisation come from synthetic data (the
    demo's monthly deaths and the mortality alerts raised on them)?"""
    from candour.web.mortality.models import MonthlyDeaths, MortalityAlert

    return (
        MonthlyDeaths.objects.filter(organisation=organisation, synthetic=True).exists()
        or MortalityAlert.objects.filter(organisation=organisation, synthetic=True).exists()
    )
