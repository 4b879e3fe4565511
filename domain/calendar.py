"""The business calendar: the date the books are kept to, advanced only by close of business.

One calendar per store, under a fixed id, so two processes opening it race for the
same aggregate at version 1 and the event store lets only one of them commit.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.errors import InvalidValue
from domain.model import Aggregate

# One run closes at most this many days, so a mistyped year cannot hold the books for hours.
MAX_DAYS_PER_RUN = 400
CALENDAR_ID = uuid5(UUID("0b7f3a52-61d4-4f0e-9a8c-3e2d5c7b1f90"), "business-calendar")


class BusinessCalendar(Aggregate):
    if TYPE_CHECKING:  # assigned by events
        business_date: date

    class Opened(Aggregate.Created):
        business_date: date

        def apply(self, aggregate: Any) -> None:
            aggregate.business_date = self.business_date

    @classmethod
    def open(cls, *, actor: str, on: date) -> BusinessCalendar:
        return cls._create(cls.Opened, id=CALENDAR_ID, actor=actor, business_date=on)

    def days_to(self, target: date) -> list[date]:
        """The days close of business must run, in order, to reach `target`."""
        if target < self.business_date:
            raise InvalidValue(
                "business_date", f"must not be before the business date {self.business_date}"
            )
        count = (target - self.business_date).days
        if count > MAX_DAYS_PER_RUN:
            raise InvalidValue("business_date", f"closes at most {MAX_DAYS_PER_RUN} days at a time")
        return [self.business_date + timedelta(days=n) for n in range(1, count + 1)]

    def close_day(self, *, actor: str, day: date) -> None:
        if day != self.business_date + timedelta(days=1):
            raise InvalidValue(
                "business_date", f"the next day to close is after {self.business_date}"
            )
        self._day_closed(actor=actor, day=day)

    @event("DayClosed")
    def _day_closed(self, actor: str, day: date) -> None:
        self.business_date = day

    def check_not_after(self, value_date: date, field: str) -> None:
        if value_date > self.business_date:
            raise InvalidValue(field, f"must not be after the business date {self.business_date}")
