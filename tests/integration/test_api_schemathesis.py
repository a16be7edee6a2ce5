"""Schemathesis fuzzes the JSON API against its own OpenAPI schema, in process (WSGI, no server),
as an analyst, anonymously, and as regional oversight for the one write (registering a target).

Every response must be documented for its operation (status code, content type and body schema),
no response may be a server error, and a request that breaks the schema must be refused. The run
is bounded and reproducible: MAX_EXAMPLES per operation, derandomised, no example database.
Each request runs in a transaction rolled back afterwards, so a target one example registers
cannot change what the next example sees.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from candour.web.core.roles import Role

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
FUZZING = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # One database transaction (the test's) for every example, on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextmanager
def connection_kept_open():
    """Django, called as a WSGI application, closes the database connection at the start and
    end of each request, which would end the test's transaction; Django's test client stops that
    the same way (and restores it after each of its own requests, hence per call here)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema(*, security_parameters: bool, coverage_of=("GET", "POST")):
    """The schema as /api/schema/ serves it, bound to Django's WSGI application. The coverage
    phase (every boundary case the schema defines) runs for the methods in ``coverage_of``."""
    from django.core.handlers.wsgi import WSGIHandler
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))
    no_coverage = [
        {"include-method": method, "phases": {"coverage": {"enabled": False}}}
        for method in {"GET", "POST"} - set(coverage_of)
    ]
    config = schemathesis.Config.from_dict(
        {
            "generation": {"deterministic": True, "with-security-parameters": security_parameters},
            "operations": no_coverage,
        }
    )
    schema = schemathesis.openapi.from_dict(raw, config=config)
    schema.app = WSGIHandler()
    return schema


def signed_in_session(client, user) -> dict:
    """The cookies and CSRF header of a signed-in session."""
    client.get("/sign-in/")  # sets the CSRF cookie
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    token = client.cookies["csrftoken"].value
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
        "headers": {"X-CSRFToken": token},
    }


@pytest.fixture
def analyst(client, make_user) -> dict:
    return signed_in_session(client, make_user(Role.ANALYST))


@pytest.fixture
def regional(client, make_user) -> dict:
    return signed_in_session(client, make_user(Role.REGIONAL))


def call_and_validate(case, **session) -> None:
    with connection_kept_open(), transaction.atomic():
        case.call_and_validate(checks=CHECKS, **session)
        transaction.set_rollback(True)


# An analyst may not register targets (403 whatever the body): the write's boundary cases are
# covered as regional oversight, who may. Anonymously everything is 401 (or 400 for NUL).
as_analyst = load_schema(security_parameters=False, coverage_of=("GET",))
as_regional = load_schema(security_parameters=False)
anonymous = load_schema(security_parameters=True, coverage_of=())


@as_analyst.parametrize()
@FUZZING
def test_api_as_an_analyst(case, analyst):
    call_and_validate(case, **analyst)


@anonymous.parametrize()
@FUZZING
def test_api_anonymously(case):
    call_and_validate(case)


@as_regional.include(method="POST").parametrize()
@FUZZING
def test_target_registration_as_regional_oversight(case, regional):
    call_and_validate(case, **regional)
