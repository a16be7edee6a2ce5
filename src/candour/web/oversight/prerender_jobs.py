"""The processes ``candour charts render --jobs N`` starts: this module imports nothing of Django
at import time, so a spawned process can load it before Django is set up."""

from __future__ import annotations


def start() -> None:
    from candour.cli.django_setup import setup_django

    setup_django()


def render_share(codes: list[str], version: int) -> tuple[dict, dict]:
    """Draw and store these organisations' icons and SPC charts; (drawn, found) per kind."""
    from candour.web.oversight.prerender import Rendered, linked_codes, render_organisations

    done = Rendered(version)
    render_organisations(linked_codes(codes), version, done, {})
    return done.drawn, done.found
