"""Problem details (RFC 9457) for every error the JSON API answers, whoever raises it: the access
middleware (401, 403), the NUL-byte guard (400), Django's error handlers (404, 500) and the API's
own exception handler (400, 404, 405, 406, 415)."""

from __future__ import annotations

from http import HTTPStatus

from django.http import JsonResponse

API_PREFIX = "/api/"
PROBLEM_CONTENT_TYPE = "application/problem+json"  # RFC 9457 section 3
# A problem with no more meaning than its status code (RFC 9457 section 4.2.1).
GENERIC_TYPE = "about:blank"
# Candour's own problem types: tag URIs (RFC 4151), identifiers that need not resolve;
# docs/reference/api.md describes each.
INVALID_PARAMETER = "tag:candour,2026:invalid-parameter"
INVALID_BODY = "tag:candour,2026:invalid-body"
NUL_CHARACTER = "tag:candour,2026:nul-character"
TYPE_TITLES = {
    INVALID_PARAMETER: "Invalid query parameter",
    INVALID_BODY: "Invalid request body",
    NUL_CHARACTER: "NUL character in the request",
}


def is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def problem(status: int, detail: str, *, type: str = GENERIC_TYPE, **extensions) -> dict:
    """The members of a problem details object: type, title, status, detail, then extensions
    (such as ``parameter``). A generic problem is titled by its status phrase."""
    title = TYPE_TITLES.get(type) or HTTPStatus(status).phrase
    return {"type": type, "title": title, "status": status, "detail": detail, **extensions}


def problem_response(status: int, detail: str, **members) -> JsonResponse:
    return JsonResponse(
        problem(status, detail, **members), status=status, content_type=PROBLEM_CONTENT_TYPE
    )
