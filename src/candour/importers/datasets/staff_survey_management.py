"""NHS Staff Survey questions on immediate and senior managers, by trust, 2012-2018: the long
series on leadership (Kerr: leadership culture), and staff voice before 2019."""

from __future__ import annotations

import polars as pl

from candour.importers.datasets.base import (
    MAX_COUNT,
    Dataset,
    ImportedData,
    measured,
)
from candour.importers.schema import ODS_CODE_PATTERN, BlankTogether, Column, Schema

QUESTIONS = {
    "mq_7a_teamwork": "7a",
    "mq_7b_help_difficult_task": "7b",
    "mq_7c_clear_feedback": "7c",
    "mq_7d_asks_opinion": "7d",
    "mq_7e_support_crisis": "7e",
    "mq_7f_interest_wellbeing": "7f",
    "mq_7g_values_work": "7g",
    "mq_8a_know_senior_managers": "8a",
    "mq_8b_communication": "8b",
    "mq_8c_involve_staff": "8c",
    "mq_8d_act_on_feedback": "8d",
}
# strongly disagree, disagree, neither, agree, strongly agree: percentages of those answering
ANSWERS = ("SD", "D", "NAND", "A", "SA")
PERCENT = 100

SCHEMA = Schema(
    columns=(
        Column("ORG_CODE", pattern=ODS_CODE_PATTERN),
        Column("YEAR", "int", minimum=2000, maximum=2100),
        # Blank where a question was not asked that year (7f and 7g in 2012).
        *(
            Column(f"{q}_{answer}", "float", may_be_blank=True, minimum=0, maximum=PERCENT)
            for q in QUESTIONS.values()
            for answer in ANSWERS
        ),
        *(
            Column(f"{q}_N", "int", may_be_blank=True, minimum=0, maximum=MAX_COUNT)
            for q in QUESTIONS.values()
        ),
    ),
    key=("ORG_CODE", "YEAR"),
    rules=tuple(BlankTogether((f"{q}_A", f"{q}_SA", f"{q}_N")) for q in QUESTIONS.values()),
)


def agreeing(question: str) -> dict[str, pl.Expr]:
    """The share agreeing or strongly agreeing, of those answering."""
    answered = pl.col(f"{question}_N")
    share = pl.when(answered > 0).then(
        (pl.col(f"{question}_A") + pl.col(f"{question}_SA")) / PERCENT
    )
    return {"value": share, "denominator": answered, "numerator": (share * answered).round(0)}


def _transform(frame: pl.DataFrame, path: str) -> ImportedData:
    frame = frame.with_columns(
        ods_code=pl.col("ORG_CODE"), period_start=pl.date(pl.col("YEAR"), 1, 1)
    )
    measures = {measure_id: agreeing(q) for measure_id, q in QUESTIONS.items()}
    return measured("staff_survey_management", path, frame, measures, "year")


DATASET = Dataset(
    "staff_survey_management",
    "staff_survey_management",
    SCHEMA,
    _transform,
    "NHS Staff Survey: immediate and senior managers, 2012-18",
)
