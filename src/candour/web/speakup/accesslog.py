"""gunicorn's access log without the reporter's pages.

An access log writes the time, to the second, the address and the path of every request: for the
pages people speak up on (``/speak-up/raise/R0B/``, ``/speak-up/follow-up/``...) that is a record
of who tried to speak up, when, and where. Serve Candour with this logger class and those lines
are never written; every other request is logged as usual::

    gunicorn candour.web.config.wsgi:application \\
        --access-logfile - --logger-class candour.web.speakup.accesslog.AccessLogWithoutReporters

The reporter's pages send ``Referrer-Policy: no-referrer`` (and so do static files), so the lines
that are written (a style sheet, a script) do not name the page they were loaded from either. A
proxy in front (nginx, Apache) keeps its own access log: leave ``/speak-up/`` out of it as well
(``docs/reference/speakup.md``, "Nothing in any log").

Only gunicorn imports this module; Candour itself does not need gunicorn.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from candour.web.speakup.logfilter import REPORTER_PATH


class AccessLogWithoutReporters(Logger):
    def access(self, resp, req, environ, request_time):
        if REPORTER_PATH.match(environ.get("PATH_INFO", "")):
            return
        super().access(resp, req, environ, request_time)
