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
    Waiver,
    WaiverResult,
)
from domain.loan import accounting
from domain.loan.accounting import Balances, LedgerBasis, LedgerChange, PaymentRecord
from domain.loan.contract import Contract, contract
from domain.loan.delinquency import Delinquency, Timing, timing
from domain.loan.inputs import Inputs, RefundRecord
from domain.loan.status import LoanStatus
from domain.model import Aggregate
from domain.schedule import Schedule, ScheduleTerms

if TYPE_CHECKING:
    from domain.loan.records import Disbursement, LoanRequest

# Fields loan events gained after events were stored, and what older events mean by them.
STORED_DEFAULTS: dict[str, Any] = {
    "timing": None,
    "apr": None,
    "effective_annual_rate": None,
    "fees": (),
    "fees_deducted": Decimal(0),
    "paid_out": None,
    "recast_charges": (),
    "advance_payment": AdvancePayment.NEXT_INSTALLMENTS.value,  # paid the next installments
}


# The last ledger fold a command worked out: the next command goes on from it when it
# only adds a later payment (or nothing). Remembered, never stored (`domain.model`).
KEPT_FOLD = "ledger fold"


class LoanRecord:
    """The loan's attributes (assigned by its events) and the bookkeeping its commands share."""

    class Event(Aggregate.Event):
        """The base of every loan event (eventsourcing finds it here for `Loan`)."""

        @model_validator(mode="before")
        @classmethod
        def _stored_before(cls, data: Any) -> Any:
            """Events stored before a field existed load with its default: no timing, no
            fees or APR on a disbursement or an approval, money paid ahead paying the next
            installments (the @event decorator does not
            carry a method's defaults onto its event class)."""
            if not isinstance(data, dict):
                return data
            missing = {
                name: value
                for name, value in STORED_DEFAULTS.items()
                if name in cls.model_fields and name not in data
            }
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
        added_charges: dict[str, Charge]
        waivers: dict[str, Waiver]
        waiver_results: dict[str, WaiverResult]
        refunds: dict[str, RefundRecord]
        apr: Decimal | None
        effective_annual_rate: Decimal | None

        def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None: ...

        def remembered(self, key: str) -> Any: ...

        def remember(self, key: str, value: Any) -> None: ...

        def _settle(self, actor: str, value_date: date, today: date) -> None: ...

    @property
    def terms(self) -> ScheduleTerms | None:
        """The contract's terms as they stand (a reschedule replaces them)."""
        return self.books.terms if self.books else None

    @property
    def written_off(self) -> ComponentAmounts | None:
        return self.balances.written_off if self.balances else None

    def quote(self, on: date) -> Contract:
        """The contract of the loan's figures as they stand, paid out on `on`."""
        return contract(self.application, self.principal, self.annual_rate_percent, self.term, on)

    def payoff_amount(self, on: date) -> Decimal:
        return accounting.payoff(self._books(), self.payments.values(), on, self._inputs())

    def _inputs(
        self,
        charges: Iterable[Charge] | None = None,
        waivers: Iterable[Waiver] | None = None,
        refunds: Iterable[RefundRecord] | None = None,
    ) -> Inputs:
        """The recorded inputs besides payments, or these instead."""
        return Inputs(
            charges=tuple(self.added_charges.values() if charges is None else charges),
            waivers=tuple(self.waivers.values() if waivers is None else waivers),
            refunds=tuple(self.refunds.values() if refunds is None else refunds),
        )

    def _books(self) -> LedgerBasis:
        if self.books is None:
            raise InvalidTransition("take money", f"the loan is {self.status.value}")
        return self.books

    def _recompute(
        self,
        today: date,
        books: LedgerBasis | None = None,
        payments: Iterable[PaymentRecord] | None = None,
        inputs: Inputs | None = None,
    ) -> tuple[LedgerState, LedgerChange]:
        """The ledger with other books, payments or other inputs on business date
        `today`, and how it differs from the record."""
        live = self.payments.values() if payments is None else payments
        books = books or self._books()
        kept = self.remembered(KEPT_FOLD)
        after, kept = accounting.ledger_from(kept, books, live, today, inputs or self._inputs())
        self.remember(KEPT_FOLD, kept)
        assert self.schedule is not None
        recorded = (self.results, self.installments, self.schedule, self.charges)
        change = accounting.change(
            *recorded, after, self.waiver_results, fees_deducted=books.fees_deducted
        )
        return after, change

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
        for waiver in change.waivers:
            self.waiver_results[waiver.waiver_id] = waiver
        if change.schedule is not None:
            self.schedule = change.schedule
            self.installments = {}
        for item in change.installments:
            self.installments[item.number] = item
        self.balances = change.balances
        self.timing = timing
