"""NHS Staff Survey indices by acute trust, 2012-2019: recommend the care, recommend as a place to
work, engagement, work stress. The survey columns of the SHMI panel file (the ``shmi`` dataset
reads its SHMI column); what lets the assessment be replayed before 2019."""

from __future__ import annotations

import polars as pl

from candour.importers.datasets.base import (
    MAX_COUNT,
    Dataset,
    ImportedData,
    measured,
)
from candour.importers.schema import ODS_CODE_PATTERN, Column, Schema

# The indices are mean scores on the survey's 1-5 scale (the file's README); work stress is a
# proportion of respondents.
SCORE_RANGE = (1, 5)
INDEX_MEASURES = {
    "ss_recommend_care_index": "RecommendCare.Index",
    "ss_recommend_work_index": "RecommendWork.Index",
    "ss_engagement_index": "Engagement.Index",
}
SURVEY_COLUMNS = ("Responses", *INDEX_MEASURES.values(), "WorkStress.Index")

SCHEMA = Schema(
    columns=(
        Column("Code", pattern=ODS_CODE_PATTERN),
        Column("Year.Index", "int", minimum=2000, maximum=2100),
        # Blank in the few trust-years without a survey (about 1% of rows).
        Column("Responses", "int", may_be_blank=True, minimum=0, maximum=MAX_COUNT),
        *(
            Column(c, "float", may_be_blank=True, minimum=SCORE_RANGE[0], maximum=SCORE_RANGE[1])
            for c in INDEX_MEASURES.values()
        ),
        Column("WorkStress.Index", "float", may_be_blank=True, minimum=0, maximum=1),
    ),
    # Not checked: Responses and WorkStress.Index blank together (2 rows of the bundled file give
    # responses without a work-stress figure).
    key=("Code", "Year.Index"),
)


def _transform(frame: pl.DataFrame, path: str) -> ImportedData:
    frame = frame.with_columns(
        ods_code=pl.col("Code"), period_start=pl.date(pl.col("Year.Index"), 1, 1)
    )
    measures = {measure_id: {"value": pl.col(c)} for measure_id, c in INDEX_MEASURES.items()}
    responses = pl.col("Responses")
    stress = pl.when(responses > 0).then(pl.col("WorkStress.Index"))
    measures["ss_work_stress"] = {
        "value": stress,
        "denominator": responses,
        "numerator": (stress * responses).round(0),
    }
    return measured("staff_survey_indices", path, frame, measures, "year")


DATASET = Dataset(
    "staff_survey_indices",
    "shmi",
    SCHEMA,
    _transform,
    "NHS Staff Survey indices by acute trust, 2012-19",
)
