"""What a loan records about itself: the application, disbursement and snapshot state."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.errors import InvalidValue
from domain.ledger import Charge, InstallmentState, PaymentResult
from domain.loan.accounting import Balances, Books, PaymentRecord
from domain.loan.delinquency import Delinquency
from domain.loan.status import LoanStatus
from domain.model import Immutable, SnapshotState
from domain.product import ProductTerms
from domain.schedule import Schedule, ScheduleError, ScheduleTerms


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
    schedule: Schedule | None
    books: Books | None
    payments: dict[str, PaymentRecord]
    results: dict[str, PaymentResult]
    installments: dict[int, InstallmentState]
    balances: Balances | None
    next_sequence: int
    delinquency: Delinquency | None = None
    charges: dict[str, Charge] = {}


def contract_terms(
    application: Application,
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
            installment_multiple=product.installment_multiple,
            minor_unit=application.minor_unit,
        )
    except ScheduleError as error:
        raise InvalidValue(error.field, error.message) from None


def checked_reason(reason: str) -> str:
    if not reason.strip():
        raise InvalidValue("reason", "must not be empty")
    return reason.strip()
