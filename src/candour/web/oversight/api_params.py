"""Query parameters of the JSON API: each operation declares its own in a serializer (which also
documents them in the OpenAPI schema); anything else, a repeated parameter or a bad value is a
400 with problem details naming the parameter. Pages hold at most MAX_PAGE_SIZE rows."""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.pagination import LimitOffsetPagination

from candour.importers.datasets import CQC_RATINGS
from candour.web.oversight.models import Concern, Measure, Organisation

DEFAULT_PAGE_SIZE = 100
# The most rows one page may hold: about 150 KB of observations. Beyond it the API answers 400
# rather than quietly returning fewer rows than asked for (docs/reference/api.md).
MAX_PAGE_SIZE = 1000
# The largest offset: 2**31 - 1, far beyond any table here and within every database's
# LIMIT/OFFSET range (a larger number reached PostgreSQL and failed with a 500).
MAX_OFFSET = 2**31 - 1
PAGINATION_PARAMETERS = ("limit", "offset")


class InvalidParameter(APIException):
    status_code = 400
    default_code = "invalid_parameter"

    def __init__(self, parameter: str, detail: str):
        self.parameter = parameter
        super().__init__(detail)


def whole_number(name: str, text: str, *, minimum: int, maximum: int) -> int:
    """A whole number written in plain digits, from ``minimum`` to ``maximum``."""
    if not (text.isascii() and text.isdigit()) or not minimum <= int(text) <= maximum:
        raise InvalidParameter(
            name, f"{name} must be a whole number from {minimum} to {maximum}; got {text!r}"
        )
    return int(text)


class BoundedPagination(LimitOffsetPagination):
    """``limit`` (1 to MAX_PAGE_SIZE, default DEFAULT_PAGE_SIZE) and ``offset`` (0 to
    MAX_OFFSET), each checked: a bad value is refused, never replaced by the default."""

    default_limit = DEFAULT_PAGE_SIZE
    max_limit = MAX_PAGE_SIZE

    def get_limit(self, request) -> int:
        text = request.query_params.get(self.limit_query_param)
        if text is None:
            return self.default_limit
        return whole_number(self.limit_query_param, text, minimum=1, maximum=MAX_PAGE_SIZE)

    def get_offset(self, request) -> int:
        text = request.query_params.get(self.offset_query_param)
        if text is None:
            return 0
        return whole_number(self.offset_query_param, text, minimum=0, maximum=MAX_OFFSET)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        limit, offset = super().get_schema_operation_parameters(view)
        limit["description"] = (
            f"rows per page, from 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}); "
            "more is refused with 400"
        )
        limit["schema"] |= {"minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE}
        offset["description"] = "rows to skip before the first on this page (default 0)"
        offset["schema"] |= {"minimum": 0, "maximum": MAX_OFFSET, "default": 0}
        return [limit, offset]


def code_field(model, field: str, help_text: str) -> serializers.CharField:
    """An optional code parameter no longer than the column it filters."""
    max_length = model._meta.get_field(field).max_length
    return serializers.CharField(
        required=False, max_length=max_length, trim_whitespace=False, help_text=help_text
    )


class OrganisationQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        trim_whitespace=False,
        help_text="name contains, or ODS code equals",
    )
    region = code_field(Organisation, "region_code", "NHS England region code, e.g. Y56")
    type = code_field(Organisation, "org_type", "organisation type")
    rating = serializers.ChoiceField(
        required=False, choices=list(CQC_RATINGS), help_text="CQC overall rating"
    )
    closed = serializers.ChoiceField(
        required=False,
        choices=["true", "false"],
        help_text="true to include closed and merged organisations (default false)",
    )


class ObservationQuery(serializers.Serializer):
    organisation = code_field(Organisation, "ods_code", "ODS code (any case)")
    measure = code_field(Measure, "id", "measure id")

    def get_fields(self) -> dict:
        """``from`` is a Python keyword, so the two date fields are added here."""
        return super().get_fields() | {
            "from": serializers.DateField(
                required=False, help_text="first period start (YYYY-MM-DD)"
            ),
            "to": serializers.DateField(required=False, help_text="last period start (YYYY-MM-DD)"),
        }


class ConcernQuery(serializers.Serializer):
    organisation = code_field(Organisation, "ods_code", "ODS code (any case)")
    status = serializers.ChoiceField(
        required=False, choices=list(Concern.Status.values), help_text="open or closed"
    )


class RegionQuery(serializers.Serializer):
    region = code_field(Organisation, "region_code", "NHS England region code, e.g. Y56")


class NoQuery(serializers.Serializer):
    """An operation that takes no query parameters."""


def read_query(request, serializer_class: type[serializers.Serializer], *, paginated: bool):
    """The validated query parameters; a 400 for an unknown, repeated or invalid one (the
    pagination parameters are checked by :class:`BoundedPagination`)."""
    fields = list(serializer_class().fields)
    check_known_once(request.query_params, [*fields, *(PAGINATION_PARAMETERS if paginated else ())])
    data = {name: v for name, v in request.query_params.items() if name in fields}
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        name, messages = next(iter(serializer.errors.items()))
        raise InvalidParameter(name, f"{name}: {' '.join(messages)} Got {data[name]!r}.")
    return serializer.validated_data


def check_known_once(params, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    for name in params:
        if name not in allowed:
            known = ", ".join(allowed) or "none"
            raise InvalidParameter(
                name, f"unknown parameter {name!r}; this operation takes {known}"
            )
        if len(params.getlist(name)) > 1:
            raise InvalidParameter(name, f"{name} was given more than once")
