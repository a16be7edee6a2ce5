"""``candour board-pack``: an organisation's integrated performance report as a PDF, from the
data Candour holds (docs/reference/board-pack.md).

Mirrors :func:`candour.web.oversight.boardpack.gather` (``--as-of`` is its ``as_of``) and
:func:`candour.web.oversight.boardpack_pdf.pack_pdf`; the download on the organisation page
makes the same pack. Each pack made is audited (``board_pack.download``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from candour.cli.assess import _date
from candour.cli.django_setup import setup_django
from candour.exceptions import OptionError

ACTOR = "system:candour-board-pack"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "board-pack",
        help="an organisation's board pack (integrated performance report) as a PDF",
        description=(
            "Write the board pack of the organisation ODS as a PDF: its concerns first (open "
            "concerns and the current findings in plain English, mortality alerts open), a "
            "Making Data Count summary matrix of every measure, the SPC charts, each target "
            "beside its balancing measures, the published speak-up themes and the data as of "
            "each measure. The numbers are the organisation page's. The pack is rendered by "
            "WeasyPrint (Debian's Pango) and fetches nothing from the network."
        ),
    )
    parser.add_argument("ods_code", metavar="ODS", help="the organisation's ODS code, e.g. R0B")
    parser.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        type=_date,
        help=(
            "replay the assessment at this date, using only the periods that had ended by "
            "then (default: the latest data held)"
        ),
    )
    parser.add_argument(
        "--output", metavar="FILE", required=True, help="the PDF to write (ends in .pdf)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    output = Path(args.output)
    if output.suffix.lower() != ".pdf":
        raise OptionError(f"--output must end in .pdf; got {args.output}")
    if not output.parent.is_dir():
        raise OptionError(f"--output: the folder {output.parent} does not exist")
    setup_django()
    from candour.web.oversight import actions, boardpack, boardpack_pdf

    organisation = boardpack.organisation_for(args.ods_code)
    pack = boardpack.gather(organisation, as_of=args.as_of)
    output.write_bytes(boardpack_pdf.pack_pdf(pack))
    actions.record_board_pack(
        organisation=organisation,
        as_of=pack.as_of,
        replayed=pack.replayed,
        channel="cli",
        by=ACTOR,
    )
    print(
        f"wrote the board pack of {organisation.name} ({organisation.ods_code}), data as of "
        f"{pack.as_of:%d %B %Y}, to {output}"
    )
    return 0
