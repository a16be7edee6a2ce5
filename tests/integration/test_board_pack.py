"""The board pack (issue 15 item 5): ``candour board-pack`` and the organisation page's download
render the organisation's integrated performance report from held data, with the page's numbers.
The PDF is read back with poppler's pdftotext and pdftoppm, as a reader would see it."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from candour.cli import main
from candour.exceptions import EXIT_USER_ERROR
from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role

pytestmark = pytest.mark.django_db

ODS = "R0B"
SMALL = "RRD"  # an organisation with few measures: its pack renders in a second
POPPLER = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (scripts/test.sh installs it)"
)


def pdf_text(path: Path, *, first: int | None = None, last: int | None = None) -> str:
    """The PDF's text as pdftotext extracts it, with runs of whitespace made one space."""
    pages = (["-f", str(first)] if first else []) + (["-l", str(last)] if last else [])
    text = subprocess.run(
        ["pdftotext", *pages, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))


def in_reading_order(phrase: str, text: str, *, gap: int = 12) -> bool:
    """Are the phrase's words in ``text`` in order, each within ``gap`` words of the one before?
    A table cell that wraps comes out of pdftotext interleaved with its neighbours' lines."""
    tokens = text.split()
    wanted = phrase.split()
    for start, token in enumerate(tokens):
        if token != wanted[0]:
            continue
        position, found = start, 1
        while found < len(wanted):
            window = tokens[position + 1 : position + 1 + gap]
            if wanted[found] not in window:
                break
            position += 1 + window.index(wanted[found])
            found += 1
        if found == len(wanted):
            return True
    return False


def words(fragment: str) -> str:
    """Text of an HTML fragment as a reader sees it: tags out, entities decoded, spaces one."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def raise_concern_about(ods_code: str, owner):
    from candour.web.oversight.actions import raise_concern
    from candour.web.oversight.models import Organisation

    return raise_concern(
        organisation=Organisation.objects.get(pk=ods_code),
        title="Ward 7 staffing below plan for three months",
        explanation="Raised at the quality committee.",
        owner=owner,
        by="system:test",
    )


@pytest.fixture
def concern(make_user):
    return raise_concern_about(ODS, make_user(Role.REGIONAL, username="concern-owner"))


@pytest.fixture
def pack(tmp_path, concern, capsys) -> Path:
    output = tmp_path / "pack.pdf"
    assert main(["board-pack", ODS, "--output", str(output)]) == 0
    assert "wrote the board pack" in capsys.readouterr().out
    return output


@pytest.fixture
def organisation_page(client_for) -> str:
    response = client_for(Role.ANALYST).get(f"/organisations/{ODS}/")
    assert response.status_code == 200
    return response.content.decode()


def page_measure_rows(page: str) -> dict[str, list[str]]:
    """The organisation page's "each measure" table: measure id -> its cells' text."""
    rows = {}
    for measure_id, row in re.findall(r'<tr[^>]*id="measure-([^"]+)">(.*?)</tr>', page, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows[measure_id] = [
            words(re.sub(r'<span class="nhsuk-table-responsive__heading">[^<]*</span>', "", c))
            for c in cells
        ]
    return rows


def check_the_pack_starts_with_the_concerns_and_the_findings_in_plain_english(pack, concern):
    from candour.web.oversight import monitoring

    text = pdf_text(pack)
    assert text.index("1. Concerns") < text.index("2. Making Data Count summary")
    concerns = text[text.index("1. Concerns", text.index("Contents") + 200) :]
    assert concern.title in concerns
    picture = monitoring.organisation_picture(ODS)
    for flag in picture["flags"] + picture["missing"]:
        assert " ".join(flag["sentence"].split()) in text
    for finding in picture["system"]:
        assert " ".join(finding["sentence"].split()) in text


def check_the_numbers_are_the_organisation_pages(pack, organisation_page):
    text = pdf_text(pack)
    status = re.search(r"Status: <strong[^>]*>([^<]+)</strong>", organisation_page).group(1)
    assert f"Status: {status}" in text
    assessed = re.search(r"Assessed from data as of ([^(]+) \(the latest held\)", organisation_page)
    assert f"Assessed from data as of {assessed.group(1)}" in text
    rows = page_measure_rows(organisation_page)
    assert len(rows) >= 10
    table = text[text.index("Each measure, and the period it was compared in") :]
    for name, period, value, peers, finding in rows.values():
        # every row's measure, period, value, similar organisations' value and finding, as the
        # page shows them; the numbers exactly, the wrapped words in reading order
        assert value in table, (name, value)
        assert peers in table, (name, peers)
        for cell in (name, period, finding):
            assert in_reading_order(cell, table), (name, cell)


def check_every_measure_is_in_the_matrix_with_its_latest_period(pack, organisation_page):
    from candour.web.oversight import queries
    from candour.web.oversight.models import Organisation
    from candour.web.oversight.templatetags.candour_format import period_label

    text = pdf_text(pack)
    start = text.index("2. Making Data Count summary", text.index("Contents") + 200)
    matrix = text[start : text.index("3. Targets and their balancing measures", start)]
    trends = queries.measure_trends(Organisation.objects.get(pk=ODS))
    assert trends
    for trend in trends:
        label = trend.measure.name
        if trend.organisation_code != ODS:
            label += f" (as {trend.organisation_code})"
        assert f"{label} ({period_label(trend.latest[0], trend.period_type)})" in matrix, label
    for heading in ("Consistently passing the target", "Hit and miss", "No target"):
        assert heading in matrix


def check_charts_targets_speaking_up_and_data_as_of(pack):
    from candour.web.oversight import monitoring, queries
    from candour.web.oversight.models import Organisation

    text = pdf_text(pack)
    organisation = Organisation.objects.get(pk=ODS)
    rows = queries.targets_for(organisation, {})
    assert rows, "R0B has targets in force"
    targets = text[text.index("3. Targets and their balancing measures", 3000) :]
    for row in rows:
        assert row.target.name in targets
        for measure, _trend, _icons in row.balances:
            assert measure.name in targets
    assert "4. Statistical process control charts" in text
    assert "Making Data Count XmR charts" in text
    assert text.count("Data as of:") >= 1
    assert "5. Speaking up" in text
    if monitoring.speakup_themes(ODS) is None:
        assert "No concerns were raised through Candour with this organisation" in text
    as_of = text[text.index("6. Data as of, per measure", 3000) :]
    assert in_reading_order("A&E 4-hour performance, all department types", as_of)
    assert "imported" in as_of


def check_every_page_has_the_running_header_and_a_page_number(pack):
    from candour.web.oversight.models import Organisation

    name = Organisation.objects.get(pk=ODS).name
    pages = page_count(pack)
    assert pages > 3
    for number in range(1, pages + 1):
        page = pdf_text(pack, first=number, last=number)
        assert f"{name} ({ODS}) · data as of" in page
        assert f"Page {number} of {pages}" in page


def check_page_one_is_not_blank(pack, tmp_path):
    from PIL import Image

    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pack), str(tmp_path / "page")],
        check=True,
    )
    (image_path,) = tmp_path.glob("page*.png")
    image = Image.open(image_path).convert("L")
    dark = sum(image.histogram()[:200])
    assert dark > 500  # a page of text, not a white sheet


def test_an_unknown_organisation_is_a_clear_error_without_traceback(tmp_path, capsys):
    output = tmp_path / "pack.pdf"
    assert main(["board-pack", "ZZZ99", "--output", str(output)]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "no organisation has the ODS code 'ZZZ99'" in err
    assert "Traceback" not in err
    assert not output.exists()


def test_the_output_must_be_a_pdf(tmp_path, capsys):
    assert main(["board-pack", ODS, "--output", str(tmp_path / "pack.html")]) == EXIT_USER_ERROR
    assert "--output must end in .pdf" in capsys.readouterr().err


@POPPLER
def test_as_of_replays_the_assessment_at_that_date(tmp_path):
    from candour.web.oversight import assessment, monitoring

    day = date(2024, 6, 30)
    output = tmp_path / "pack.pdf"
    assert main(["board-pack", ODS, "--as-of", day.isoformat(), "--output", str(output)]) == 0
    text = pdf_text(output)
    assert "data as of 30 June 2024 (replayed)" in text
    assert "Assessed from data as of 30 June 2024" in text
    replay = monitoring.organisation_picture(ODS, assessment.compute(as_of=day))
    assert replay["as_of"] == day
    for row in replay["by_measure"]:
        assert row["measure"]["name"] in text
    # nothing after the date: the latest data (July 2025) are not in a replay of June 2024
    assert "Jul 2025" not in text
    assert "July 2025" not in text


def test_making_a_pack_is_audited(tmp_path, client_for):
    before = AuditEvent.objects.filter(action="board_pack.download").count()
    assert main(["board-pack", SMALL, "--output", str(tmp_path / "pack.pdf")]) == 0
    response = client_for(Role.BOARD).get(f"/organisations/{SMALL}/board-pack.pdf")
    assert response.status_code == 200
    events = list(AuditEvent.objects.filter(action="board_pack.download").order_by("seq"))
    assert len(events) == before + 2
    cli, web = events[-2:]
    assert (cli.actor, cli.target_id, cli.details["channel"]) == (
        "system:candour-board-pack",
        SMALL,
        "cli",
    )
    assert (web.actor, web.target_id, web.details["channel"]) == (
        f"test-{Role.BOARD}",
        SMALL,
        "web",
    )
    assert web.details["as_of"] == "2025-07-31"
    assert web.details["replayed"] is False


@POPPLER
def test_the_download_is_the_pack_and_hides_concerns_from_those_who_may_not_read_them(
    client, make_user, tmp_path
):
    concern = raise_concern_about(SMALL, make_user(Role.REGIONAL, username="concern-owner"))
    url = f"/organisations/{SMALL}/board-pack.pdf"
    readers = {
        "staff": (make_user(Role.STAFF, username="staff"), False),
        "board elsewhere": (
            make_user(Role.BOARD, username="board-rj1", organisation_code="RJ1"),
            False,
        ),
        "own board": (make_user(Role.BOARD, username="board-own", organisation_code=SMALL), True),
    }
    for label, (user, sees_concerns) in readers.items():
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        response = client.get(url)
        assert response.status_code == 200, label
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith(
            f'attachment; filename="board-pack-{SMALL}-'
        )
        assert response.content.startswith(b"%PDF")
        (tmp_path / "pack.pdf").write_bytes(response.content)
        text = pdf_text(tmp_path / "pack.pdf")
        assert (concern.title in text) is sees_concerns, label
        hidden = "Concerns raised about an organisation are shown to regional oversight"
        assert (hidden in text) is not sees_concerns, label


def test_the_download_refuses_what_the_page_refuses(client_for):
    assert client_for(None).get(f"/organisations/{ODS}/board-pack.pdf").status_code == 302
    signed_in = client_for(Role.ANALYST)
    assert signed_in.get("/organisations/ZZZ99/").status_code == 404
    assert signed_in.get("/organisations/ZZZ99/board-pack.pdf").status_code == 404
    assert signed_in.get(f"/organisations/{ODS}/board-pack.pdf?as_of=June").status_code == 400


def test_the_organisation_page_offers_the_download(organisation_page):
    assert f'href="/organisations/{ODS}/board-pack.pdf"' in organisation_page
    assert "Download the board pack (PDF)" in organisation_page


def test_the_renderer_fetches_nothing_from_the_network():
    from weasyprint.urls import FatalURLFetchingError

    from candour.web.oversight.boardpack_pdf import html_to_pdf

    for url in (
        "http://example.invalid/x.png",
        "https://example.invalid/x.css",
        "file:///etc/hosts",
    ):
        with pytest.raises(FatalURLFetchingError):
            html_to_pdf(f'<img src="{url}"><p>x</p>')
    assert html_to_pdf('<img src="data:image/svg+xml;base64,PHN2Zy8+"><p>x</p>').startswith(b"%PDF")


@POPPLER
def test_synthetic_data_are_marked_on_every_page(tmp_path):
    from candour.web.mortality.models import MonthlyDeaths
    from candour.web.oversight.models import Organisation

    MonthlyDeaths.objects.create(
        organisation=Organisation.objects.get(pk=ODS),
        group="Pneumonia",
        month=date(2025, 6, 1),
        spells=120,
        observed=10,
        expected=8.5,
        synthetic=True,
    )
    output = tmp_path / "pack.pdf"
    assert main(["board-pack", ODS, "--output", str(output)]) == 0
    for number in range(1, page_count(output) + 1):
        assert "Synthetic data" in pdf_text(output, first=number, last=number)


def check_real_data_are_not_marked_synthetic(pack):
    assert "Synthetic data" not in pdf_text(pack)


@POPPLER
def test_the_board_pack_command(pack, concern, organisation_page, tmp_path):
    """One pack (each takes seconds to render), read back for each thing it must show."""
    check_the_pack_starts_with_the_concerns_and_the_findings_in_plain_english(pack, concern)
    check_the_numbers_are_the_organisation_pages(pack, organisation_page)
    check_every_measure_is_in_the_matrix_with_its_latest_period(pack, organisation_page)
    check_charts_targets_speaking_up_and_data_as_of(pack)
    check_every_page_has_the_running_header_and_a_page_number(pack)
    check_page_one_is_not_blank(pack, tmp_path)
    check_real_data_are_not_marked_synthetic(pack)


def organisation_with_findings() -> str:
    """Of the organisations with findings from the data, the one with the fewest observations
    (R0B has none in the bundled data; its pack is tested above)."""
    import polars as pl
    from django.db.models import Count

    from candour.analytics.concern.constants import CONCERN_LEVELS
    from candour.web.oversight import assessment
    from candour.web.oversight.models import Organisation

    flags = assessment.current().flags.filter(pl.col("level").is_in(list(CONCERN_LEVELS)))
    codes = flags["ods_code"].unique().to_list()
    assert codes, "the bundled data raise findings somewhere"
    return (
        Organisation.objects.filter(pk__in=codes)
        .annotate(n=Count("observations"))
        .order_by("n", "pk")
        .values_list("pk", flat=True)
        .first()
    )


@POPPLER
def test_each_current_finding_is_stated_in_plain_english(tmp_path):
    from candour.web.oversight import monitoring

    code = organisation_with_findings()
    output = tmp_path / "pack.pdf"
    assert main(["board-pack", code, "--output", str(output)]) == 0
    text = pdf_text(output)
    findings = text[text.index("Findings from the data, worst first") :]
    picture = monitoring.organisation_picture(code)
    assert picture["flags"]
    for flag in picture["flags"]:
        assert in_reading_order(flag["sentence"], findings, gap=3), flag["sentence"]
    assert "No finding of concern from the data" not in text
