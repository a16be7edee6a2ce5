"""Staff-voice and leadership datasets over many years: what the concern-first assessment needs to
see the present (the NHS Staff Survey 2021-2024) and to be back-tested against the past (the
survey's indices and management questions 2012-2018, RTT at each year end 2013-2019).

Each is a pure ``path -> ImportedData`` transform with a declared schema, like every dataset in
:mod:`candour.importers.datasets`; sources and quality notes are in data/sources.toml and the
READMEs in data/sources/.
"""

from __future__ import annotations

import polars as pl

from candour.importers.schema import ODS_CODE_PATTERN, Column, Schema

# --- NHS Staff Survey 2021-2024 ----------------------------------------------------------------

# The file's benchmarking groups that are NHS trusts, mapped to Candour's organisation types; the
# others (ICBs, CCGs, CSUs, social enterprises) are skipped and counted.
STAFF_SURVEY_2021_GROUPS = {
    "Acute and Acute & Community Trusts": "Acute",
    "Acute Specialist Trusts": "Acute specialist",
    "Mental Health & Learning Disability and Mental Health, Learning Disability & Community Trusts": (
        "Mental health"
    ),
    "Community Trusts": "Community",
    "Ambulance Trusts": "Ambulance",
}
# measure id -> the file's rate column (percent, 0-100; its base is "<stem>_base"). The first four
# continue the 2019 file's measures (the questions were renumbered in the 2021 redesign; a break is
# registered in data/breaks.toml).
STAFF_SURVEY_2021_MEASURES = {
    "ss_hba_managers": "Emotional_manager_rate",
    "ss_hba_colleagues": "Emotional_colleagues_rate",
    "ss_hba_public": "Emotional_public_rate",
    "ss_discrimination_internal": "Discrimination_internal_rate",
    "ss_discrimination_public": "Discrimination_public_rate",
    "ss_violence_public": "Physical_public_rate",
    "ss_violence_colleagues": "Physical_colleagues_rate",
    "ss_burnout": "Burned_out_rate",
    "ss_work_stress_unwell": "Stress_rate",
    "ss_enough_staff": "Enough_staff_rate",
}


def _base_column(rate_column: str) -> str:
    """'Burned_out_rate' -> 'Burned_out_base' (the number who answered the question)."""
    return rate_column.removesuffix("_rate").removesuffix("_ever").removesuffix("_meaning") + "_base"


STAFF_SURVEY_2021_SCHEMA = Schema(
    columns=(
        # merged CCGs appear as "06L/06T/07K"; they are not trusts and are skipped
        Column("ODS code", pattern=r"^[A-Z0-9]{3,6}(/[A-Z0-9]{3,6})*$"),
        Column("Year", "int", minimum=2021, maximum=2024),
        Column("Organisation name"),
        Column("Benchmarking group"),
        *(
            column
            for rate in STAFF_SURVEY_2021_MEASURES.values()
            for column in (
                Column(rate, "float", required=False, minimum=0, maximum=100),
                Column(_base_column(rate), "float", required=False, minimum=0),
            )
        ),
    ),
    key=("ODS code", "Year"),
)


def transform_staff_survey_2021(frame: pl.DataFrame, path: str):
    from candour.importers.datasets import ImportedData, _observations, _organisations

    is_trust = pl.col("Benchmarking group").is_in(list(STAFF_SURVEY_2021_GROUPS))
    skipped = frame.filter(~is_trust).height
    frame = frame.filter(is_trust).with_columns(
        ods_code=pl.col("ODS code"),
        period_start=pl.date(pl.col("Year"), 1, 1),
    )
    orgs = frame.sort("Year").select(
        "ods_code",
        name=pl.col("Organisation name"),
        org_type=pl.col("Benchmarking group").replace_strict(STAFF_SURVEY_2021_GROUPS),
    )
    measures = {
        measure_id: _rate_measure(rate) for measure_id, rate in STAFF_SURVEY_2021_MEASURES.items()
    }
    return ImportedData(
        "staff_survey_2021_2024",
        path,
        organisations=_organisations(orgs.reverse()),
        observations=_observations(frame, measures, "year"),
        skipped={"rows for organisations that are not NHS trusts": skipped} if skipped else {},
    )


def _rate_measure(rate: str) -> dict[str, pl.Expr]:
    """A percent with its base: value = rate / 100, numerator estimated as value x base."""
    base = pl.col(_base_column(rate))
    value = pl.when(base > 0).then(pl.col(rate) / 100)
    return {"value": value, "denominator": base, "numerator": (value * base).round(0)}


# --- Staff survey indices 2012-2019 (the SHMI panel's survey columns) --------------------------

SURVEY_INDEX_MEASURES = {
    "ss_recommend_care_index": "RecommendCare.Index",
    "ss_recommend_work_index": "RecommendWork.Index",
    "ss_engagement_index": "Engagement.Index",
}
STAFF_SURVEY_INDICES_SCHEMA = Schema(
    columns=(
        Column("Code", pattern=ODS_CODE_PATTERN),
        Column("Year.Index", "int", minimum=2000, maximum=2100),
        Column("Name", required=False),
        Column("Responses", "float", required=False, minimum=0),
        *(Column(c, "float", required=False, minimum=1, maximum=5) for c in SURVEY_INDEX_MEASURES.values()),
        Column("WorkStress.Index", "float", required=False, minimum=0, maximum=1),
    ),
    key=("Code", "Year.Index"),
)


def transform_staff_survey_indices(frame: pl.DataFrame, path: str):
    from candour.importers.datasets import ImportedData, _observations, _organisations

    frame = frame.with_columns(
        ods_code=pl.col("Code"), period_start=pl.date(pl.col("Year.Index"), 1, 1)
    )
    measures = {measure_id: {"value": pl.col(c)} for measure_id, c in SURVEY_INDEX_MEASURES.items()}
    responses = pl.col("Responses")
    stress = pl.when(responses > 0).then(pl.col("WorkStress.Index"))
    measures["ss_work_stress"] = {
        "value": stress,
        "denominator": responses,
        "numerator": (stress * responses).round(0),
    }
    return ImportedData(
        "staff_survey_indices",
        path,
        organisations=_organisations(frame.select("ods_code", name=pl.col("Name"))),
        observations=_observations(frame, measures, "year"),
    )


# --- Staff survey management questions 2012-2018 -----------------------------------------------

MANAGEMENT_QUESTIONS = {
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
ANSWERS = ("SD", "D", "NAND", "A", "SA")
MANAGEMENT_SCHEMA = Schema(
    columns=(
        Column("ORG_CODE", pattern=ODS_CODE_PATTERN),
        Column("YEAR", "int", minimum=2000, maximum=2100),
        *(
            Column(f"{q}_{answer}", "float", required=False, minimum=0, maximum=100)
            for q in MANAGEMENT_QUESTIONS.values()
            for answer in ANSWERS
        ),
        *(Column(f"{q}_N", "float", required=False, minimum=0) for q in MANAGEMENT_QUESTIONS.values()),
    ),
    key=("ORG_CODE", "YEAR"),
)


def transform_management(frame: pl.DataFrame, path: str):
    from candour.importers.datasets import ImportedData, _observations, _organisations

    frame = frame.with_columns(ods_code=pl.col("ORG_CODE"), period_start=pl.date(pl.col("YEAR"), 1, 1))
    measures = {}
    for measure_id, q in MANAGEMENT_QUESTIONS.items():
        answered = pl.col(f"{q}_N")
        agree = pl.when(answered > 0).then((pl.col(f"{q}_A") + pl.col(f"{q}_SA")) / 100)
        measures[measure_id] = {
            "value": agree,
            "denominator": answered,
            "numerator": (agree * answered).round(0),
        }
    return ImportedData(
        "staff_survey_management",
        path,
        organisations=_organisations(frame.select("ods_code")),
        observations=_observations(frame, measures, "year"),
    )


# --- RTT at each financial year's end, 2013-2019 -----------------------------------------------

ANNUAL_PERFORMANCE_SCHEMA = Schema(
    columns=(
        Column("org_code", pattern=ODS_CODE_PATTERN),
        Column("fin_year_start", "int", minimum=2000, maximum=2100),
        Column("n_total", "float", required=False, minimum=0),
        Column("n_18_weeks", "float", required=False, minimum=0),
    ),
    key=("org_code", "fin_year_start"),
)


def transform_rtt_year_end(frame: pl.DataFrame, path: str):
    """Incomplete pathways at 31 March: the month of March's snapshot of the monthly measure."""
    from candour.importers.datasets import ImportedData, _observations, _organisations

    frame = frame.filter(pl.col("n_total") > 0).with_columns(
        ods_code=pl.col("org_code"),
        period_start=pl.date(pl.col("fin_year_start") + 1, 3, 1),
    )
    within = pl.col("n_18_weeks")
    measures = {
        "rtt_18wk": {
            "numerator": within,
            "denominator": pl.col("n_total"),
            "value": within / pl.col("n_total"),
        }
    }
    return ImportedData(
        "rtt_year_end",
        path,
        organisations=_organisations(frame.select("ods_code")),
        observations=_observations(frame, measures, "month"),
    )
