"""The assessment of the stored data as the pages, the API and `candour assess` show it: one
materialised assessment per data version, the same numbers everywhere (issue 9)."""

from __future__ import annotations

import csv
import re

import polars as pl
import pytest

from candour.analytics.concern.constants import CONCERN_LEVELS, LEVEL_RANK
from candour.cli import main
from candour.web.core.roles import Role
from candour.web.oversight import assessment, monitoring
from candour.web.oversight.models import AssessmentSnapshot, Concern, Organisation, Target

pytestmark = pytest.mark.django_db

# What no page text may show: internal codes of levels, kinds and icons (issue 11).
INTERNAL_CODES = re.compile(
    r"\b(concern_low|concern_high|funnel:|spc:|divergence:|no_recent_data|speak_up|uninformative)\b"
)


@pytest.fixture
def regional(client_for):
    return client_for(Role.REGIONAL)


def test_one_assessment_is_stored_per_data_version_and_recomputed_when_an_input_changes(
    django_capture_on_commit_callbacks,
):
    version = assessment.data_version()
    assert AssessmentSnapshot.objects.filter(version=version).exists()  # made at import
    first = assessment.current()
    assert assessment.current() is first  # no recomputation on a request
    from candour.web.oversight import actions

    target = Target.objects.get(pk="rtt_18wk_92")
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_target_status(target=target, status=Target.Status.WITHDRAWN, by="system:test")
    assert assessment.data_version() == version + 1
    assert AssessmentSnapshot.objects.filter(version=version + 1).exists()
    assert assessment.current() is not first
    assert assessment.current().system.filter(pl.col("measure_id") == "rtt_18wk").is_empty()


def test_a_snapshot_stores_the_whole_assessment_and_loads_it_back():
    result = assessment.current()
    loaded = assessment.loads(assessment.dumps(result))
    assert loaded.as_of == result.as_of
    assert loaded.organisations.equals(result.organisations)
    assert loaded.flags.equals(result.flags)
    assert loaded.options == result.options


def test_candour_assess_and_the_pages_agree_on_every_organisation(tmp_path, regional, capsys):
    output = tmp_path / "assessment.csv"
    assert main(["assess", "--output", str(output)]) == 0
    capsys.readouterr()
    with output.open() as rows:
        cli = {row["ods_code"]: row for row in csv.DictReader(rows)}
    with (tmp_path / "assessment-flags.csv").open() as rows:
        cli_flags = [row for row in csv.DictReader(rows)]
    ranking = monitoring.ranking()
    assert ranking, "every open trust is ranked"
    for item in ranking:
        code = item["organisation"].ods_code
        page = item["assessment"]
        assert cli[code]["status"] == page["status"]
        assert cli[code]["n_flags"] == str(page["n_flags"])
    flagged = [code for code, row in cli.items() if row["status"] in CONCERN_LEVELS]
    assert flagged
    for code in flagged[:8]:
        html = regional.get(f"/organisations/{code}/").content.decode()
        sentences = [
            f["sentence"]
            for f in cli_flags
            if f["ods_code"] == code and f["level"] in CONCERN_LEVELS
        ]
        for sentence in sentences:
            assert _text(sentence) in html
        assert not INTERNAL_CODES.search(_visible(html))


def test_the_regional_and_national_tables_list_the_statuses_candour_assess_gives(regional):
    result = assessment.current()
    statuses = dict(result.organisations.select("ods_code", "status").iter_rows())
    labels = {"elevated risk": "Elevated risk", "risk": "Risk", "uninformative": "Not assured"}
    for path, codes in (
        ("/regions/Y63/", Organisation.objects.filter(region_code="Y63")),
        ("/ranking/", Organisation.objects.all()),
    ):
        html = regional.get(path).content.decode()
        rows = re.findall(
            r'href="/organisations/(\w+)/">.*?<strong class="nhsuk-tag[^"]*">([^<]+)</strong>',
            html,
            flags=re.S,
        )
        open_codes = set(
            codes.filter(close_date__isnull=True, successor__isnull=True).values_list(
                "ods_code", flat=True
            )
        )
        assert {code for code, _ in rows} == open_codes
        for code, label in rows:
            if code in statuses and statuses[code] in labels:
                assert label == labels[statuses[code]]
        ranks = [-LEVEL_RANK.get(statuses.get(code), 0) for code, _ in rows if code in statuses]
        assert ranks == sorted(ranks)
        assert not INTERNAL_CODES.search(_visible(html))


def test_the_national_page_reports_standards_missed_by_most_as_system_findings(regional):
    html = regional.get("/ranking/").content.decode()
    assert "System-wide findings" in html
    assert re.search(r"\d+ of \d+ acute trusts were below the 92\.0% standard", html)


def test_the_organisation_page_leads_with_status_findings_and_how_they_were_worked_out(regional):
    html = regional.get("/organisations/RJN/").content.decode()
    concerns = html.index("<h2>Concerns</h2>")
    identity = html.index("<h2>Identity</h2>")
    assert concerns < html.index("Status:") < identity
    assert "How this was worked out" in html
    assert "A&amp;E 4-hour performance, all department types: 46.7% in June 2025" in html
    assert "Assessed from data as of 31 July 2025" in html


def test_raise_a_concern_from_a_finding(client_for, make_user):
    owner = make_user(Role.BOARD, username="flag-owner")
    flag = monitoring.organisation_picture("RJN")["flags"][0]
    client = client_for(Role.REGIONAL)
    form = client.get("/organisations/RJN/concerns/new/", {"flag": flag["key"]}).content.decode()
    assert "Raised from a finding" in form
    response = client.post(
        "/organisations/RJN/concerns/new/",
        {
            "flag": flag["key"],
            "title": "From the data",
            "explanation": flag["sentence"],
            "owner": owner.pk,
        },
    )
    assert response.status_code == 302
    concern = Concern.objects.get(title="From the data")
    assert concern.origin == Concern.Origin.FLAG
    assert concern.severity == flag["level"]
    assert flag["key"] in concern.rule
    assert (
        client.get("/organisations/RJN/concerns/new/", {"flag": "funnel:no-such"}).status_code
        == 404
    )


def test_chart_is_an_svg_rebased_at_registered_breaks(regional):
    response = regional.get("/organisations/RJ1/measures/ae_4hr_all/chart.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.decode().startswith("<svg")
    rebased = monitoring.rebase_dates(
        assessment.observations_frame(measure_ids=["ae_4hr_all"], codes=["RJ1"])
    )
    from datetime import date

    assert {date(2020, 3, 1), date(2024, 4, 1)} <= set(rebased[("ae_4hr_all", "RJ1")])


def test_funnel_is_drawn_within_one_peer_group_and_names_it(regional):
    from candour.web.oversight.models import Measure

    drawn, window = monitoring.measure_funnel(Measure.objects.get(pk="rtt_52wk"))
    assert window["peer_group"] == "Acute"
    codes = set(drawn.by_group[drawn.by_group.columns[0]].to_list())
    types = set(Organisation.objects.filter(ods_code__in=codes).values_list("org_type", flat=True))
    assert types <= {"Acute"}
    svg = regional.get("/measures/rtt_52wk/funnel.svg").content.decode()
    assert svg.startswith("<svg")
    assert "acute trusts, July 2025" in svg
    assert regional.get("/measures/rtt_median_wait/funnel.svg").status_code == 404


def _visible(html: str) -> str:
    """The page's text, without markup, attributes or scripts."""
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _text(sentence: str) -> str:
    """A sentence as Django escapes it in HTML."""
    from django.utils.html import escape

    return escape(sentence)
