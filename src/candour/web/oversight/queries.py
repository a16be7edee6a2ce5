"""Read-side queries for the oversight pages. Views stay thin; these return plain data."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Lower, Replace

from candour.web.oversight.models import Measure, Observation, Organisation, Rating, Target

CQC_KEY_QUESTION_ORDER = ("overall", "safe", "effective", "caring", "responsive", "well_led")
TREND_POINTS = 13  # a year of months and the month before it
STAFF_VOICE_DOMAIN = "staff_voice"


def organisations(
    *,
    search: str = "",
    region: str = "",
    org_type: str = "",
    rating: str = "",
    include_closed: bool = False,
) -> QuerySet[Organisation]:
    queryset = Organisation.objects.all()
    if not include_closed:
        queryset = queryset.filter(close_date__isnull=True, successor__isnull=True)
    if search:
        words = plain(search)
        queryset = queryset.annotate(plain_name=plain_name()).filter(
            Q(plain_name__contains=words)
            | Q(ods_code__iexact=search.strip())
            | Q(predecessors__ods_code__iexact=search.strip())
        )
    if region:
        queryset = queryset.filter(region_code=region)
    if org_type:
        queryset = queryset.filter(org_type=org_type)
    if rating:
        queryset = queryset.filter(
            ratings__service="Overall", ratings__key_question="overall", ratings__rating=rating
        )
    return queryset.distinct().order_by("name")


APOSTROPHES = ("'", "\u2019", "\u2018")  # straight and curly: "Guy's" is found by "guys"


def plain(text: str) -> str:
    """Search text as names are matched: lower case, without apostrophes or doubled spaces."""
    text = text.lower()
    for mark in APOSTROPHES:
        text = text.replace(mark, "")
    return " ".join(text.split())


def plain_name():
    """The organisation's name as :func:`plain` makes search text, in the database."""
    name = Lower("name")
    for mark in APOSTROPHES:
        name = Replace(name, Value(mark), Value(""))
    return name


def former_organisations(search: str) -> list[Organisation]:
    """Closed or merged organisations whose ODS code is ``search``, with their successors: a
    search for an old code says where it went."""
    code = search.strip().upper()
    if not code:
        return []
    return list(
        Organisation.objects.filter(ods_code=code)
        .exclude(close_date__isnull=True, successor__isnull=True)
        .select_related("successor")
    )


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    regions = (
        Organisation.objects.exclude(region_code="")
        .values_list("region_code", "region_name")
        .distinct()
        .order_by("region_name")
    )
    types = (
        Organisation.objects.exclude(org_type="")
        .values_list("org_type", flat=True)
        .distinct()
        .order_by("org_type")
    )
    return {"regions": list(regions), "types": [(t, t) for t in types]}


def overall_ratings(codes: list[str]) -> dict[str, Rating]:
    """The latest overall CQC rating of each organisation in ``codes``."""
    latest: dict[str, Rating] = {}
    for rating in Rating.objects.filter(
        organisation_id__in=codes, service="Overall", key_question="overall"
    ).order_by("published"):
        latest[rating.organisation_id] = rating
    return latest


def key_question_ratings(organisation: Organisation) -> list[Rating]:
    latest: dict[str, Rating] = {}
    for rating in organisation.ratings.filter(service="Overall").order_by("published"):
        latest[rating.key_question] = rating
    return [latest[q] for q in CQC_KEY_QUESTION_ORDER if q in latest]


@dataclass
class MeasureTrend:
    measure: Measure
    organisation_code: str
    period_type: str
    points: list[tuple[date, float]] = field(default_factory=list)

    @property
    def latest(self) -> tuple[date, float]:
        return self.points[-1]

    @property
    def previous(self) -> tuple[date, float] | None:
        return self.points[-2] if len(self.points) > 1 else None

    @property
    def change(self) -> float | None:
        return None if self.previous is None else self.latest[1] - self.previous[1]

    @property
    def direction(self) -> str:
        """better / worse / unchanged / neutral (no preferred direction) / single (one point)."""
        if self.change is None:
            return "single"
        if self.change == 0:
            return "unchanged"
        if self.measure.improvement == "neutral":
            return "neutral"
        improving = (self.change > 0) == (self.measure.improvement == "increase")
        return "better" if improving else "worse"


def period_end(start: date, period_type: str) -> date:
    """The last day of a period (the assessment's rule, candour.analytics.concern.inputs)."""
    from candour.analytics.concern.inputs import PERIOD_MONTHS

    months = start.month - 1 + PERIOD_MONTHS[period_type]
    following = date(start.year + months // 12, months % 12 + 1, 1)
    return following - timedelta(days=1)


def measure_trends(organisation: Organisation, *, as_of: date | None = None) -> list[MeasureTrend]:
    """Each measure the organisation (or a predecessor) has, with its recent points (``as_of``:
    only the periods that had ended by then, as the assessment replays a past date)."""
    codes = [organisation.ods_code, *organisation.predecessors.values_list("ods_code", flat=True)]
    trends: dict[tuple[str, str, str], MeasureTrend] = {}
    rows = (
        Observation.objects.filter(organisation_id__in=codes)
        .select_related("measure")
        .order_by("measure__domain", "measure__name", "organisation_id", "period_start")
    )
    if as_of is not None:
        rows = rows.filter(period_start__lte=as_of)
    for observation in rows:
        if (
            as_of is not None
            and period_end(observation.period_start, observation.period_type) > as_of
        ):
            continue
        key = (observation.measure_id, observation.organisation_id, observation.period_type)
        trend = trends.setdefault(
            key,
            MeasureTrend(observation.measure, observation.organisation_id, observation.period_type),
        )
        trend.points.append((observation.period_start, observation.value))
    for trend in trends.values():
        trend.points = trend.points[-TREND_POINTS:]
    return list(trends.values())


@dataclass(frozen=True)
class Benchmark:
    measure: Measure
    period_start: date
    value: float
    national_median: float
    organisations: int

    @property
    def comparison(self) -> str:
        if self.value == self.national_median or self.measure.improvement == "neutral":
            return "same as"
        better = (self.value > self.national_median) == (self.measure.improvement == "increase")
        return "better than" if better else "worse than"


def staff_voice_benchmarks(organisation: Organisation) -> list[Benchmark]:
    """The organisation's latest staff-survey culture indicators against the national median of
    all organisations reporting the same measure for the same period."""
    latest = (
        Observation.objects.filter(
            organisation=organisation, measure__source__startswith="staff_survey"
        )
        .select_related("measure")
        .order_by("measure__domain", "measure__name", "-period_start")
    )
    newest: dict[str, Observation] = {}
    for observation in latest:
        newest.setdefault(observation.measure_id, observation)
    if not newest:
        return []
    # every organisation's value in those measures' periods, in one query
    cells = Q()
    for o in newest.values():
        cells |= Q(measure_id=o.measure_id, period_type=o.period_type, period_start=o.period_start)
    national: dict[tuple, list[float]] = {}
    for measure_id, period_type, period_start, value in Observation.objects.filter(
        cells
    ).values_list("measure_id", "period_type", "period_start", "value"):
        national.setdefault((measure_id, period_type, period_start), []).append(value)
    result = []
    for o in newest.values():
        values = national[(o.measure_id, o.period_type, o.period_start)]
        result.append(
            Benchmark(o.measure, o.period_start, o.value, statistics.median(values), len(values))
        )
    return result


RATING_COMPARISON_MEASURES = (
    "ss_hba_managers",
    "ss_hba_colleagues",
    "ss_discrimination_internal",
    "ss_secure_raising_concerns",
    "ss_confident_concern_addressed",
    "ss_incident_reporting_encouraged",
    "ss_recommend_care",
    "shmi",
)
RATING_COMPARISON_YEAR = 2019  # the bundled CQC ratings are those in force in early 2019


def measures_by_cqc_rating(year: int = RATING_COMPARISON_YEAR):
    """For each staff-voice measure and SHMI: the mean across trusts of each CQC overall rating,
    computed from the stored observations and ratings (nothing typed in)."""
    import polars as pl

    from candour.analytics.groups import compare_groups
    from candour.importers.datasets import CQC_RATINGS

    ratings = pl.DataFrame(
        list(
            Rating.objects.filter(service="Overall", key_question="overall")
            .order_by("organisation_id", "published")
            .values_list("organisation_id", "rating")
        ),
        schema={"ods_code": pl.String, "rating": pl.String},
        orient="row",
    ).unique("ods_code", keep="last")
    results = []
    for measure in Measure.objects.filter(pk__in=RATING_COMPARISON_MEASURES):
        values = pl.DataFrame(
            list(
                Observation.objects.filter(measure=measure, period_start__year=year).values_list(
                    "organisation_id", "value"
                )
            ),
            schema={"ods_code": pl.String, "value": pl.Float64},
            orient="row",
        )
        table = compare_groups(
            values.join(ratings, on="ods_code"), value="value", group="rating", order=CQC_RATINGS
        )
        results.append((measure, list(table.iter_rows(named=True))))
    order = {m: i for i, m in enumerate(RATING_COMPARISON_MEASURES)}
    return sorted(results, key=lambda item: order[item[0].pk])


@dataclass
class TargetRow:
    """A target that applies to an organisation, beside its balancing measures."""

    target: Target
    target_trend: MeasureTrend | None
    target_icons: dict | None
    balances: list[tuple[Measure, MeasureTrend | None, dict | None]]


def targets_for(
    organisation: Organisation,
    icons: dict,
    *,
    as_of: date | None = None,
    trends: list[MeasureTrend] | None = None,
) -> list[TargetRow]:
    """Published targets in force today (or on ``as_of``) that apply to this organisation's
    type, each with the organisation's latest value (by ``as_of``) and SPC icons for the target
    and each balancing measure. ``trends``: :func:`measure_trends` of the organisation by
    ``as_of``, when the caller has them already."""
    from django.utils import timezone

    today = as_of or timezone.localdate()
    if trends is None:
        trends = measure_trends(organisation, as_of=as_of)
    own = {t.measure.pk: t for t in trends if t.organisation_code == organisation.ods_code}
    rows = []
    targets = Target.objects.filter(
        status=Target.Status.PUBLISHED, effective_from__lte=today
    ).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
    for target in targets.select_related("measure").prefetch_related("balancing_measures"):
        if target.organisation_types and organisation.org_type not in target.organisation_types:
            continue
        rows.append(
            TargetRow(
                target=target,
                target_trend=own.get(target.measure_id),
                target_icons=icons.get((target.measure_id, organisation.ods_code)),
                balances=[
                    (m, own.get(m.pk), icons.get((m.pk, organisation.ods_code)))
                    # sorted here: order_by() would query again past the prefetch
                    for m in sorted(target.balancing_measures.all(), key=lambda m: m.name)
                ],
            )
        )
    return rows
