"""The address a request came from, for rate limits and sign-in lockouts only (never stored).

Behind a reverse proxy every request's ``REMOTE_ADDR`` is the proxy's own address. When the
proxy is trusted to append the client's address to a header, ``CLIENT_ADDRESS_HEADER`` names it
as Django spells it in ``request.META`` (``CANDOUR_CLIENT_ADDRESS_HEADER=HTTP_X_FORWARDED_FOR``).
The *last* address in the header is used: the one the proxy appended; any earlier ones are the
client's to forge. ``manage.py check --deploy`` warns when a proxy is trusted for HTTPS but no
address header is set (``candour.web.core.checks``).
"""

from __future__ import annotations

from django.conf import settings


def client_address(request, header: str | None = None) -> str:
    """The client's address: the last entry of the trusted proxy's header (``header``, by
    default ``settings.CLIENT_ADDRESS_HEADER``), else ``REMOTE_ADDR``."""
    if header is None:
        header = getattr(settings, "CLIENT_ADDRESS_HEADER", None)
    forwarded = request.META.get(header, "") if header else ""
    return forwarded.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")
