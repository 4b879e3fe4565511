"""Loans with charges, told as stories: the micro loan of tests.support.loans on a product
with a 1.5% service fee deducted at disbursement (180.00 of the 12,000), a 20.00 monthly
management fee on every installment, and a 50.00 collection visit an officer may add.

The officer who made the loan is officer.zhang; approver.sun may waive.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.charges import Charge
from domain.loan import Loan
from domain.product import ProductTerms
from tests.support.loans import (
    PAID_OUT_ON,
    amounts,
    approve,
    micro_terms,
    paid_out,
    sign,
    submitted,
)
from tests.support.story import followed_by

D = Decimal
SERVICE = Charge(
    code="SERVICE", name="Service fee", kind="disbursement", percent=D("1.5"), collection="deduct"
)
MONTHLY = Charge(code="MGMT", name="Management fee", kind="installment", amount=D("20.00"))
VISIT = Charge(code="VISIT", name="Collection visit", kind="specified_due_date", amount=D(50))
ARRANGEMENT = Charge(
    code="ARRANGE",
    name="Arrangement fee",
    kind="disbursement",
    amount=D("100.00"),
    collection="first_installment",
)
CHECKER = "approver.sun"
CEILING = D(24)
OFFICER = "officer.zhang"


def charged_terms(*charges: Charge, **changes: Any) -> ProductTerms:
    """The micro product with these charges (by default the service, monthly and visit
    charges), its rates up to 36% so that a ceiling, not the product, refuses."""
    chosen = charges or (SERVICE, MONTHLY, VISIT)
    return micro_terms(charges=chosen, max_rate_percent=D(36), **changes)


def disbursed_with(
    product: ProductTerms | None = None, ceiling: Decimal | None = CEILING
) -> list[Any]:
    """An active loan on a charged product, paid out on 15 January under the ceiling."""
    return followed_by(submitted(product or charged_terms()), approve, sign, pay_out(ceiling))


def pay_out(ceiling: Decimal | None = CEILING, on: date = PAID_OUT_ON) -> Any:
    return lambda loan: loan.disburse(
        actor="teller.li", disbursement=paid_out(on), ceiling_percent=ceiling
    )


def add_charge(
    installment: int = 2,
    code: str = "VISIT",
    today: date = date(2026, 3, 10),
    amount: Decimal | str | None = None,
) -> Any:
    return lambda loan: loan.add_charge(
        actor=OFFICER, code=code, installment=installment, reason="visited the farm",
        today=today, amount=None if amount is None else D(amount),
    )  # fmt: skip


def waive(
    amount: Decimal | str,
    component: str = "fee",
    today: date = date(2026, 2, 16),
    installment: int | None = None,
    actor: str = CHECKER,
) -> Any:
    return lambda loan: loan.waive(
        actor=actor, component=component, amount=D(amount), reason="hardship",
        today=today, installment=installment,
    )  # fmt: skip


def refund(amount: Decimal | str, today: date = date(2026, 2, 20), reference: str = "R-1") -> Any:
    return lambda loan: loan.refund_credit(
        actor=OFFICER, amount=D(amount), channel="bank", reference=reference, today=today
    )


def outstanding(loan: Loan) -> dict[str, str]:
    assert loan.balances is not None
    return amounts(loan.balances.outstanding)
