"""Percentage fees after money paid ahead recasts the schedule, told as stories: the
micro loan of 12,000 on a recasting product charging 0.2% of the balance owed before
each installment and a fixed 20.00 on every installment. A recast works the percentage
out again on the installments it makes, by the product's rounding; the fixed fee stays."""

from __future__ import annotations

from decimal import Decimal

from domain.charges import Charge, percent_fees
from domain.ledger import AdvancePayment
from domain.loan import Loan
from domain.schedule import Installment, Rounder
from tests.support.charges import MONTHLY, charged_terms, disbursed_with
from tests.support.loans import FIRST_DUE, INSTALLMENT, pay
from tests.support.story import given, replayed
from tests.unit.test_loan_story_workout import reschedule

D = Decimal
ON_BALANCE = Charge(
    code="BAL", name="Balance fee", kind="installment", percent=D("0.2"), basis="outstanding"
)
MONEY = Rounder.of(2, "half_even")
FIXED = D("20.00")


def recasting(advance: AdvancePayment = AdvancePayment.RECAST_INSTALLMENT) -> list[object]:
    return disbursed_with(charged_terms(ON_BALANCE, MONTHLY, advance_payment=advance))


def on_balance(item: Installment, balance: Decimal) -> Decimal:
    """The balance fee on an installment with `balance` owed before it."""
    owed = Installment(item.number, item.due_date, D(0), D(0), D(0), D(0), balance)
    return percent_fees((ON_BALANCE,), owed, MONEY)


def test_the_disbursement_records_the_percentage_fees_a_recast_works_out_again() -> None:
    loan = replayed(recasting())
    assert loan.books.recast_charges == (ON_BALANCE,)
    first = loan.schedule.installments[0]
    assert first.fee == FIXED + D("24.00")  # 0.2% of 12,000.00


def test_a_recast_charges_the_balance_fee_on_the_balance_left() -> None:
    for advance in (AdvancePayment.RECAST_INSTALLMENT, AdvancePayment.RECAST_TERM):
        past = recasting(advance)
        story = (
            given(*past)
            .when(pay(INSTALLMENT + D("24.00") + FIXED + D("5000.00"), FIRST_DUE))
            .then(Loan.RepaymentAllocated)
        )
        change = story.events[0].change
        assert change.schedule is not None
        left = change.balances.outstanding.principal
        assert left == D("6053.81")
        later = [i for i in change.schedule.installments if i.due_date > FIRST_DUE]
        assert len(later) == (11 if advance is AdvancePayment.RECAST_INSTALLMENT else 6)
        # Each installment after the payment: 20.00 and 0.2% of the principal owed before
        # it (the first, which the payment's principal was paid on: what is left).
        assert later[0].fee == FIXED + D("12.11")  # 0.2% of 6,053.81, half-even
        for item in later[1:]:
            assert item.fee == FIXED + on_balance(item, item.balance_after + item.principal)
        # Replay gives the same books.
        assert replayed([*past, *story.events]).schedule == change.schedule


def test_a_reschedule_after_a_recast_charges_the_new_installments_on_their_balance() -> None:
    opened = recasting()
    past = (
        given(*opened)
        .when(pay(INSTALLMENT + D("24.00") + FIXED + D("5000.00"), FIRST_DUE))
        .then(Loan.RepaymentAllocated)
    )
    story = given(*opened, *past.events).when(reschedule(new_term=18))
    change = story.then(Loan.Rescheduled).events[0].change
    assert change.schedule is not None
    # The new installments, recast again by the payment before them (its principal is on
    # the first of them, charged on the principal left after it).
    first, *rest = change.schedule.installments[1:]
    assert len(rest) == 17
    left = change.balances.outstanding.principal
    assert first.fee == FIXED + on_balance(first, left)
    for item in rest:
        assert item.fee == FIXED + on_balance(item, item.balance_after + item.principal)


def test_books_stored_before_recast_fees_keep_their_fees_on_a_recast() -> None:
    past = recasting()
    state = past[-1].model_dump()
    del state["recast_charges"]
    old = type(past[-1]).model_validate(state)
    assert old.recast_charges == ()
    story = given(*past[:-1], old).when(
        pay(INSTALLMENT + D("24.00") + FIXED + D("5000.00"), FIRST_DUE)
    )
    change = story.then(Loan.RepaymentAllocated).events[0].change
    assert change.schedule is not None
    assert change.schedule.installments[1].fee == past[-1].schedule.installments[1].fee
