"""Charts computed once per change of data, served fast (issue 11, item 2): each chart is drawn
once per data version and stored, whatever worker or request asks; a new version is served the
new chart; the pre-render stores every chart a page links to; older versions are deleted."""

from __future__ import annotations

import logging
import re

import pytest

from candour.cli import main
from candour.web.core.roles import Role
from candour.web.oversight import actions, assessment, chart_store
from candour.web.oversight.models import StoredChart, Target

pytestmark = pytest.mark.django_db

CHART = "/organisations/RJ1/measures/rtt_18wk/chart.svg"
FUNNEL = "/measures/rtt_52wk/funnel.svg"


@pytest.fixture
def regional(client_for):
    return client_for(Role.REGIONAL)


def rendered(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("rendered ")]


def test_a_chart_is_drawn_once_per_data_version_whoever_asks(regional, client_for, caplog):
    caplog.set_level(logging.INFO, logger="candour.web.oversight.chart_store")
    version = assessment.chart_version()
    first = regional.get(CHART)
    again = client_for(Role.ANALYST).get(CHART)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert first.content.startswith(b"<svg")
    stored = StoredChart.objects.filter(kind=chart_store.SERIES, key="rtt_18wk:RJ1")
    assert list(stored.values_list("version", flat=True)) == [version]
    assert rendered(caplog) == [f"rendered series rtt_18wk:RJ1 for data version {version}"]
    regional.get(FUNNEL)
    regional.get(FUNNEL)
    assert StoredChart.objects.filter(kind=chart_store.FUNNEL, key="rtt_52wk").count() == 1


def test_a_browser_revalidates_a_chart_cheaply_with_its_version(regional):
    response = regional.get(CHART)
    etag = response["ETag"]
    assert f"v{assessment.chart_version()}-" in etag
    assert "no-cache" in response["Cache-Control"]
    assert regional.get(CHART, headers={"If-None-Match": etag}).status_code == 304


def test_a_bump_makes_the_next_request_serve_the_new_versions_chart(
    regional, django_capture_on_commit_callbacks
):
    before = regional.get(CHART)
    assert "92" in before.content.decode()  # the 92% standard drawn
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_target_status(
            target=Target.objects.get(pk="rtt_18wk_92"),
            status=Target.Status.WITHDRAWN,
            by="system:test",
        )
    after = regional.get(CHART, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert after.content != before.content
    assert assessment.chart_version() == assessment.data_version()
    version = assessment.chart_version()
    assert StoredChart.objects.filter(version=version, key="rtt_18wk:RJ1").exists()


def test_the_daily_speak_up_counts_leave_every_stored_chart_current(
    regional, caplog, django_capture_on_commit_callbacks
):
    # they change the assessment (a new data version) but no chart draws them: before, every
    # stored chart went stale each day and its first viewer waited for it to be drawn again
    before = regional.get(CHART)
    version = assessment.data_version()
    caplog.set_level(logging.INFO, logger="candour.web.oversight.chart_store")
    with django_capture_on_commit_callbacks(execute=True):
        assert main(["speakup", "expire"]) == 0  # the daily job
    assert assessment.data_version() == version + 1
    again = regional.get(CHART, headers={"If-None-Match": before["ETag"]})
    assert again.status_code == 304
    assert rendered(caplog) == []
    assert assessment.chart_version() <= version
    assert main(["charts", "render", "--organisation", "RJ1"]) == 0
    assert StoredChart.objects.filter(kind=chart_store.SERIES, key="rtt_18wk:RJ1").count() == 1


def test_the_pre_render_stores_every_current_chart_an_organisation_page_links(regional, capsys):
    from candour.web.oversight.prerender import current_series

    version = assessment.chart_version()
    assert main(["charts", "render", "--organisation", "R0B"]) == 0  # a merged trust
    assert f"Charts of data version {version}:" in capsys.readouterr().out
    assert StoredChart.objects.filter(kind=chart_store.ORGANISATION_ICONS, key="R0B").exists()
    html = regional.get("/organisations/R0B/").content.decode()
    links = re.findall(r'src="/organisations/(\w+)/measures/([\w-]+)/chart\.svg"', html)
    current = current_series()
    assert len([s for s in links if (s[1], s[0]) in current]) >= 4
    assert any(code == "RLN" for code, _ in links)  # a predecessor's series, shown as history
    history = 0
    for code, measure in links:
        stored = chart_store.is_stored(chart_store.SERIES, f"{measure}:{code}", version)
        assert stored == ((measure, code) in current), (code, measure)
        history += not stored
    before = StoredChart.objects.count()
    for code, measure in links * 2:
        assert (
            regional.get(f"/organisations/{code}/measures/{measure}/chart.svg").status_code == 200
        )
    # the page drew nothing; each history chart was drawn once, on its first view
    assert StoredChart.objects.count() == before + history


def test_older_versions_charts_are_deleted_once_the_new_set_is_stored(
    regional, django_capture_on_commit_callbacks
):
    assert main(["charts", "render", "--organisation", "RJ1"]) == 0
    old = assessment.chart_version()
    assert StoredChart.objects.filter(version=old, key="rtt_18wk:RJ1").exists()
    regional.get(FUNNEL)  # another page's chart, not in the set rendered below
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_target_status(
            target=Target.objects.get(pk="rtt_18wk_92"),
            status=Target.Status.WITHDRAWN,
            by="system:test",
        )
    assert StoredChart.objects.filter(version=old, key="rtt_18wk:RJ1").exists()  # until then
    assert main(["charts", "render", "--organisation", "RJ1"]) == 0
    new = assessment.chart_version()
    assert new > old
    assert not StoredChart.objects.filter(version=old, key__endswith=":RJ1").exists()
    assert not StoredChart.objects.filter(version=old, kind=chart_store.ORGANISATION_ICONS).exists()
    assert StoredChart.objects.filter(version=new, key="rtt_18wk:RJ1").exists()
    # a set not rendered again keeps its old charts until a whole run completes
    assert StoredChart.objects.filter(version=old, kind=chart_store.FUNNEL).exists()


def test_an_unknown_organisation_is_a_clear_error(capsys):
    assert main(["charts", "render", "--organisation", "XXX"]) == 2
    assert "no open organisation XXX" in capsys.readouterr().err


def test_a_pre_rendered_chart_is_the_chart_a_request_draws():
    from candour.web.oversight import monitoring

    version = assessment.chart_version()
    assert main(["charts", "render", "--organisation", "RJ1"]) == 0
    pre_rendered = chart_store.stored(
        chart_store.SERIES, "ae_4hr_all:RJ1", lambda: b"", version=version
    ).body
    drawn = monitoring.draw_series_chart("ae_4hr_all", "RJ1").encode()
    # the same chart; only Vega's clip-path ids count the charts its process has drawn
    assert same_but_clip_ids(pre_rendered, drawn)


def same_but_clip_ids(a: bytes, b: bytes) -> bool:
    def normal(svg: bytes) -> bytes:
        return re.sub(rb"clip\d+", b"clip", svg)

    return normal(a) == normal(b)
