"""An approval's changed figures pass the product's limits exactly as an application's do."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.errors import InvalidValue
from domain.loan import Loan, LoanStatus
from tests.support.loans import submitted
from tests.support.story import given

D = Decimal


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
    refused = (
        given(*submitted())
        .when(lambda loan: loan.approve(actor="approver.sun", **change))
        .raises(InvalidValue)
    )
    assert refused.error.field == field
    assert refused.aggregate.status is LoanStatus.SUBMITTED
    assert refused.events == []


def test_an_approval_within_the_product_sets_the_figures() -> None:
    lowered = {"principal": D(8000), "term": 3, "annual_rate_percent": D(6)}
    approved = (
        given(*submitted())
        .when(lambda loan: loan.approve(actor="approver.sun", **lowered))
        .then(Loan.Approved)
    )
    loan = approved.aggregate
    assert (loan.principal, loan.term, loan.annual_rate_percent) == (D("8000.00"), 3, D(6))
    assert loan.status is LoanStatus.APPROVED


def test_an_approval_without_changes_keeps_the_figures_applied_for() -> None:
    story = given(*submitted())
    assert story.aggregate.application.approved_figures() == (D("12000.00"), D(12), 12)
    loan = story.when(lambda loan: loan.approve(actor="approver.sun")).then(Loan.Approved).aggregate
    assert (loan.principal, loan.term) == (D("12000.00"), 12)
