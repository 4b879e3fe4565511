"""What the borrower's earlier loans say: write-offs, obligations, repayment record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from domain.credit.affordability import monthly_installment
from domain.ledger import InstallmentState
from domain.loan import Loan, LoanStatus
from domain.model import Immutable

ZERO = Decimal("0.00")


class LoanHistory(Immutable):
    """The borrower's other loans as recorded, on the business date of an application."""

    written_off: tuple[str, ...] = ()  # loan ids
    active: int = 0
    monthly_obligations: Decimal = ZERO  # the active loans' monthly installments
    outstanding_principal: Decimal = ZERO  # still owed on the active loans
    repaid: int = 0  # loans closed by repayment
    max_days_past_due: int = 0

    @classmethod
    def of(cls, loans: Iterable[Loan], on: date) -> LoanHistory:
        written_off: list[str] = []
        active = repaid = worst = 0
        obligations = outstanding = ZERO
        for loan in loans:
            if loan.status is LoanStatus.WRITTEN_OFF:
                written_off.append(str(loan.id))
            elif loan.status is LoanStatus.CLOSED:
                repaid += 1
            elif loan.status is LoanStatus.ACTIVE and loan.schedule is not None:
                active += 1
                application = loan.application
                obligations += monthly_installment(
                    loan.schedule,
                    loan.terms.term if loan.terms else loan.term,
                    application.frequency,
                    application.method,
                    application.minor_unit,
                )
                if loan.balances is not None:
                    outstanding += loan.balances.outstanding.principal
            worst = max([worst, *(days_late(item, on) for item in loan.installments.values())])
        return cls(
            written_off=tuple(written_off),
            active=active,
            monthly_obligations=obligations,
            outstanding_principal=outstanding,
            repaid=repaid,
            max_days_past_due=worst,
        )


def days_late(item: InstallmentState, on: date) -> int:
    """How long the installment went unpaid past its due date: until it was paid off,
    or until `on` while it is still owed. The worst of these over a loan is the most
    days past due it ever reached, since DPD counts from the oldest unpaid installment."""
    until = item.paid_off_on
    if until is None:
        if item.outstanding.principal + item.outstanding.interest <= 0:
            return 0
        until = on
    return max(0, (until - item.due_date).days)
