"""Accounting periods (months): closed in order, each by two admins; and month ends.

`AccountingPeriods` is one aggregate per store. A month closes once close of business
has passed its last day, after the last month closed (the first close may be any
month: the months before it close with it). One admin asks for the close and another
approves it (maker-checker); the same admin cannot do both.

`MonthEnd` is one aggregate per month: what close of business decided for each loan at
the month's last day (see `domain.accounting.month_end`), recorded a batch of loans per
event, each loan at most once, and the reconciliation that followed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5

from domain.accounting.month_end import LoanMonthEnd
from domain.errors import Conflict, InvalidTransition, InvalidValue, Refused
from domain.model import Aggregate, Immutable

PERIODS_NAMESPACE = UUID("a7e41c2b-0d9f-4e63-8b15-6f2c3d9e8a04")
PERIODS_ID = uuid5(PERIODS_NAMESPACE, "accounting-periods")
MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


def checked_month(month: str) -> str:
    if not MONTH.fullmatch(month.strip()):
        raise InvalidValue("month", "must be a month, YYYY-MM")
    return month.strip()


def first_day(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def last_day(month: str) -> date:
    start = first_day(month)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


def next_month(month: str) -> str:
    return month_of(last_day(month) + timedelta(days=1))


def is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


class CloseRequest(Immutable):
    month: str
    requested_by: str


class AccountingPeriods(Aggregate):
    if TYPE_CHECKING:  # assigned by events
        closed_through: str | None
        request: CloseRequest | None

    class Opened(Aggregate.Created):
        def apply(self, aggregate: Any) -> None:
            aggregate.closed_through = None
            aggregate.request = None

    class CloseRequested(Aggregate.Event):
        month: str
        value_date: date

        def apply(self, aggregate: Any) -> None:
            aggregate.request = CloseRequest(month=self.month, requested_by=self.actor)

    class PeriodClosed(Aggregate.Event):
        """The month is closed: entries valued in it post on `first_open_day`."""

        month: str
        value_date: date
        requested_by: str
        first_open_day: date

        def apply(self, aggregate: Any) -> None:
            aggregate.closed_through = self.month
            aggregate.request = None

    @classmethod
    def open(cls, *, actor: str) -> AccountingPeriods:
        return cls._create(cls.Opened, id=PERIODS_ID, actor=actor)

    @property
    def first_open_day(self) -> date | None:
        return None if self.closed_through is None else first_day(next_month(self.closed_through))

    def close(self, *, actor: str, month: str, business_date: date) -> None:
        """Ask for `month` to close, or approve another admin's request to close it."""
        month = checked_month(month)
        if self.closed_through is not None and month <= self.closed_through:
            raise InvalidTransition("close the month", f"{self.closed_through} is closed already")
        if self.closed_through is not None and month != next_month(self.closed_through):
            expected = next_month(self.closed_through)
            raise InvalidTransition(f"close {month}", f"{expected} must close first")
        if business_date < last_day(month):
            raise InvalidTransition(
                f"close {month}", f"close of business has reached only {business_date}"
            )
        request = self.request
        if request is None or request.month != month:
            self.trigger_event(self.CloseRequested, actor=actor, month=month,
                               value_date=last_day(month))  # fmt: skip
            return
        if request.requested_by == actor:
            raise Refused(f"{actor} asked for {month} to close: another admin must approve")
        self.trigger_event(
            self.PeriodClosed, actor=actor, month=month, value_date=last_day(month),
            requested_by=request.requested_by, first_open_day=first_day(next_month(month)),
        )  # fmt: skip


def month_end_id(month: str) -> UUID:
    return uuid5(PERIODS_NAMESPACE, f"month-end:{month}")


class MonthEnd(Aggregate):
    if TYPE_CHECKING:  # assigned by events
        month: str
        value_date: date
        accounted: set[UUID]
        differences: tuple[str, ...] | None

    class Started(Aggregate.Created):
        month: str
        value_date: date

        def apply(self, aggregate: Any) -> None:
            aggregate.month = self.month
            aggregate.value_date = self.value_date
            aggregate.accounted = set()
            aggregate.differences = None

    class LoansAccounted(Aggregate.Event):
        value_date: date
        lines: tuple[LoanMonthEnd, ...]

        def apply(self, aggregate: Any) -> None:
            aggregate.accounted.update(line.loan_id for line in self.lines)

    class Reconciled(Aggregate.Event):
        """What the reconciliation found at the month end (nothing: the books agree)."""

        value_date: date
        differences: tuple[str, ...]

        def apply(self, aggregate: Any) -> None:
            aggregate.differences = self.differences

    @classmethod
    def start(cls, *, actor: str, on: date) -> MonthEnd:
        if not is_month_end(on):
            raise InvalidValue("value_date", "a month end is a month's last day")
        month = month_of(on)
        return cls._create(cls.Started, id=month_end_id(month), actor=actor, month=month,
                           value_date=on)  # fmt: skip

    def account(self, *, actor: str, lines: tuple[LoanMonthEnd, ...]) -> None:
        """Record these loans' month end; each loan once a month."""
        ids = [line.loan_id for line in lines]
        if len(set(ids)) != len(ids) or self.accounted.intersection(ids):
            raise Conflict(f"a loan's month end {self.month} is recorded once")
        if lines:
            self.trigger_event(self.LoansAccounted, actor=actor, value_date=self.value_date,
                               lines=lines)  # fmt: skip

    def reconcile(self, *, actor: str, differences: tuple[str, ...]) -> None:
        if self.differences is not None:
            raise InvalidTransition("reconcile", f"month end {self.month} is reconciled")
        self.trigger_event(self.Reconciled, actor=actor, value_date=self.value_date,
                           differences=differences)  # fmt: skip
