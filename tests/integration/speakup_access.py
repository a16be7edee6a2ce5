"""Rows of the URL × role table (tests/integration/test_access.py) for the speak-up app's URLs.
Kept in their own module so the speak-up app's table can grow without touching the rest."""

EXPECTED_SPEAKUP: dict[str, tuple[dict | str, dict]] = {}
