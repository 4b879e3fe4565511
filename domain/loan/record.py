"""What a loan has recorded about itself, and how a change is worked out against it.

After disbursement every change recomputes the ledger up to the business date (late
fees and penalty are charged up to it), records the difference, and records the
loan's `Timing` as the change leaves it: the day close of business must next look.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import model_validator

from domain.errors import InvalidTransition
from domain.ledger import (
    AdvancePayment,
    Charge,
    ComponentAmounts,
    InstallmentState,
    LedgerState,
    PaymentResult,
)
from domain.loan import accounting
from domain.loan.accounting import Balances, LedgerBasis, LedgerChange, PaymentRecord
from domain.loan.delinquency import Delinquency, Timing, timing
from domain.loan.status import LoanStatus
from domain.model import Aggregate
from domain.schedule import Schedule, ScheduleTerms

if TYPE_CHECKING:
    from domain.loan.records import Disbursement, LoanRequest

# Fields loan events gained after events without them were stored, and what those
# events meant: no recorded timing; money paid ahead paying the next installments.
STORED_BEFORE = {"timing": None, "advance_payment": AdvancePayment.NEXT_INSTALLMENTS.value}


class LoanRecord:
    """The loan's attributes (assigned by its events) and the bookkeeping its commands share."""

    class Event(Aggregate.Event):
        """The base of every loan event (eventsourcing finds it here for `Loan`)."""

        @model_validator(mode="before")
        @classmethod
        def _stored_before(cls, data: Any) -> Any:
            """Events stored before a field existed load with what they meant then."""
            if not isinstance(data, dict):
                return data
            fields = cls.model_fields
            missing = {k: v for k, v in STORED_BEFORE.items() if k in fields and k not in data}
            return {**data, **missing} if missing else data

    if TYPE_CHECKING:  # assigned by events; annotations here would become __init__ fields
        application: LoanRequest
        status: LoanStatus
        principal: Decimal
        annual_rate_percent: Decimal
        term: int
        signed_on: date | None
        disbursement: Disbursement | None
        schedule: Schedule | None
        books: LedgerBasis | None
        payments: dict[str, PaymentRecord]
        results: dict[str, PaymentResult]
        installments: dict[int, InstallmentState]
        balances: Balances | None
        next_sequence: int
        delinquency: Delinquency | None
        charges: dict[str, Charge]
        timing: Timing | None

        def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None: ...

    @property
    def terms(self) -> ScheduleTerms | None:
        """The contract's terms as they stand (a reschedule replaces them)."""
        return self.books.terms if self.books else None

    @property
    def written_off(self) -> ComponentAmounts | None:
        return self.balances.written_off if self.balances else None

    def payoff_amount(self, on: date) -> Decimal:
        return accounting.payoff(self._books(), self.payments.values(), on)

    def _books(self) -> LedgerBasis:
        if self.books is None:
            raise InvalidTransition("take money", f"the loan is {self.status.value}")
        return self.books

    def _recompute(
        self,
        today: date,
        books: LedgerBasis | None = None,
        payments: Iterable[PaymentRecord] | None = None,
    ) -> tuple[LedgerState, LedgerChange]:
        """The ledger with other books or payments on business date `today`, and how it
        differs from the record."""
        live = self.payments.values() if payments is None else payments
        after = accounting.ledger(books or self._books(), live, today)
        assert self.schedule is not None
        recorded = (self.results, self.installments, self.schedule, self.charges)
        return after, accounting.change(*recorded, after)

    def _timing(
        self,
        on: date,
        installments: Iterable[InstallmentState] | None = None,
        *,
        status: LoanStatus | None = None,
        delinquency: Delinquency | None = None,
    ) -> Timing:
        """The timing on `on` once an event leaves these installments, status and
        delinquency (by default, those recorded)."""
        return timing(
            self.installments.values() if installments is None else installments,
            self._books().penalties,
            delinquency or self.delinquency,
            on,
            active=(status or self.status) is LoanStatus.ACTIVE,
        )

    def _record(self, change: LedgerChange, timing: Timing | None) -> None:
        for charge in change.uncharged:
            del self.charges[charge.id]
        for charge in change.charged:
            self.charges[charge.id] = charge
        for result in change.results:
            self.results[result.payment_id] = result
        if change.schedule is not None:
            self.schedule = change.schedule
            self.installments = {}
        for item in change.installments:
            self.installments[item.number] = item
        self.balances = change.balances
        self.timing = timing
