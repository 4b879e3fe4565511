"""The journal posted from a loan's events: payments, re-allocations, reversals, write-offs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from application.loans import WriteOff, write_off
from application.repayments import (
    ReceiveRepayment,
    ReverseRepayment,
    receive_repayment,
    reverse_repayment,
)
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.books import (
    caught_up,
    close_through,
    define,
    differences,
    dump,
    entries,
    open_loan,
    trial_balance,
    unbalanced_entries,
)
from tests.support.settings import opened_on

D = Decimal
PAID_OUT = date(2026, 1, 15)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return opened_on(db_url, tmp_path, date(2026, 1, 15))


@pytest.fixture
def books(runtime: Runtime) -> Runtime:
    define(runtime)
    runtime.projections.start()
    return runtime


def pay(runtime: Runtime, loan: object, amount: str, on: date, ref: str) -> object:
    command = ReceiveRepayment("collector", loan, D(amount), on, "bank", ref)  # type: ignore[arg-type]
    return receive_repayment(runtime.app, command).id


def test_a_payment_and_a_backdated_one_post_reversing_and_new_entries(
    books: Runtime, db_url: str
) -> None:
    loan = open_loan(books, PAID_OUT)
    close_through(books, date(2026, 2, 20))
    late = pay(books, loan, "1066.19", date(2026, 2, 20), "P-LATE")
    # An earlier payment, recorded after: the later one is allocated again.
    pay(books, loan, "500.00", date(2026, 2, 10), "P-EARLY")
    caught_up(books)
    posted = entries(db_url, loan)
    kinds = [kind for kind, *_ in posted]
    assert kinds[0] == "disbursement"
    assert posted[0][3] == [("130101", "12000.00", "0.00"), ("1002", "0.00", "12000.00")]
    assert "reversal" in kinds
    assert unbalanced_entries(db_url) == []
    assert differences(books, date(2026, 2, 20)) == []
    reverse_repayment(books.app, ReverseRepayment("officer", late, "bounced"))  # type: ignore[arg-type]
    assert differences(books, date(2026, 2, 20)) == []
    assert sum(trial_balance(db_url, date(2026, 2, 20)).values()) == 0


def test_a_write_off_uses_the_reserve_and_a_recovery_is_income(books: Runtime, db_url: str) -> None:
    loan = open_loan(books, PAID_OUT)
    close_through(books, date(2026, 3, 31))
    write_off(books.app, WriteOff("approver", loan, date(2026, 3, 31), "absconded"))
    close_through(books, date(2026, 4, 1))
    pay(books, loan, "200.00", date(2026, 4, 1), "RECOVERY")
    caught_up(books)
    balances = trial_balance(db_url, date(2026, 4, 1))
    assert not [code for code in balances if code.startswith("1301")]
    assert [kind for kind, *_ in entries(db_url, loan)][-2:] == ["write_off", "recovery"]
    assert balances["6301"] == D("-200.00")
    assert differences(books, date(2026, 4, 1)) == []


def test_a_rebuild_equals_the_journal_followed_live(books: Runtime, db_url: str) -> None:
    loan = open_loan(books, PAID_OUT)
    close_through(books, date(2026, 4, 30))
    pay(books, loan, "1066.19", date(2026, 2, 15), "P1")
    pay(books, loan, "2000.00", date(2026, 4, 1), "P2")
    caught_up(books)
    live = dump(db_url)
    books.projections.rebuild("journal")
    assert dump(db_url) == live
