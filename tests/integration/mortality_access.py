"""Rows of the URL × role table (tests/integration/test_access.py) for the mortality alert
URLs, and the helpers the mortality tests share.

The ``<alert>`` marker is replaced by the id of an alert :func:`mortality_ids` raises at R0B
(owned by a national regional overseer made here). The table's users hold their roles
nationally, so a board member may respond to it; the review page answers regional oversight
with "nothing to review yet" (there is no response).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from tests.integration.speakup_access import only

from candour.web.core.roles import Role

ALERT = {"alert_id": "<alert>"}
READERS = only(Role.REGIONAL, Role.BOARD, Role.ANALYST)

EXPECTED_MORTALITY: dict[str, tuple[dict | str, dict]] = {
    "mortality:alerts": ({}, READERS),
    "mortality:alert": (ALERT, READERS),
    "mortality:alert_chart": (ALERT, READERS),
    "mortality:alert_respond": (ALERT, only(Role.BOARD)),
    "mortality:alert_review": (ALERT, only(Role.REGIONAL)),
}


# ------------------------------------------------------------------------ shared test helpers

HEADER = "PROVIDER_CODE,DIAGNOSIS_GROUP,MONTH,SPELLS,OBSERVED,EXPECTED,SYNTHETIC\n"
TRUSTS = ("R0B", "RTD", "RJ1")
GROUPS = ("Pneumonia", "Stroke")
EXPECTED_A_MONTH = 10.0  # deaths expected every month in every series
IN_CONTROL = 10  # observed: as expected, so the chart stays at 0
EXCESS = 20  # observed in the planted series: twice as many
SPELLS = 200
FIRST_MONTH = dt.date(2023, 1, 1)
MONTHS = 24
EXCESS_FROM = 12  # the planted series' excess starts in its 13th month (January 2024)
SYSTEM = "system:test"


def month(index: int) -> dt.date:
    total = FIRST_MONTH.year * 12 + FIRST_MONTH.month - 1 + index
    return dt.date(total // 12, total % 12 + 1, 1)


def deaths_csv(
    *,
    excess: tuple[tuple[str, str], ...] = (("R0B", "Pneumonia"),),
    trusts: tuple[str, ...] = TRUSTS,
    months: int = MONTHS,
    synthetic: bool = True,
) -> str:
    """A small SHMI-layout file: every series in control (10 observed, 10 expected a month)
    except ``excess``, whose deaths double from :data:`EXCESS_FROM`."""
    rows = []
    for code in trusts:
        for group in GROUPS:
            for index in range(months):
                observed = (
                    EXCESS if (code, group) in excess and index >= EXCESS_FROM else IN_CONTROL
                )
                rows.append(
                    f"{code},{group},{month(index):%Y-%m},{SPELLS},{observed},"
                    f"{EXPECTED_A_MONTH},{'true' if synthetic else ''}"
                )
    return HEADER + "\n".join(rows) + "\n"


def write(directory: Path, text: str, name: str = "deaths.csv") -> Path:
    path = Path(directory) / name
    path.write_text(text, encoding="utf-8")
    return path


def load_deaths(directory: Path, text: str | None = None, **options):
    """Import a deaths file through the import action."""
    from candour.web.mortality import imports

    path = write(directory, text if text is not None else deaths_csv(**options))
    return imports.import_monthly_deaths(imported=imports.load(path), by=SYSTEM)


def run_job(today: dt.date | None = None):
    from candour.web.mortality import job

    return job.run(by=SYSTEM, today=today, states=400)


def raise_r0b_alert(*, make_owner: bool = True):
    """The deaths file imported and the job run: one alert, at R0B in Pneumonia (owned by a
    national regional overseer made here, unless ``make_owner`` is false)."""
    from candour.web.core.actions import create_user

    if make_owner:
        create_user(
            username="alert-owner",
            password="correct-horse-battery-staple",
            roles=[Role.REGIONAL],
            by=SYSTEM,
        )
    with tempfile.TemporaryDirectory() as directory:
        load_deaths(Path(directory))
    summary = run_job()
    (alert,) = summary.raised
    return alert


def mortality_ids() -> dict[str, str]:
    return {"<alert>": str(raise_r0b_alert().pk)}
