"""Requests refused before any view, session or database sees them."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string

from candour.web.core.problems import NUL_CHARACTER, is_api_request, problem_response

NUL = "\x00"


class RejectNulMiddleware:
    """A NUL character (``%00``) in the path, the query string or a cookie is refused with 400.

    No page or parameter of Candour accepts one, and PostgreSQL cannot store or compare text
    holding one (it raises, which would be a 500). Runs first, for every URL: the API answers with
    problem details, pages with a plain page that needs no session or database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = nul_location(request)
        if where is None:
            return self.get_response(request)
        if is_api_request(request):
            detail = f"The {where} contains a NUL character (%00), which nothing here accepts."
            parameter = where.removeprefix("query parameter ").strip("'")
            extra = {"parameter": parameter} if where.startswith("query parameter") else {}
            return problem_response(400, detail, type=NUL_CHARACTER, **extra)
        return HttpResponseBadRequest(render_to_string("400.html"))


def nul_location(request) -> str | None:
    """Where a NUL character is in the request (path, a query parameter, a cookie), or None."""
    if NUL in request.path_info or NUL in request.path:
        return "path"
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in value for value in values):
            return f"query parameter {name.replace(NUL, '')!r}"
    cookies = [request.META.get("HTTP_COOKIE", ""), *request.COOKIES, *request.COOKIES.values()]
    if any(NUL in text for text in cookies):  # raw, or quoted as \000 and unquoted by Django
        return "cookie header"
    return None
