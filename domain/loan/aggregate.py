"""A loan: one application through its whole life, with every amount exact.

Submission records the product's terms as they were, so replay never depends on
today's product. Disbursement records the contract terms and the full schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import event

from domain.errors import InvalidTransition, InvalidValue
from domain.ledger import (
    Charge,
    ComponentAmounts,
    InstallmentState,
    LedgerState,
    PaymentResult,
    PenaltyTerms,
    Prepayment,
)
from domain.loan import accounting
from domain.loan.accounting import Balances, Books, LedgerChange, PaymentRecord
from domain.loan.delinquency import Delinquency, changed
from domain.loan.records import (
    Application,
    Disbursement,
    LoanState,
    checked_reason,
    contract_books,
)
from domain.loan.status import LoanStatus, require
from domain.model import Aggregate, AggregateSnapshot
from domain.schedule import Schedule, ScheduleTerms


class Loan(Aggregate):
    if TYPE_CHECKING:  # assigned by events; annotations here would become __init__ fields
        application: Application
        status: LoanStatus
        principal: Decimal
        annual_rate_percent: Decimal
        term: int
        signed_on: date | None
        disbursement: Disbursement | None
        schedule: Schedule | None
        books: Books | None
        payments: dict[str, PaymentRecord]
        results: dict[str, PaymentResult]
        installments: dict[int, InstallmentState]
        balances: Balances | None
        next_sequence: int
        delinquency: Delinquency | None
        charges: dict[str, Charge]

    class Snapshot(AggregateSnapshot):
        state: LoanState

    class ApplicationSubmitted(Aggregate.Created):
        application: Application

        def apply(self, aggregate: Any) -> None:
            # The same attributes a snapshot restores, each as a new application has it.
            vars(aggregate).update(LoanState.submitted(self.application))

    @classmethod
    def submit(cls, *, actor: str, application: Application) -> Loan:
        if not application.purpose.strip():
            raise InvalidValue("purpose", "must not be empty")
        return cls._create(cls.ApplicationSubmitted, actor=actor, application=application)

    def approve(
        self,
        *,
        actor: str,
        principal: Decimal | None = None,
        annual_rate_percent: Decimal | None = None,
        term: int | None = None,
        note: str = "",
    ) -> None:
        """Approve, possibly lowering the principal or changing rate and term."""
        require("approve", self.status)
        principal, annual_rate_percent, term = self.application.approved_figures(
            principal, annual_rate_percent, term
        )
        self._approved(
            actor=actor,
            principal=principal,
            annual_rate_percent=annual_rate_percent,
            term=term,
            note=note,
        )

    @event("Approved")
    def _approved(
        self, actor: str, principal: Decimal, annual_rate_percent: Decimal, term: int, note: str
    ) -> None:
        self.status = LoanStatus.APPROVED
        self.principal = principal
        self.annual_rate_percent = annual_rate_percent
        self.term = term

    def reject(self, *, actor: str, reason: str) -> None:
        require("reject", self.status)
        self._rejected(actor=actor, reason=checked_reason(reason))

    @event("Rejected")
    def _rejected(self, actor: str, reason: str) -> None:
        self.status = LoanStatus.REJECTED

    def withdraw(self, *, actor: str, reason: str = "") -> None:
        require("withdraw", self.status)
        self._withdrawn(actor=actor, reason=reason)

    @event("Withdrawn")
    def _withdrawn(self, actor: str, reason: str) -> None:
        self.status = LoanStatus.WITHDRAWN

    def sign(self, *, actor: str, signed_on: date) -> None:
        require("sign", self.status)
        self._signed(actor=actor, signed_on=signed_on)

    @event("ContractSigned")
    def _signed(self, actor: str, signed_on: date) -> None:
        self.status = LoanStatus.SIGNED
        self.signed_on = signed_on

    def disburse(self, *, actor: str, disbursement: Disbursement) -> None:
        require("disburse", self.status)
        if self.signed_on is not None and disbursement.value_date < self.signed_on:
            raise InvalidValue("value_date", "must not be before the contract was signed")
        on = disbursement.value_date
        books = contract_books(
            self.application, self.principal, self.annual_rate_percent, self.term, on
        )
        self._disbursed(
            actor=actor,
            value_date=on,
            disbursement=disbursement,
            terms=books.terms,
            schedule=books.schedule,
            order=books.order,
            balances=accounting.balances(accounting.ledger(books, [], on)),
            penalties=books.penalties,
        )

    @event("Disbursed")
    def _disbursed(
        self,
        actor: str,
        value_date: date,
        disbursement: Disbursement,
        terms: ScheduleTerms,
        schedule: Schedule,
        order: tuple[str, ...],
        balances: Balances,
        penalties: PenaltyTerms | None = None,
    ) -> None:
        self.status = LoanStatus.ACTIVE
        self.disbursement = disbursement
        self.schedule = schedule
        self.books = Books(terms=terms, schedule=schedule, order=order, penalties=penalties)
        self.installments = {i.number: accounting.unpaid(i) for i in schedule.installments}
        self.balances = balances

    # Money after disbursement: every change recomputes the ledger up to the business date
    # (`today`: late fees and penalty are charged up to it) and records the difference.

    def receive_payment(
        self,
        *,
        actor: str,
        repayment_id: UUID,
        amount: Decimal,
        value_date: date,
        today: date,
        prepayment: Prepayment | None = None,
    ) -> None:
        require("repay", self.status)
        books = self._books()
        if value_date < books.terms.start_date:
            raise InvalidValue("value_date", "must not be before the disbursement")
        payment = PaymentRecord(
            id=str(repayment_id),
            amount=amount,
            value_date=value_date,
            sequence=self.next_sequence,
            prepayment=prepayment,
        )
        _, change = self._recompute(today, payments=[*self.payments.values(), payment])
        self._repayment_allocated(
            actor=actor, value_date=value_date, payment=payment, change=change
        )
        self._settle(actor, value_date)

    @event("RepaymentAllocated")
    def _repayment_allocated(
        self, actor: str, value_date: date, payment: PaymentRecord, change: LedgerChange
    ) -> None:
        self.payments[payment.id] = payment
        self.next_sequence = payment.sequence + 1
        self._record(change)

    def reverse_payment(self, *, actor: str, repayment_id: UUID, reason: str, today: date) -> None:
        payment = self.payments.get(str(repayment_id))
        if payment is None:
            raise InvalidTransition("reverse", "the loan holds no such live repayment")
        live = [p for p in self.payments.values() if p.id != payment.id]
        _, change = self._recompute(today, payments=live)
        self._repayment_reversed(
            actor=actor,
            value_date=payment.value_date,
            repayment_id=payment.id,
            reason=reason,
            change=change,
        )
        self._settle(actor, payment.value_date)

    @event("RepaymentReversed")
    def _repayment_reversed(
        self, actor: str, value_date: date, repayment_id: str, reason: str, change: LedgerChange
    ) -> None:
        del self.payments[repayment_id]
        self.results.pop(repayment_id, None)
        self._record(change)

    def write_off(self, *, actor: str, value_date: date, reason: str, today: date) -> None:
        """Write off what is owed on `value_date`; later payments become recoveries."""
        require("write off", self.status)
        books = accounting.written_off_on(self._books(), value_date)
        after, change = self._recompute(today, books)
        assert after.written_off is not None
        self._written_off(
            actor=actor,
            value_date=value_date,
            reason=checked_reason(reason),
            amounts=after.written_off,
            change=change,
        )

    @event("WrittenOff")
    def _written_off(
        self,
        actor: str,
        value_date: date,
        reason: str,
        amounts: ComponentAmounts,
        change: LedgerChange,
    ) -> None:
        self.status = LoanStatus.WRITTEN_OFF
        assert self.books is not None
        self.books = self.books.model_copy(update={"written_off_on": value_date})
        self._record(change)

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
        dates (or the disbursement), over `new_term` periods at `new_rate_percent`.
        """
        require("reschedule", self.status)
        books = accounting.rescheduled(
            self._books(), self.application.method, from_date, new_term, new_rate_percent
        )
        _, change = self._recompute(today, books)
        self._rescheduled(
            actor=actor,
            value_date=from_date,
            reason=checked_reason(reason),
            terms=books.terms,
            schedule=books.schedule,
            change=change,
        )

    @event("Rescheduled")
    def _rescheduled(
        self,
        actor: str,
        value_date: date,
        reason: str,
        terms: ScheduleTerms,
        schedule: Schedule,
        change: LedgerChange,
    ) -> None:
        assert self.books is not None
        self.books = self.books.model_copy(update={"terms": terms, "schedule": schedule})
        self.annual_rate_percent = terms.annual_rate_percent
        self._record(change)
        self.schedule = change.schedule or schedule

    @property
    def terms(self) -> ScheduleTerms | None:
        """The contract's terms as they stand (a reschedule replaces them)."""
        return self.books.terms if self.books else None

    @property
    def written_off(self) -> ComponentAmounts | None:
        return self.balances.written_off if self.balances else None

    def payoff_amount(self, on: date) -> Decimal:
        return accounting.payoff(self._books(), self.payments.values(), on)

    def _books(self) -> Books:
        if self.books is None:
            raise InvalidTransition("take money", f"the loan is {self.status.value}")
        return self.books

    def _recompute(
        self,
        today: date,
        books: Books | None = None,
        payments: Iterable[PaymentRecord] | None = None,
    ) -> tuple[LedgerState, LedgerChange]:
        """The ledger with other books or payments on business date `today`, and how it
        differs from the record."""
        live = self.payments.values() if payments is None else payments
        after = accounting.ledger(books or self._books(), live, today)
        assert self.schedule is not None
        recorded = (self.results, self.installments, self.schedule, self.charges)
        return after, accounting.change(*recorded, after)

    def _record(self, change: LedgerChange) -> None:
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

    def _settle(self, actor: str, value_date: date) -> None:
        """Close a loan its payments have repaid; reopen one a reversal left owing."""
        assert self.balances is not None
        if self.status is LoanStatus.ACTIVE and self.balances.fully_repaid:
            self._closed(actor=actor, value_date=value_date)
        elif self.status is LoanStatus.CLOSED and not self.balances.fully_repaid:
            self._reopened(actor=actor, value_date=value_date)

    @event("Closed")
    def _closed(self, actor: str, value_date: date) -> None:
        self.status = LoanStatus.CLOSED

    @event("Reopened")
    def _reopened(self, actor: str, value_date: date) -> None:
        self.status = LoanStatus.ACTIVE

    # Close of business: each loan is looked at on the days something may happen to it.

    def close_day(self, *, actor: str, on: date) -> None:
        """Record what business date `on` brings: late fees and penalty interest falling
        due, then any change of delinquency. Nothing is recorded for a quiet day."""
        if self.status is LoanStatus.ACTIVE:
            _, change = self._recompute(on)
            if not change.is_empty:
                self._charges_recorded(actor=actor, value_date=on, change=change)
        self.review_delinquency(actor=actor, on=on)

    @event("ChargesRecorded")
    def _charges_recorded(self, actor: str, value_date: date, change: LedgerChange) -> None:
        self._record(change)

    def review_delinquency(self, *, actor: str, on: date) -> None:
        """Record DPD, bucket and tier on business date `on` if they differ from the record
        (after a payment, a reversal or a reschedule, and at close of business)."""
        if self.status not in (LoanStatus.ACTIVE, LoanStatus.CLOSED):
            return
        found = changed(self.installments.values(), self.delinquency, on)
        if found is not None:
            self._delinquency_changed(actor=actor, value_date=on, delinquency=found)

    @event("DelinquencyChanged")
    def _delinquency_changed(self, actor: str, value_date: date, delinquency: Delinquency) -> None:
        self.delinquency = delinquency
