"""Rows of the URL × role table (tests/integration/test_access.py) for the leadership app's
URLs, and the helpers the leadership tests share.

The table's own ``test-talent_board`` sits on no talent board, so every region page answers
it 403: region pages need a seat on that region's board as well as the role (the members' own
access is tested in tests/integration/test_leadership_pages.py).
"""

from __future__ import annotations

import datetime as dt

from tests.conftest import ROLES

from candour.web.core.roles import Role

ANONYMOUS = None
SIGN_IN = 302
DENIED = 403
OK = 200


def only(*roles: str, status: int = OK) -> dict:
    return {ANONYMOUS: SIGN_IN, **dict.fromkeys(ROLES, DENIED), **dict.fromkeys(roles, status)}


REGION = {"region_code": "Y63"}
KERR_READERS = only(Role.BOARD, Role.ANALYST, Role.REGIONAL, Role.TALENT_BOARD)
NOT_ON_THE_BOARD = only(Role.TALENT_BOARD, status=DENIED)
NOT_FOUND = 404
NOT_ALLOWED = 405  # POST-only URL fetched with GET, once access is granted
ALL_SIGNED_IN = only(*ROLES)
# The objects behind these markers belong to other people (leadership_ids): the table's users
# are not their subject, appraiser, rater, chair, named officer or investigator, so every page
# of them answers 404 (or 403 where the role itself is refused). Members' own access is tested
# in tests/integration/test_leadership_{appraisals,fitness,conduct,newdeal}.py.
APPRAISAL = {"pk": "<appraisal>"}
PACKAGE = {"pk": "<package>"}
R0B = {"ods_code": "R0B"}
NOT_YOURS = only(*ROLES, status=NOT_FOUND)
NOT_NAMED = only(*ROLES, status=DENIED)  # FPPT: named chair and administrators only
# A package is read by its organisation's board and regional oversight (the table's grants are
# national, so they read it) and by its region's talent board (test-talent_board sits on none).
PACKAGE_READERS = {
    **only(Role.BOARD, Role.REGIONAL),
    Role.TALENT_BOARD.value: NOT_FOUND,
}

EXPECTED_LEADERSHIP: dict[str, tuple[dict | str, dict]] = {
    "leadership:home": ({}, only(Role.TALENT_BOARD)),  # no board yet: says so
    "leadership:kerr": ({}, KERR_READERS),
    "leadership:region": (REGION, NOT_ON_THE_BOARD),
    "leadership:region_ledger": (REGION, NOT_ON_THE_BOARD),
    "leadership:region_pools": (REGION, NOT_ON_THE_BOARD),
    "leadership:region_plans": (REGION, NOT_ON_THE_BOARD),
    "leadership:decide": ({**REGION, "post_id": "R0B-FD"}, NOT_ON_THE_BOARD),
    "leadership:region_culture": (REGION, NOT_ON_THE_BOARD),
    "leadership:region_new_deals": (REGION, NOT_ON_THE_BOARD),
    "leadership:new_deal_new": (REGION, NOT_ON_THE_BOARD),
    "leadership:new_deal": (PACKAGE, PACKAGE_READERS),
    "leadership:new_deal_commitment": (PACKAGE, only(Role.TALENT_BOARD, status=NOT_FOUND)),
    "leadership:commitment_status": (
        {**PACKAGE, "commitment_id": "<commitment>"},
        only(Role.TALENT_BOARD, status=NOT_ALLOWED),
    ),
    "leadership:commitment_chart": ({**PACKAGE, "commitment_id": "<commitment>"}, PACKAGE_READERS),
    # Appraisals and 360 feedback: the page of your own; others' answer 404.
    "leadership:appraisals": ({}, ALL_SIGNED_IN),
    "leadership:appraisal_new": ({}, only(Role.BOARD, Role.REGIONAL)),
    "leadership:appraisal": (APPRAISAL, NOT_YOURS),
    "leadership:appraisal_step": ({**APPRAISAL, "step": "self"}, NOT_YOURS),
    "leadership:feedback_answer": ({"pk": "<feedback>"}, NOT_YOURS),
    # Fit and proper person records and references: the named chair and administrators.
    "leadership:fppt": (R0B, NOT_NAMED),
    "leadership:fppt_record": ({"pk": "<fppt record>"}, NOT_NAMED),
    "leadership:fppt_step": (
        {"pk": "<fppt record>", "step": "check"},
        {**NOT_NAMED, Role.BOARD.value: NOT_ALLOWED, Role.ADMIN.value: NOT_ALLOWED},
    ),
    "leadership:references": (R0B, NOT_NAMED),
    # Conduct concerns: the chair (list) and those investigating.
    "leadership:conduct": (R0B, NOT_NAMED),
    "leadership:conduct_concern": ({"pk": "<conduct concern>"}, NOT_YOURS),
    "leadership:conduct_step": (
        {"pk": "<conduct concern>", "step": "findings"},
        only(*ROLES, status=NOT_ALLOWED),
    ),
}


def leadership_ids() -> dict[str, str]:
    """Objects for the markers above, belonging to people who are not the table's users: an
    appraisal (with a 360 request), a fit-and-proper record, a conduct concern and a new-deal
    package with a success measure."""
    from django.utils import timezone
    from tests.integration import leadership_people as build

    from candour.web.leadership import actions

    chair = build.user("object-chair", Role.BOARD)
    subject_account = build.user("object-subject")
    appraisal = build.appraisal(subject_account, chair)
    from candour.web.leadership.actions_feedback import request_feedback

    feedback = request_feedback(
        appraisal=appraisal,
        rater=build.user("object-rater"),
        relationship="peer",
        by=build.ACTOR,
    )
    build.officer(chair, "chair")
    director = build.person("P-OBJECT-DIRECTOR", "Object Director")
    record = build.fppt_record(director)
    concern = build.conduct_concern(director)
    from candour.web.oversight.models import Organisation

    region = Organisation.objects.get(pk="R0B")
    board = actions.ensure_talent_board(
        region_code=region.region_code, region_name=region.region_name, by=build.ACTOR
    )
    actions.add_board_member(
        board=board, user=build.user("object-rtb", Role.TALENT_BOARD, ""), by=build.ACTOR
    )
    package, _, measure = build.package_with_overdue_centre_commitment(today=timezone.localdate())
    return {
        "<appraisal>": str(appraisal.pk),
        "<feedback>": str(feedback.pk),
        "<fppt record>": str(record.pk),
        "<conduct concern>": str(concern.pk),
        "<package>": str(package.pk),
        "<commitment>": str(measure.pk),
    }


# ------------------------------------------------------------------------ shared test helpers

HEADER = "ods_code,post_id,role,title,executive,voting,entry,person_id,start,end,basis\n"


def ledger_csv(today: dt.date, *, synthetic: bool = False) -> str:
    """A small ledger dated around ``today``: at R0B a vacant chief executive post, a finance
    director who is an interim of 8 months, a medical director leaving in 3 months, a nursing
    director in post and a chair; at RTD a substantive chief executive; at RJ1 (London) a
    vacant finance post."""

    def ago(days: int) -> str:
        return (today - dt.timedelta(days=days)).isoformat()

    rows = [
        f"R0B,R0B-CEO,chief_executive,,yes,yes,holding,E1,{ago(3000)},{ago(40)},substantive",
        f"R0B,R0B-FD,finance,,yes,yes,holding,E2,{ago(2000)},{ago(241)},substantive",
        f"R0B,R0B-FD,finance,,yes,yes,holding,E3,{ago(240)},,interim",
        f"R0B,R0B-MD,medical,,yes,yes,holding,E4,{ago(1500)},{ago(-90)},substantive",
        f"R0B,R0B-DN,nursing,,yes,yes,holding,E5,{ago(700)},,substantive",
        f"R0B,R0B-CH,chair,,no,yes,holding,E6,{ago(900)},,substantive",
        f"RTD,RTD-CEO,chief_executive,,yes,yes,holding,E7,{ago(3650)},,substantive",
        "RJ1,RJ1-FD,finance,,yes,yes,post,,,,",
    ]
    text = HEADER + "\n".join(rows) + "\n"
    if synthetic:
        lines = text.splitlines()
        text = "\n".join([lines[0] + ",synthetic", *(line + ",yes" for line in lines[1:])]) + "\n"
    return text


def load_ledger(tmp_path, *, synthetic: bool = False):
    from django.utils import timezone

    from candour.importers.board_ledger import load_board_ledger
    from candour.web.leadership.actions import import_board_ledger

    path = tmp_path / "ledger.csv"
    path.write_text(ledger_csv(timezone.localdate(), synthetic=synthetic), encoding="utf-8")
    return import_board_ledger(ledger=load_board_ledger(path), by="system:test")


def talent_board(member=None, region_code: str = "Y63"):
    """The region's board with two people in its pools: Ada Ready (ready now, finance and
    medical, anywhere in the region, works at RTD) and Ben Later (ready in 1-2 years, named
    first successor for R0B-FD). ``member`` gets a seat."""
    import polars as pl

    from candour.web.leadership import actions
    from candour.web.oversight.models import Organisation

    region_name = Organisation.objects.filter(region_code=region_code).first().region_name
    board = actions.ensure_talent_board(
        region_code=region_code, region_name=region_name, by="system:test"
    )
    people = pl.DataFrame(
        {
            "person_id": ["T-ADA", "T-BEN"],
            "name": ["Ada Ready", "Ben Later"],
            "ods_code": ["RTD", "R0B"],
            "ethnicity": ["bme", None],
            "other_sector": ["local government", ""],
        },
        schema_overrides={"ethnicity": pl.String},
    )
    memberships = pl.DataFrame(
        {
            "person_id": ["T-ADA", "T-BEN"],
            "region_code": [region_code] * 2,
            "pool": ["existing_director", "aspiring_director"],
            "readiness": ["ready_now", "one_to_two_years"],
            "mobility": ["region", "region"],
            "target_roles": [["finance", "medical"], ["finance"]],
            "nomination": ["chief_executive", "self"],
        }
    )
    plans = pl.DataFrame({"post_id": ["R0B-FD"], "risk": ["high"], "emergency_cover": ["T-BEN"]})
    successors = pl.DataFrame({"post_id": ["R0B-FD"], "person_id": ["T-BEN"], "rank": [1]})
    actions.load_talent(
        people=people,
        memberships=memberships,
        plans=plans,
        successors=successors,
        targets=pl.DataFrame({"ods_code": ["R0B"], "target": [0.2]}),
        year=2025,
        synthetic=False,
        by="system:test",
    )
    if member is not None:
        actions.add_board_member(board=board, user=member, by="system:test")
    return board
