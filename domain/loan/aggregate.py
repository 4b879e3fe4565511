"""A loan: one application through its whole life, with every amount exact.

Submission records the product's terms as they were (and their version), so replay
never depends on today's product. Disbursement records the contract: its terms, the
full schedule with its fees, what was paid out and the all-in annual rates.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.charges import Charge as ProductCharge
from domain.errors import InvalidTransition, InvalidValue
from domain.ledger import AdvancePayment, PenaltyTerms, Prepayment
from domain.loan import accounting
from domain.loan.accounting import Balances, LedgerBasis, LedgerChange, PaymentRecord
from domain.loan.assignment import Assignment
from domain.loan.charging import Charging
from domain.loan.contract import contract
from domain.loan.delinquency import Timing, timing
from domain.loan.records import (
    Disbursement,
    LoanRequest,
    LoanSnapshot,
    LoanState,
    checked_reason,
)
from domain.loan.restructuring import Restructuring
from domain.loan.review import CloseOfBusiness
from domain.loan.signing import Signing
from domain.loan.status import LoanStatus, require
from domain.model import Aggregate
from domain.schedule import Schedule, ScheduleTerms
from domain.schedule.fees import FeeLine


class Loan(Restructuring, CloseOfBusiness, Charging, Assignment, Signing, Aggregate):
    """Its attributes are declared on `LoanRecord`; the other commands live in its mixins."""

    class Snapshot(LoanSnapshot):
        """Declared here for its topic, which stored snapshots and sealing rules name."""

    class ApplicationSubmitted(Aggregate.Created):
        application: LoanRequest

        def apply(self, aggregate: Any) -> None:
            # The same attributes a snapshot restores, each as a new application has it.
            vars(aggregate).update(LoanState.submitted(self.application))

    @classmethod
    def submit(cls, *, actor: str, application: LoanRequest) -> Loan:
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
        ceiling_percent: Decimal | None = None,
        today: date | None = None,
    ) -> None:
        """Approve, possibly lowering the principal or changing rate and term. With the
        legal `ceiling_percent` and business date `today`, the APR of the approved figures
        paid out today must be within it, and is recorded."""
        require("approve", self.status)
        principal, annual_rate_percent, term = self.application.approved_figures(
            principal, annual_rate_percent, term
        )
        apr = None
        if ceiling_percent is not None and today is not None:
            quoted = contract(self.application, principal, annual_rate_percent, term, today)
            quoted.check_ceiling(ceiling_percent)
            apr = quoted.apr
        self._approved(
            actor=actor,
            principal=principal,
            annual_rate_percent=annual_rate_percent,
            term=term,
            note=note,
            apr=apr,
        )

    @event("Approved")
    def _approved(
        self,
        actor: str,
        principal: Decimal,
        annual_rate_percent: Decimal,
        term: int,
        note: str,
        apr: Decimal | None = None,
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

    def disburse(
        self,
        *,
        actor: str,
        disbursement: Disbursement,
        today: date | None = None,
        ceiling_percent: Decimal | None = None,
    ) -> None:
        """Pay out the principal, less the fees deducted from it, on the disbursement's
        value date (`today`: the business date, by default that value date). With the
        legal `ceiling_percent`, the contract's APR must be within it."""
        require("disburse", self.status)
        if self.signed_on is not None and disbursement.value_date < self.signed_on:
            raise InvalidValue("value_date", "must not be before the contract was signed")
        on = disbursement.value_date
        made = contract(self.application, self.principal, self.annual_rate_percent, self.term, on)
        made.check_ceiling(ceiling_percent)
        books = made.books
        unpaid = [accounting.unpaid(i) for i in books.schedule.installments]
        self._disbursed(
            actor=actor,
            value_date=on,
            disbursement=disbursement,
            terms=books.terms,
            schedule=books.schedule,
            order=books.order,
            balances=accounting.balances(accounting.ledger(books, [], on), made.fees_deducted),
            penalties=books.penalties,
            timing=timing(unpaid, books.penalties, None, max(on, today or on)),
            advance_payment=books.advance_payment,
            recast_charges=books.recast_charges,
            fees=made.fees,
            fees_deducted=made.fees_deducted,
            paid_out=made.paid_out,
            apr=made.apr,
            effective_annual_rate=made.effective_annual_rate,
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
        timing: Timing | None = None,
        advance_payment: AdvancePayment = AdvancePayment.NEXT_INSTALLMENTS,
        # Loans disbursed before charges existed: no fees, the principal paid out, no APR.
        fees: tuple[FeeLine, ...] = (),
        fees_deducted: Decimal = Decimal(0),
        paid_out: Decimal | None = None,
        apr: Decimal | None = None,
        effective_annual_rate: Decimal | None = None,
        # Loans disbursed before a recast worked percentage fees out again keep theirs.
        recast_charges: tuple[ProductCharge, ...] = (),
    ) -> None:
        self.status = LoanStatus.ACTIVE
        self.disbursement = disbursement
        self.schedule = schedule
        self.books = LedgerBasis(
            terms=terms,
            schedule=schedule,
            order=order,
            penalties=penalties,
            advance_payment=advance_payment,
            fees_deducted=fees_deducted,
            recast_charges=recast_charges,
        )
        self.installments = {i.number: accounting.unpaid(i) for i in schedule.installments}
        self.balances = balances
        self.timing = timing
        self.apr = apr
        self.effective_annual_rate = effective_annual_rate

    # Money after disbursement: every change recomputes the ledger up to the business date
    # (`today`: late fees and penalty are charged up to it) and records the difference
    # and the timing it leaves (see `LoanRecord`; events stored before timing have none).

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
        after, change = self._recompute(today, payments=[*self.payments.values(), payment])
        self._repayment_allocated(
            actor=actor,
            value_date=value_date,
            payment=payment,
            change=change,
            timing=self._timing(max(value_date, today), after.installments),
        )
        self._settle(actor, value_date, today)

    @event("RepaymentAllocated")
    def _repayment_allocated(
        self,
        actor: str,
        value_date: date,
        payment: PaymentRecord,
        change: LedgerChange,
        timing: Timing | None = None,
    ) -> None:
        self.payments[payment.id] = payment
        self.next_sequence = payment.sequence + 1
        self._record(change, timing)

    def reverse_payment(self, *, actor: str, repayment_id: UUID, reason: str, today: date) -> None:
        payment = self.payments.get(str(repayment_id))
        if payment is None:
            raise InvalidTransition("reverse", "the loan holds no such live repayment")
        live = [p for p in self.payments.values() if p.id != payment.id]
        after, change = self._recompute(today, payments=live)
        self._repayment_reversed(
            actor=actor,
            value_date=payment.value_date,
            repayment_id=payment.id,
            reason=reason,
            change=change,
            timing=self._timing(max(payment.value_date, today), after.installments),
        )
        self._settle(actor, payment.value_date, today)

    @event("RepaymentReversed")
    def _repayment_reversed(
        self,
        actor: str,
        value_date: date,
        repayment_id: str,
        reason: str,
        change: LedgerChange,
        timing: Timing | None = None,
    ) -> None:
        del self.payments[repayment_id]
        self.results.pop(repayment_id, None)
        self._record(change, timing)

    def _settle(self, actor: str, value_date: date, today: date) -> None:
        """Close a loan its payments have repaid; reopen one a reversal left owing."""
        assert self.balances is not None
        on = max(value_date, today)
        if self.status is LoanStatus.ACTIVE and self.balances.fully_repaid:
            closed = self._timing(on, status=LoanStatus.CLOSED)
            self._closed(actor=actor, value_date=value_date, timing=closed)
        elif self.status is LoanStatus.CLOSED and not self.balances.fully_repaid:
            reopened = self._timing(on, status=LoanStatus.ACTIVE)
            self._reopened(actor=actor, value_date=value_date, timing=reopened)

    @event("Closed")
    def _closed(self, actor: str, value_date: date, timing: Timing | None = None) -> None:
        self.status = LoanStatus.CLOSED
        self.timing = timing

    @event("Reopened")
    def _reopened(self, actor: str, value_date: date, timing: Timing | None = None) -> None:
        self.status = LoanStatus.ACTIVE
        self.timing = timing
