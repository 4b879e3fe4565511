"""The APR a disbursement records, against numpy-financial's IRR of the same cash flows:
what the borrower received on the disbursement date, then every installment's total
(principal, interest and fees) on its due date, one month apart."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy_financial as npf
import pytest

from domain.charges import Charge
from domain.loan import Loan
from domain.schedule import Method
from tests.support.charges import MONTHLY, SERVICE, pay_out
from tests.support.loans import SIGNED_ON, application, micro_terms
from tests.support.story import followed_by, given, history

D = Decimal
ZERO_RATE_FEE = Charge(code="ADMIN", name="Admin fee", kind="installment", amount=D("15.00"))


def paid_out_loan(charges: tuple[Charge, ...], method: Method, rate: Decimal) -> Any:
    terms = micro_terms(charges=charges, methods=(method,), min_rate_percent=D(0))
    request = application(terms).model_copy(
        update={"method": method.value, "annual_rate_percent": rate}
    )
    submitted = history(Loan.submit(actor="officer.zhang", application=request))
    approved = followed_by(
        submitted,
        lambda loan: loan.approve(actor="approver.sun"),
        lambda loan: loan.sign(actor="officer.zhang", signed_on=SIGNED_ON),
    )
    return given(*approved).when(pay_out(None)).then(Loan.Disbursed).events[0]


def numpy_apr(event: Any) -> Decimal:
    """The periodic IRR x 12, as numpy-financial finds it, in percent to 2 places."""
    flows = [-float(event.paid_out), *(float(i.total) for i in event.schedule.installments)]
    return D(str(round(npf.irr(flows) * 12 * 100, 2)))


def numpy_effective(event: Any) -> Decimal:
    flows = [-float(event.paid_out), *(float(i.total) for i in event.schedule.installments)]
    return D(str(round(((1 + npf.irr(flows)) ** 12 - 1) * 100, 2)))


@pytest.mark.parametrize(
    ("charges", "method", "rate", "apr"),
    [
        ((SERVICE,), Method.EQUAL_INSTALLMENTS, D(12), "14.88"),  # 1.5% deducted
        ((MONTHLY,), Method.EQUAL_INSTALLMENTS, D(12), "15.54"),  # 20.00 a month
        ((), Method.FLAT, D(12), "21.46"),  # flat interest on the whole principal
        ((SERVICE, ZERO_RATE_FEE), Method.EQUAL_PRINCIPAL, D(0), "5.58"),  # no interest at all
    ],
)
def test_the_disbursed_apr_is_the_irr_numpy_financial_finds(
    charges: tuple[Charge, ...], method: Method, rate: Decimal, apr: str
) -> None:
    event = paid_out_loan(charges, method, rate)
    assert abs(event.apr - numpy_apr(event)) <= D("0.01")
    assert abs(event.effective_annual_rate - numpy_effective(event)) <= D("0.01")
    assert str(event.apr) == apr


def test_a_flat_rate_loan_costs_nearly_twice_its_nominal_rate() -> None:
    event = paid_out_loan((), Method.FLAT, D(12))
    assert D(21) < event.apr < D(24)
