"""An approval's changed figures pass the product's limits exactly as an application's do."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from domain.errors import InvalidValue
from domain.loan import Application, Loan, LoanStatus
from domain.product import ProductTerms
from domain.schedule import Frequency, Method

D = Decimal


def submitted_loan() -> Loan:
    """12,000 yuan over 12 months at 12% on a micro product of 1,000-50,000 over 3-12 months."""
    product = ProductTerms(
        name="Micro", currency="CNY", min_principal=D(1000), max_principal=D(50000),
        min_term=3, max_term=12, frequencies=(Frequency.MONTHLY,),
        methods=(Method.EQUAL_INSTALLMENTS,), min_rate_percent=D(6),
        max_rate_percent=D("18.5"), penalty_rate_percent=D("0.05"),
    ).checked()  # fmt: skip
    application = Application(
        borrower_id=uuid4(), borrower_kind="individual", region="Hubei", officer="officer.zhang",
        product_id=uuid4(), product_code="MICRO-12", minor_unit=2, product=product,
        principal=D("12000.00"), term=12, frequency="monthly", method="equal_installments",
        annual_rate_percent=D(12), purpose="tea seedlings",
    )  # fmt: skip
    loan = Loan.submit(actor="officer.zhang", application=application)
    loan.collect_events()
    return loan


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"term": 0}, "term"),
        ({"term": -3}, "term"),
        ({"term": 2}, "term"),
        ({"term": 13}, "term"),
        ({"term": 10**12}, "term"),
        ({"principal": D(0)}, "principal"),
        ({"principal": D("999.99")}, "principal"),
        ({"principal": D("8000.001")}, "principal"),
        ({"principal": D("12000.01")}, "principal"),
        ({"annual_rate_percent": D("5.99")}, "annual_rate_percent"),
        ({"annual_rate_percent": D(30)}, "annual_rate_percent"),
    ],
)
def test_an_approval_outside_the_product_is_refused_naming_the_figure(
    change: dict[str, Any], field: str
) -> None:
    loan = submitted_loan()
    with pytest.raises(InvalidValue) as refused:
        loan.approve(actor="approver.sun", **change)
    assert refused.value.field == field
    assert loan.status is LoanStatus.SUBMITTED
    assert loan.collect_events() == []


def test_an_approval_within_the_product_sets_the_figures() -> None:
    loan = submitted_loan()
    loan.approve(actor="approver.sun", principal=D(8000), term=3, annual_rate_percent=D(6))
    assert (loan.principal, loan.term, loan.annual_rate_percent) == (D("8000.00"), 3, D(6))
    assert loan.status is LoanStatus.APPROVED


def test_an_approval_without_changes_keeps_the_figures_applied_for() -> None:
    loan = submitted_loan()
    assert loan.approved_figures() == (D("12000.00"), D(12), 12)
    loan.approve(actor="approver.sun")
    assert (loan.principal, loan.term) == (D("12000.00"), 12)
