"""The board pack from the organisation page, in a real browser: sign in, open an organisation,
click the download link and get a PDF whose text names the organisation."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from tests.conftest import PASSWORD

from candour.web.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ODS = "R1L"  # a named trust with few measures: its pack renders in a second or two


@pytest.fixture
def reader(make_user):
    from candour.importers.datasets import DATASETS
    from candour.web.oversight.actions import import_dataset

    for dataset in DATASETS.values():
        import_dataset(imported=dataset.load(), by="system:test")
    return make_user(Role.ANALYST, username="pack-reader")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_downloading_the_board_pack(page, live_server, reader, tmp_path):
    from candour.web.oversight.models import Organisation

    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", "pack-reader")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/organisations/{ODS}/")
    name = Organisation.objects.get(pk=ODS).name
    assert page.locator("h1").inner_text() == name

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the board pack (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"board-pack-{ODS}-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", str(saved), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert name in text
