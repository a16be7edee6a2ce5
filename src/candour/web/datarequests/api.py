"""The registry in the JSON API (mounted at /api/requests/): the requests a person may read, one
request with its items, duplicates and held coverage, and its return answered from held data.
Every parameter is checked (candour.web.oversight.api_params); errors are problem details."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, PermissionDenied

from candour.analytics.datarequests.model import FREQUENCIES
from candour.web.core.access import requires
from candour.web.datarequests import actions, answers, policy, registry
from candour.web.datarequests.models import DataRequest, Requester, RequestItem
from candour.web.oversight.api import CheckedQuery
from candour.web.oversight.api_params import code_field
from candour.web.oversight.models import Organisation


class RequestQuery(serializers.Serializer):
    organisation = code_field(Organisation, "ods_code", "only requests asking this ODS code")
    requester = code_field(Requester, "id", "only this requester's requests (its id)")


class AnswerQuery(serializers.Serializer):
    organisation = code_field(Organisation, "ods_code", "only this organisation's return")


class ItemSerializer(serializers.ModelSerializer):
    held = serializers.SerializerMethodField(
        help_text='the held data it maps to ("measure:<id>", "cqc_rating:<key question>"), '
        "or null for a new item"
    )

    class Meta:
        model = RequestItem
        fields = ["position", "name", "definition", "unit", "period_type", "held"]

    def get_held(self, item: RequestItem) -> str | None:
        return item.held


class RequestSerializer(serializers.ModelSerializer):
    requester = serializers.CharField(source="requester.name")
    requester_id = serializers.CharField()
    frequency = serializers.ChoiceField(choices=list(FREQUENCIES))
    organisations = serializers.SerializerMethodField(help_text="ODS codes of those asked")
    items = ItemSerializer(many=True)

    class Meta:
        model = DataRequest
        fields = [
            "id",
            "requester",
            "requester_id",
            "title",
            "description",
            "mandate",
            "standard_number",
            "frequency",
            "due",
            "asked_since",
            "periods_from",
            "periods_to",
            "organisations",
            "hours_per_return",
            "estimate_source",
            "synthetic",
            "items",
        ]

    def get_organisations(self, request: DataRequest) -> list[str]:
        return sorted(o.pk for o in request.organisations.all())


class DuplicateSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="the item's position in this request")
    kind = serializers.ChoiceField(choices=["exact", "fuzzy"])
    score = serializers.FloatField(help_text="100 for exact; the wording's similarity for fuzzy")
    request = serializers.IntegerField(help_text="the other request's id")
    requester = serializers.CharField()
    title = serializers.CharField()
    other_item = serializers.CharField()
    asked_since = serializers.CharField(
        help_text="YYYY, YYYY-MM or YYYY-MM-DD; empty: not recorded"
    )
    frequency = serializers.CharField()


class RequestDetailSerializer(RequestSerializer):
    answerable_now = serializers.BooleanField()
    held_for = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="item position -> organisations asked that Candour holds it for",
    )
    duplicates = DuplicateSerializer(many=True)

    class Meta(RequestSerializer.Meta):
        fields = [*RequestSerializer.Meta.fields, "answerable_now", "held_for", "duplicates"]


class AnswerRowSerializer(serializers.Serializer):
    ods_code = serializers.CharField()
    organisation = serializers.CharField()
    item_position = serializers.IntegerField()
    item = serializers.CharField()
    held_as = serializers.CharField()
    period_type = serializers.CharField()
    period_start = serializers.DateField()
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    value = serializers.FloatField(allow_null=True, help_text="null for a CQC rating")
    rating = serializers.CharField(allow_null=True, help_text="a CQC rating; null for a measure")
    unit = serializers.CharField()
    source_dataset = serializers.CharField()
    publication = serializers.CharField()
    publisher = serializers.CharField()
    extracted_on = serializers.DateField(allow_null=True)
    served_at = serializers.DateTimeField()


@requires(*policy.READERS)
@extend_schema(parameters=[RequestQuery])
class RequestList(CheckedQuery, generics.ListAPIView):
    """The data requests the signed-in person may read: their body's, and those asking
    organisations they are granted for as an analyst or regional oversight."""

    serializer_class = RequestSerializer
    query_serializer = RequestQuery

    def get_queryset(self):
        rows = policy.readable_requests(
            self.request.user,
            registry.stored_requests().prefetch_related("organisations").order_by("pk"),
        )
        if self.query.get("organisation"):
            rows = rows.filter(organisations=self.query["organisation"].upper())
        if self.query.get("requester"):
            rows = rows.filter(requester_id=self.query["requester"])
        return rows


def _readable(request, request_id: int) -> DataRequest:
    data_request = get_object_or_404(DataRequest.objects.select_related("requester"), pk=request_id)
    if not policy.may_read_request(request.user, data_request):
        raise PermissionDenied("This request is neither your body's nor asks your organisations.")
    return data_request


@requires(*policy.READERS)
class RequestDetail(CheckedQuery, generics.RetrieveAPIView):
    """One request: its items, which Candour holds and for how many organisations, whether it is
    answerable now, and every duplicate in other requests (who else asks, since when, how
    often)."""

    serializer_class = RequestDetailSerializer

    def get_object(self):
        data_request = _readable(self.request, self.kwargs["request_id"])
        held = registry.held_organisations(data_request)
        positions = {i.pk: i.position for i in data_request.items.all()}
        data_request.answerable_now = registry.answerable_now(held)
        data_request.held_for = {str(positions[pk]): n for pk, n in held.items()}
        data_request.duplicates = [
            {
                "item": positions[item_pk],
                "kind": d.kind,
                "score": round(d.score, 1),
                "request": d.other.pk,
                "requester": d.other.requester.name,
                "title": d.other.title,
                "other_item": d.other_item.name,
                "asked_since": d.other.asked_since,
                "frequency": d.other.frequency,
            }
            for item_pk, found in registry.item_duplicates(data_request).items()
            for d in found
        ]
        return data_request


@requires(*policy.READERS)
@extend_schema(parameters=[AnswerQuery])
class HeldAnswer(CheckedQuery, generics.ListAPIView):
    """The request's return answered from held data: one row per organisation, held item and
    period, with its provenance (source dataset, publication, period, extraction date). Reading
    a page records that those organisations' returns were served (an audited action); the same
    rows as the page's CSV and Excel downloads."""

    serializer_class = AnswerRowSerializer
    query_serializer = AnswerQuery

    def get_queryset(self):
        data_request = _readable(self.request, self.kwargs["request_id"])
        organisations = policy.answerable_organisations(self.request.user, data_request)
        code = (self.query.get("organisation") or "").upper()
        if code:
            if not data_request.organisations.filter(pk=code).exists():
                raise NotFound("This request does not ask that organisation.")
            organisations = organisations.filter(pk=code)
            if not organisations.exists():
                raise PermissionDenied("You are not granted for that organisation.")
        self.data_request = data_request
        self.served_at = timezone.now()
        return answers.held_answer(data_request, organisations, served_at=self.served_at)

    def list(self, request, *args, **kwargs):
        rows = self.get_queryset()
        page = self.paginate_queryset(rows)
        if page:
            actions.serve_answer(
                request=self.data_request,
                rows=page,
                channel="api",
                served_at=self.served_at,
                by=request.user,
            )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
