"""A loan in trouble, told as stories: close of business charges late fees and penalty
and records delinquency; a loan is rescheduled or written off, or refuses to be."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.arrears import Bucket, Classification
from domain.errors import InvalidTransition, InvalidValue
from domain.ledger import Component
from domain.loan import Loan, LoanStatus
from tests.support.loans import (
    FIRST_DUE,
    INSTALLMENT,
    Past,
    amounts,
    approved,
    disbursed,
    micro_terms,
    pay,
    rejected,
    signed,
    submitted,
)
from tests.support.story import followed_by, given

D = Decimal
LATE_FEE = micro_terms(late_fee=D("50.00"), grace_days=3)  # charged after 3 days unpaid
JUNE = date(2026, 6, 1)


def close_day(on: date) -> Any:
    return lambda loan: loan.close_day(actor="system", on=on)


def review(on: date) -> Any:
    return lambda loan: loan.review_delinquency(actor="system", on=on)


def write_off(on: date = JUNE, reason: str = "borrower absconded") -> Any:
    return lambda loan: loan.write_off(actor="manager.lin", value_date=on, reason=reason, today=on)


def reschedule(from_date: date = date(2026, 3, 1), **changes: Any) -> Any:
    return lambda loan: loan.reschedule(
        actor="manager.lin", from_date=from_date, reason="harvest failed", today=from_date,
        **changes,
    )  # fmt: skip


def paid_off() -> list[Any]:
    return followed_by(disbursed(), pay("12120.00", FIRST_DUE))


def written_off() -> list[Any]:
    return followed_by(disbursed(), write_off())


def late_a_day() -> list[Any]:
    """The first installment unpaid: close of business on 16 February found it late."""
    return followed_by(disbursed(), close_day(date(2026, 2, 16)))


# ChargesRecorded


def test_a_late_fee_falls_due_the_day_after_the_grace_days() -> None:
    late = (
        given(*disbursed(LATE_FEE))
        .when(close_day(date(2026, 2, 19)))
        .then(Loan.ChargesRecorded, Loan.DelinquencyChanged)
    )
    charges = late.events[0]
    assert charges.value_date == date(2026, 2, 19)
    (fee,) = charges.change.charged
    assert (fee.id, fee.component, fee.installment) == ("late-fee:1", Component.FEE, 1)
    assert (str(fee.amount), fee.value_date) == ("50.00", date(2026, 2, 19))
    assert str(charges.change.balances.outstanding.fee) == "50.00"
    assert late.aggregate.charges == {"late-fee:1": fee}


def test_within_the_grace_days_no_fee_is_charged() -> None:
    given(*late_a_day()).when(close_day(date(2026, 2, 18))).then()


def test_penalty_interest_is_charged_at_the_month_end() -> None:
    month_end = given(*late_a_day()).when(close_day(date(2026, 2, 28))).then(Loan.ChargesRecorded)
    (penalty,) = month_end.events[0].change.charged
    assert (penalty.id, penalty.component) == ("penalty:1:2026-02-28", Component.PENALTY)
    assert str(penalty.amount) == "0.02"  # 0.05% a year on 946.19 for 13 days


def test_a_backdated_payment_takes_back_the_late_fee_it_shows_was_not_due() -> None:
    charged = followed_by(disbursed(LATE_FEE), close_day(date(2026, 2, 19)))
    backdated = pay(INSTALLMENT, FIRST_DUE, today=date(2026, 2, 20))
    payment = given(*charged).when(backdated).then(Loan.RepaymentAllocated)
    change = payment.events[0].change
    assert [charge.id for charge in change.uncharged] == ["late-fee:1"]
    assert str(change.balances.outstanding.fee) == "0.00"
    assert payment.aggregate.charges == {}


@pytest.mark.parametrize("past", [submitted, approved, signed, rejected, paid_off])
def test_close_of_business_charges_only_an_active_loan(past: Past) -> None:
    given(*past()).when(close_day(date(2026, 3, 31))).then()


def test_a_quiet_day_records_nothing() -> None:
    given(*disbursed()).when(close_day(date(2026, 2, 10))).then()


# DelinquencyChanged


def test_the_first_day_late_moves_the_loan_out_of_current() -> None:
    event = given(*disbursed()).when(close_day(date(2026, 2, 16))).then(Loan.DelinquencyChanged)
    found = event.events[0].delinquency
    assert (found.since, found.days_past_due) == (date(2026, 2, 16), 1)
    assert (found.bucket, found.classification) == (Bucket.DPD_1_30, Classification.SPECIAL_MENTION)


def test_another_day_in_the_same_bucket_records_nothing() -> None:
    given(*late_a_day()).when(close_day(date(2026, 2, 17))).then()


def test_thirty_one_days_late_is_the_next_bucket() -> None:
    later = (
        given(*late_a_day())
        .when(close_day(date(2026, 3, 18)))
        .then(Loan.ChargesRecorded, Loan.DelinquencyChanged)
    )
    found = later.events[1].delinquency
    assert (found.days_past_due, found.bucket) == (31, Bucket.DPD_31_60)


def test_paying_the_arrears_brings_the_loan_back_to_current() -> None:
    caught_up = followed_by(late_a_day(), pay(INSTALLMENT, date(2026, 2, 17)))
    found = (
        given(*caught_up)
        .when(review(date(2026, 2, 17)))
        .then(Loan.DelinquencyChanged)
        .events[0]
        .delinquency
    )
    assert (found.days_past_due, found.bucket) == (0, Bucket.CURRENT)
    assert found.classification is Classification.NORMAL


@pytest.mark.parametrize("past", [submitted, rejected])
def test_a_loan_never_paid_out_has_no_delinquency(past: Past) -> None:
    assert given(*past()).when(review(date(2027, 1, 1))).then().aggregate.delinquency is None


# WrittenOff


def test_a_write_off_moves_everything_owed_off_the_books() -> None:
    written_off = given(*disbursed()).when(write_off()).then(Loan.WrittenOff)
    event = written_off.events[0]
    assert (event.value_date, event.reason) == (JUNE, "borrower absconded")
    # Four installments due, interest to 1 June on the fifth, and the penalty on them.
    owed = {"penalty": "0.32", "fee": "0.00", "interest": "466.36", "principal": "12000.00"}
    assert amounts(event.amounts) == owed
    assert event.change.balances.outstanding.total == 0
    assert event.change.balances.written_off == event.amounts
    assert written_off.aggregate.status is LoanStatus.WRITTEN_OFF


def test_a_write_off_needs_a_reason() -> None:
    refused = given(*disbursed()).when(write_off(reason="  ")).raises(InvalidValue)
    assert (refused.error.field, refused.events) == ("reason", [])


def test_a_write_off_is_not_dated_before_the_payout() -> None:
    refused = given(*disbursed()).when(write_off(on=date(2026, 1, 14))).raises(InvalidValue)
    assert (refused.error.field, refused.events) == ("value_date", [])
    assert refused.aggregate.status is LoanStatus.ACTIVE


@pytest.mark.parametrize("past", [submitted, rejected, paid_off])
def test_only_an_active_loan_is_written_off(past: Past) -> None:
    refused = given(*past()).when(write_off()).raises(InvalidTransition)
    assert (refused.error.action, refused.events) == ("write off", [])


def test_a_written_off_loan_is_not_written_off_again() -> None:
    refused = given(*written_off()).when(write_off()).raises(InvalidTransition)
    assert refused.events == []


# Rescheduled


def test_a_reschedule_spreads_the_unscheduled_principal_over_the_new_term() -> None:
    rescheduled = given(*disbursed()).when(reschedule(new_term=24)).then(Loan.Rescheduled)
    event = rescheduled.events[0]
    assert (event.value_date, event.reason) == (date(2026, 3, 1), "harvest failed")
    kept, first_new, *_, last = event.schedule.installments
    assert (kept.due_date, kept.total) == (FIRST_DUE, INSTALLMENT)  # due before: kept
    assert (first_new.number, first_new.due_date) == (2, date(2026, 3, 15))
    assert (str(first_new.principal), str(first_new.total)) == ("409.80", "520.34")
    assert (last.number, last.due_date, str(last.balance_after)) == (25, date(2028, 2, 15), "0.00")
    assert sum(i.principal for i in event.schedule.installments) == D("12000.00")
    assert (event.terms.term, str(event.terms.principal)) == (25, "12000.00")
    assert str(event.change.balances.outstanding.interest) == "1554.37"


def test_a_reschedule_at_a_new_rate_changes_the_loans_rate() -> None:
    rescheduled = given(*disbursed()).when(reschedule(new_rate_percent=D(6))).then(Loan.Rescheduled)
    event = rescheduled.events[0]
    assert (event.terms.annual_rate_percent, event.terms.term) == (D(6), 12)
    assert rescheduled.aggregate.annual_rate_percent == D(6)
    assert str(event.schedule.installments[1].interest) == "55.27"  # half of 110.54


@pytest.mark.parametrize(
    ("from_date", "changes", "field"),
    [
        (date(2026, 3, 1), {}, "new_term"),
        (date(2026, 3, 1), {"new_term": 0}, "new_term"),
        (date(2027, 1, 15), {"new_term": 6}, "from_date"),
    ],
)
def test_a_reschedule_without_a_new_term_or_rate_or_tail_is_refused(
    from_date: date, changes: dict[str, Any], field: str
) -> None:
    refused = given(*disbursed()).when(reschedule(from_date, **changes)).raises(InvalidValue)
    assert (refused.error.field, refused.events) == (field, [])


@pytest.mark.parametrize("past", [signed, paid_off, written_off])
def test_only_an_active_loan_is_rescheduled(past: Past) -> None:
    refused = given(*past()).when(reschedule(new_term=24)).raises(InvalidTransition)
    assert (refused.error.action, refused.events) == ("reschedule", [])
