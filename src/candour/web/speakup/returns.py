"""The quarterly Freedom to Speak Up return, theme views and the staff-voice signals for the
oversight picture - every published number through :func:`candour.analytics.disclosure.disclose`.

Counts come only from plaintext metadata (no keys needed). The return is computed twice, once by
database aggregation (:func:`return_counts`) and once by reading the case log row by row
(:func:`case_log_counts`); :func:`reconcile` compares them, and the page says whether they agree.

Which quarter a thing counts in: a case in the quarter it was received; a feedback answer or a
detriment check-in in the quarter it was answered.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

import polars as pl
from django.db.models import Count, Q

from candour.analytics.disclosure import DEFAULT_TOTAL_LABEL, disclose
from candour.web.speakup.choices import (
    CATEGORIES,
    Detriment,
    DetrimentAtIntake,
    ProfessionalGroup,
    Route,
    SpeakUpAgain,
)
from candour.web.speakup.models import Case, CheckIn
from candour.web.speakup.queries import Quarter

TOTAL = DEFAULT_TOTAL_LABEL


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    items: dict[str, str]  # value -> label
    with_total: bool  # items partition the section's total (secondary suppression applies)


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("route", "Cases by route", {r.value: r.short for r in Route}, True),
    SectionSpec(
        "category",
        "Cases by category (a case can have several)",
        dict(CATEGORIES),
        False,
    ),
    SectionSpec(
        "professional_group", "Cases by worker group", dict(ProfessionalGroup.choices), True
    ),
    SectionSpec(
        "detriment_indicated",
        "Cases where the person indicated detriment when speaking up",
        {"indicated": "Detriment indicated", "not_indicated": "Not indicated or not sure"},
        True,
    ),
    SectionSpec(
        "check_in",
        "Detriment check-ins answered",
        {d.value: d.name.capitalize() for d in Detriment},
        True,
    ),
    SectionSpec(
        "speak_up_again",
        "Feedback: given your experience, would you speak up again?",
        dict(SpeakUpAgain.choices),
        True,
    ),
)
SECTION_BY_KEY = {section.key: section for section in SECTIONS}


# ----------------------------------------------------------------------------------- counting


def _received(organisation_code: str, quarter: Quarter):
    return Case.objects.filter(
        organisation_id=organisation_code, received_on__range=(quarter.start, quarter.end)
    )


def return_counts(organisation_code: str, quarter: Quarter) -> dict[str, dict[str, int]]:
    """The return's true counts, by database aggregation."""
    received = _received(organisation_code, quarter)
    counts = {section.key: dict.fromkeys(section.items, 0) for section in SECTIONS}
    for column, section in (("route", "route"), ("professional_group", "professional_group")):
        for row in received.values(column).annotate(n=Count("pk")):
            counts[section][row[column]] = row["n"]
    categories = received.aggregate(
        **{name: Count("pk", filter=Q(**{name: True})) for name in CATEGORIES}
    )
    counts["category"].update(categories)
    indicated = received.filter(detriment_at_intake=DetrimentAtIntake.YES).count()
    counts["detriment_indicated"] = {
        "indicated": indicated,
        "not_indicated": received.count() - indicated,
    }
    check_ins = CheckIn.objects.filter(
        case__organisation_id=organisation_code,
        answered_on__range=(quarter.start, quarter.end),
    )
    for row in check_ins.values("answer").annotate(n=Count("pk")):
        counts["check_in"][row["answer"]] = row["n"]
    answered = Case.objects.filter(
        organisation_id=organisation_code, speak_up_again_on__range=(quarter.start, quarter.end)
    )
    for row in answered.values("speak_up_again").annotate(n=Count("pk")):
        counts["speak_up_again"][row["speak_up_again"]] = row["n"]
    return counts


def case_log_counts(organisation_code: str, quarter: Quarter) -> dict[str, dict[str, int]]:
    """The same counts, read case by case from the log (an independent path for reconciling)."""
    counts = {section.key: Counter(dict.fromkeys(section.items, 0)) for section in SECTIONS}
    cases = Case.objects.filter(organisation_id=organisation_code).prefetch_related("check_ins")
    for case in cases:
        if quarter.start <= case.received_on <= quarter.end:
            counts["route"][case.route] += 1
            counts["professional_group"][case.professional_group] += 1
            for name in CATEGORIES:
                counts["category"][name] += int(getattr(case, name))
            key = (
                "indicated"
                if case.detriment_at_intake == DetrimentAtIntake.YES
                else "not_indicated"
            )
            counts["detriment_indicated"][key] += 1
        if case.speak_up_again_on and quarter.start <= case.speak_up_again_on <= quarter.end:
            counts["speak_up_again"][case.speak_up_again] += 1
        for check_in in case.check_ins.all():
            if check_in.answered_on and quarter.start <= check_in.answered_on <= quarter.end:
                counts["check_in"][check_in.answer] += 1
    return {key: dict(counter) for key, counter in counts.items()}


def reconcile(organisation_code: str, quarter: Quarter) -> list[str]:
    """Differences between the aggregated return and the case log (empty when they agree)."""
    aggregated = return_counts(organisation_code, quarter)
    logged = case_log_counts(organisation_code, quarter)
    return [
        f"{section}/{item}: return {aggregated[section].get(item)} but case log {logged[section].get(item)}"
        for section in SECTION_BY_KEY
        for item in sorted(set(aggregated[section]) | set(logged[section]))
        if aggregated[section].get(item) != logged[section].get(item)
    ]


# ---------------------------------------------------------------------------------- disclosure


@dataclass(frozen=True)
class PublishedRow:
    item: str
    label: str
    display: str
    suppressed: bool


@dataclass(frozen=True)
class PublishedSection:
    spec: SectionSpec
    rows: list[PublishedRow]


def disclosed_return(organisation_code: str, quarter: Quarter) -> list[PublishedSection]:
    """Each section of the return as it may be published."""
    counts = return_counts(organisation_code, quarter)
    return [_disclose_section(spec, counts[spec.key]) for spec in SECTIONS]


def true_return(organisation_code: str, quarter: Quarter) -> list[PublishedSection]:
    """Each section with its true counts: for the organisation's own guardians only, who submit
    them to the National Guardian's Office (suppression is for publication, not for that)."""
    counts = return_counts(organisation_code, quarter)
    sections = []
    for spec in SECTIONS:
        values = counts[spec.key]
        rows = [
            PublishedRow(item, label, str(values.get(item, 0)), False)
            for item, label in spec.items.items()
        ]
        if spec.with_total:
            rows.append(PublishedRow(TOTAL, "Total", str(sum(values.values())), False))
        sections.append(PublishedSection(spec, rows))
    return sections


def _disclose_section(spec: SectionSpec, counts: dict[str, int]) -> PublishedSection:
    frame = pl.DataFrame(
        {"item": list(spec.items), "count": [counts.get(item, 0) for item in spec.items]},
        schema={"item": pl.String, "count": pl.Int64},
    )
    published = disclose(frame, count="count", dimensions=["item"], totals=spec.with_total)
    rows = [
        PublishedRow(
            item=row["item"],
            label=spec.items.get(row["item"], "Total"),
            display=row["display"],
            suppressed=row["suppressed"],
        )
        for row in published.iter_rows(named=True)
    ]
    return PublishedSection(spec, rows)


CSV_HEADER = ("ods_code", "quarter", "section", "item", "value")


def return_csv(organisation_code: str, quarter: Quarter) -> str:
    """The return as CSV: one row per published figure; ``*`` where suppressed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for section in disclosed_return(organisation_code, quarter):
        for row in section.rows:
            writer.writerow(
                (organisation_code, quarter.slug, section.spec.key, row.item, row.display)
            )
    return out.getvalue()


# ------------------------------------------------------------------------------------- themes

THEME_MEASURES: dict[str, str] = {
    "cases": "Cases",
    **CATEGORIES,
    "detriment_indicated": "Detriment indicated",
    "would_not_speak_up_again": "Would not speak up again",
}


def theme_counts(
    quarters: list[Quarter], organisation_codes: list[str] | None = None
) -> pl.DataFrame:
    """True counts (never published as they are): quarter, ods_code, measure, count - for every
    organisation with at least one case in the quarter, every measure (zeros included)."""
    rows = []
    for quarter in quarters:
        received = Case.objects.filter(received_on__range=(quarter.start, quarter.end))
        answered = Case.objects.filter(speak_up_again_on__range=(quarter.start, quarter.end))
        if organisation_codes is not None:
            received = received.filter(organisation_id__in=organisation_codes)
            answered = answered.filter(organisation_id__in=organisation_codes)
        aggregates = {name: Count("pk", filter=Q(**{name: True})) for name in CATEGORIES}
        aggregates["cases"] = Count("pk")
        aggregates["detriment_indicated"] = Count(
            "pk", filter=Q(detriment_at_intake=DetrimentAtIntake.YES)
        )
        by_organisation = {
            row.pop("organisation_id"): row
            for row in received.values("organisation_id").annotate(**aggregates)
        }
        would_not = dict(
            answered.filter(speak_up_again=SpeakUpAgain.NO)
            .values("organisation_id")
            .annotate(n=Count("pk"))
            .values_list("organisation_id", "n")
        )
        for code in sorted(set(by_organisation) | set(would_not)):
            values = by_organisation.get(code, {})
            for measure in THEME_MEASURES:
                count = (
                    would_not.get(code, 0)
                    if measure == "would_not_speak_up_again"
                    else values.get(measure, 0)
                )
                rows.append((quarter.slug, code, measure, count))
    return pl.DataFrame(
        rows,
        schema={
            "quarter": pl.String,
            "ods_code": pl.String,
            "measure": pl.String,
            "count": pl.Int64,
        },
        orient="row",
    )


def disclose_by(counts: pl.DataFrame, dimension: str) -> pl.DataFrame:
    """Disclose each measure (within each other grouping) along ``dimension`` with its total:
    e.g. organisations within a quarter, or quarters within an organisation. Result columns:
    the grouping columns, ``dimension``, measure, value, display, suppressed."""
    if counts.is_empty():
        return pl.DataFrame(
            schema={
                "quarter": pl.String,
                "ods_code": pl.String,
                "measure": pl.String,
                "value": pl.Int64,
                "display": pl.String,
                "suppressed": pl.Boolean,
            }
        )
    other = "quarter" if dimension == "ods_code" else "ods_code"
    parts = []
    for (group, measure), frame in counts.group_by([other, "measure"], maintain_order=True):
        published = disclose(
            frame.select(dimension, "count"), count="count", dimensions=[dimension]
        )
        parts.append(
            published.drop("reason").with_columns(
                pl.lit(group).alias(other), pl.lit(measure).alias("measure")
            )
        )
    return pl.concat(parts).select(
        "quarter", "ods_code", "measure", "value", "display", "suppressed"
    )


def speakup_signals(quarter: Quarter | str) -> pl.DataFrame:
    """Staff-voice signals for the oversight picture, one row per organisation and measure for
    one quarter, disclosure-controlled (counts of 1-7 are null and shown as ``*``).

    Columns: ``ods_code``, ``quarter`` (e.g. ``2025-26-q1``), ``measure_id``
    (``speakup_cases``, ``speakup_patient_safety``, ``speakup_worker_safety``,
    ``speakup_bullying``, ``speakup_behaviours``, ``speakup_other_matter``,
    ``speakup_discrimination``, ``speakup_detriment_indicated``,
    ``speakup_would_not_speak_up_again``), ``value`` (rounded to 5, null when suppressed),
    ``display`` and ``suppressed``. Only organisations with a case (or an answer) in the quarter
    appear.
    """
    quarter = Quarter.parse(quarter) if isinstance(quarter, str) else quarter
    published = disclose_by(theme_counts([quarter]), "ods_code")
    return (
        published.filter(pl.col("ods_code") != TOTAL)
        .with_columns(("speakup_" + pl.col("measure")).alias("measure_id"))
        .select("ods_code", "quarter", "measure_id", "value", "display", "suppressed")
        .sort("ods_code", "measure_id")
    )


# ------------------------------------------------------------- the National Guardian's Office

# The quarterly submission as the National Guardian's Office asks guardians for it ("Recording
# cases and reporting data", NGO, in force from 1 April 2024; NHS England's Freedom to Speak Up
# data collection took it over): one row per organisation and quarter, these columns in this
# order. True counts: guardians submit them; the NGO publishes them. Check the headings against
# the current template before submitting: the guidance's wording changes between years.
NGO_COUNTS: tuple[tuple[str, str, str], ...] = (
    ("Number of cases brought to Freedom to Speak Up guardians", "route", TOTAL),
    ("Number of cases raised anonymously", "route", "anonymous"),
    ("Number of cases with an element of patient safety/quality", "category", "patient_safety"),
    ("Number of cases with an element of worker safety or wellbeing", "category", "worker_safety"),
    ("Number of cases with an element of bullying or harassment", "category", "bullying"),
    (
        "Number of cases with an element of inappropriate attitudes or behaviours",
        "category",
        "behaviours",
    ),
    (
        "Number of cases where the person indicated that they were suffering detriment as a "
        "result of speaking up",
        "detriment_indicated",
        "indicated",
    ),
    *(
        (f"Cases raised by professional/worker group: {label}", "professional_group", value)
        for value, label in ProfessionalGroup.choices
    ),
    *(
        (
            f"Feedback: given your experience, would you speak up again? {label}",
            "speak_up_again",
            value,
        )
        for value, label in SpeakUpAgain.choices
    ),
)
NGO_HEADER = ("Organisation code", "Organisation name", "Financial year", "Quarter")


def ngo_row(organisation, quarter: Quarter) -> list:
    """The organisation's row of the NGO submission, with true counts."""
    counts = return_counts(organisation.pk, quarter)
    totals = {key: sum(values.values()) for key, values in counts.items()}
    figures = [
        totals[section] if item == TOTAL else counts[section].get(item, 0)
        for _, section, item in NGO_COUNTS
    ]
    year = f"{quarter.year}/{(quarter.year + 1) % 100:02d}"
    return [organisation.pk, organisation.name, year, f"Q{quarter.number}", *figures]


def ngo_csv(organisation, quarter: Quarter) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*NGO_HEADER, *(heading for heading, _, _ in NGO_COUNTS)])
    writer.writerow(ngo_row(organisation, quarter))
    return out.getvalue()
