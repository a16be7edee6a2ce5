"""What every page of the person speaking up shares: their session, the form token, and the
headers that keep them out of logs.

Every reporter page is wrapped in :func:`reporter_page`, which

* declares it public, never cached (``Cache-Control: no-store``) and hides POST bodies from
  Django's error reports;
* sends ``Referrer-Policy: no-referrer``, so that neither the page's own files (styles, scripts,
  images) nor any link followed from it tell another server, or the proxy's access log, which
  reporter page someone was on;
* loads the reporter's server-side session (:mod:`candour.web.speakup.sessions`) into
  ``request.reporter`` (a :class:`Visit`) and saves it afterwards, refreshing its idle time;
* checks the form token on every POST (:meth:`Visit.form_token_ok`) instead of Django's CSRF
  middleware. Django's would set a CSRF cookie that lasts a year, and on HTTPS it insists on a
  ``Referer`` or ``Origin`` header, which ``no-referrer`` withholds (browsers send
  ``Origin: null``). The token lives in the reporter's session, or (before there is one) derives
  from the session cookie, which is SameSite=Strict and ends with the browser.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters

from candour.web.core.access import public
from candour.web.speakup import costs
from candour.web.speakup.conf import config
from candour.web.speakup.sessions import (
    REPORTER_COOKIE,
    ReporterSession,
    derived_form_token,
    end_reporter_session,
    form_token_matches,
    load_reporter_session,
    new_token,
    save_reporter_session,
    set_reporter_cookie,
    valid_token,
)

REFERRER_POLICY = "no-referrer"
FORM_TOKEN_FIELD = "reporter_token"  # noqa: S105 - a form field name, not a secret
FORM_EXPIRED = (
    "This page was open for a long time, or in another tab, so it has not been sent. Check what "
    "you wrote and send it again."
)


class Visit:
    """One request's view of the reporter's session (``request.reporter``)."""

    def __init__(self, request):
        cookie = request.COOKIES.get(REPORTER_COOKIE)
        self.cookie = cookie if valid_token(cookie) else None
        self.token = self.cookie
        self.session: ReporterSession | None = load_reporter_session(self.token)
        self._trusted_test_client = getattr(request, "_dont_enforce_csrf_checks", False)

    # ------------------------------------------------------------------ the form token

    def form_token(self) -> str:
        """The token every reporter form carries."""
        if self.session is not None:
            return self.session.form_token
        if self.token is None:
            self.token = new_token()  # the cookie is set on the way out
        return derived_form_token(self.token)

    def form_token_ok(self, request) -> bool:
        """Whether the POST carries this session's form token (Django's test client, which
        skips CSRF checks unless asked, skips this one too)."""
        if self._trusted_test_client:
            return True
        sent = request.POST.get(FORM_TOKEN_FIELD, "")
        if self.session is not None:
            return form_token_matches(self.session.form_token, sent)
        if self.cookie is None:
            return False
        return form_token_matches(derived_form_token(self.cookie), sent)

    # ------------------------------------------------------------------ the session

    def start(self, session: ReporterSession) -> None:
        """A new session under a new token (after a concern is sent or a receipt opens one):
        whatever the old cookie held ends."""
        end_reporter_session(self.token)
        self.token = new_token()
        self.session = session

    def update(self, **values) -> None:
        self.session = replace(self.session, **values)

    def pop_notice(self) -> str:
        """The one-time notice for this page ("sent", "replied"...), cleared."""
        if self.session is None or not self.session.notice:
            return ""
        notice = self.session.notice
        self.update(notice="")
        return notice

    def end(self, *, notice: str = "") -> None:
        """End the session ("Leave"): nothing the old cookie holds opens anything. A new token
        (and, for a notice on the next page, a session holding only that) replaces it."""
        end_reporter_session(self.token)
        self.token = new_token()
        self.session = ReporterSession.new(notice=notice) if notice else None

    def finish(self, response) -> None:
        if self.session is not None:
            save_reporter_session(self.token, self.session)
        if self.token is not None and self.token != self.cookie:
            set_reporter_cookie(response, self.token)


def reporter_page(view):
    """Wrap a reporter page (see the module docstring)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        request.reporter = Visit(request)
        response = view(request, *args, **kwargs)
        request.reporter.finish(response)
        response["Referrer-Policy"] = REFERRER_POLICY
        return response

    return public(csrf_exempt(never_cache(sensitive_post_parameters()(wrapped))))


def render_reporter(request, template: str, context: dict | None = None, *, status: int = 200):
    """Render a reporter page with its form token and proof-of-work challenges
    (``challenge.concern``, ``challenge.receipt``, ``challenge.reply``: each made on use)."""
    context = dict(context or {})
    # made on first use: a page without a form sets no cookie
    context["reporter_token"] = SimpleLazyObject(request.reporter.form_token)
    context["challenge"] = _Challenges(request)
    context["session_minutes"] = config().reporter_session_seconds // 60
    context["session_hours"] = config().reporter_session_max_seconds // 3600
    context["other_ways"] = config().other_ways
    return render(request, template, context, status=status)


class _Challenges:
    """Lazily made challenges, one per form that asks (each can be spent once)."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, kind: str) -> str:
        if kind not in costs.KINDS:
            raise AttributeError(kind)
        return costs.challenge(self._request, kind)
