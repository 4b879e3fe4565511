"""Money coming in and going back, told as stories: a repayment is allocated, a reversal
takes it back, and the loan closes when repaid and reopens when a reversal leaves it owing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from domain.errors import InvalidTransition, InvalidValue
from domain.ledger import Allocation, Component
from domain.loan import Loan, LoanStatus
from tests.support.loans import (
    FIRST_DUE,
    INSTALLMENT,
    PAID_OUT_ON,
    Past,
    amounts,
    approved,
    disbursed,
    pay,
    rejected,
    signed,
    submitted,
    withdrawn,
)
from tests.support.story import followed_by, given

D = Decimal
FIRST = UUID("00000000-0000-4000-8000-0000000000f1")
PAYOFF = D("12120.00")  # on the first due date: all the principal and the month's interest
NOTHING_PAID = {"penalty": "0.00", "fee": "0.00", "interest": "794.23", "principal": "12000.00"}


def first_paid() -> list[object]:
    return followed_by(disbursed(), pay(INSTALLMENT, FIRST_DUE, FIRST))


def paid_off() -> list[object]:
    return followed_by(disbursed(), pay(PAYOFF, FIRST_DUE, FIRST))


def reverse(repayment_id: UUID = FIRST, today: date = date(2026, 2, 20)) -> object:
    return lambda loan: loan.reverse_payment(
        actor="teller.li", repayment_id=repayment_id, reason="cheque bounced", today=today
    )


# RepaymentAllocated


def test_an_installment_paid_on_time_pays_its_interest_then_its_principal() -> None:
    payment = (
        given(*disbursed()).when(pay(INSTALLMENT, FIRST_DUE, FIRST)).then(Loan.RepaymentAllocated)
    )
    event = payment.events[0]
    assert (event.payment.id, str(event.payment.amount)) == (str(FIRST), "1066.19")
    assert (event.value_date, event.payment.sequence) == (FIRST_DUE, 1)
    (result,) = event.change.results
    assert result.allocations == (
        Allocation(1, Component.INTEREST, D("120.00")),
        Allocation(1, Component.PRINCIPAL, D("946.19")),
    )
    owed = {"penalty": "0.00", "fee": "0.00", "interest": "674.23", "principal": "11053.81"}
    assert amounts(event.change.balances.outstanding) == owed
    assert event.change.balances.next_due_date == date(2026, 3, 15)
    assert [i.number for i in event.change.installments] == [1]
    assert payment.aggregate.status is LoanStatus.ACTIVE


def test_an_early_payment_goes_to_the_next_installment_and_is_numbered_after_the_first() -> None:
    early = given(*first_paid()).when(pay("500.00", date(2026, 3, 1))).then(Loan.RepaymentAllocated)
    event = early.events[0]
    assert event.payment.sequence == 2
    # 16 of installment 2's 30 days (30/360) have run on 1 March: 110.54 x 16/30 = 58.95
    # of its interest has accrued, and only that is collected.
    assert event.change.results[0].allocations == (
        Allocation(2, Component.INTEREST, D("58.95")),
        Allocation(2, Component.PRINCIPAL, D("441.05")),
    )
    assert str(event.change.balances.credit) == "0.00"
    assert event.change.balances.next_due_date == date(2026, 3, 15)  # still 566.19 to pay


def test_a_payment_after_a_write_off_is_a_recovery() -> None:
    written_off = followed_by(
        disbursed(),
        lambda loan: loan.write_off(
            actor="manager.lin", value_date=date(2026, 6, 1), reason="fraud", today=date(2026, 6, 1)
        ),
    )
    balances = (
        given(*written_off)
        .when(pay("500.00", date(2026, 6, 10)))
        .then(Loan.RepaymentAllocated)
        .events[0]
        .change.balances
    )
    recovered = {"penalty": "0.14", "fee": "0.00", "interest": "120.00", "principal": "379.86"}
    assert balances.recovered is not None
    assert amounts(balances.recovered) == recovered
    assert balances.outstanding.total == 0


@pytest.mark.parametrize("past", [submitted, approved, signed, rejected, withdrawn])
def test_a_loan_not_paid_out_takes_no_repayment(past: Past) -> None:
    refused = given(*past()).when(pay(INSTALLMENT, FIRST_DUE)).raises(InvalidTransition)
    assert (refused.error.action, refused.events) == ("repay", [])


@pytest.mark.parametrize(
    ("amount", "on", "field"),
    [
        ("1066.19", date(2026, 1, 14), "value_date"),
        ("0", FIRST_DUE, "amount"),
        ("-5.00", FIRST_DUE, "amount"),
        ("10.001", FIRST_DUE, "amount"),
    ],
)
def test_a_repayment_before_the_payout_or_of_no_real_amount_is_refused(
    amount: str, on: date, field: str
) -> None:
    refused = given(*disbursed()).when(pay(amount, on)).raises(InvalidValue)
    assert refused.error.field.endswith(field)
    assert refused.events == []
    assert refused.aggregate.payments == {}


# Closed


def test_paying_everything_owed_closes_the_loan_on_the_payments_value_date() -> None:
    payoff = (
        given(*disbursed())
        .when(pay(PAYOFF, FIRST_DUE, FIRST))
        .then(Loan.RepaymentAllocated, Loan.Closed)
    )
    allocated, closed = payoff.events
    assert allocated.change.balances.fully_repaid
    paid = {"penalty": "0.00", "fee": "0.00", "interest": "120.00", "principal": "12000.00"}
    assert amounts(allocated.change.balances.paid) == paid
    assert closed.value_date == FIRST_DUE
    assert payoff.aggregate.status is LoanStatus.CLOSED


def test_the_payoff_quote_is_what_closes_the_loan() -> None:
    loan = given(*disbursed()).aggregate
    assert loan.payoff_amount(PAID_OUT_ON) == D("12000.00")
    assert loan.payoff_amount(FIRST_DUE) == PAYOFF


def test_a_payment_short_of_the_payoff_leaves_the_loan_open() -> None:
    given(*disbursed()).when(pay(PAYOFF - D("0.01"), FIRST_DUE)).then(Loan.RepaymentAllocated)


# RepaymentReversed


def test_a_reversal_takes_the_payment_off_the_books() -> None:
    reversal = given(*first_paid()).when(reverse()).then(Loan.RepaymentReversed)
    event = reversal.events[0]
    assert (event.repayment_id, event.reason, event.value_date) == (
        str(FIRST),
        "cheque bounced",
        FIRST_DUE,
    )
    assert amounts(event.change.balances.outstanding) == NOTHING_PAID
    assert event.change.balances.paid.total == 0
    assert reversal.aggregate.payments == {}


def test_a_repayment_the_loan_does_not_hold_is_not_reversed() -> None:
    other = UUID("00000000-0000-4000-8000-0000000000f2")
    refused = given(*first_paid()).when(reverse(other)).raises(InvalidTransition)
    assert (refused.error.action, refused.events) == ("reverse", [])


def test_a_reversed_repayment_is_not_reversed_again() -> None:
    reversed_once = followed_by(first_paid(), reverse())
    refused = given(*reversed_once).when(reverse()).raises(InvalidTransition)
    assert refused.events == []


def test_a_loan_never_paid_out_has_nothing_to_reverse() -> None:
    refused = given(*rejected()).when(reverse()).raises(InvalidTransition)
    assert refused.events == []


# Reopened


def test_reversing_the_payment_that_closed_the_loan_reopens_it() -> None:
    reopening = given(*paid_off()).when(reverse()).then(Loan.RepaymentReversed, Loan.Reopened)
    reversed_, reopened = reopening.events
    assert amounts(reversed_.change.balances.outstanding) == NOTHING_PAID
    assert not reversed_.change.balances.fully_repaid
    assert reopened.value_date == FIRST_DUE
    assert reopening.aggregate.status is LoanStatus.ACTIVE


def test_a_closed_loan_takes_an_overpayment_as_credit_and_stays_closed() -> None:
    extra = given(*paid_off()).when(pay("10.00", date(2026, 3, 1))).then(Loan.RepaymentAllocated)
    assert str(extra.events[0].change.balances.credit) == "10.00"
    assert extra.aggregate.status is LoanStatus.CLOSED
