"""The pasts a Loan story starts from, as the events the aggregate recorded.

Every past is one loan's life so far: 12,000 yuan over 12 months at 12% on the micro
product, signed on 10 January 2026, paid out on 15 January, 1,066.19 due on the 15th of
each month from February.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from domain.ledger import ComponentAmounts
from domain.loan import Disbursement, Loan, LoanRequest
from domain.product import ProductTerms
from domain.schedule import Frequency, Method
from tests.support.story import followed_by, history

D = Decimal
SIGNED_ON = date(2026, 1, 10)
PAID_OUT_ON = date(2026, 1, 15)
FIRST_DUE = date(2026, 2, 15)
INSTALLMENT = D("1066.19")
Past = Callable[[], list[Any]]


def micro_terms(**changes: Any) -> ProductTerms:
    """A micro product: 1,000-50,000 yuan over 3-12 months at 6-18.5%."""
    return ProductTerms(
        name="Micro", currency="CNY", min_principal=D(1000), max_principal=D(50000),
        min_term=3, max_term=12, frequencies=(Frequency.MONTHLY,),
        methods=(Method.EQUAL_INSTALLMENTS,), min_rate_percent=D(6),
        max_rate_percent=D("18.5"), penalty_rate_percent=D("0.05"),
    ).model_copy(update=changes).checked()  # fmt: skip


def application(product: ProductTerms | None = None, purpose: str = "tea seedlings") -> LoanRequest:
    """12,000 yuan over 12 months at 12%, applied for on the micro product."""
    return LoanRequest(
        borrower_id=uuid4(), borrower_kind="individual", region="Hubei", officer="officer.zhang",
        product_id=uuid4(), product_code="MICRO-12", minor_unit=2,
        product=product or micro_terms(), principal=D("12000.00"), term=12, frequency="monthly",
        method="equal_installments", annual_rate_percent=D(12), purpose=purpose,
    )  # fmt: skip


def submitted(product: ProductTerms | None = None) -> list[Any]:
    return history(Loan.submit(actor="officer.zhang", application=application(product)))


def approve(loan: Loan) -> None:
    loan.approve(actor="approver.sun")


def sign(loan: Loan) -> None:
    loan.sign(actor="officer.zhang", signed_on=SIGNED_ON)


def pay_out(loan: Loan) -> None:
    loan.disburse(actor="teller.li", disbursement=paid_out(PAID_OUT_ON))


def paid_out(on: date) -> Disbursement:
    return Disbursement(value_date=on, account="6222 0000 1111", channel="bank", reference="D-1")


def approved(product: ProductTerms | None = None) -> list[Any]:
    return followed_by(submitted(product), approve)


def rejected() -> list[Any]:
    return followed_by(submitted(), lambda loan: loan.reject(actor="approver.sun", reason="debt"))


def withdrawn() -> list[Any]:
    return followed_by(submitted(), lambda loan: loan.withdraw(actor="officer.zhang"))


def signed(product: ProductTerms | None = None) -> list[Any]:
    return followed_by(submitted(product), approve, sign)


def disbursed(product: ProductTerms | None = None) -> list[Any]:
    """An active loan, nothing paid yet."""
    return followed_by(submitted(product), approve, sign, pay_out)


def pay(
    amount: Decimal | str, on: date, repayment_id: UUID | None = None, today: date | None = None
) -> Any:
    """The command: a repayment of `amount` valued on `on`, booked on `today` (or `on`)."""
    return lambda loan: loan.receive_payment(
        actor="teller.li", repayment_id=repayment_id or uuid4(), amount=D(amount),
        value_date=on, today=today or on,
    )  # fmt: skip


def amounts(of: ComponentAmounts) -> dict[str, str]:
    """Penalty, fee, interest and principal as written, so places count as well as value."""
    return {name: str(value) for name, value in asdict(of).items()}
