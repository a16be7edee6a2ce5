"""The JSON API: organisations, measures, observations, targets and concerns, with the same
access rules as the pages (one place decides: candour.web.core.access). The OpenAPI schema is at
/api/schema/."""

from __future__ import annotations

import polars as pl
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from candour.analytics.concern.constants import LEVEL_RANK
from candour.web.core.access import SIGNED_IN, requires
from candour.web.core.problems import PROBLEM_CONTENT_TYPE
from candour.web.oversight import actions, assessment, monitoring, policy, queries
from candour.web.oversight.api_params import (
    ConcernQuery,
    NoQuery,
    ObservationQuery,
    OrganisationQuery,
    RegionQuery,
    read_query,
)
from candour.web.oversight.api_problems import NON_FIELD_ERRORS, invalid_body
from candour.web.oversight.models import Concern, Measure, Observation, Organisation, Target


@requires(*SIGNED_IN)
class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema of this API."""


class CheckedQuery:
    # Every operation's query parameters are checked before it runs (api_params.read_query):
    # ``query_serializer`` for GET, none for writes. (A comment: a docstring here would become
    # the description of every operation in the schema.)

    query_serializer = NoQuery

    def initial(self, request, *args, **kwargs):
        reading = request.method in ("GET", "HEAD")
        self.query = read_query(
            request,
            self.query_serializer if reading else NoQuery,
            paginated=reading and hasattr(self, "list"),
        )
        super().initial(request, *args, **kwargs)


class OrganisationSerializer(serializers.ModelSerializer):
    successor = serializers.CharField(source="successor_id", allow_null=True)

    class Meta:
        model = Organisation
        fields = [
            "ods_code",
            "name",
            "org_type",
            "region_code",
            "region_name",
            "icb_code",
            "icb_name",
            "postcode",
            "open_date",
            "close_date",
            "successor",
            "merged_on",
        ]


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = [
            "id",
            "name",
            "description",
            "unit",
            "improvement",
            "domain",
            "source",
            "numerator",
            "denominator",
            "authored_by",
            "checked_by",
            "next_review",
        ]


class ObservationSerializer(serializers.ModelSerializer):
    ods_code = serializers.CharField(source="organisation_id")
    measure = serializers.CharField(source="measure_id")

    class Meta:
        model = Observation
        fields = [
            "ods_code",
            "measure",
            "period_start",
            "period_type",
            "numerator",
            "denominator",
            "value",
            "dataset",
        ]


class TargetSerializer(serializers.ModelSerializer):
    id = serializers.SlugField(max_length=60)
    measure = serializers.SlugRelatedField(slug_field="id", queryset=Measure.objects.all())
    balancing_measures = serializers.SlugRelatedField(
        slug_field="id", queryset=Measure.objects.all(), many=True, required=False
    )
    publish = serializers.BooleanField(write_only=True, default=False)
    publication_problems = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id",
            "name",
            "measure",
            "comparison",
            "threshold",
            "set_by",
            "effective_from",
            "effective_to",
            "organisation_types",
            "balancing_measures",
            "resources_and_support",
            "consequence_policy",
            "consequence_notes",
            "rationale",
            "status",
            "publish",
            "publication_problems",
        ]
        read_only_fields = ["status"]

    def get_publication_problems(self, target: Target) -> list[str]:
        return target.publication_problems()


class ConcernSerializer(serializers.ModelSerializer):
    ods_code = serializers.CharField(source="organisation_id")
    measure = serializers.CharField(source="measure_id", allow_null=True)
    owner = serializers.CharField(source="owner.username")
    closing_evidence = serializers.SerializerMethodField()

    class Meta:
        model = Concern
        fields = [
            "id",
            "ods_code",
            "title",
            "origin",
            "measure",
            "rule",
            "explanation",
            "severity",
            "owner",
            "status",
            "opened_at",
            "opened_by",
            "closed_at",
            "closed_by",
            "closing_evidence",
        ]

    def get_closing_evidence(self, concern: Concern) -> dict | None:
        evidence = concern.closing_evidence
        if evidence is None:
            return None
        return {"kind": evidence.kind, "summary": evidence.summary, "reference": evidence.reference}


@requires(*SIGNED_IN)
@extend_schema(parameters=[OrganisationQuery])
class OrganisationList(CheckedQuery, generics.ListAPIView):
    serializer_class = OrganisationSerializer
    query_serializer = OrganisationQuery

    def get_queryset(self):
        params = self.query
        return queries.organisations(
            search=params.get("q", ""),
            region=params.get("region", ""),
            org_type=params.get("type", ""),
            rating=params.get("rating", ""),
            include_closed=params.get("closed") == "true",
        )


@requires(*SIGNED_IN)
class OrganisationDetail(CheckedQuery, generics.RetrieveAPIView):
    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.all()
    lookup_field = "ods_code"


@requires(*SIGNED_IN)
class MeasureList(CheckedQuery, generics.ListAPIView):
    serializer_class = MeasureSerializer
    queryset = Measure.objects.all()


@requires(*SIGNED_IN)
class MeasureDetail(CheckedQuery, generics.RetrieveAPIView):
    serializer_class = MeasureSerializer
    queryset = Measure.objects.all()


@requires(*SIGNED_IN)
@extend_schema(parameters=[ObservationQuery])
class ObservationList(CheckedQuery, generics.ListAPIView):
    serializer_class = ObservationSerializer
    query_serializer = ObservationQuery

    def get_queryset(self):
        params = self.query
        rows = Observation.objects.order_by("organisation_id", "measure_id", "period_start")
        if params.get("organisation"):
            rows = rows.filter(organisation_id=params["organisation"].upper())
        if params.get("measure"):
            rows = rows.filter(measure_id=params["measure"])
        if params.get("from"):
            rows = rows.filter(period_start__gte=params["from"])
        if params.get("to"):
            rows = rows.filter(period_start__lte=params["to"])
        return rows


@requires(*SIGNED_IN)
class TargetList(CheckedQuery, generics.ListCreateAPIView):
    """List targets; regional oversight granted nationally may register one (POST) for every
    organisation, published only if it carries the three Francis qualifications."""

    serializer_class = TargetSerializer
    queryset = Target.objects.prefetch_related("balancing_measures")

    def create(self, request, *args, **kwargs):
        if not policy.may_publish_target(request.user):
            raise PermissionDenied("Only regional oversight granted nationally registers targets.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        balancing = [m.pk for m in data.pop("balancing_measures", [])]
        publish = data.pop("publish")
        target_id = data.pop("id")
        data["measure_id"] = data.pop("measure").pk
        try:
            target = actions.save_target(
                target_id=target_id,
                fields=data,
                balancing_measure_ids=balancing,
                publish=publish,
                by=request.user,
            )
        except ValidationError as exc:
            return Response(
                invalid_body({NON_FIELD_ERRORS: exc.messages}),
                status=status.HTTP_400_BAD_REQUEST,
                content_type=PROBLEM_CONTENT_TYPE,
            )
        return Response(self.get_serializer(target).data, status=status.HTTP_201_CREATED)


@requires(*SIGNED_IN)
class TargetDetail(CheckedQuery, generics.RetrieveAPIView):
    serializer_class = TargetSerializer
    queryset = Target.objects.prefetch_related("balancing_measures")


@requires(*policy.CONCERN_READERS)
@extend_schema(parameters=[ConcernQuery])
class ConcernList(CheckedQuery, generics.ListAPIView):
    """The concerns the signed-in person may read: every organisation's for regional oversight
    and analysts, their own organisations' for a board member."""

    serializer_class = ConcernSerializer
    query_serializer = ConcernQuery

    def get_queryset(self):
        params = self.query
        rows = policy.readable_concerns(
            self.request.user,
            Concern.objects.select_related("owner", "closing_evidence").order_by("id"),
        )
        if params.get("organisation"):
            rows = rows.filter(organisation_id=params["organisation"].upper())
        if params.get("status"):
            rows = rows.filter(status=params["status"])
        return rows


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


@requires(*SIGNED_IN)
class AssessmentList(CheckedQuery, APIView):
    """Every open organisation's concern-first assessment, most concern first: status, headline
    (its worst test against its own threshold: 1 is the line of risk), worst domain, number of
    findings, coverage. The same numbers as the pages and ``candour assess``."""

    query_serializer = RegionQuery

    @extend_schema(
        operation_id="assessments_list",
        parameters=[RegionQuery],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        result = assessment.current()
        rows = result.organisations.drop("flags")
        region = self.query.get("region")
        if region:
            rows = rows.filter(pl.col("region_code") == region.upper())
        rows = (
            rows.with_columns(
                rank=pl.col("status").replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int64)
            )
            .sort(["rank", "headline"], descending=True, nulls_last=True)
            .drop("rank")
        )
        return Response(
            {
                "as_of": result.as_of.isoformat(),
                "count": rows.height,
                "results": [_jsonable(r) for r in rows.iter_rows(named=True)],
            }
        )


@requires(*SIGNED_IN)
class AssessmentDetail(CheckedQuery, APIView):
    """One organisation's assessment: its status row, every finding (a plain-English sentence,
    the periods and values compared, and how it was worked out), every measure it reports with
    the period compared, and the system-wide findings for its peer group."""

    @extend_schema(operation_id="assessments_retrieve", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, ods_code: str):
        picture = monitoring.organisation_picture(ods_code.upper())
        if picture["headline"] is None:
            raise NotFound("no assessment for this organisation")
        headline = {k: v for k, v in picture["headline"].items() if k != "flags"}
        return Response(
            {
                "ods_code": ods_code.upper(),
                "as_of": picture["as_of"].isoformat(),
                "headline": _jsonable(headline),
                "flags": [_jsonable(f) for f in picture["flags"] + picture["missing"]],
                "measures": [
                    _jsonable({k: v for k, v in m.items() if k != "measure"})
                    for m in picture["by_measure"]
                ],
                "system": [
                    _jsonable({k: v for k, v in s.items() if k != "measure"})
                    for s in picture["system"]
                ],
            }
        )
