"""Day counts: how many days a period has and how many days make the year."""

from __future__ import annotations

from datetime import date

from domain.schedule.dates import days_in_month
from domain.schedule.terms import DayCount

_YEAR_DAYS = {DayCount.THIRTY_360: 360, DayCount.ACTUAL_365: 365, DayCount.ACTUAL_360: 360}


def year_days(day_count: DayCount) -> int:
    return _YEAR_DAYS[day_count]


def accrual_days(start: date, end: date, day_count: DayCount) -> int:
    """Days of interest from `start` (excluded) to `end` (included)."""
    if day_count == DayCount.THIRTY_360:
        return thirty_360_days(start, end)
    return (end - start).days


def penalty_days(origin: date, start: date, end: date, day_count: DayCount) -> int:
    """Days of (`start`, `end`] of an accrual that runs from `origin` (<= start).

    30/360 is not additive: 1 April to 31 May is 60 days, but 1-30 April plus 30 April
    to 31 May is 29 + 30. Counting every segment from the accrual's own origin makes
    the segments of any split add up to the whole interval's count.
    """
    if day_count == DayCount.THIRTY_360:
        return thirty_360_days(origin, end) - thirty_360_days(origin, start)
    return (end - start).days


def thirty_360_days(start: date, end: date) -> int:
    """30/360 US (bond basis) with its end-of-February rules, applied in the standard order.

    The February rules are what make a month-end schedule count 30 days from 28/29
    February to 31 March, instead of 31 or 33.
    """
    d1, d2 = start.day, end.day
    if _is_last_of_february(start):
        if _is_last_of_february(end):
            d2 = 30
        d1 = 30
    if d2 == 31 and d1 >= 30:
        d2 = 30
    if d1 == 31:
        d1 = 30
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)


def _is_last_of_february(day: date) -> bool:
    return day.month == 2 and day.day == days_in_month(day.year, 2)
