"""Errors of the JSON API as problem details (RFC 9457), and the same errors documented in the
OpenAPI schema for every operation (a drf-spectacular postprocessing hook)."""

from __future__ import annotations

from http import HTTPStatus

from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from candour.web.core.problems import (
    GENERIC_TYPE,
    INVALID_BODY,
    INVALID_PARAMETER,
    NUL_CHARACTER,
    PROBLEM_CONTENT_TYPE,
    TYPE_TITLES,
    problem,
)
from candour.web.oversight.api_params import InvalidParameter

NON_FIELD_ERRORS = "non_field_errors"  # DRF's key for errors about the whole body


def problem_exception_handler(exc, context):
    """DRF's exception handler, with every error body turned into problem details. Anything DRF
    does not handle is a bug and goes on to Django's 500 handler (problem details too)."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    status = response.status_code
    if isinstance(exc, InvalidParameter):
        body = problem(status, str(exc.detail), type=INVALID_PARAMETER, parameter=exc.parameter)
    elif isinstance(exc, ValidationError):
        errors = flat_errors(response.data)
        body = invalid_body(errors)
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        body = problem(status, str(detail or HTTPStatus(status).phrase))
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def invalid_body(errors: dict[str, list[str]]) -> dict:
    """A 400 for a request body: ``detail`` says it all in one line; ``errors`` by field."""
    detail = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
    return problem(400, detail, type=INVALID_BODY, errors=errors)


def flat_errors(data: object, prefix: str = "") -> dict[str, list[str]]:
    """DRF's error structure (lists and dicts nested as the body was) as field -> messages,
    nested fields joined with dots."""
    if isinstance(data, dict):
        flat: dict[str, list[str]] = {}
        for key, value in data.items():
            for field, messages in flat_errors(
                value, f"{prefix}.{key}" if prefix else str(key)
            ).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    if isinstance(data, list) and any(isinstance(item, dict | list) for item in data):
        return flat_errors({str(i): item for i, item in enumerate(data) if item}, prefix)
    messages = data if isinstance(data, list) else [data]
    return {prefix or NON_FIELD_ERRORS: [str(m) for m in messages]}


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Problem details (RFC 9457), served as application/problem+json.",
    "properties": {
        "type": {
            "type": "string",
            "enum": [GENERIC_TYPE, *TYPE_TITLES],
            "description": "about:blank, or one of Candour's problem types (docs/reference/api.md)",
        },
        "title": {"type": "string", "description": "the problem type in words"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "what was wrong with this request"},
        "parameter": {
            "type": "string",
            "description": f"the query parameter at fault ({INVALID_PARAMETER}, {NUL_CHARACTER})",
        },
        "errors": {
            "type": "object",
            "description": f"messages by field of the body ({INVALID_BODY}); nested fields "
            f"joined by dots, errors about the whole body under {NON_FIELD_ERRORS}",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}
# Why each error status is answered, by every operation (400 to 406), by operations with a path
# parameter (404), and by operations with a request body (415).
ERROR_RESPONSES = {
    "400": "A query parameter is unknown, repeated or invalid (type invalid-parameter, naming "
    "it), or the path or query holds a NUL character (type nul-character).",
    "401": "Not signed in.",
    "403": "Signed in without a role that may do this.",
    "406": "The Accept header allows neither application/json nor application/problem+json.",
}
NOT_FOUND = "Nothing has this id or code."
UNSUPPORTED_MEDIA_TYPE = "The body is neither JSON nor a form."
INVALID_BODY_RESPONSE = (
    " For a write, the body is invalid (type invalid-body, with the messages by field)."
)


def add_problem_responses(result, generator, request, public):
    """Document the problem-details errors every operation can answer (POSTPROCESSING_HOOKS)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            errors = dict(ERROR_RESPONSES)
            if "{" in path:
                errors["404"] = NOT_FOUND
            if "requestBody" in operation:
                errors["400"] += INVALID_BODY_RESPONSE
                errors["415"] = UNSUPPORTED_MEDIA_TYPE
            for status, description in sorted(errors.items()):
                operation["responses"].setdefault(status, problem_response_schema(description))
    return result


def problem_response_schema(description: str) -> dict:
    reference = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {PROBLEM_CONTENT_TYPE: {"schema": reference}}}
