"""A loan from application to payout, told as stories: given what the loan recorded,
when a command, then the events it records, or the refusal and nothing recorded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidTransition, InvalidValue
from domain.loan import Loan, LoanStatus
from tests.support.loans import (
    FIRST_DUE,
    PAID_OUT_ON,
    SIGNED_ON,
    Past,
    amounts,
    application,
    approved,
    disbursed,
    paid_out,
    rejected,
    signed,
    submitted,
    withdrawn,
)
from tests.support.story import followed_by, given

D = Decimal


# ApplicationSubmitted


def test_an_application_is_submitted_with_the_figures_asked_for() -> None:
    asked = application()
    story = given().when(lambda _: Loan.submit(actor="officer.zhang", application=asked))
    submitted_ = story.then(Loan.ApplicationSubmitted)
    event = submitted_.events[0]
    assert event.actor == "officer.zhang"
    assert str(event.application.principal) == "12000.00"
    assert (event.application.term, event.application.annual_rate_percent) == (12, D(12))
    assert event.application.product.max_principal == D(50000)
    loan = submitted_.aggregate
    assert loan.status is LoanStatus.SUBMITTED
    assert (loan.principal, loan.term, loan.books) == (D("12000.00"), 12, None)


def test_an_application_without_a_purpose_is_refused() -> None:
    blank = application(purpose="  ")
    refused = (
        given()
        .when(lambda _: Loan.submit(actor="officer.zhang", application=blank))
        .raises(InvalidValue)
    )
    assert refused.error.field == "purpose"
    assert refused.events == []


# Approved


def test_an_approval_records_the_figures_it_sets() -> None:
    approval = (
        given(*submitted())
        .when(lambda loan: loan.approve(actor="approver.sun", principal=D(9000), note="ok"))
        .then(Loan.Approved)
    )
    event = approval.events[0]
    assert (event.actor, event.note) == ("approver.sun", "ok")
    assert str(event.principal) == "9000.00"
    assert (event.annual_rate_percent, event.term) == (D(12), 12)
    assert approval.aggregate.status is LoanStatus.APPROVED


def test_an_approval_may_not_raise_the_principal() -> None:
    refused = (
        given(*submitted())
        .when(lambda loan: loan.approve(actor="approver.sun", principal=D("12000.01")))
        .raises(InvalidValue)
    )
    assert (refused.error.field, refused.events) == ("principal", [])


@pytest.mark.parametrize("past", [approved, rejected, withdrawn, disbursed])
def test_only_a_submitted_loan_is_approved(past: Past) -> None:
    refused = (
        given(*past())
        .when(lambda loan: loan.approve(actor="approver.sun"))
        .raises(InvalidTransition)
    )
    assert refused.error.action == "approve"
    assert refused.events == []


# Rejected


def test_a_rejection_records_its_reason_trimmed() -> None:
    rejection = (
        given(*submitted())
        .when(lambda loan: loan.reject(actor="approver.sun", reason="  debt too high "))
        .then(Loan.Rejected)
    )
    assert rejection.events[0].reason == "debt too high"
    assert rejection.aggregate.status is LoanStatus.REJECTED


def test_a_rejection_needs_a_reason() -> None:
    refused = (
        given(*submitted())
        .when(lambda loan: loan.reject(actor="approver.sun", reason=" "))
        .raises(InvalidValue)
    )
    assert (refused.error.field, refused.events) == ("reason", [])
    assert refused.aggregate.status is LoanStatus.SUBMITTED


def test_an_approved_loan_is_not_rejected() -> None:
    refused = (
        given(*approved())
        .when(lambda loan: loan.reject(actor="approver.sun", reason="second thoughts"))
        .raises(InvalidTransition)
    )
    assert refused.events == []
    assert refused.aggregate.status is LoanStatus.APPROVED


# Withdrawn


@pytest.mark.parametrize("past", [submitted, approved, signed])
def test_a_loan_not_yet_paid_out_may_be_withdrawn(past: Past) -> None:
    withdrawal = (
        given(*past())
        .when(lambda loan: loan.withdraw(actor="officer.zhang", reason="found cheaper credit"))
        .then(Loan.Withdrawn)
    )
    assert withdrawal.events[0].reason == "found cheaper credit"
    assert withdrawal.aggregate.status is LoanStatus.WITHDRAWN


@pytest.mark.parametrize("past", [rejected, withdrawn, disbursed])
def test_a_rejected_withdrawn_or_paid_out_loan_is_not_withdrawn(past: Past) -> None:
    refused = (
        given(*past())
        .when(lambda loan: loan.withdraw(actor="officer.zhang"))
        .raises(InvalidTransition)
    )
    assert (refused.error.action, refused.events) == ("withdraw", [])


# ContractSigned


def test_an_approved_loan_is_signed_on_a_date() -> None:
    signing = (
        given(*approved())
        .when(lambda loan: loan.sign(actor="officer.zhang", signed_on=SIGNED_ON))
        .then(Loan.ContractSigned)
    )
    assert signing.events[0].signed_on == SIGNED_ON
    assert signing.aggregate.status is LoanStatus.SIGNED


@pytest.mark.parametrize("past", [submitted, signed, rejected])
def test_only_an_approved_loan_is_signed(past: Past) -> None:
    refused = (
        given(*past())
        .when(lambda loan: loan.sign(actor="officer.zhang", signed_on=SIGNED_ON))
        .raises(InvalidTransition)
    )
    assert (refused.error.action, refused.events) == ("sign", [])


# Disbursed


def test_a_payout_opens_the_books_on_its_value_date() -> None:
    payout = (
        given(*signed())
        .when(lambda loan: loan.disburse(actor="teller.li", disbursement=paid_out(PAID_OUT_ON)))
        .then(Loan.Disbursed)
    )
    event = payout.events[0]
    assert event.value_date == PAID_OUT_ON
    assert (event.disbursement.account, event.disbursement.reference) == ("6222 0000 1111", "D-1")
    assert str(event.terms.principal) == "12000.00"
    first, *_, last = event.schedule.installments
    assert (first.due_date, str(first.interest), str(first.total)) == (
        FIRST_DUE,
        "120.00",
        "1066.19",
    )
    assert (len(event.schedule.installments), last.due_date) == (12, date(2027, 1, 15))
    assert str(last.total) == "1066.14"  # the rounding left over falls on the last
    owed = {"penalty": "0.00", "fee": "0.00", "interest": "794.23", "principal": "12000.00"}
    assert amounts(event.balances.outstanding) == owed
    assert event.balances.next_due_date == FIRST_DUE
    assert payout.aggregate.status is LoanStatus.ACTIVE


def test_a_payout_lowered_at_approval_pays_out_the_approved_principal() -> None:
    lowered = followed_by(
        submitted(),
        lambda loan: loan.approve(actor="approver.sun", principal=D(6000), term=6),
        lambda loan: loan.sign(actor="officer.zhang", signed_on=SIGNED_ON),
    )
    event = (
        given(*lowered)
        .when(lambda loan: loan.disburse(actor="teller.li", disbursement=paid_out(PAID_OUT_ON)))
        .then(Loan.Disbursed)
        .events[0]
    )
    assert (str(event.terms.principal), len(event.schedule.installments)) == ("6000.00", 6)
    assert sum(i.principal for i in event.schedule.installments) == D("6000.00")


def test_a_payout_is_not_valued_before_the_signing() -> None:
    day_before = date(2026, 1, 9)
    refused = (
        given(*signed())
        .when(lambda loan: loan.disburse(actor="teller.li", disbursement=paid_out(day_before)))
        .raises(InvalidValue)
    )
    assert (refused.error.field, refused.events) == ("value_date", [])
    assert refused.aggregate.status is LoanStatus.SIGNED


@pytest.mark.parametrize("past", [approved, rejected, disbursed])
def test_only_a_signed_loan_is_paid_out(past: Past) -> None:
    refused = (
        given(*past())
        .when(lambda loan: loan.disburse(actor="teller.li", disbursement=paid_out(PAID_OUT_ON)))
        .raises(InvalidTransition)
    )
    assert (refused.error.action, refused.events) == ("disburse", [])
