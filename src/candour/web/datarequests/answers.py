"""A request's return answered from held data: one row per organisation, held item and period,
from the stored observations (or CQC ratings), each with its provenance; and the same rows as
CSV and Excel. The page downloads, the API and a test all read :func:`held_answer`, so the files
and the API give the same numbers.

Provenance on every row: the source dataset (its id in sources.toml), the publication (its title
and publisher), the period, ``extracted_on`` (the date Candour imported that publication: its
latest import run) and ``served_at`` (when this return was produced).
"""

from __future__ import annotations

import csv
import io
from dataclasses import astuple, dataclass, fields
from datetime import date, datetime

import xlsxwriter
from django.db.models import Max
from django.db.models.functions import TruncDate

from candour.importers.catalogue import sources
from candour.web.datarequests.models import DataRequest, RequestItem
from candour.web.datarequests.registry import TRUST_WIDE
from candour.web.oversight.models import ImportRun, Observation, Rating

RATING_PERIOD = "point_in_time"
DATE_FORMAT = "yyyy-mm-dd"  # Excel number format of the date cells
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


@dataclass(frozen=True)
class AnswerRow:
    ods_code: str
    organisation: str
    item_position: int
    item: str
    held_as: str  # the measure's id, or "cqc_rating:<key question>"
    period_type: str
    period_start: date
    numerator: float | None
    denominator: float | None
    value: float | None  # None for a rating
    rating: str | None  # a CQC rating; None for a measure
    unit: str
    source_dataset: str
    publication: str
    publisher: str
    extracted_on: date | None
    served_at: datetime


ANSWER_COLUMNS = tuple(f.name for f in fields(AnswerRow))


def _extracted_on() -> dict[str, date]:
    """Each dataset -> the date of its latest import run."""
    return dict(
        ImportRun.objects.values("dataset")
        .annotate(on=TruncDate(Max("imported_at")))
        .values_list("dataset", "on")
    )


def _provenance(dataset: str, context: dict) -> dict:
    """Where a held figure comes from: its dataset, publication, extraction date, and when this
    return was produced."""
    source = sources().get(dataset)
    return {
        "source_dataset": dataset,
        "publication": source.title if source else "",
        "publisher": source.publisher if source else "",
        "extracted_on": context["extracted"].get(dataset),
        "served_at": context["served_at"],
    }


def _within(rows, request: DataRequest, field: str):
    if request.periods_from:
        rows = rows.filter(**{f"{field}__gte": request.periods_from})
    if request.periods_to:
        rows = rows.filter(**{f"{field}__lte": request.periods_to})
    return rows


def _observation_rows(item: RequestItem, request: DataRequest, organisations, context):
    rows = _within(
        Observation.objects.filter(
            measure_id=item.measure_id,
            period_type=item.period_type,
            organisation__in=organisations,
        ).select_related("organisation"),
        request,
        "period_start",
    )
    for observation in rows:
        yield AnswerRow(
            ods_code=observation.organisation_id,
            organisation=observation.organisation.name,
            item_position=item.position,
            item=item.name,
            held_as=item.measure_id,
            period_type=observation.period_type,
            period_start=observation.period_start,
            numerator=observation.numerator,
            denominator=observation.denominator,
            value=observation.value,
            rating=None,
            unit=item.measure.unit,
            **_provenance(observation.dataset, context),
        )


def _rating_rows(item: RequestItem, request: DataRequest, organisations, context):
    """The latest trust-wide rating of each organisation (as at the end of the request's
    periods, when it has one)."""
    rows = Rating.objects.filter(
        key_question=item.cqc_key_question, service=TRUST_WIDE, organisation__in=organisations
    ).select_related("organisation")
    if request.periods_to:
        rows = rows.filter(published__lte=request.periods_to)
    latest: dict[str, Rating] = {}
    for rating in rows.order_by("organisation_id", "published"):
        latest[rating.organisation_id] = rating
    for rating in latest.values():
        yield AnswerRow(
            ods_code=rating.organisation_id,
            organisation=rating.organisation.name,
            item_position=item.position,
            item=item.name,
            held_as=f"cqc_rating:{item.cqc_key_question}",
            period_type=RATING_PERIOD,
            period_start=rating.published,
            numerator=None,
            denominator=None,
            value=None,
            rating=rating.rating,
            unit="rating",
            **_provenance(rating.dataset, context),
        )


def held_answer(request: DataRequest, organisations, *, served_at: datetime) -> list[AnswerRow]:
    """The rows of ``request``'s return for ``organisations`` (a queryset of those asked), from
    held data only: items mapped to nothing are left out. Ordered by organisation, item and
    period."""
    context = {"extracted": _extracted_on(), "served_at": served_at}
    rows: list[AnswerRow] = []
    for item in request.items.select_related("measure").order_by("position"):
        if item.measure_id:
            rows += _observation_rows(item, request, organisations, context)
        elif item.cqc_key_question:
            rows += _rating_rows(item, request, organisations, context)
    return sorted(rows, key=lambda r: (r.ods_code, r.item_position, r.period_start))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def answer_csv(rows: list[AnswerRow]) -> str:
    """The rows as CSV with a header; numbers written in full (``repr`` of the stored float)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ANSWER_COLUMNS)
    for row in rows:
        writer.writerow([_cell(v) for v in astuple(row)])
    return out.getvalue()


def answer_xlsx(rows: list[AnswerRow], request: DataRequest) -> bytes:
    """The rows as an Excel workbook: a "Return" sheet (numbers as numbers, dates as dates) and
    an "About" sheet saying what the return is."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "remove_timezone": True})
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": DATE_FORMAT})
    moment = workbook.add_format({"num_format": TIME_FORMAT})
    sheet = workbook.add_worksheet("Return")
    sheet.write_row(0, 0, ANSWER_COLUMNS, bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(astuple(row)):
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, moment)
            elif isinstance(value, date):
                sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
            else:
                sheet.write(r, c, value)
    about = workbook.add_worksheet("About")
    facts = [
        ("Request", request.title),
        ("Requester", request.requester.name),
        ("Mandate", request.get_mandate_display()),
        ("Standard number", request.standard_number or "not recorded"),
        ("Answered from", "data Candour already holds (see each row's source)"),
        ("Rows", len(rows)),
    ]
    for r, (label, value) in enumerate(facts):
        about.write(r, 0, label, bold)
        about.write(r, 1, value)
    workbook.close()
    return out.getvalue()
