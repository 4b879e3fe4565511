"""What a loan records about itself: the application, disbursement and snapshot state."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.errors import InvalidValue
from domain.ledger import Charge, Component, InstallmentState, PaymentResult, Waiver, WaiverResult
from domain.loan.accounting import Balances, LedgerBasis, PaymentRecord, unpaid
from domain.loan.delinquency import Delinquency, Timing
from domain.loan.inputs import RefundRecord
from domain.loan.status import LoanStatus
from domain.model import AggregateSnapshot, Immutable, SnapshotState, added_later
from domain.product import ProductTerms
from domain.schedule import (
    Frequency,
    Method,
    Schedule,
    ScheduleError,
    ScheduleTerms,
    has_level_installment,
)


class LoanRequest(Immutable):
    """What the borrower asked for, and who and where it came from: `product` holds the
    product's terms as they were, version `terms_version` (None: submitted before
    products had versions)."""

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
    terms_version: int | None = None
    # The applying user's office; None in applications recorded before offices were.
    office: UUID | None = added_later()

    def approved_figures(
        self,
        principal: Decimal | None = None,
        annual_rate_percent: Decimal | None = None,
        term: int | None = None,
    ) -> tuple[Decimal, Decimal, int]:
        """The principal, rate and term an approval with these changes sets (None keeps
        the figure applied for: a loan's figures change first at its approval). Changed
        figures must pass the product's limits, as recorded at submission, exactly as
        an application's do; the principal may only go down."""
        if (principal, annual_rate_percent, term) == (None, None, None):
            return self.principal, self.annual_rate_percent, self.term
        if principal is not None and principal > self.principal:
            raise InvalidValue("principal", "an approval may lower the principal, not raise it")
        rate = self.annual_rate_percent if annual_rate_percent is None else annual_rate_percent
        term = self.term if term is None else term
        principal = self.check_figures(
            self.principal if principal is None else principal, rate, term
        )
        return principal, rate, term

    def check_figures(self, principal: Decimal, annual_rate_percent: Decimal, term: int) -> Decimal:
        """Refuse figures the product, as recorded at submission, does not offer; the
        principal at the currency's minor unit."""
        return self.product.check_loan(
            self.product_code,
            self.minor_unit,
            principal,
            term,
            Frequency(self.frequency),
            Method(self.method),
            annual_rate_percent,
        )


class Disbursement(Immutable):
    value_date: date
    account: str
    channel: str
    reference: str


# A charge as a snapshot stores it: (installment, component, amount, value date, id).
# A long loan has thousands (penalty is crystallised at every payment): rows read back
# several times faster than objects with named fields.
ChargeRow = tuple[int, Component, Decimal, date, str]


class LoanState(SnapshotState):
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
    delinquency: Delinquency | None = None
    # Late fees and penalty charged: by id, or as a snapshot stores them (`slimmed`).
    charges: dict[str, Charge] | list[ChargeRow] = {}
    timing: Timing | None = None  # None: not disbursed, or its events predate timing
    # Snapshots taken before charges, waivers and refunds existed have none.
    added_charges: dict[str, Charge] = {}
    waivers: dict[str, Waiver] = {}
    waiver_results: dict[str, WaiverResult] = {}
    refunds: dict[str, RefundRecord] = {}
    apr: Decimal | None = None
    effective_annual_rate: Decimal | None = None

    @classmethod
    def submitted(cls, application: LoanRequest) -> LoanState:
        """A new application's state: the figures asked for, no money yet (built from
        values already checked, so without a snapshot's bookkeeping fields)."""
        return cls.model_construct(
            application=application,
            status=LoanStatus.SUBMITTED,
            principal=application.principal,
            annual_rate_percent=application.annual_rate_percent,
            term=application.term,
            signed_on=None,
            disbursement=None,
            schedule=None,
            books=None,
            payments={},
            results={},
            installments={},
            balances=None,
            next_sequence=1,
            delinquency=None,
            charges={},
            timing=None,
            added_charges={},
            waivers={},
            waiver_results={},
            refunds={},
            apr=None,
            effective_annual_rate=None,
        )


class LoanSnapshot(AggregateSnapshot):
    """A loan's snapshot: its state without what the schedules give again."""

    state: LoanState

    @classmethod
    def slimmed(cls, state: dict[str, Any]) -> dict[str, Any]:
        return slimmed(state)

    @classmethod
    def restored(cls, state: dict[str, Any]) -> None:
        restored(state)


def slimmed(state: dict[str, Any]) -> dict[str, Any]:
    """A disbursed loan's state as its snapshot stores it: without what the schedules
    give again, i.e. the current schedule while it is still the contract's, and the
    installments nothing has touched yet (most of a long loan's)."""
    books, schedule = state.get("books"), state.get("schedule")
    if books is None or schedule is None:
        return state
    untouched = {item.number: unpaid(item) for item in schedule.installments}
    charges = state["charges"].values()
    return {
        **state,
        "charges": [(c.installment, c.component, c.amount, c.value_date, c.id) for c in charges],
        "schedule": None if schedule == books.schedule else schedule,
        "installments": {
            number: item
            for number, item in state["installments"].items()
            if untouched.get(number) != item
        },
    }


def restored(state: dict[str, Any]) -> None:
    """Put back what `slimmed` left out (a snapshot that kept everything is unchanged)."""
    books = state.get("books")
    if books is None:
        return
    if state.get("schedule") is None:
        state["schedule"] = books.schedule
    if isinstance(state["charges"], list):
        state["charges"] = {row[4]: Charge(*row) for row in state["charges"]}
    stored = state["installments"]
    state["installments"] = {
        item.number: stored[item.number] if item.number in stored else unpaid(item)
        for item in state["schedule"].installments
    }


def contract_terms(
    application: LoanRequest,
    principal: Decimal,
    annual_rate_percent: Decimal,
    term: int,
    start_date: date,
) -> ScheduleTerms:
    """The schedule terms of the contract: the approved figures, the product's rules."""
    product = application.product
    try:
        return ScheduleTerms(
            principal=principal,
            annual_rate_percent=annual_rate_percent,
            term=term,
            frequency=application.frequency,  # type: ignore[arg-type]
            method=application.method,  # type: ignore[arg-type]
            start_date=start_date,
            day_count=product.day_count,
            interest_calculation=product.interest_calculation,
            rounding=product.rounding,
            # The product's multiple rounds level installments; other methods have none.
            installment_multiple=product.installment_multiple
            if has_level_installment(Method(application.method), product.interest_calculation)
            else None,
            minor_unit=application.minor_unit,
            odd_period_interest=product.odd_period_interest,
        )
    except ScheduleError as error:
        raise InvalidValue(error.field, error.message) from None


def checked_reason(reason: str) -> str:
    if not reason.strip():
        raise InvalidValue("reason", "must not be empty")
    return reason.strip()
