"""Due dates: a fixed step in days, or whole months counted from one anchor date."""

from __future__ import annotations

from calendar import isleap
from collections.abc import Iterable
from datetime import date, timedelta

from domain.schedule.terms import PERIODS_PER_YEAR, Frequency, ScheduleError

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_STEP_DAYS = {Frequency.WEEKLY: 7, Frequency.FORTNIGHTLY: 14}
_STEP_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3}


def days_in_month(year: int, month: int) -> int:
    if month == 2 and isleap(year):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def add_months(anchor: date, months: int) -> date:
    """The anchor's day of month, `months` later, clamped to that month's last day."""
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(anchor.day, days_in_month(year, month)))


def period_before(due: date, frequency: Frequency) -> date:
    """The start of the ordinary period that ends on `due`: one step back."""
    if frequency in _STEP_MONTHS:
        return add_months(due, -_STEP_MONTHS[frequency])
    return due - timedelta(days=_STEP_DAYS[frequency])


def due_dates(
    start: date, frequency: Frequency, term: int, first_due_date: date | None = None
) -> list[date]:
    """The `term` due dates of a schedule starting on `start`.

    Monthly and quarterly dates are each counted from the anchor (`first_due_date` when
    given, else `start`), never from the previous date: a 31 January anchor gives 29
    February and then 31 March, not 29 March. Stepping from the clamped date would
    drift to the 28th/29th for the rest of the loan.
    """
    if term < 1:
        raise ScheduleError("term", "must be at least 1")
    if first_due_date is not None and first_due_date <= start:
        raise ScheduleError("first_due_date", "must be after start_date")
    if frequency not in PERIODS_PER_YEAR:
        raise ScheduleError("frequency", "must be one of " + ", ".join(Frequency))
    anchor = first_due_date if first_due_date is not None else start
    # With a first due date the anchor itself is period 1; otherwise period 1 is one step on.
    offset = 0 if first_due_date is not None else 1
    try:
        if frequency in _STEP_MONTHS:
            months = _STEP_MONTHS[frequency]
            return [add_months(anchor, (k + offset) * months) for k in range(term)]
        step = timedelta(days=_STEP_DAYS[frequency])
        return [anchor + step * (k + offset) for k in range(term)]
    except (OverflowError, ValueError):
        raise ScheduleError("term", "runs past the last representable date") from None


def on_due_dates(start: date, frequency: Frequency, days: Iterable[date]) -> bool:
    """Whether `days` are exactly the first due dates of a schedule starting on `start`
    (as `due_dates` gives them, without a first due date), stepping once through them."""
    if frequency in _STEP_DAYS:
        step, expected = timedelta(days=_STEP_DAYS[frequency]), start
        for day in days:
            expected += step
            if day != expected:
                return False
        return True
    months, anchor = _STEP_MONTHS[frequency], start.day
    year, month = start.year, start.month
    for day in days:
        month += months
        if month > 12:
            year, month = year + 1, month - 12
        expected_day = anchor if anchor <= 28 else min(anchor, days_in_month(year, month))
        if (day.year, day.month, day.day) != (year, month, expected_day):
            return False
    return True


def continuing_anchor(start: date, frequency: Frequency, ends: list[date]) -> date | None:
    """The `first_due_date` that makes a schedule from `start` fall on the dates `ends`.

    A schedule continued from one of its own due dates (a recast, a reschedule) must
    keep the original day of month: anchoring on a date clamped to a short month
    (30 June of a 31st-of-month loan) would drift later dates to the 30th. The start is
    tried first, then the first of `ends`; when neither fits (quarterly on the 31st,
    two clamped dates in a row) the first of `ends` is returned and the caller keeps
    `ends` as the due dates.
    """
    for candidate in (None, ends[0]):
        if due_dates(start, frequency, len(ends), candidate) == ends:
            return candidate
    return ends[0]
