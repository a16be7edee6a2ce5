"""SPC and the concern-first assessment on the bundled real data, as the pages show them."""

import re

import polars as pl
import pytest

from candour.web.core.roles import Role
from candour.web.oversight import monitoring
from candour.web.oversight.models import Concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def regional(client_for):
    return client_for(Role.REGIONAL)


def test_spc_runs_per_organisation_measure_and_dataset_with_targets():
    result = monitoring.all_spc()
    summary = result.summary
    assert summary["n"].min() >= monitoring.MIN_SPC_POINTS
    rj1 = summary.filter((pl.col("ods_code") == "RJ1") & (pl.col("measure_id") == "ae_4hr_all"))
    # two publications, two series: 2016-19 (36 months) and 2024-25 (11 months with A&E data)
    assert sorted(rj1["dataset"].to_list()) == ["ae_attendances", "rtt_ae_monthly"]
    targets = dict(rj1.select("dataset", "target").iter_rows())
    assert targets == {
        "ae_attendances": 0.95,
        "rtt_ae_monthly": 0.78,
    }  # the interim ambition from 2024


def test_assessment_headline_is_the_worst_domain_and_flags_explain_themselves():
    result = monitoring.assessment()
    organisations = result.by_organisation
    worst = result.by_domain.group_by("ods_code").agg(pl.col("scaled").max().alias("worst"))
    joined = organisations.join(worst, on="ods_code")
    assert (joined["headline"] - joined["worst"]).abs().max() < 1e-12
    flags = result.flags
    assert flags.height > 0
    assert flags["explanation"].str.len_chars().min() > 20


def test_activity_volumes_are_not_assessed_as_concerns():
    assert "ae_attendances_type1" not in monitoring.assessment().measures["measure_id"].to_list()


def test_divergence_pairs_come_from_published_targets():
    assert ("rtt_18wk", "rtt_52wk") in monitoring.target_balance_pairs()
    assert ("ae_4hr_all", "ae_12hr_waits") in monitoring.target_balance_pairs()


def test_organisation_page_leads_with_concerns_then_targets_then_measures(regional):
    html = regional.get("/organisations/RJ1/").content.decode()
    concerns = html.index("<h2>Concerns</h2>")
    targets = html.index("<h2>Targets and their balancing measures</h2>")
    identity = html.index("<h2>Identity</h2>")
    assert concerns < targets < identity
    assert "Headline:" in html
    side_by_side = html.split("<h2>Targets")[1].split("<h2>Identity")[0]
    assert "A&amp;E: 95% within 4 hours" in side_by_side  # in force today
    assert "78% within 4 hours" not in side_by_side  # the interim ambition ended in March 2026
    assert (
        "Emergency admissions waiting over 12 hours"
        in html.split("<h2>Targets")[1].split("<h2>Identity")[0]
    )
    assert 'src="/organisations/RJ1/measures/ae_4hr_type1/chart.svg"' in html


def test_chart_is_an_svg_of_the_latest_series(regional):
    response = regional.get("/organisations/RJ1/measures/ae_4hr_type1/chart.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert body.startswith("<svg")
    assert "A&amp;E 4-hour performance, type 1 departments: RJ1" in body
    assert regional.get("/organisations/RJ1/measures/ss_hba_managers/chart.svg").status_code == 404


def test_region_lists_every_open_trust_ordered_by_concern_never_an_average(regional):
    from candour.analytics.concern.constants import LEVEL_RANK

    ranking = monitoring.region_ranking("Y63")
    assessed = [r for r in ranking if r["assessment"]]
    keys = [
        (-LEVEL_RANK[r["assessment"]["status"]], -r["assessment"]["headline"]) for r in assessed
    ]
    assert keys == sorted(keys)
    html = regional.get("/regions/Y63/").content.decode()
    codes = re.findall(r'<span class="nhsuk-body-s">(R\w\w)</span></h2>', html)
    from candour.web.oversight.models import Organisation

    open_trusts = Organisation.objects.filter(
        region_code="Y63", close_date__isnull=True, successor__isnull=True
    )
    assert sorted(codes) == sorted(open_trusts.values_list("ods_code", flat=True))
    assert "intersection–union test" in html  # each divergence flag explains itself


def test_measure_page_is_the_mdc_summary_table_for_every_trust(regional):
    html = regional.get("/measures/ae_4hr_all/", {"region": "Y56"}).content.decode()
    rows = re.findall(r'<a href="/organisations/(\w+)/#chart-ae_4hr_all', html)
    assert len(rows) >= 10
    assert 'aria-label="Variation: ' in html  # MDC's variation icon, named in words
    assert 'aria-label="Assurance: consistently failing the target"' in html
    assert 'class="candour-mdc-icon"' in html
    first_icon = html.split('class="candour-mdc-icon"', 1)[1].split("</svg>", 1)[0]
    assert "<text" not in first_icon  # drawn as MDC's icon, not a letter in a circle


def test_raise_a_concern_from_a_flag(client_for, make_user):
    owner = make_user(Role.BOARD, username="flag-owner")
    flag = monitoring.organisation_picture("RJ1")["flags"][0]
    client = client_for(Role.REGIONAL)
    form = client.get("/organisations/RJ1/concerns/new/", {"flag": flag["key"]}).content.decode()
    assert "Raised from a flag" in form
    response = client.post(
        "/organisations/RJ1/concerns/new/",
        {
            "flag": flag["key"],
            "title": "From the data",
            "explanation": flag["explanation"],
            "owner": owner.pk,
        },
    )
    assert response.status_code == 302
    concern = Concern.objects.get(title="From the data")
    assert concern.origin == Concern.Origin.FLAG
    assert concern.severity == flag["level"]
    assert flag["key"] in concern.rule
    assert (
        client.get("/organisations/RJ1/concerns/new/", {"flag": "measure:no-such"}).status_code
        == 404
    )


def test_funnel_chart_labels_outlying_trusts(regional):
    from candour.web.oversight.models import Measure

    measure = Measure.objects.get(pk="rtt_52wk")
    drawn = monitoring.measure_funnel(monitoring.observations(measure_ids=["rtt_52wk"]), measure)
    result, _period = drawn
    outliers = result.outlier_groups
    assert outliers, "some trusts lie outside the 99.8% limits"
    svg = regional.get("/measures/rtt_52wk/funnel.svg").content.decode()
    assert svg.startswith("<svg")
    for code in outliers[:3]:
        assert code in svg
    assert regional.get("/measures/rtt_median_wait/funnel.svg").status_code == 404
    assert "funnel.svg" in regional.get("/measures/rtt_52wk/").content.decode()
