"""Money paid ahead, told as stories: the product's `advance_payment` reaches the loan's
contract at disbursement, and the loan applies early money as it says."""

from __future__ import annotations

from decimal import Decimal

from domain.ledger import AdvancePayment, Component
from domain.loan import Loan
from domain.loan.accounting import LedgerBasis
from tests.support.loans import FIRST_DUE, INSTALLMENT, PAID_OUT_ON, disbursed, micro_terms, pay
from tests.support.story import given, replayed

D = Decimal


def test_a_loan_records_its_products_advance_payment_when_paid_out() -> None:
    default = replayed(disbursed())
    assert default.books.advance_payment == AdvancePayment.NEXT_INSTALLMENTS
    recasting = disbursed(micro_terms(advance_payment=AdvancePayment.RECAST_TERM))
    assert recasting[-1].advance_payment == AdvancePayment.RECAST_TERM
    assert replayed(recasting).books.advance_payment == AdvancePayment.RECAST_TERM


def test_money_paid_on_the_payout_day_collects_no_interest() -> None:
    story = given(*disbursed()).when(pay("1000.00", PAID_OUT_ON)).then(Loan.RepaymentAllocated)
    (result,) = story.events[0].change.results
    assert {a.component for a in result.allocations} == {Component.PRINCIPAL}
    assert story.aggregate.payoff_amount(PAID_OUT_ON) == D("11000.00")  # 12000.00 - 1000.00
    assert story.events[0].change.schedule is None  # the schedule stands


def test_on_a_recasting_product_money_paid_ahead_recasts_the_schedule() -> None:
    product = micro_terms(advance_payment=AdvancePayment.RECAST_INSTALLMENT)
    story = (
        given(*disbursed(product))
        .when(pay(INSTALLMENT + D("5000.00"), FIRST_DUE))
        .then(Loan.RepaymentAllocated)
    )
    change = story.events[0].change
    assert change.schedule is not None
    # 11053.81 - 5000.00 = 6053.81 over the 11 months left at 1%: 583.91 a month.
    assert change.balances.outstanding.principal == D("6053.81")
    assert [i.total for i in change.schedule.installments[2:11]] == [D("583.91")] * 9


def test_events_and_books_stored_before_the_option_pay_the_next_installments() -> None:
    past = disbursed(micro_terms(advance_payment=AdvancePayment.RECAST_TERM))
    state = past[-1].model_dump()
    del state["advance_payment"]
    old = type(past[-1]).model_validate(state)
    assert old.advance_payment == AdvancePayment.NEXT_INSTALLMENTS
    assert replayed([*past[:-1], old]).books.advance_payment == AdvancePayment.NEXT_INSTALLMENTS
    books = replayed(past).books.model_dump(mode="json")
    del books["advance_payment"]
    assert LedgerBasis.model_validate(books).advance_payment == AdvancePayment.NEXT_INSTALLMENTS
