"""Erasing a borrower, told as stories: one admin asks, another approves, and only once
every loan is finished and the retention period after the last has passed."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.borrower import Borrower
from domain.erasure import ERASED, ErasurePolicy, LoanEnd, retained_until
from domain.errors import InvalidTransition, InvalidValue, Refused
from tests.support.story import followed_by, given
from tests.unit.test_borrower_story import registered

LOAN = UUID("00000000-0000-4000-8000-00000000e001")
CLOSED = LoanEnd(loan_id=LOAN, status="closed", last_activity=date(2026, 2, 28))
FIVE_YEARS = ErasurePolicy()


def erase(actor: str, on: date, *loans: LoanEnd, reason: str = "the borrower asked") -> Any:
    return lambda borrower: borrower.erase(
        actor=actor, reason=reason, on=on, loans=list(loans), policy=FIVE_YEARS
    )


def requested(*loans: LoanEnd) -> list[Any]:
    return followed_by(registered(), erase("admin.wu", date(2031, 3, 1), *loans))


def test_the_retention_period_runs_five_years_from_the_last_loan_by_default() -> None:
    later = LoanEnd(loan_id=LOAN, status="written_off", last_activity=date(2027, 6, 30))
    assert retained_until([CLOSED, later], FIVE_YEARS) == date(2032, 6, 30)
    assert retained_until([], FIVE_YEARS) is None
    leap = LoanEnd(loan_id=LOAN, status="closed", last_activity=date(2028, 2, 29))
    assert retained_until([leap], ErasurePolicy(retention_years=1)) == date(2029, 2, 28)


def test_one_admin_asks_and_nothing_is_erased_yet() -> None:
    outcome = given(*registered()).when(erase("admin.wu", date(2031, 2, 28), CLOSED))
    borrower = outcome.then(Borrower.ErasureRequested).aggregate
    assert borrower.profile.name == "Wang Fang"
    assert not borrower.is_erased


def test_a_second_admin_approves_and_the_personal_fields_read_as_erased() -> None:
    outcome = given(*requested(CLOSED)).when(erase("admin.li", date(2031, 3, 2), CLOSED))
    done = outcome.then(Borrower.Erased)
    event = done.events[0]
    assert (event.requested_by, event.retained_until, event.loan_ids) == (
        "admin.wu", date(2031, 2, 28), (LOAN,),
    )  # fmt: skip
    borrower = done.aggregate
    assert (borrower.profile.name, borrower.profile.phone, borrower.profile.address) == (
        ERASED, ERASED, ERASED,
    )  # fmt: skip
    assert (borrower.id_number, borrower.birth_date) == (ERASED, None)
    assert borrower.profile.region == "Hubei"
    assert borrower.is_erased


def test_the_admin_who_asked_cannot_approve() -> None:
    given(*requested()).when(erase("admin.wu", date(2031, 3, 2))).raises(Refused)


@pytest.mark.parametrize("status", ["submitted", "approved", "signed", "active"])
def test_an_unfinished_loan_refuses_erasure(status: str) -> None:
    open_loan = LoanEnd(loan_id=LOAN, status=status, last_activity=date(2026, 1, 31))
    refusal = given(*registered()).when(erase("admin.wu", date(2040, 1, 1), open_loan))
    assert status in str(refusal.raises(InvalidTransition).error)


def test_erasure_is_refused_within_the_retention_period_even_on_approval() -> None:
    refusal = given(*requested()).when(erase("admin.li", date(2031, 2, 27), CLOSED))
    assert "2031-02-28" in str(refusal.raises(InvalidTransition).error)


def test_an_erased_borrower_is_neither_erased_again_nor_updated() -> None:
    erased = followed_by(requested(), erase("admin.li", date(2031, 3, 2)))
    given(*erased).when(erase("admin.wu", date(2031, 3, 3))).raises(InvalidTransition)
    update = lambda b: b.update(actor="officer.zhang", changes={"name": "Wang"})  # noqa: E731
    given(*erased).when(update).raises(InvalidTransition)
    apply = lambda b: b.record_application(actor="intake", loan_id=LOAN, on=date(2031, 3, 3))  # noqa: E731
    given(*erased).when(apply).raises(InvalidTransition)


def test_a_reason_is_needed() -> None:
    given(*registered()).when(erase("admin.wu", date(2031, 3, 2), reason=" ")).raises(InvalidValue)
