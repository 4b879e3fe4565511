"""A loan in trouble: written off, or rescheduled onto a new schedule.

Both recompute the books up to the business date (`today`) like any money command
(see `LoanRecord`). The events are declared here and bound to `Loan` by eventsourcing,
which subclasses them on the aggregate: their topics are
`domain.loan.aggregate:Loan.WrittenOff` and `domain.loan.aggregate:Loan.Rescheduled`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.errors import InvalidValue
from domain.ledger import ComponentAmounts
from domain.loan import accounting
from domain.loan.accounting import LedgerChange
from domain.loan.delinquency import Timing
from domain.loan.record import LoanRecord
from domain.loan.records import checked_reason
from domain.loan.rescheduling import rescheduled
from domain.loan.status import LoanStatus, require
from domain.model import Aggregate
from domain.schedule import Schedule, ScheduleTerms


class Restructuring(LoanRecord):
    class WrittenOff(Aggregate.Event):
        value_date: date
        reason: str
        amounts: ComponentAmounts
        change: LedgerChange
        timing: Timing | None = None

        def apply(self, aggregate: Any) -> None:
            loan: LoanRecord = aggregate
            loan.status = LoanStatus.WRITTEN_OFF
            assert loan.books is not None
            loan.books = loan.books.model_copy(update={"written_off_on": self.value_date})
            loan._record(self.change, self.timing)

    class Rescheduled(Aggregate.Event):
        value_date: date
        reason: str
        terms: ScheduleTerms
        schedule: Schedule
        change: LedgerChange
        timing: Timing | None = None

        def apply(self, aggregate: Any) -> None:
            loan: LoanRecord = aggregate
            assert loan.books is not None
            update = {"terms": self.terms, "schedule": self.schedule}
            loan.books = loan.books.model_copy(update=update)
            loan.annual_rate_percent = self.terms.annual_rate_percent
            loan._record(self.change, self.timing)
            loan.schedule = self.change.schedule or self.schedule

    def write_off(self, *, actor: str, value_date: date, reason: str, today: date) -> None:
        """Write off what is owed on `value_date`; later payments become recoveries. Not
        before a charge an officer added: what it charged would be owed and not written
        off."""
        require("write off", self.status)
        for charge in self.added_charges.values():
            if charge.value_date > value_date:
                raise InvalidValue(
                    "value_date", f"must not be before the charge added on {charge.value_date}"
                )
        books = accounting.written_off_on(self._books(), value_date)
        after, change = self._recompute(today, books)
        assert after.written_off is not None
        on = max(value_date, today)
        self.trigger_event(
            self.WrittenOff,
            actor=actor,
            value_date=value_date,
            reason=checked_reason(reason),
            amounts=after.written_off,
            change=change,
            timing=self._timing(on, after.installments, status=LoanStatus.WRITTEN_OFF),
        )

    def reschedule(
        self,
        *,
        actor: str,
        from_date: date,
        reason: str,
        today: date,
        new_term: int | None = None,
        new_rate_percent: Decimal | None = None,
    ) -> None:
        """Replace the installments due after `from_date` with a new schedule.

        Installments due on or before `from_date` stay as they are, arrears included.
        The principal they did not schedule is spread again from the last of their due
        dates (or the disbursement), over `new_term` periods at `new_rate_percent`, with
        the product's installment charges on the new installments.
        """
        require("reschedule", self.status)
        books = rescheduled(
            self._books(),
            self.application.method,
            from_date,
            new_term,
            new_rate_percent,
            self.application.product.charges,
        )
        after, change = self._recompute(today, books)
        self.trigger_event(
            self.Rescheduled,
            actor=actor,
            value_date=from_date,
            reason=checked_reason(reason),
            terms=books.terms,
            schedule=books.schedule,
            change=change,
            timing=self._timing(max(from_date, today), after.installments),
        )
