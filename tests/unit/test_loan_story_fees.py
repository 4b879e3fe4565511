"""A loan on a product with charges, told as stories: the disbursement records the
contract (fees, what was paid out, the APR) under the legal ceiling, and the schedule's
fees fall due with their installments, and go when a payoff, write-off or reschedule
removes the periods they belong to."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.errors import InvalidValue
from domain.ledger import Allocation, Component
from domain.loan import Loan, LoanStatus
from domain.loan.contract import AprAboveCeiling
from domain.schedule.fees import FeeLine
from tests.support.charges import (
    ARRANGEMENT,
    MONTHLY,
    SERVICE,
    charged_terms,
    disbursed_with,
    pay_out,
)
from tests.support.loans import FIRST_DUE, PAID_OUT_ON, amounts, pay, signed, submitted
from tests.support.story import given

D = Decimal
INSTALLMENT_WITH_FEE = D("1086.19")  # 1,066.19 of principal and interest, 20.00 of fee


# Disbursed


def test_the_disbursement_records_the_fees_deducted_what_was_paid_out_and_the_apr() -> None:
    payout = given(*signed(charged_terms())).when(pay_out()).then(Loan.Disbursed)
    event = payout.events[0]
    assert (str(event.fees_deducted), str(event.paid_out)) == ("180.00", "11820.00")
    assert (str(event.apr), str(event.effective_annual_rate)) == ("18.45", "20.09")
    assert event.fees[0] == FeeLine("SERVICE", SERVICE.kind, None, D("180.00"))
    assert [line.installment for line in event.fees[1:]] == list(range(1, 13))
    first = event.schedule.installments[0]
    assert (str(first.fee), str(first.total)) == ("20.00", str(INSTALLMENT_WITH_FEE))
    balances = event.balances
    # The deducted fee is charged and paid at once; the monthly fees are owed.
    assert balances.charged is not None
    assert (str(balances.charged.fee), str(balances.paid.fee)) == ("420.00", "180.00")
    assert str(balances.outstanding.fee) == "240.00"
    assert (payout.aggregate.apr, payout.aggregate.effective_annual_rate) == (
        event.apr,
        event.effective_annual_rate,
    )


def test_a_disbursement_fee_collected_on_the_first_installment_lands_on_it() -> None:
    event = (
        given(*signed(charged_terms(ARRANGEMENT, MONTHLY))).when(pay_out()).then(Loan.Disbursed)
    ).events[0]
    fees = [str(i.fee) for i in event.schedule.installments]
    assert fees == ["120.00"] + ["20.00"] * 11
    assert (str(event.fees_deducted), str(event.paid_out)) == ("0.00", "12000.00")


def test_a_loan_without_charges_has_no_fees_and_its_nominal_rate_as_apr() -> None:
    event = given(*signed()).when(pay_out()).then(Loan.Disbursed).events[0]
    assert (event.fees, str(event.apr), str(event.paid_out)) == ((), "12.00", "12000.00")


def test_a_disbursement_whose_apr_is_above_the_legal_ceiling_is_refused() -> None:
    refused = given(*signed(charged_terms())).when(pay_out(D(18))).raises(AprAboveCeiling)
    assert refused.error.field == "apr"
    assert (str(refused.error.apr), str(refused.error.ceiling)) == ("18.45", "18")
    assert "18.45% (fees included) is above the legal ceiling of 18%" in refused.error.reason
    assert refused.events == []
    assert refused.aggregate.status is LoanStatus.SIGNED


def test_an_approval_above_the_legal_ceiling_is_refused_and_one_within_records_its_apr() -> None:
    over = given(*submitted(charged_terms())).when(
        lambda loan: loan.approve(actor="approver.sun", ceiling_percent=D(18), today=PAID_OUT_ON)
    )
    assert over.raises(AprAboveCeiling).events == []
    lower = given(*submitted(charged_terms())).when(
        lambda loan: loan.approve(
            actor="approver.sun",
            annual_rate_percent=D(6),
            ceiling_percent=D(18),
            today=PAID_OUT_ON,
        )
    )
    approved = lower.then(Loan.Approved).events[0]
    assert str(approved.apr) == "12.47"


def test_deducted_fees_that_leave_the_borrower_nothing_are_refused() -> None:
    everything = SERVICE.model_copy(update={"percent": D(100)})
    refused = given(*signed(charged_terms(everything))).when(pay_out(None)).raises(InvalidValue)
    assert refused.error.field == "principal"


# The schedule's fees in the books


def test_an_installment_paid_on_its_due_date_pays_its_fee_first() -> None:
    event = (
        given(*disbursed_with())
        .when(pay(INSTALLMENT_WITH_FEE, FIRST_DUE))
        .then(Loan.RepaymentAllocated)
    ).events[0]
    assert event.change.results[0].allocations == (
        Allocation(1, Component.FEE, D("20.00")),
        Allocation(1, Component.INTEREST, D("120.00")),
        Allocation(1, Component.PRINCIPAL, D("946.19")),
    )
    assert str(event.change.balances.outstanding.fee) == "220.00"


def test_a_payoff_owes_the_fees_due_and_none_of_the_periods_not_yet_run() -> None:
    loan = given(*disbursed_with()).aggregate
    assert str(loan.payoff_amount(date(2026, 2, 1))) == "12064.00"  # 16 days' interest, no fee
    assert str(loan.payoff_amount(FIRST_DUE)) == "12140.00"  # the first month's fee is due
    closed = given(*disbursed_with()).when(pay("12140.00", FIRST_DUE))
    outcome = closed.then(Loan.RepaymentAllocated, Loan.Closed)
    balances = outcome.aggregate.balances
    assert (balances.outstanding.total, balances.credit) == (0, 0)
    assert balances.charged is not None
    assert str(balances.charged.fee) == "200.00"


def test_a_write_off_owes_the_fees_due_by_then_and_drops_the_rest() -> None:
    written_off = given(*disbursed_with()).when(
        lambda loan: loan.write_off(
            actor="manager.lin",
            value_date=date(2026, 4, 20),
            reason="fled",
            today=date(2026, 4, 20),
        )
    )
    event = written_off.then(Loan.WrittenOff).events[0]
    assert str(event.amounts.fee) == "60.00"  # February, March and April


def test_a_reschedule_puts_the_monthly_fee_on_the_new_installments() -> None:
    rescheduled = given(*disbursed_with()).when(
        lambda loan: loan.reschedule(
            actor="manager.lin",
            from_date=date(2026, 3, 1),
            reason="harvest failed",
            today=date(2026, 3, 1),
            new_term=18,
        )
    )
    event = rescheduled.then(Loan.Rescheduled).events[0]
    assert [str(i.fee) for i in event.schedule.installments] == ["20.00"] * 19
    assert amounts(event.change.balances.outstanding)["fee"] == "380.00"
