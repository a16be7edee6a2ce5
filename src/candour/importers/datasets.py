"""Importers: each public dataset, from its file to validated, canonical Polars frames.

Each importer is a pure function ``path -> ImportedData``: it reads the file, checks it against the
dataset's declared :class:`~candour.importers.schema.Schema`, and reshapes it into up to three
canonical frames (organisations, ratings, observations). Nothing here touches a database; the web
layer persists the frames in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from candour.importers.catalogue import sources
from candour.importers.files import read_table
from candour.importers.schema import ODS_CODE_PATTERN, Column, Schema, validate

# NHS England regions by ODS code (NHS England, regional structure from April 2020), plus Wales
# and the pre-2020 commissioning region still attached to trusts that closed before then.
REGIONS = {
    "Y56": "London",
    "Y58": "South West",
    "Y59": "South East",
    "Y60": "Midlands",
    "Y61": "East of England",
    "Y62": "North West",
    "Y63": "North East and Yorkshire",
    "Y55": "Midlands and East (before 2020)",
    "W00": "Wales",
}

CQC_RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate")
CQC_KEY_QUESTIONS = ("overall", "safe", "effective", "caring", "responsive", "well_led")
# The CQC file's trust types, and the staff survey's benchmark groups, mapped to one vocabulary.
ORGANISATION_TYPES = {
    "Acute": "Acute",
    "Mental Health": "Mental health",
    "Community Provider Trust": "Community",
    "Ambulance": "Ambulance",
    "Acute Trusts": "Acute",
    "Combined Acute and Community Trusts": "Acute",
    "Acute Specialist Trusts": "Acute specialist",
    "Mental Health / Learning Disability Trusts": "Mental health",
    "Combined Mental Health / Learning Disability and Community Trusts": "Mental health",
    "Community Trusts": "Community",
    "Ambulance Trusts": "Ambulance",
}
# NHS trust codes start with R or T; other A&E providers (independent sector, GP-led walk-in
# centres) are skipped by the A&E importer and counted.
NHS_TRUST_CODE_PATTERN = r"^[RT][A-Z0-9]{2}$"

ORGANISATION_COLUMNS = {
    "ods_code": pl.String,
    "name": pl.String,
    "org_type": pl.String,
    "region_code": pl.String,
    "region_name": pl.String,
    "icb_code": pl.String,
    "icb_name": pl.String,
    "postcode": pl.String,
    "open_date": pl.Date,
    "close_date": pl.Date,
}
RATING_COLUMNS = {
    "ods_code": pl.String,
    "service": pl.String,
    "key_question": pl.String,
    "rating": pl.String,
    "published": pl.Date,
}
OBSERVATION_COLUMNS = {
    "ods_code": pl.String,
    "measure_id": pl.String,
    "period_start": pl.Date,
    "period_type": pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "value": pl.Float64,
}
PERIOD_TYPES = ("month", "quarter", "year", "financial_year")


@dataclass(frozen=True)
class ImportedData:
    """Canonical frames from one dataset file. Organisation columns that are null are unknown to
    this dataset and leave what is already stored unchanged."""

    dataset: str
    path: str
    organisations: pl.DataFrame | None = None
    ratings: pl.DataFrame | None = None
    observations: pl.DataFrame | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    # True for the ODS reference: what it says replaces what is stored. Other datasets only
    # fill in organisation fields that no dataset has set yet.
    names_authoritative: bool = False

    @property
    def rows(self) -> int:
        return sum(
            len(f) for f in (self.organisations, self.ratings, self.observations) if f is not None
        )


@dataclass(frozen=True)
class Dataset:
    name: str
    source_id: str
    schema: Schema
    transform: Callable[[pl.DataFrame, str], ImportedData]
    description: str

    @property
    def default_path(self) -> Path:
        return sources()[self.source_id].path

    def load(self, path: str | Path | None = None) -> ImportedData:
        """Read, validate and reshape ``path`` (default: the bundled file)."""
        path = str(path or self.default_path)
        raw = read_table(path)
        # Rows repeated exactly (every cell equal) carry no new information; some published
        # files have them. They are dropped and counted. Rows that share a key but differ
        # in any cell are an error (see Schema.key).
        exact_repeats = raw.height - raw.unique(maintain_order=True).height
        frame = validate(raw.unique(maintain_order=True), self.schema, path)
        imported = self.transform(frame, path)
        if exact_repeats:
            imported.skipped["rows repeated exactly (kept once)"] = exact_repeats
        return imported


def _organisations(frame: pl.DataFrame) -> pl.DataFrame:
    """Give ``frame`` every organisation column (missing ones null) in canonical order."""
    return frame.select(
        [
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in ORGANISATION_COLUMNS.items()
        ]
    ).unique("ods_code", keep="first", maintain_order=True)


def _canonical(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    return frame.select([pl.col(name).cast(dtype) for name, dtype in columns.items()])


def _observations(
    frame: pl.DataFrame, measures: dict[str, dict[str, pl.Expr]], period_type: str
) -> pl.DataFrame:
    """Melt ``frame`` into observations: one per row and measure whose value is not null."""
    parts = []
    for measure_id, exprs in measures.items():
        parts.append(
            frame.select(
                pl.col("ods_code"),
                pl.lit(measure_id).alias("measure_id"),
                pl.col("period_start"),
                pl.lit(period_type).alias("period_type"),
                exprs.get("numerator", pl.lit(None)).cast(pl.Float64).alias("numerator"),
                exprs.get("denominator", pl.lit(None)).cast(pl.Float64).alias("denominator"),
                exprs["value"].cast(pl.Float64).alias("value"),
            )
        )
    result = pl.concat(parts).filter(pl.col("value").is_not_null() & pl.col("value").is_finite())
    return _canonical(result, OBSERVATION_COLUMNS)


def title_case_name(name: pl.Expr) -> pl.Expr:
    """ODS names are upper case; show them as the trusts write them ("NHS" stays upper case)."""
    titled = name.str.to_titlecase()
    for word, fixed in (
        ("Nhs", "NHS"),
        ("And", "and"),
        ("Of", "of"),
        ("The", "the"),
        ("For", "for"),
    ):
        titled = titled.str.replace_all(rf"\b{word}\b", fixed)
    return titled.str.replace(r"^the ", "The ").str.replace_all(r"'S\b", "'s")


# --- ODS trust reference -------------------------------------------------------------------------

ODS_SCHEMA = Schema(
    columns=(
        Column("organisation_code", pattern=ODS_CODE_PATTERN),
        Column("name"),
        Column("national_grouping", pattern=r"^[A-Z0-9]{3}$"),
        Column("postcode", required=False),
        Column("open_date", "date", date_format="%Y%m%d"),
        Column("close_date", "str", required=False, pattern=r"^\d{8}(\.0)?$"),
    ),
    key=("organisation_code",),
)


def _transform_ods(frame: pl.DataFrame, path: str) -> ImportedData:
    orgs = frame.select(
        pl.col("organisation_code").alias("ods_code"),
        title_case_name(pl.col("name")).alias("name"),
        pl.col("national_grouping").alias("region_code"),
        pl.col("national_grouping").replace_strict(REGIONS, default=None).alias("region_name"),
        pl.col("postcode"),
        pl.col("open_date"),
        pl.col("close_date").str.slice(0, 8).str.strptime(pl.Date, "%Y%m%d").alias("close_date"),
    )
    return ImportedData(
        "ods_trusts", path, organisations=_organisations(orgs), names_authoritative=True
    )


# --- CQC ratings ----------------------------------------------------------------------------------

CQC_SCHEMA = Schema(
    columns=(
        Column("org_code", pattern=ODS_CODE_PATTERN),
        Column("org_name"),
        Column(
            "org_type", choices=("Acute", "Mental Health", "Community Provider Trust", "Ambulance")
        ),
        *(Column(q, choices=CQC_RATINGS, required=(q == "overall")) for q in CQC_KEY_QUESTIONS),
        Column("overall_publication_date", "date"),
    ),
    key=("org_code",),
)


def _transform_cqc(frame: pl.DataFrame, path: str) -> ImportedData:
    orgs = frame.select(
        pl.col("org_code").alias("ods_code"),
        pl.col("org_name").alias("name"),
        pl.col("org_type").replace_strict(ORGANISATION_TYPES).alias("org_type"),
    )
    ratings = (
        frame.unpivot(
            index=["org_code", "overall_publication_date"],
            on=list(CQC_KEY_QUESTIONS),
            variable_name="key_question",
            value_name="rating",
        )
        .filter(pl.col("rating").is_not_null())
        .select(
            pl.col("org_code").alias("ods_code"),
            pl.lit("Overall").alias("service"),
            pl.col("key_question"),
            pl.col("rating"),
            pl.col("overall_publication_date").alias("published"),
        )
    )
    return ImportedData(
        "cqc_ratings",
        path,
        organisations=_organisations(orgs),
        ratings=_canonical(ratings, RATING_COLUMNS),
    )


# --- NHS Staff Survey 2019 ------------------------------------------------------------------------

STAFF_SURVEY_2019_MEASURES = {
    "ss_hba_managers": "q13b_hba_from_managers",
    "ss_hba_colleagues": "q13c_hba_from_colleagues",
    "ss_hba_public": "q13a_hba_from_patients_public",
    "ss_discrimination_internal": "q15b_discrimination_from_manager_colleagues",
    "ss_secure_raising_concerns": "q18b_secure_raising_concerns_unsafe_practice",
    "ss_confident_concern_addressed": "q18c_confident_org_would_address_concern",
    "ss_incident_reporting_encouraged": "q17b_org_encourages_incident_reporting",
    "ss_recommend_care": "q21d_recommend_standard_of_care",
    "ss_recommend_work": "q21c_recommend_as_place_to_work",
    "ss_safety_culture": "theme_safety_culture_score",
    "ss_bullying_theme": "theme_safe_env_bullying_harassment_score",
}
STAFF_SURVEY_SCORE_COLUMNS = {
    "theme_safety_culture_score",
    "theme_safe_env_bullying_harassment_score",
}
STAFF_SURVEY_2019_PERIOD = "2019-01-01"  # survey year 2019 (fieldwork autumn 2019)
# The Isle of Wight trust (R1F) answered the 2019 survey as four sectors, R1F1 to R1F4.
SECTOR_CODE_PATTERN = r"^([A-Z0-9]{3})\d$"

STAFF_SURVEY_2019_SCHEMA = Schema(
    columns=(
        Column("org_code", pattern=r"^[A-Z0-9]{3,4}$"),
        Column("org_name"),
        Column(
            "benchmark_group", choices=tuple(k for k in ORGANISATION_TYPES if k.endswith("Trusts"))
        ),
        Column("responses", "float", minimum=0),
        *(
            Column(
                source_column,
                "float",
                required=False,
                minimum=0,
                maximum=10 if source_column in STAFF_SURVEY_SCORE_COLUMNS else 1,
            )
            for source_column in STAFF_SURVEY_2019_MEASURES.values()
        ),
    ),
    key=("org_code",),
)


def _combine_sectors(frame: pl.DataFrame) -> pl.DataFrame:
    """Combine sector rows (R1F1..R1F4) into their trust, weighting each proportion by responses."""
    trust = pl.col("org_code").str.extract(SECTOR_CODE_PATTERN, 1)
    sectors = frame.filter(trust.is_not_null())
    if sectors.is_empty():
        return frame
    measure_columns = list(STAFF_SURVEY_2019_MEASURES.values())
    combined = (
        sectors.with_columns(trust.alias("org_code"))
        .group_by("org_code", maintain_order=True)
        .agg(
            pl.col("org_name").first().str.replace(r"\s*\(.*\)$", ""),
            pl.col("benchmark_group").first(),
            *[
                (
                    (pl.col(c) * pl.col("responses")).sum()
                    / pl.col("responses").filter(pl.col(c).is_not_null()).sum()
                ).alias(c)
                for c in measure_columns
            ],
            pl.col("responses").sum(),
        )
    )
    return pl.concat([frame.filter(trust.is_null()), combined.select(frame.columns)])


def _transform_staff_survey_2019(frame: pl.DataFrame, path: str) -> ImportedData:
    frame = _combine_sectors(frame).with_columns(
        pl.col("org_code").alias("ods_code"),
        pl.lit(STAFF_SURVEY_2019_PERIOD).str.to_date().alias("period_start"),
    )
    orgs = frame.select(
        "ods_code",
        pl.col("org_name").alias("name"),
        pl.col("benchmark_group").replace_strict(ORGANISATION_TYPES).alias("org_type"),
    )
    measures = {
        measure_id: {"value": pl.col(column), "denominator": pl.col("responses")}
        for measure_id, column in STAFF_SURVEY_2019_MEASURES.items()
    }
    return ImportedData(
        "staff_survey_2019",
        path,
        organisations=_organisations(orgs),
        observations=_observations(frame, measures, "year"),
    )


# --- Monthly RTT and A&E, 2024-25 -----------------------------------------------------------------

RTT_AE_SCHEMA = Schema(
    columns=(
        Column("trust_code", pattern=ODS_CODE_PATTERN),
        Column("trust_name"),
        Column("period", "date"),
        Column("icb_code", required=False, pattern=r"^[A-Z0-9]{3}$"),
        Column("icb_name", required=False),
        Column("rtt_incomplete_pathways", "int", required=False, minimum=0),
        Column("rtt_within_18_weeks", "int", required=False, minimum=0),
        Column("rtt_52_plus_weeks", "int", required=False, minimum=0),
        Column("rtt_median_wait_weeks", "float", required=False, minimum=0),
        Column("ae_attendances_total", "float", required=False, minimum=0),
        Column("ae_over_4hrs_total", "float", required=False, minimum=0),
        Column("ae_emergency_admissions_total", "float", required=False, minimum=0),
        Column("ae_12hr_wait_admissions", "float", required=False, minimum=0),
    ),
    key=("trust_code", "period"),
)


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then(numerator / denominator).otherwise(None)


def _transform_rtt_ae(frame: pl.DataFrame, path: str) -> ImportedData:
    frame = frame.rename({"trust_code": "ods_code", "period": "period_start"})
    latest_icb = (
        frame.sort("period_start")
        .group_by("ods_code")
        .agg(
            pl.col("trust_name").last(),
            pl.col("icb_code").drop_nulls().last(),
            pl.col("icb_name").drop_nulls().last(),
        )
    )
    orgs = latest_icb.select(
        "ods_code",
        title_case_name(pl.col("trust_name")).alias("name"),
        "icb_code",
        title_case_name(pl.col("icb_name")).alias("icb_name"),
    )
    pathways = pl.col("rtt_incomplete_pathways")
    attendances = pl.col("ae_attendances_total")
    admissions = pl.col("ae_emergency_admissions_total")
    within_4h = attendances - pl.col("ae_over_4hrs_total")
    measures = {
        "rtt_18wk": {
            "numerator": pl.col("rtt_within_18_weeks"),
            "denominator": pathways,
            "value": _ratio(pl.col("rtt_within_18_weeks"), pathways),
        },
        "rtt_52wk": {
            "numerator": pl.col("rtt_52_plus_weeks"),
            "denominator": pathways,
            "value": _ratio(pl.col("rtt_52_plus_weeks"), pathways),
        },
        "rtt_median_wait": {"value": pl.col("rtt_median_wait_weeks")},
        "ae_4hr_all": {
            "numerator": within_4h,
            "denominator": attendances,
            "value": _ratio(within_4h, attendances),
        },
        "ae_12hr_waits": {
            "numerator": pl.col("ae_12hr_wait_admissions"),
            "denominator": admissions,
            "value": _ratio(pl.col("ae_12hr_wait_admissions"), admissions),
        },
    }
    return ImportedData(
        "rtt_ae_monthly",
        path,
        organisations=_organisations(orgs),
        observations=_observations(frame, measures, "month"),
    )


# --- A&E attendances 2016-19 ----------------------------------------------------------------------

AE_ATTENDANCES_SCHEMA = Schema(
    columns=(
        Column("period", "date"),
        Column("org_code", pattern=ODS_CODE_PATTERN),
        Column("type", choices=("1", "2", "other")),
        Column("attendances", "int", minimum=0),
        Column("breaches", "int", minimum=0),
        Column("admissions", "int", minimum=0),
    ),
    key=("period", "org_code", "type"),
)


def _transform_ae_attendances(frame: pl.DataFrame, path: str) -> ImportedData:
    is_trust = pl.col("org_code").str.contains(NHS_TRUST_CODE_PATTERN)
    skipped = frame.filter(~is_trust).height
    frame = frame.filter(is_trust).rename({"org_code": "ods_code", "period": "period_start"})
    type1 = frame.filter(pl.col("type") == "1")
    all_types = frame.group_by("ods_code", "period_start", maintain_order=True).agg(
        pl.col("attendances").sum(), pl.col("breaches").sum()
    )

    def four_hour(rows: pl.DataFrame) -> dict[str, pl.Expr]:
        within = pl.col("attendances") - pl.col("breaches")
        return {
            "numerator": within,
            "denominator": pl.col("attendances"),
            "value": _ratio(within, pl.col("attendances")),
        }

    observations = pl.concat(
        [
            _observations(type1, {"ae_4hr_type1": four_hour(type1)}, "month"),
            _observations(
                type1,
                {
                    "ae_attendances_type1": {
                        "value": pl.col("attendances"),
                        "numerator": pl.col("attendances"),
                    }
                },
                "month",
            ),
            _observations(all_types, {"ae_4hr_all": four_hour(all_types)}, "month"),
        ]
    )
    orgs = _organisations(frame.select("ods_code"))
    return ImportedData(
        "ae_attendances",
        path,
        organisations=orgs,
        observations=observations,
        skipped={"rows for providers that are not NHS trusts": skipped} if skipped else {},
    )


# --- SHMI 2012-19 ---------------------------------------------------------------------------------

SHMI_SCHEMA = Schema(
    columns=(
        Column("Code", pattern=ODS_CODE_PATTERN),
        Column("Year.Index", "int", minimum=2000, maximum=2100),
        Column("SHMI.Index", "float", required=False, minimum=0, maximum=5),
        Column("Name", required=False),
    ),
    key=("Code", "Year.Index"),
)


def _transform_shmi(frame: pl.DataFrame, path: str) -> ImportedData:
    frame = frame.with_columns(
        pl.col("Code").alias("ods_code"),
        pl.date(pl.col("Year.Index"), 1, 1).alias("period_start"),
    )
    orgs = _organisations(frame.select("ods_code", pl.col("Name").alias("name")))
    return ImportedData(
        "shmi",
        path,
        organisations=orgs,
        observations=_observations(frame, {"shmi": {"value": pl.col("SHMI.Index")}}, "year"),
    )


# --- Cancer waiting times 2023 --------------------------------------------------------------------

CANCER_STANDARDS = {
    "62-day Combined": "cancer_62day",
    "31-day Combined": "cancer_31day",
    "28-day FDS": "cancer_fds_28day",
}
# Each standard is published as two complete cuts (by cancer type, and for the 31- and 62-day
# standards by modality); summing both double counts. Use the cut by cancer type, whose rows have
# treatment_modality "ALL MODALITIES" (or none, for the 28-day standard). Source: the dataset's README.
CANCER_ALL_MODALITIES = "ALL MODALITIES"

CANCER_SCHEMA = Schema(
    columns=(
        Column("period", "date"),
        Column("standard", choices=tuple(CANCER_STANDARDS)),
        Column("org_code", pattern=ODS_CODE_PATTERN),
        Column("stage_route"),
        Column("treatment_modality", required=False),
        Column("cancer_type"),
        Column("total_treated", "float", minimum=0),
        Column("within_standard", "float", minimum=0),
        Column("breaches", "float", minimum=0),
    ),
    key=("period", "standard", "org_code", "stage_route", "treatment_modality", "cancer_type"),
)


def _transform_cancer(frame: pl.DataFrame, path: str) -> ImportedData:
    is_trust = pl.col("org_code").str.contains(NHS_TRUST_CODE_PATTERN)
    skipped = frame.filter(~is_trust).height
    by_cancer_type = frame.filter(
        is_trust
        & (
            pl.col("treatment_modality").is_null()
            | (pl.col("treatment_modality") == CANCER_ALL_MODALITIES)
        )
    )
    monthly = (
        by_cancer_type.group_by("org_code", "period", "standard", maintain_order=True)
        .agg(pl.col("within_standard").sum(), pl.col("total_treated").sum())
        .rename({"org_code": "ods_code", "period": "period_start"})
    )
    parts = [
        _observations(
            monthly.filter(pl.col("standard") == standard),
            {
                measure_id: {
                    "numerator": pl.col("within_standard"),
                    "denominator": pl.col("total_treated"),
                    "value": _ratio(pl.col("within_standard"), pl.col("total_treated")),
                }
            },
            "month",
        )
        for standard, measure_id in CANCER_STANDARDS.items()
    ]
    return ImportedData(
        "cancer_waiting_times",
        path,
        organisations=_organisations(monthly.select("ods_code")),
        observations=pl.concat(parts),
        skipped={"rows for providers that are not NHS trusts": skipped} if skipped else {},
    )


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "ods_trusts",
            "ods_trusts",
            ODS_SCHEMA,
            _transform_ods,
            "NHS trusts from the ODS reference",
        ),
        Dataset(
            "cqc_ratings",
            "cqc_ratings",
            CQC_SCHEMA,
            _transform_cqc,
            "CQC ratings: overall and five key questions",
        ),
        Dataset(
            "staff_survey_2019",
            "staff_survey_2019",
            STAFF_SURVEY_2019_SCHEMA,
            _transform_staff_survey_2019,
            "NHS Staff Survey 2019 key culture indicators",
        ),
        Dataset(
            "rtt_ae_monthly",
            "rtt_ae_monthly",
            RTT_AE_SCHEMA,
            _transform_rtt_ae,
            "Monthly RTT and A&E, 2024-25",
        ),
        Dataset(
            "ae_attendances",
            "ae_attendances",
            AE_ATTENDANCES_SCHEMA,
            _transform_ae_attendances,
            "A&E attendances and 4-hour breaches, 2016-19",
        ),
        Dataset("shmi", "shmi", SHMI_SCHEMA, _transform_shmi, "SHMI by acute trust, 2012-19"),
        Dataset(
            "cancer_waiting_times",
            "cancer_waiting_times",
            CANCER_SCHEMA,
            _transform_cancer,
            "Cancer waiting times by provider, April to October 2023",
        ),
    )
}


def load_successors() -> pl.DataFrame:
    """The predecessor -> successor map for merged trusts."""
    schema = Schema(
        columns=(
            Column("predecessor_code", pattern=ODS_CODE_PATTERN),
            Column("successor_code", pattern=ODS_CODE_PATTERN),
            Column("effective_date", "date"),
            Column("note"),
        ),
        key=("predecessor_code",),
    )
    path = str(sources()["ods_successors"].path)
    return validate(read_table(path), schema, path)
