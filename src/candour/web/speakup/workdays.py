"""Working days in England and Wales: Monday to Friday, except bank holidays.

Bank holidays follow the Banking and Financial Dealings Act 1971 and the royal proclamations that
move or add them (listed at gov.uk/bank-holidays): one small function per rule, then the changes
by proclamation as data. Pure Python; no Django.
"""

from __future__ import annotations

import datetime
from functools import cache

MONDAY, FRIDAY, SATURDAY, SUNDAY = 0, 4, 5, 6

# Changes by royal proclamation (gov.uk/bank-holidays): days added, and usual days moved.
ADDED = {
    datetime.date(2011, 4, 29),  # the wedding of Prince William and Catherine Middleton
    datetime.date(2012, 6, 5),  # the Diamond Jubilee
    datetime.date(2022, 6, 3),  # the Platinum Jubilee
    datetime.date(2022, 9, 19),  # the State Funeral of Queen Elizabeth II
    datetime.date(2023, 5, 8),  # the Coronation of King Charles III
}
MOVED = {
    datetime.date(1995, 5, 1): datetime.date(1995, 5, 8),  # VE Day, 50th anniversary
    datetime.date(2002, 5, 27): datetime.date(2002, 6, 4),  # the Golden Jubilee
    datetime.date(2012, 5, 28): datetime.date(2012, 6, 4),  # the Diamond Jubilee
    datetime.date(2020, 5, 4): datetime.date(2020, 5, 8),  # VE Day, 75th anniversary
    datetime.date(2022, 5, 30): datetime.date(2022, 6, 2),  # the Platinum Jubilee
}


def easter_sunday(year: int) -> datetime.date:
    """Easter Sunday in the Gregorian calendar (the anonymous algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def first_monday(year: int, month: int) -> datetime.date:
    day = datetime.date(year, month, 1)
    return day + datetime.timedelta(days=(MONDAY - day.weekday()) % 7)


def last_monday(year: int, month: int) -> datetime.date:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    last = following - datetime.timedelta(days=1)
    return last - datetime.timedelta(days=(last.weekday() - MONDAY) % 7)


def new_year(year: int) -> datetime.date:
    """1 January, or the Monday after when it falls at a weekend."""
    day = datetime.date(year, 1, 1)
    return day + datetime.timedelta(days={SATURDAY: 2, SUNDAY: 1}.get(day.weekday(), 0))


def christmas_and_boxing_day(year: int) -> tuple[datetime.date, datetime.date]:
    """25 and 26 December, each moved to the next weekday not already a holiday."""
    christmas, boxing = datetime.date(year, 12, 25), datetime.date(year, 12, 26)
    if christmas.weekday() == SATURDAY:  # Monday 27 and Tuesday 28
        return christmas + datetime.timedelta(days=2), boxing + datetime.timedelta(days=2)
    if christmas.weekday() == SUNDAY:  # Boxing Day on Monday 26, Christmas on Tuesday 27
        return christmas + datetime.timedelta(days=2), boxing
    if boxing.weekday() == SATURDAY:  # Christmas on Friday: Boxing Day on Monday 28
        return christmas, boxing + datetime.timedelta(days=2)
    return christmas, boxing


@cache
def bank_holidays(year: int) -> frozenset[datetime.date]:
    easter = easter_sunday(year)
    usual = {
        new_year(year),
        easter - datetime.timedelta(days=2),  # Good Friday
        easter + datetime.timedelta(days=1),  # Easter Monday
        first_monday(year, 5),  # early May bank holiday
        last_monday(year, 5),  # spring bank holiday
        last_monday(year, 8),  # summer bank holiday
        *christmas_and_boxing_day(year),
    }
    moved = {MOVED.get(day, day) for day in usual}
    return frozenset(moved | {day for day in ADDED if day.year == year})


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() <= FRIDAY and day not in bank_holidays(day.year)


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The ``count``-th working day after ``day`` (2 working days after a Friday is Tuesday)."""
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
