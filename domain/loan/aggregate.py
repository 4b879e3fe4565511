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

from domain.errors import InvalidValue
from domain.loan.status import LoanStatus, require
from domain.model import Aggregate, AggregateSnapshot, Immutable, SnapshotState
from domain.product import ProductTerms
from domain.schedule import Schedule, ScheduleError, ScheduleTerms, generate_schedule


class Application(Immutable):
    """What the borrower asked for, and who and where it came from."""

    borrower_id: UUID
    borrower_kind: str
    region: str
    officer: str
    product_id: UUID
    product_code: str
    minor_unit: int
    product: ProductTerms
    principal: Decimal
    term: int
    frequency: str
    method: str
    annual_rate_percent: Decimal
    purpose: str


class Disbursement(Immutable):
    value_date: date
    account: str
    channel: str
    reference: str


class LoanState(SnapshotState):
    application: Application
    status: LoanStatus
    principal: Decimal
    annual_rate_percent: Decimal
    term: int
    signed_on: date | None
    disbursement: Disbursement | None
    terms: ScheduleTerms | None
    schedule: Schedule | None


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
        self._rejected(actor=actor, reason=_reason(reason))

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
        terms = self.contract_terms(disbursement.value_date)
        self._disbursed(
            actor=actor,
            value_date=disbursement.value_date,
            disbursement=disbursement,
            terms=terms,
            schedule=generate_schedule(terms),
        )

    @event("Disbursed")
    def _disbursed(
        self,
        actor: str,
        value_date: date,
        disbursement: Disbursement,
        terms: ScheduleTerms,
        schedule: Schedule,
    ) -> None:
        self.status = LoanStatus.ACTIVE
        self.disbursement = disbursement
        self.terms = terms
        self.schedule = schedule

    def contract_terms(self, start_date: date) -> ScheduleTerms:
        product = self.application.product
        try:
            return ScheduleTerms(
                principal=self.principal,
                annual_rate_percent=self.annual_rate_percent,
                term=self.term,
                frequency=self.application.frequency,  # type: ignore[arg-type]
                method=self.application.method,  # type: ignore[arg-type]
                start_date=start_date,
                day_count=product.day_count,
                interest_calculation=product.interest_calculation,
                rounding=product.rounding,
                installment_multiple=product.installment_multiple,
                minor_unit=self.application.minor_unit,
            )
        except ScheduleError as error:
            raise InvalidValue(error.field, error.message) from None


def _reason(reason: str) -> str:
    if not reason.strip():
        raise InvalidValue("reason", "must not be empty")
    return reason.strip()
