"""Keep reporters out of the logs: drop request log records of the pages people speak up on, and
send no referrer from them.

Django logs every 4xx response (``django.request``: "Bad Request: /speak-up/raise/R0B/") and the
development server every request (``django.server``), each with its time to the second. For the
reporter's pages that is a record of when someone spoke up, or tried to, at which organisation:
this filter drops those records. Server errors (5xx) are kept, so that failures are seen; they
carry the path only, never the body (Django does not log request bodies).
"""

from __future__ import annotations

import logging
import re

# The pages of the person speaking up (public, no account): urls.py's reporter routes.
REPORTER_PATH = re.compile(r"^/speak-up/(?:$|raise/|receipt/|follow-up/|organisations/)")
SERVER_ERROR = 500


class DropReporterRequests(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        path = _path(record)
        if path is None or not REPORTER_PATH.match(path):
            return True
        return getattr(record, "status_code", SERVER_ERROR) >= SERVER_ERROR


def _path(record: logging.LogRecord) -> str | None:
    request = getattr(record, "request", None)
    path = getattr(request, "path", None)
    if isinstance(path, str):
        return path
    # django.server: the first argument is the request line, "POST /speak-up/raise/R0B/ HTTP/1.1"
    if record.args and isinstance(record.args, tuple) and isinstance(record.args[0], str):
        parts = record.args[0].split()
        if len(parts) >= 2:
            return parts[1].split("?")[0]
    return None


NO_REFERRER = "no-referrer"


def no_referrer_for_static(headers, path, url) -> None:
    """``WHITENOISE_ADD_HEADERS_FUNCTION``: static files are served with ``Referrer-Policy:
    no-referrer`` too, so a style sheet loaded from a reporter page names nothing when it loads
    fonts or images (the reporter pages send the same header themselves)."""
    headers["Referrer-Policy"] = NO_REFERRER
