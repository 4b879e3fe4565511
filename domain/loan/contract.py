"""The contract a disbursement opens, and the legal ceiling on its all-in rate.

The contract's schedule carries the product's charges (`domain.schedule.fees`): fees on
installments, and fees deducted from the payout, so the borrower is paid out the
principal less those. Its APR and effective annual rate are those of what the borrower
receives against every scheduled payment (`domain.schedule.apr`).

The legal ceiling (the credit policy's `legal_ceiling_percent`) caps the APR, fees
included: an approval or a disbursement whose APR is above it is refused, naming `apr`
and giving both figures. An approval is quoted as if paid out on the business date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.charges import percentage_fees
from domain.errors import InvalidValue
from domain.loan.accounting import LedgerBasis, penalty_terms
from domain.loan.records import LoanRequest, contract_terms
from domain.model import Immutable
from domain.schedule import ScheduleError
from domain.schedule.fees import FeeLine, charged_schedule


class AprAboveCeiling(InvalidValue):
    def __init__(self, apr: Decimal, ceiling: Decimal) -> None:
        super().__init__(
            "apr", f"the APR of {apr}% (fees included) is above the legal ceiling of {ceiling}%"
        )
        self.apr = apr
        self.ceiling = ceiling


class Contract(Immutable):
    """The books a disbursement opens (their schedule with its fees), every fee by
    charge, what the borrower is paid out, and the all-in annual rates (percent)."""

    books: LedgerBasis
    fees: tuple[FeeLine, ...]
    fees_deducted: Decimal
    paid_out: Decimal
    apr: Decimal
    effective_annual_rate: Decimal

    def check_ceiling(self, ceiling_percent: Decimal | None) -> None:
        """Refuse an APR above the legal ceiling (None: no ceiling applies)."""
        if ceiling_percent is not None and self.apr > ceiling_percent:
            raise AprAboveCeiling(self.apr, ceiling_percent)

    def above_ceiling(self, ceiling_percent: Decimal) -> str | None:
        """Why the APR is above the legal ceiling, if it is."""
        if self.apr > ceiling_percent:
            return AprAboveCeiling(self.apr, ceiling_percent).reason
        return None


def contract(
    application: LoanRequest,
    principal: Decimal,
    annual_rate_percent: Decimal,
    term: int,
    start_date: date,
) -> Contract:
    """The contract of these figures paid out on `start_date`: the contract's terms and
    schedule with the product's charges, its allocation order, penalty terms and what
    money paid ahead does."""
    terms = contract_terms(application, principal, annual_rate_percent, term, start_date)
    product = application.product
    try:
        charged = charged_schedule(terms, product.charges)
        rates = charged.annual_rates(start_date, terms.frequency)
    except ScheduleError as error:
        # Only deducted fees that leave the borrower nothing get here.
        raise InvalidValue("principal", error.message) from None
    books = LedgerBasis(
        terms=terms,
        schedule=charged.schedule,
        order=tuple(c.value for c in product.allocation_order),
        penalties=penalty_terms(product),
        advance_payment=product.advance_payment,
        fees_deducted=charged.deducted,
        recast_charges=percentage_fees(product.charges),
    )
    return Contract(
        books=books,
        fees=charged.lines,
        fees_deducted=charged.deducted,
        paid_out=charged.received,
        apr=rates.apr,
        effective_annual_rate=rates.effective_annual_rate,
    )


def contract_books(
    application: LoanRequest,
    principal: Decimal,
    annual_rate_percent: Decimal,
    term: int,
    start_date: date,
) -> LedgerBasis:
    """The books a disbursement of these figures on `start_date` opens."""
    return contract(application, principal, annual_rate_percent, term, start_date).books
