"""The board pack as a PDF: the pack's HTML (template oversight/board_pack.html, print CSS for
A4 with the running header and page numbers) through WeasyPrint. WeasyPrint fetches nothing: the
styles are inline, the charts are data: URIs, and its URL fetcher refuses every other scheme (so a
stray http(s) reference stops the render instead of reaching the network)."""

from __future__ import annotations

import logging

from django.template.loader import render_to_string

from candour.web.oversight import monitoring
from candour.web.oversight.boardpack import MATRIX_COLUMN_LABELS, BoardPack

# data: only (the charts); never http(s), ftp or file.
ALLOWED_URL_SCHEMES = frozenset({"data"})


def url_fetcher():
    """WeasyPrint's fetcher limited to :data:`ALLOWED_URL_SCHEMES`; any other URL is fatal."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=ALLOWED_URL_SCHEMES, fail_on_errors=True)


def pack_html(pack: BoardPack) -> str:
    return render_to_string(
        "oversight/board_pack.html",
        {
            "pack": pack,
            "organisation": pack.organisation,
            "picture": pack.picture,
            "matrix_columns": MATRIX_COLUMN_LABELS.values(),
            "min_spc_points": monitoring.MIN_SPC_POINTS,
        },
    )


def html_to_pdf(html: str) -> bytes:
    # WeasyPrint reports each step of each page at INFO: noise in the server's and command's log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=url_fetcher()).write_pdf()


def pack_pdf(pack: BoardPack) -> bytes:
    return html_to_pdf(pack_html(pack))
