"""Fit-and-proper retention: kept until the director's 75th birthday, deleted on it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from candour.analytics.leadership.retention import (
    latest_birth_date_expired,
    retain_until,
    retention_ended,
)

D = dt.date


@pytest.mark.parametrize(
    ("born", "as_of", "ended"),
    [
        (D(1950, 6, 15), D(2025, 6, 14), False),  # the day before the 75th birthday: kept
        (D(1950, 6, 15), D(2025, 6, 15), True),  # the 75th birthday: deleted
        (D(1950, 6, 15), D(2031, 1, 1), True),
        (D(1952, 2, 29), D(2027, 2, 28), False),  # a leap-day birthday is reached on 1 March
        (D(1952, 2, 29), D(2027, 3, 1), True),
        (D(1948, 2, 29), D(2023, 3, 1), True),
        (None, D(2100, 1, 1), False),  # no date of birth: never deleted
    ],
)
def test_records_end_on_the_75th_birthday(born, as_of, ended):
    assert retention_ended(born, as_of) is ended


def test_retain_until_is_the_75th_birthday():
    assert retain_until(D(1966, 5, 17)) == D(2041, 5, 17)
    assert retain_until(D(1952, 2, 29)) == D(2027, 3, 1)


@settings(deadline=None)  # the machine's load, not the rule, decides the time
@given(
    as_of=st.dates(D(2000, 1, 1), D(2100, 12, 31)),
    born=st.dates(D(1900, 1, 1), D(2030, 12, 31)),
)
def test_the_query_boundary_agrees_with_the_rule(as_of, born):
    """A database query 'born on or before latest_birth_date_expired' selects exactly the
    people whose retention has ended."""
    assert (born <= latest_birth_date_expired(as_of)) is retention_ended(born, as_of)
