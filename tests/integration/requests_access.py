"""Rows of the URL × role table (tests/integration/test_access.py) for the data-request
registry's URLs, and the helpers its tests share.

The table's users hold their roles nationally and sit on no requesting body's staff: a data
requester or regional oversight without a body is shown how to be added (200) instead of the
registration form; the held answer of a request is theirs only for the organisations they are
granted for as analysts or regional oversight (a requester without a body gets an empty file).
"""

from __future__ import annotations

from tests.conftest import ROLES

from candour.web.core.roles import Role

ANONYMOUS = None
SIGN_IN = 302
DENIED = 403
NOT_ALLOWED = 405
OK = 200


def only(*roles: str, status: int = OK, anonymous: int = SIGN_IN) -> dict:
    return {ANONYMOUS: anonymous, **dict.fromkeys(ROLES, DENIED), **dict.fromkeys(roles, status)}


READERS = (Role.REQUESTER, Role.REGIONAL, Role.ANALYST)
REGISTRARS = (Role.REQUESTER, Role.REGIONAL)
BURDEN = (Role.REGIONAL, Role.ANALYST, Role.REQUESTER)
REQUEST = {"request_id": "<data request>"}
ITEM = {"request_id": "<data request>", "item_id": "<request item>"}

EXPECTED_REQUESTS: dict[str, tuple[dict | str, dict]] = {
    "datarequests:list": ({}, only(*READERS)),
    "datarequests:new": ({}, only(*REGISTRARS)),  # no body: says how to be added
    "datarequests:detail": (REQUEST, only(*READERS)),
    "datarequests:map_item": (ITEM, only(*REGISTRARS, status=NOT_ALLOWED)),  # POST only
    "datarequests:answer_csv": (REQUEST, only(*READERS)),
    "datarequests:answer_xlsx": (REQUEST, only(*READERS)),
    "datarequests:burden": ({}, only(*BURDEN)),
    "datarequests:burden_region": ({"region_code": "Y63"}, only(*BURDEN)),
    "datarequests:burden_organisation": ({"ods_code": "R0B"}, only(*BURDEN)),
    # the JSON API: anonymous gets 401, not a redirect
    "requests_api:list": ({}, only(*READERS, anonymous=401)),
    "requests_api:detail": (REQUEST, only(*READERS, anonymous=401)),
    "requests_api:held_answer": (REQUEST, only(*READERS, anonymous=401)),
}


# ------------------------------------------------------------------------ shared test helpers

TEST_BODY = "test_icb"


def requesting_body():
    from candour.web.datarequests import actions

    return actions.ensure_requester(
        id=TEST_BODY, name="Test integrated care board", kind="icb", by="system:test"
    )


def small_request(*, codes=("R0B", "RJ1"), held: bool = True):
    """A monthly request of the test body asking ``codes`` for the 4-hour share (mapped to the
    held measure when ``held``) and a new item, from August 2024."""
    import datetime as dt

    from candour.web.datarequests import actions
    from candour.web.oversight.models import Organisation

    return actions.register_request(
        requester=requesting_body(),
        fields={
            "title": "Urgent care return",
            "mandate": "contract",
            "frequency": "monthly",
            "periods_from": dt.date(2024, 8, 1),
            "hours_per_return": 6.0,
            "estimate_source": "the test body's estimate",
        },
        organisations=list(Organisation.objects.filter(pk__in=codes)),
        items=[
            {
                "name": "Four-hour performance, all types",
                "definition": "Attendances within 4 hours of arrival, all department types.",
                "unit": "proportion",
                "period_type": "month",
                "measure_id": "ae_4hr_all" if held else None,
            },
            {
                "name": "Ambulance handovers over 60 minutes",
                "unit": "count",
                "period_type": "month",
            },
        ],
        by="system:test",
    )


def requests_ids() -> dict[str, str]:
    """The markers the table's rows use, as the ids of a small request."""
    request = small_request()
    return {
        "<data request>": str(request.pk),
        "<request item>": str(request.items.get(position=1).pk),
    }
