"""Leadership culture by region, for a region's talent board: how staff rate their managers and
senior managers, and how many report harassment, bullying or abuse from managers and
colleagues, and discrimination, from the NHS Staff Survey measures stored as observations. Each
organisation's latest year; region medians (:func:`candour.analytics.leadership.culture_by_region`);
"no data yet" for a group of measures until the survey files with them are imported."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from django.shortcuts import render
from django.utils import timezone

from candour.analytics.leadership.culture import (
    COLUMNS,
    CULTURE_MEASURES,
    HARASSMENT_MEASURES,
    MANAGER_MEASURES,
    MIN_RESPONDENTS,
    SENIOR_MANAGER_MEASURES,
    culture_by_region,
)
from candour.web.leadership.access import board_for
from candour.web.leadership.templatetags.leadership_format import in_unit
from candour.web.leadership.views import talent_board_page
from candour.web.oversight.models import Measure, Observation, Organisation

ENGLAND = "England"
GROUPS = (
    ("Harassment, bullying, abuse and discrimination", HARASSMENT_MEASURES),
    ("Immediate managers (2012 to 2018)", MANAGER_MEASURES),
    ("Senior managers (2012 to 2018)", SENIOR_MANAGER_MEASURES),
)


def culture_observations() -> pl.DataFrame:
    """The stored observations of the culture measures, with each organisation's region."""
    rows = (
        Observation.objects.filter(measure_id__in=CULTURE_MEASURES)
        .exclude(organisation__region_code="")
        .values_list(
            "organisation_id",
            "organisation__region_code",
            "measure_id",
            "period_start",
            "value",
            "denominator",
        )
    )
    return pl.DataFrame(list(rows), schema=COLUMNS, orient="row")


@dataclass
class Row:
    measure: Measure
    cells: list[str]  # one per region, then England
    here: dict | None  # this region's figures


def culture_tables(region_code: str) -> tuple[list[tuple[str, list[Row]]], list[tuple[str, str]]]:
    frame = culture_observations()
    regional = culture_by_region(frame)
    national = culture_by_region(frame.with_columns(pl.lit(ENGLAND).alias("region_code")))
    table = pl.concat([regional, national])
    regions = list(
        Organisation.objects.filter(region_code__in=regional["region_code"].unique().to_list())
        .values_list("region_code", "region_name")
        .distinct()
        .order_by("region_name")
    )
    columns = [*regions, (ENGLAND, ENGLAND)]
    measures = Measure.objects.in_bulk(table["measure_id"].unique().to_list())
    cell = {(r["region_code"], r["measure_id"]): r for r in table.iter_rows(named=True)}
    groups = []
    for heading, ids in GROUPS:
        rows = [
            Row(
                measures[m],
                [
                    in_unit(cell.get((code, m), {}).get("median"), measures[m])
                    for code, _ in columns
                ],
                _here(cell.get((region_code, m)), measures[m]),
            )
            for m in ids
            if m in measures
        ]
        groups.append((heading, rows))
    return groups, columns


def _here(row: dict | None, measure: Measure) -> dict | None:
    if row is None:
        return None
    years = (
        str(row["latest_year"])
        if row["first_year"] == row["latest_year"]
        else f"{row['first_year']} to {row['latest_year']}"
    )
    return {
        "median": in_unit(row["median"], measure),
        "organisations": row["organisations"],
        "years": years,
        "respondents": row["respondents_display"],
    }


@talent_board_page
def region_culture(request, region_code: str):
    board = board_for(request.user, region_code)
    groups, columns = culture_tables(board.region_code)
    return render(
        request,
        "leadership/culture.html",
        {
            "board": board,
            "active": "culture",
            "as_of": timezone.localdate(),
            "groups": groups,
            "any_data": any(rows for _, rows in groups),
            "columns": columns,
            "min_respondents": MIN_RESPONDENTS,
        },
    )
