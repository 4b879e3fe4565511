"""A loan: one application through its whole life, with every amount exact.

Submission records the product's terms as they were, so replay never depends on
today's product. Disbursement records the contract terms and the full schedule.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import event

from domain.arrears import Bucket, Classification
from domain.errors import InvalidTransition, InvalidValue
from domain.ledger import ComponentAmounts, InstallmentState, LedgerState, PaymentResult, Prepayment
from domain.loan.accounting import (
    Balances,
    Books,
    LedgerChange,
    PaymentRecord,
    balances,
    change,
    ledger,
    payoff,
    rescheduled,
    unpaid,
)
from domain.loan.delinquency import CURRENT, Delinquency, assess
from domain.loan.records import (
    RESCHEDULE_FIELDS,
    UNSCHEDULED_PRINCIPAL,
    Application,
    Disbursement,
    LoanState,
    checked_reason,
    contract_terms,
)
from domain.loan.status import LoanStatus, require
from domain.model import Aggregate, AggregateSnapshot
from domain.schedule import Schedule, ScheduleError, ScheduleTerms, generate_schedule


class Loan(Aggregate):
    if TYPE_CHECKING:  # assigned by events; annotations here would become __init__ fields
        application: Application
        status: LoanStatus
        principal: Decimal
        annual_rate_percent: Decimal
        term: int
        signed_on: date | None
        disbursement: Disbursement | None
        terms: ScheduleTerms | None
        schedule: Schedule | None
        books: Books | None
        payments: dict[str, PaymentRecord]
        results: dict[str, PaymentResult]
        installments: dict[int, InstallmentState]
        balances: Balances | None
        next_sequence: int
        written_off: ComponentAmounts | None
        delinquency: Delinquency | None

    class Snapshot(AggregateSnapshot):
        state: LoanState

    class ApplicationSubmitted(Aggregate.Created):
        application: Application

        def apply(self, aggregate: Any) -> None:
            aggregate.application = self.application
            aggregate.status = LoanStatus.SUBMITTED
            aggregate.principal = self.application.principal
            aggregate.annual_rate_percent = self.application.annual_rate_percent
            aggregate.term = self.application.term
            aggregate.signed_on = None
            aggregate.disbursement = None
            aggregate.terms = None
            aggregate.schedule = None
            aggregate.books = None
            aggregate.payments = {}
            aggregate.results = {}
            aggregate.installments = {}
            aggregate.balances = None
            aggregate.next_sequence = 1
            aggregate.written_off = None
            aggregate.delinquency = None

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
        """Approve, possibly lowering the principal or changing rate and term.

        The caller has checked the new figures against the product's limits.
        """
        require("approve", self.status)
        if principal is not None and principal > self.application.principal:
            raise InvalidValue("principal", "an approval may lower the principal, not raise it")
        self._approved(
            actor=actor,
            principal=self.principal if principal is None else principal,
            annual_rate_percent=(
                self.annual_rate_percent if annual_rate_percent is None else annual_rate_percent
            ),
            term=self.term if term is None else term,
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
        terms = contract_terms(
            self.application,
            self.principal,
            self.annual_rate_percent,
            self.term,
            disbursement.value_date,
        )
        schedule = generate_schedule(terms)
        order = tuple(c.value for c in self.application.product.allocation_order)
        opening = ledger(Books(terms=terms, schedule=schedule, order=order), [])
        self._disbursed(
            actor=actor,
            value_date=disbursement.value_date,
            disbursement=disbursement,
            terms=terms,
            schedule=schedule,
            order=order,
            balances=balances(opening),
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
    ) -> None:
        self.status = LoanStatus.ACTIVE
        self.disbursement = disbursement
        self.terms = terms
        self.schedule = schedule
        self.books = Books(terms=terms, schedule=schedule, order=order)
        self.installments = {i.number: unpaid(i) for i in schedule.installments}
        self.balances = balances

    # Money after disbursement: every change recomputes the ledger and records the difference.

    def receive_payment(
        self,
        *,
        actor: str,
        repayment_id: UUID,
        amount: Decimal,
        value_date: date,
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
        after = ledger(books, [*self.payments.values(), payment])
        self._repayment_allocated(
            actor=actor, value_date=value_date, payment=payment, change=self._change(after)
        )
        self._settle(actor, value_date)

    @event("RepaymentAllocated")
    def _repayment_allocated(
        self, actor: str, value_date: date, payment: PaymentRecord, change: LedgerChange
    ) -> None:
        self.payments[payment.id] = payment
        self.next_sequence = payment.sequence + 1
        self._record(change)

    def reverse_payment(self, *, actor: str, repayment_id: UUID, reason: str) -> None:
        payment = self.payments.get(str(repayment_id))
        if payment is None:
            raise InvalidTransition("reverse", "the loan holds no such live repayment")
        live = [p for p in self.payments.values() if p.id != payment.id]
        after = ledger(self._books(), live)
        self._repayment_reversed(
            actor=actor,
            value_date=payment.value_date,
            repayment_id=payment.id,
            reason=reason,
            change=self._change(after),
        )
        self._settle(actor, payment.value_date)

    @event("RepaymentReversed")
    def _repayment_reversed(
        self, actor: str, value_date: date, repayment_id: str, reason: str, change: LedgerChange
    ) -> None:
        del self.payments[repayment_id]
        self.results.pop(repayment_id, None)
        self._record(change)

    def write_off(self, *, actor: str, value_date: date, reason: str) -> None:
        """Write off what is owed on `value_date`; later payments become recoveries."""
        require("write off", self.status)
        books = self._books()
        if value_date < books.terms.start_date:
            raise InvalidValue("value_date", "must not be before the disbursement")
        written = books.model_copy(update={"written_off_on": value_date})
        after = ledger(written, self.payments.values())
        assert after.written_off is not None
        self._written_off(
            actor=actor,
            value_date=value_date,
            reason=checked_reason(reason),
            amounts=after.written_off,
            change=change(self.results, self.installments, self._schedule(), after),
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
        self.written_off = amounts
        self._record(change)

    def reschedule(
        self,
        *,
        actor: str,
        from_date: date,
        reason: str,
        new_term: int | None = None,
        new_rate_percent: Decimal | None = None,
    ) -> None:
        """Replace the installments due after `from_date` with a new schedule.

        Installments due on or before `from_date` stay as they are, arrears included.
        The principal they did not schedule is spread again from the last of their due
        dates (or the disbursement), over `new_term` periods at `new_rate_percent`.
        """
        require("reschedule", self.status)
        if self.application.method in UNSCHEDULED_PRINCIPAL:
            raise InvalidTransition(
                "reschedule", f"the loan repays principal at maturity ({self.application.method})"
            )
        if new_term is None and new_rate_percent is None:
            raise InvalidValue("new_term", "give a new term, a new rate or both")
        books = self._books()
        try:
            terms, schedule = rescheduled(books, from_date, new_term, new_rate_percent)
        except ScheduleError as error:
            raise InvalidValue(
                RESCHEDULE_FIELDS.get(error.field, error.field), error.message
            ) from None
        new_books = books.model_copy(update={"terms": terms, "schedule": schedule})
        after = ledger(new_books, self.payments.values())
        self._rescheduled(
            actor=actor,
            value_date=from_date,
            reason=checked_reason(reason),
            terms=terms,
            schedule=schedule,
            change=change(self.results, self.installments, self._schedule(), after),
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
        self.terms = terms
        self.annual_rate_percent = terms.annual_rate_percent
        self._record(change)
        self.schedule = change.schedule or schedule

    def _schedule(self) -> Schedule:
        assert self.schedule is not None
        return self.schedule

    def payoff_amount(self, on: date) -> Decimal:
        return payoff(self._books(), self.payments.values(), on)

    def _books(self) -> Books:
        if self.books is None:
            raise InvalidTransition("take money", f"the loan is {self.status.value}")
        return self.books

    def _change(self, after: LedgerState) -> LedgerChange:
        return change(self.results, self.installments, self._schedule(), after)

    def _record(self, change: LedgerChange) -> None:
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

    # Delinquency: close of business reviews each loan on the days it may change.

    def review_delinquency(self, *, actor: str, on: date, after_books_change: bool = False) -> None:
        """Record DPD, bucket and tier on business date `on` if they differ from the record.

        After a payment, reversal or reschedule only a delinquency close of business has
        recorded is revised (a cure is recorded with the payment); a loan it has not
        classified is current until close of business finds otherwise.
        """
        if self.status not in (LoanStatus.ACTIVE, LoanStatus.CLOSED):
            return
        recorded = self.delinquency
        if after_books_change and recorded is None:
            return
        dpd, bucket, classification = assess(self.installments.values(), on)
        was = CURRENT if recorded is None else (recorded.bucket, recorded.classification)
        if (bucket, classification) != was:
            self._delinquency_changed(
                actor=actor,
                value_date=on,
                days_past_due=dpd,
                bucket=bucket,
                classification=classification,
            )

    @event("DelinquencyChanged")
    def _delinquency_changed(
        self,
        actor: str,
        value_date: date,
        days_past_due: int,
        bucket: Bucket,
        classification: Classification,
    ) -> None:
        self.delinquency = Delinquency(
            since=value_date,
            days_past_due=days_past_due,
            bucket=bucket,
            classification=classification,
        )


# The events that carry a `change: LedgerChange`: what read models of money follow.
if TYPE_CHECKING:  # the @event decorator makes these classes, which type checkers cannot see
    BooksChanged = Aggregate.Event
else:
    BooksChanged = (
        Loan.RepaymentAllocated | Loan.RepaymentReversed | Loan.WrittenOff | Loan.Rescheduled
    )
