"""What officers add to or take off an active loan, told as stories: a charge added to an
installment, a waiver granted by a checker, a credit balance refunded; each refused when
it would break a rule, and each refolded consistently by a backdated payment or reversal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.errors import Conflict, InvalidTransition, InvalidValue, Refused
from domain.ledger import Allocation, Component
from domain.loan import Loan, LoanStatus
from tests.support.charges import (
    OFFICER,
    add_charge,
    disbursed_with,
    outstanding,
    refund,
    waive,
)
from tests.support.loans import FIRST_DUE, pay
from tests.support.story import followed_by, given

D = Decimal
FIRST = UUID("00000000-0000-4000-8000-0000000000f1")
MARCH_10 = date(2026, 3, 10)


def first_paid() -> list[Any]:
    return followed_by(disbursed_with(), pay("1086.19", FIRST_DUE, FIRST))


def reverse(today: date = date(2026, 2, 25)) -> Any:
    return lambda loan: loan.reverse_payment(
        actor="teller.li", repayment_id=FIRST, reason="bounced", today=today
    )


# ChargeAdded


def test_a_collection_visit_is_added_to_an_installment_and_due_at_once() -> None:
    """Added on 10 March to installment 2, due on 15 March: the visit is due at once."""
    added = given(*first_paid()).when(add_charge()).then(Loan.ChargeAdded)
    event = added.events[0]
    assert (event.code, event.name, event.reason) == (
        "VISIT",
        "Collection visit",
        "visited the farm",
    )
    assert (event.value_date, event.actor, event.sequence) == (MARCH_10, OFFICER, 2)
    charge = event.charge
    assert (charge.installment, charge.component, str(charge.amount)) == (2, Component.FEE, "50.00")
    assert (charge.id, charge.value_date) == ("charge:2", MARCH_10)
    assert [i.number for i in event.change.installments] == [2]
    assert str(event.change.installments[0].due.fee) == "70.00"  # with the monthly fee
    assert outstanding(added.aggregate)["fee"] == "270.00"
    paid = given(*followed_by(first_paid(), add_charge())).when(pay("50.00", MARCH_10))
    allocated = paid.then(Loan.RepaymentAllocated).events[0]
    assert allocated.change.results[0].allocations == (Allocation(2, Component.FEE, D("50.00")),)


def test_an_added_charge_may_be_given_another_amount() -> None:
    event = given(*first_paid()).when(add_charge(amount="35.50")).then(Loan.ChargeAdded).events[0]
    assert str(event.charge.amount) == "35.50"


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (add_charge(code="NOPE"), "code"),
        (add_charge(code="MGMT"), "code"),  # an installment charge, on every installment
        (add_charge(code="SERVICE"), "code"),
        (add_charge(installment=0), "installment"),
        (add_charge(installment=13), "installment"),
        (add_charge(amount="0"), "amount"),
        (add_charge(amount="-1.00"), "amount"),
        (add_charge(amount="1.005"), "amount"),
    ],
)
def test_a_charge_the_product_does_not_define_so_or_of_no_real_amount_is_refused(
    command: Any, field: str
) -> None:
    refused = given(*first_paid()).when(command).raises(InvalidValue)
    assert (refused.error.field, refused.events) == (field, [])
    assert refused.aggregate.added_charges == {}


def test_a_closed_loan_takes_no_charge() -> None:
    closed = followed_by(disbursed_with(), pay("12140.00", FIRST_DUE))
    refused = given(*closed).when(add_charge()).raises(InvalidTransition)
    assert (refused.error.action, refused.events) == ("charge", [])


# Waived


def test_a_checker_waives_a_fee_that_is_due() -> None:
    waived = given(*disbursed_with()).when(waive("20.00")).then(Loan.Waived)
    event = waived.events[0]
    assert (event.actor, event.value_date, event.reason) == (
        "approver.sun",
        date(2026, 2, 16),
        "hardship",
    )
    assert (event.waiver.component, str(event.waiver.amount)) == (Component.FEE, "20.00")
    (result,) = event.change.waivers
    assert result.allocations == (Allocation(1, Component.FEE, D("20.00")),)
    balances = event.change.balances
    assert balances.waived is not None
    assert str(balances.waived.fee) == "20.00"
    assert str(balances.outstanding.fee) == "220.00"
    assert waived.aggregate.installments[1].outstanding.fee == 0


def test_the_loans_own_officer_may_not_waive() -> None:
    refused = given(*disbursed_with()).when(waive("20.00", actor=OFFICER)).raises(Refused)
    assert "maker-checker" in str(refused.error)
    assert refused.events == []


def test_overdue_interest_is_waived_oldest_installment_first() -> None:
    late = followed_by(disbursed_with(), pay("20.00", FIRST_DUE))  # the first fee only
    event = (
        given(*late).when(waive("150.00", "interest", today=date(2026, 3, 16))).then(Loan.Waived)
    ).events[0]
    assert event.change.waivers[0].allocations == (
        Allocation(1, Component.INTEREST, D("120.00")),
        Allocation(2, Component.INTEREST, D("30.00")),
    )


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (waive("20.01"), "amount"),  # more than the fee due
        (waive("5.00", "interest", today=date(2026, 2, 1)), "amount"),  # not yet due
        (waive("5.00", installment=2), "amount"),  # its fee is not due yet
        (waive("5.00", "principal"), "component"),
        (waive("5.00", "charity"), "component"),
        (waive("0"), "amount"),
        (waive("1.001"), "amount"),
        (waive("5.00", installment=13), "installment"),
    ],
)
def test_a_waiver_of_more_than_is_due_or_of_principal_is_refused(command: Any, field: str) -> None:
    refused = given(*disbursed_with()).when(command).raises(InvalidValue)
    assert (refused.error.field, refused.events) == (field, [])
    assert refused.aggregate.waivers == {}


def test_the_refusal_says_how_much_could_be_waived() -> None:
    refused = given(*disbursed_with()).when(waive("25.00")).raises(InvalidValue)
    assert refused.error.reason == "must be at most 20.00, the fee due and unpaid"


def test_a_backdated_payment_that_paid_the_waived_fee_leaves_the_waiver_less_to_do() -> None:
    waived = followed_by(disbursed_with(), waive("20.00"))
    backdated = pay("1086.19", FIRST_DUE, today=date(2026, 2, 17))
    event = given(*waived).when(backdated).then(Loan.RepaymentAllocated).events[0]
    (result,) = event.change.waivers
    assert (result.waiver_id, result.allocations) == ("waiver:1", ())
    fee = event.change.installments[0]
    assert (str(fee.paid.fee), fee.outstanding.fee) == ("20.00", 0)
    balances = event.change.balances
    assert balances.waived is not None
    assert balances.charged is not None
    assert balances.waived.fee == 0
    assert (
        balances.charged.fee == balances.paid.fee + balances.waived.fee + balances.outstanding.fee
    )


def test_a_waiver_lowers_the_payoff_and_the_lower_payoff_closes_the_loan() -> None:
    waived = followed_by(disbursed_with(), waive("20.00", today=FIRST_DUE))
    assert str(given(*waived).aggregate.payoff_amount(FIRST_DUE)) == "12120.00"
    closed = (
        given(*waived).when(pay("12120.00", FIRST_DUE)).then(Loan.RepaymentAllocated, Loan.Closed)
    )
    assert closed.aggregate.status is LoanStatus.CLOSED


# CreditRefunded


def credit_of_300() -> list[Any]:
    """Paid off on the first due date (12,140.00) with 300.00 over."""
    return followed_by(disbursed_with(), pay("12440.00", FIRST_DUE, FIRST))


def test_a_credit_balance_is_refunded() -> None:
    assert given(*credit_of_300()).aggregate.balances.credit == D("300.00")
    event = given(*credit_of_300()).when(refund("100.00")).then(Loan.CreditRefunded).events[0]
    assert (event.refund.id, event.refund.channel, event.refund.reference) == (
        "refund:2",
        "bank",
        "R-1",
    )
    assert (event.value_date, event.actor, str(event.refund.amount)) == (
        date(2026, 2, 20),
        OFFICER,
        "100.00",
    )
    assert (str(event.change.balances.credit), str(event.change.balances.refunded)) == (
        "200.00",
        "100.00",
    )


def test_a_refund_larger_than_the_credit_is_refused() -> None:
    refused = given(*credit_of_300()).when(refund("300.01")).raises(InvalidValue)
    assert (refused.error.field, refused.events) == ("amount", [])
    assert refused.error.reason == "must be at most the credit balance 300.00"


def test_a_second_refund_under_the_same_reference_is_refused() -> None:
    once = followed_by(credit_of_300(), refund("100.00"))
    refused = given(*once).when(refund("50.00")).raises(Conflict)
    assert refused.events == []


def test_a_reversal_that_would_take_back_refunded_credit_is_refused() -> None:
    refunded = followed_by(credit_of_300(), refund("300.00"))
    refused = given(*refunded).when(reverse()).raises(Conflict)
    assert "refund refund:2 of 300.00" in str(refused.error)
    assert refused.events == []
    assert str(refused.aggregate.payments[str(FIRST)].amount) == "12440.00"


def test_a_reversal_that_leaves_the_refund_covered_is_taken() -> None:
    second = UUID("00000000-0000-4000-8000-0000000000f2")
    two_payments = followed_by(
        disbursed_with(),
        pay("200.00", FIRST_DUE, FIRST),
        pay("12440.00", date(2026, 2, 18), second),
    )
    assert str(given(*two_payments).aggregate.balances.credit) == "488.95"
    refunded = followed_by(two_payments, refund("100.00"))
    reversal = given(*refunded).when(reverse()).then(Loan.RepaymentReversed)
    balances = reversal.events[0].change.balances
    assert (str(balances.credit), str(balances.refunded)) == ("188.95", "100.00")
    assert reversal.aggregate.status is LoanStatus.CLOSED


def test_a_write_off_may_not_be_dated_before_a_charge_an_officer_added() -> None:
    charged = followed_by(first_paid(), add_charge())
    refused = (
        given(*charged)
        .when(
            lambda loan: loan.write_off(
                actor="manager.lin", value_date=date(2026, 3, 1), reason="fled", today=MARCH_10
            )
        )
        .raises(InvalidValue)
    )
    assert (refused.error.field, refused.events) == ("value_date", [])
