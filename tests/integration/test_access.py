"""Every URL pattern × every role (anonymous included) gets the status this table says.

A URL added without a row here fails ``test_every_url_pattern_has_a_row``: deciding who may see a
new page is part of adding it.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from tests.conftest import ROLES
from tests.integration.leadership_access import EXPECTED_LEADERSHIP, leadership_ids
from tests.integration.mortality_access import EXPECTED_MORTALITY, mortality_ids
from tests.integration.requests_access import EXPECTED_REQUESTS, requests_ids
from tests.integration.speakup_access import EXPECTED_SPEAKUP, speakup_ids

from candour.web.core.roles import Role

pytestmark = pytest.mark.django_db

ANONYMOUS = None
SIGN_IN = 302  # anonymous people are sent to sign in
DENIED = 403
OK = 200

ALL_SIGNED_IN = {ANONYMOUS: SIGN_IN, **dict.fromkeys(ROLES, OK)}
API_SIGNED_IN = {ANONYMOUS: 401, **dict.fromkeys(ROLES, OK)}
EVERYONE = {ANONYMOUS: OK, **dict.fromkeys(ROLES, OK)}
ADMIN_ONLY = {ANONYMOUS: SIGN_IN, **dict.fromkeys(ROLES, DENIED), Role.ADMIN.value: OK}
# Sign-in page: people already signed in are sent on to their landing page.
SIGN_IN_PAGE = {ANONYMOUS: OK, **dict.fromkeys(ROLES, 302)}
# Sign-out takes POST only; GET is refused with 405 once access is granted.
SIGN_OUT = {ANONYMOUS: SIGN_IN, **dict.fromkeys(ROLES, 405)}

ORGANISATION = {"ods_code": "R0B"}
TARGET = {"target_id": "ae_4hr_95"}
CONCERN = {"concern_id": "<concern>"}
CONCERN_RAISERS = {
    ANONYMOUS: SIGN_IN,
    **dict.fromkeys(ROLES, DENIED),
    Role.REGIONAL.value: OK,
    Role.BOARD.value: OK,
    Role.ANALYST.value: OK,
}
CONCERN_READERS = {**CONCERN_RAISERS}  # the same roles; a board member only their own
API_CONCERN_READERS = {**CONCERN_READERS, ANONYMOUS: 401}
TARGET_EDITORS = {
    ANONYMOUS: SIGN_IN,
    **dict.fromkeys(ROLES, DENIED),
    Role.REGIONAL.value: OK,
    Role.ANALYST.value: OK,
}
# Ids differ between databases (PostgreSQL sequences are not reset between tests): these markers
# are replaced by the ids of real rows when the test runs.
USER = {"object_id": "<user>"}
AUDIT_EVENT = {"object_id": "<audit event>"}
IMPORT_RUN = {"object_id": "<import run>"}
CONCERN_ADMIN = {"object_id": "<concern>"}

# url name -> (kwargs for reverse, or a literal path for unnamed patterns; expected status per role)
EXPECTED: dict[str, tuple[dict, dict]] = {
    "core:login": ({}, SIGN_IN_PAGE),
    "core:logout": ({}, SIGN_OUT),
    "core:health": ({}, EVERYONE),
    "oversight:organisations": ({}, ALL_SIGNED_IN),
    "oversight:organisation": (ORGANISATION, ALL_SIGNED_IN),
    # whoever reads the organisation page gets its board pack (concerns inside only for those
    # who may read them); RRD has few measures, so each of the table's PDFs renders quickly
    "oversight:board_pack": ({"ods_code": "RRD"}, ALL_SIGNED_IN),
    "oversight:concern_new": (ORGANISATION, CONCERN_RAISERS),
    "oversight:concern": (CONCERN, CONCERN_READERS),
    "oversight:targets": ({}, ALL_SIGNED_IN),
    "oversight:series_chart": ({"ods_code": "RJ1", "measure_id": "ae_4hr_type1"}, ALL_SIGNED_IN),
    "oversight:ranking": ({}, ALL_SIGNED_IN),
    "oversight:regions": ({}, ALL_SIGNED_IN),
    "oversight:region": ({"region_code": "Y56"}, ALL_SIGNED_IN),
    "oversight:measures": ({}, ALL_SIGNED_IN),
    "oversight:measure": ({"measure_id": "ae_4hr_type1"}, ALL_SIGNED_IN),
    # a measure with a current comparison (ae_4hr_type1 stopped in 2019: history, no funnel)
    "oversight:measure_funnel": ({"measure_id": "ae_4hr_all"}, ALL_SIGNED_IN),
    "oversight:staff_voice_by_rating": ({}, ALL_SIGNED_IN),
    # the JSON API: same roles; anonymous gets 401, not a redirect
    "api:schema": ({}, API_SIGNED_IN),
    "api:organisations": ({}, API_SIGNED_IN),
    "api:organisation": (ORGANISATION, API_SIGNED_IN),
    "api:measures": ({}, API_SIGNED_IN),
    "api:measure": ({"pk": "shmi"}, API_SIGNED_IN),
    "api:observations": ({}, API_SIGNED_IN),
    "api:targets": ({}, API_SIGNED_IN),
    "api:target": ({"pk": "ae_4hr_95"}, API_SIGNED_IN),
    "api:concerns": ({}, API_CONCERN_READERS),
    "api:assessments": ({}, API_SIGNED_IN),
    "api:assessment": ({"ods_code": "RJ1"}, API_SIGNED_IN),
    "oversight:target": (TARGET, ALL_SIGNED_IN),
    "oversight:target_new": ({}, TARGET_EDITORS),
    "oversight:target_edit": (TARGET, TARGET_EDITORS),
    "oversight:target_status": (
        TARGET,
        {**TARGET_EDITORS, Role.ANALYST.value: DENIED, Role.REGIONAL.value: 405},
    ),
    # Django's admin site, read-only, for administrators
    "admin:index": ({}, ADMIN_ONLY),
    "admin:login": ({}, {**ADMIN_ONLY, Role.ADMIN.value: 302}),
    "admin:logout": ({}, {**ADMIN_ONLY, Role.ADMIN.value: 405}),
    "admin:password_change": ({}, ADMIN_ONLY),
    "admin:password_change_done": ({}, ADMIN_ONLY),
    "admin:autocomplete": ({}, {**ADMIN_ONLY, Role.ADMIN.value: 403}),
    "admin:jsi18n": ({}, ADMIN_ONLY),
    "admin:view_on_site": (
        {"content_type_id": "1", "object_id": "1"},
        {**ADMIN_ONLY, Role.ADMIN.value: 404},
    ),
    "admin:app_list": ({"app_label": "core"}, ADMIN_ONLY),
    "admin:core_user_changelist": ({}, ADMIN_ONLY),
    "admin:core_user_add": ({}, {**ADMIN_ONLY, Role.ADMIN.value: 403}),
    "admin:core_user_history": (USER, ADMIN_ONLY),
    "admin:core_user_delete": (USER, {**ADMIN_ONLY, Role.ADMIN.value: 403}),
    "admin:core_user_change": (USER, ADMIN_ONLY),
    "admin:core_auditevent_changelist": ({}, ADMIN_ONLY),
    "admin:core_auditevent_add": ({}, {**ADMIN_ONLY, Role.ADMIN.value: 403}),
    "admin:core_auditevent_history": (AUDIT_EVENT, ADMIN_ONLY),
    "admin:core_auditevent_delete": (AUDIT_EVENT, {**ADMIN_ONLY, Role.ADMIN.value: 403}),
    "admin:core_auditevent_change": (AUDIT_EVENT, ADMIN_ONLY),
    "admin:oversight_organisation_changelist": ({}, ADMIN_ONLY),
    "admin:oversight_organisation_add": ({}, {**ADMIN_ONLY, Role.ADMIN.value: 403}),
    "admin:oversight_organisation_history": ({"object_id": "R0B"}, ADMIN_ONLY),
    "admin:oversight_organisation_delete": (
        {"object_id": "R0B"},
        {**ADMIN_ONLY, Role.ADMIN.value: 403},
    ),
    "admin:oversight_organisation_change": ({"object_id": "R0B"}, ADMIN_ONLY),
    "admin:oversight_measure_changelist": ({}, ADMIN_ONLY),
    "admin:oversight_measure_add": ({}, {**ADMIN_ONLY, Role.ADMIN.value: 403}),
    "admin:oversight_measure_history": ({"object_id": "shmi"}, ADMIN_ONLY),
    "admin:oversight_measure_delete": (
        {"object_id": "shmi"},
        {**ADMIN_ONLY, Role.ADMIN.value: 403},
    ),
    "admin:oversight_measure_change": ({"object_id": "shmi"}, ADMIN_ONLY),
    "admin:oversight_target_changelist": ({}, ADMIN_ONLY),
    "admin:oversight_target_add": ({}, {**ADMIN_ONLY, Role.ADMIN.value: 403}),
    "admin:oversight_target_history": ({"object_id": "ae_4hr_95"}, ADMIN_ONLY),
    "admin:oversight_target_delete": (
        {"object_id": "ae_4hr_95"},
        {**ADMIN_ONLY, Role.ADMIN.value: 403},
    ),
    "admin:oversight_target_change": ({"object_id": "ae_4hr_95"}, ADMIN_ONLY),
    "admin:oversight_concern_changelist": ({}, ADMIN_ONLY),
    "admin:oversight_concern_add": ({}, {**ADMIN_ONLY, Role.ADMIN.value: 403}),
    "admin:oversight_concern_history": (CONCERN_ADMIN, ADMIN_ONLY),
    "admin:oversight_concern_delete": (CONCERN_ADMIN, {**ADMIN_ONLY, Role.ADMIN.value: 403}),
    "admin:oversight_concern_change": (CONCERN_ADMIN, ADMIN_ONLY),
    "admin:oversight_importrun_changelist": ({}, ADMIN_ONLY),
    "admin:oversight_importrun_add": ({}, {**ADMIN_ONLY, Role.ADMIN.value: 403}),
    "admin:oversight_importrun_history": (IMPORT_RUN, ADMIN_ONLY),
    "admin:oversight_importrun_delete": (IMPORT_RUN, {**ADMIN_ONLY, Role.ADMIN.value: 403}),
    "admin:oversight_importrun_change": (IMPORT_RUN, ADMIN_ONLY),
    "admin:<unnamed <path:object_id>/>": (
        "/admin/core/user/<user>/",
        {**ADMIN_ONLY, Role.ADMIN.value: 302},
    ),
    "admin:<unnamed (?P<url>.*)$>": ("/admin/no-such-page/", {**ADMIN_ONLY, Role.ADMIN.value: 404}),
}


EXPECTED.update(EXPECTED_SPEAKUP)
EXPECTED.update(EXPECTED_LEADERSHIP)
EXPECTED.update(EXPECTED_MORTALITY)
EXPECTED.update(EXPECTED_REQUESTS)


def url_names(resolver=None, namespace: str = "") -> list[str]:
    resolver = resolver or get_resolver()
    names = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.append(
                f"{namespace}{pattern.name}"
                if pattern.name
                else f"{namespace}<unnamed {pattern.pattern}>"
            )
    return names


def test_every_url_pattern_has_a_row():
    missing = sorted(set(url_names()) - set(EXPECTED))
    assert not missing, f"add a row to EXPECTED for: {missing}"
    stale = sorted(set(EXPECTED) - set(url_names()))
    assert not stale, f"rows for URLs that no longer exist: {stale}"


CASES = [(name, role) for name in EXPECTED for role in [ANONYMOUS, *ROLES]]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r or 'anonymous'}" for n, r in CASES])
def test_status_for_role(name, role, client_for, make_user):
    from django.urls import reverse

    from candour.web.core.models import AuditEvent
    from candour.web.oversight.actions import raise_concern
    from candour.web.oversight.models import ImportRun, Organisation

    owner = make_user(Role.STAFF, username="object-owner")
    concern = raise_concern(
        organisation=Organisation.objects.get(pk="R0B"),
        title="Access test",
        explanation="For the access table.",
        owner=make_user(Role.REGIONAL, username="concern-owner"),
        by="system:test",
    )
    ids = {
        "<concern>": str(concern.pk),
        "<user>": str(owner.pk),
        "<audit event>": str(AuditEvent.objects.latest("id").pk),
        "<import run>": str(ImportRun.objects.latest("id").pk),
    }
    if name.startswith(("speakup:", "admin:speakup")):
        ids.update(speakup_ids(owner))
    if name.startswith("mortality:"):
        ids.update(mortality_ids())
    if name.startswith("leadership:"):
        ids.update(leadership_ids())
    if name.startswith(("datarequests:", "requests_api:")):
        ids.update(requests_ids())
    target, expected = EXPECTED[name]
    if isinstance(target, str):
        url = target
        for marker, value in ids.items():
            url = url.replace(marker, value)
    else:
        url = reverse(name, kwargs={k: ids.get(v, v) for k, v in target.items()})
    response = client_for(role).get(url)
    assert response.status_code == expected[role]
    public_redirect = all(status == 302 for status in expected.values())
    if expected[role] == SIGN_IN and role is ANONYMOUS and not public_redirect:
        assert response["Location"].startswith("/sign-in/")


# --- Roles granted for one organisation or region, not nationally --------------------------------
# The table's users hold their role nationally. Here board members, regional oversight and
# analysts hold it for one scope instead: R0B itself, R0B's region (North East and Yorkshire,
# Y63), or another organisation (RJ1, in London). The concern belongs to R0B; the targets apply to
# every organisation, so writing them needs a national grant. Every oversight and API URL is
# checked; a status differs from the national table only where a row below says so.
SCOPED_ROLES = (Role.BOARD.value, Role.REGIONAL.value, Role.ANALYST.value)
OWN, REGION, ELSEWHERE = "R0B", "Y63", "RJ1"
NATIONAL_TARGETS = {Role.REGIONAL.value: DENIED, Role.ANALYST.value: DENIED}
SCOPED_EXPECTED: dict[str, dict[str, dict[str | None, int]]] = {
    "oversight:target_new": dict.fromkeys((OWN, REGION, ELSEWHERE), NATIONAL_TARGETS),
    "oversight:target_edit": dict.fromkeys((OWN, REGION, ELSEWHERE), NATIONAL_TARGETS),
    "oversight:concern_new": {ELSEWHERE: dict.fromkeys(SCOPED_ROLES, DENIED)},
    "oversight:concern": {ELSEWHERE: {Role.BOARD.value: DENIED}},
}
SCOPED_URLS = [name for name in EXPECTED if name.startswith(("oversight:", "api:"))]
SCOPED_CASES = [
    (name, role, scope)
    for name in SCOPED_URLS
    for role in SCOPED_ROLES
    for scope in (OWN, REGION, ELSEWHERE)
]


def test_every_scoped_row_names_a_url_in_the_table():
    assert set(SCOPED_EXPECTED) <= set(SCOPED_URLS)


@pytest.mark.parametrize(
    ("name", "role", "scope"), SCOPED_CASES, ids=[f"{n}-{r}-for-{s}" for n, r, s in SCOPED_CASES]
)
def test_status_for_a_role_granted_for_one_organisation_or_region(
    name, role, scope, client_for, make_user
):
    from django.urls import reverse

    from candour.web.oversight.actions import raise_concern
    from candour.web.oversight.models import Organisation

    concern = raise_concern(
        organisation=Organisation.objects.get(pk=OWN),
        title="Access test",
        explanation="For the access table.",
        owner=make_user(Role.REGIONAL, username="concern-owner"),
        by="system:test",
    )
    kwargs, expected = EXPECTED[name]
    kwargs = {k: str(concern.pk) if v == "<concern>" else v for k, v in kwargs.items()}
    status = SCOPED_EXPECTED.get(name, {}).get(scope, {}).get(role, expected[role])
    response = client_for(role, organisation_code=scope).get(reverse(name, kwargs=kwargs))
    assert response.status_code == status


def test_a_view_without_declared_roles_is_refused(rf, make_user):
    from django.http import HttpResponse

    from candour.web.core.access import AccessMiddleware

    def undeclared(request):
        return HttpResponse("should never be served")

    request = rf.get("/anything/")
    request.user = make_user(Role.ADMIN)
    request.resolver_match = None
    middleware = AccessMiddleware(lambda r: HttpResponse())
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        middleware.process_view(request, undeclared, (), {})
