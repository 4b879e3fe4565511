"""Late fees and penalty interest, derived from the books as time passes.

Both are a function of the schedule, the payments and the product's penalty terms,
never of when close of business ran, so the amount payable on any date is the same
whether or not the business date has reached it.

- Late fee: an installment whose principal or interest is still unpaid at the end of
  its `grace_days`-th day past due is charged `late_fee` once, dated the next day
  (due 10 March, 3 grace days, unpaid at the end of 13 March: charged 14 March).
- Penalty interest: each day an installment is past due, its unpaid principal earns
  `annual_rate_percent` at `day_count` (day count days ÷ the day count's year), or
  with a daily `rate_basis` that rate each calendar day; the same days that count as
  days past due. 30/360 days are counted from the due date,
  so where crystallisations split the interval never changes its days. It accrues
  unrounded and is crystallised (rounded with the contract's rounding, the remainder
  carried on) into a charge on the installment at each month end, on the value date
  of each payment (before the payment is allocated), at a write-off, and by a payoff
  quote.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from domain.ledger.book import LedgerBook
from domain.ledger.model import Charge, Component
from domain.ledger.rows import PRINCIPAL
from domain.schedule import DayCount, Rounder, penalty_days, year_days


class PenaltyRateBasis(StrEnum):
    """What the penalty rate is quoted per: a year (on the day count), or a calendar day
    (Chinese contracts state 罚息 as 0.05% a day)."""

    ANNUAL = "annual"
    DAILY = "daily"


@dataclass(frozen=True, slots=True)
class PenaltyTerms:
    """`annual_rate_percent` is the rate per `rate_basis`: a year, or a day (the stored
    name predates the daily basis; terms stored before it load as annual)."""

    annual_rate_percent: Decimal
    late_fee: Decimal
    grace_days: int
    day_count: DayCount
    rate_basis: PenaltyRateBasis = PenaltyRateBasis.ANNUAL

    @property
    def daily_rate(self) -> Decimal:
        """The fraction of the overdue principal one day of penalty earns (unrounded)."""
        if self.rate_basis == PenaltyRateBasis.DAILY:
            return self.annual_rate_percent / 100
        return self.annual_rate_percent / 100 / year_days(self.day_count)

    def days(self, origin: date, start: date, end: date) -> int:
        """Penalty days of (start, end] for an installment due on `origin`: day count
        days for an annual rate, calendar days for a daily one."""
        if self.rate_basis == PenaltyRateBasis.DAILY:
            return (end - start).days
        return penalty_days(origin, start, end, self.day_count)

    @property
    def late_fee_lag(self) -> int | None:
        """Days from a due date to the day an installment still unpaid is charged its late
        fee (the grace days, then one): None without a late fee."""
        return self.grace_days + 1 if self.late_fee > 0 else None

    @property
    def accrues_penalty(self) -> bool:
        """Whether overdue principal earns penalty interest (crystallised at month ends)."""
        return self.annual_rate_percent > 0

    def next_charge_day(self, unpaid_due_dates: Iterable[date], on: date) -> date | None:
        """The first day after `on` on which, if nothing is paid, a late fee may fall due
        or penalty interest be crystallised at a month end. `unpaid_due_dates`: the due
        dates of the installments with principal or interest unpaid."""
        due_dates = list(unpaid_due_dates)
        days: list[date] = []
        if self.late_fee_lag is not None:
            lag = timedelta(days=self.late_fee_lag)
            days.extend(day + lag for day in due_dates if day + lag > on)
        month_end = _month_end(on + timedelta(days=1))
        if self.accrues_penalty and due_dates and min(due_dates) < month_end:
            days.append(month_end)  # the oldest is past due by then: penalty has accrued
        return min(days, default=None)


def late_fee_id(installment: int) -> str:
    return f"late-fee:{installment}"


def penalty_id(installment: int, on: date) -> str:
    return f"penalty:{installment}:{on.isoformat()}"


class PenaltyClock:
    """Walks the calendar of one allocation run, charging fees and penalty interest."""

    def __init__(self, terms: PenaltyTerms, book: LedgerBook, money: Rounder, start: date) -> None:
        self.terms = terms
        self.book = book
        self.money = money
        self.clock = start  # charges and accruals are complete up to this date
        self.rate = terms.daily_rate
        self.accrued: dict[int, Decimal] = {}  # row number -> penalty not yet crystallised
        self.fees_decided: set[int] = set()
        self.charges: list[Charge] = []
        self.stopped = False

    def fork(self, book: LedgerBook) -> PenaltyClock:
        """A clock that goes on from where this one stands, on `book` (the fork of its own)."""
        fork = object.__new__(PenaltyClock)
        fork.__dict__.update(vars(self))
        fork.book = book
        fork.accrued = dict(self.accrued)
        fork.fees_decided = set(self.fees_decided)
        fork.charges = list(self.charges)
        return fork

    def advance(self, to: date) -> None:
        """Accrue up to the end of `to`; charge fees and month ends dated on or before it."""
        if self.stopped or to <= self.clock:
            return
        for point in self._points(to):
            self._accrue(point)
            self._charge_late_fees(point)
            if _is_month_end(point):
                self.crystallise(point)
            self.clock = point

    def crystallise(self, on: date) -> None:
        """Turn the penalty accrued so far into charges dated `on`."""
        for number in sorted(self.accrued):
            amount = self.money(self.accrued[number])
            if amount > 0:
                self.accrued[number] -= amount
                self._charge(Charge(number, Component.PENALTY, amount, on, penalty_id(number, on)))

    def stop(self) -> None:
        """Nothing more accrues or is charged (the loan is written off)."""
        self.stopped = True

    def _points(self, to: date) -> list[date]:
        """The days in (clock, to] on which the accrual base or the charges can change."""
        dates = self.book.dates
        points = {to}
        points.update(dates[bisect_right(dates, self.clock) : bisect_right(dates, to)])
        if self.terms.late_fee_lag is not None:
            lag = timedelta(days=self.terms.late_fee_lag)
            first = bisect_right(dates, self.clock - lag)
            points.update(d + lag for d in dates[first : bisect_right(dates, to - lag)])
        if self.terms.accrues_penalty:
            points.update(_month_ends(self.clock, to))
        return sorted(points)

    def _accrue(self, point: date) -> None:
        """Penalty on each day of (clock, point]: rows due on or before `clock` are past due."""
        if self.rate == 0:
            return
        book = self.book
        for index in range(book.cursor, bisect_right(book.dates, self.clock)):
            row = book.rows[index]
            principal = row.owed(PRINCIPAL)
            if principal > 0:
                # Counted from the due date, so splits at month ends and payments add up.
                days = self.terms.days(book.dates[index], self.clock, point)
                extra = principal * self.rate * days
                self.accrued[row.number] = self.accrued.get(row.number, extra * 0) + extra

    def _charge_late_fees(self, point: date) -> None:
        """Charge the rows whose grace ended the day before `point` and are still unpaid."""
        if self.terms.late_fee_lag is None:
            return
        due = point - timedelta(days=self.terms.late_fee_lag)
        book = self.book
        index = bisect_left(book.dates, due)
        while index < len(book.rows) and book.dates[index] == due:
            row = book.rows[index]
            if row.scheduled_owed() > 0 and row.number not in self.fees_decided:
                self.fees_decided.add(row.number)
                fee = Charge(
                    row.number, Component.FEE, self.terms.late_fee, point, late_fee_id(row.number)
                )
                self._charge(fee)
            index += 1

    def _charge(self, charge: Charge) -> None:
        self.charges.append(charge)
        self.book.activate(charge)


def _is_month_end(day: date) -> bool:
    return day == _month_end(day)


def _month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def _month_ends(after: date, to: date) -> list[date]:
    ends: list[date] = []
    year, month = after.year, after.month
    while True:
        end = date(year, month, monthrange(year, month)[1])
        if end > to:
            return ends
        if end > after:
            ends.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
