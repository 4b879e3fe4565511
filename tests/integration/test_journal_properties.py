"""The journal's invariants over any history: loans paid out (a service fee deducted
from the payout, a monthly fee on every installment), payments in any value-date order,
reversals, charges officers add, waivers of fee, penalty and interest, credit refunds,
write-offs, recoveries, and close of business across month ends.

After every step: each entry balances, the trial balance is zero, each office's trial
balance (the loans open in turn in a sub-branch, a branch, before offices, and another
branch) is zero and they add up to the book's, and the journal agrees with the loan
books on the business date. After the history: the journal agrees with the loan books
as of every date the history passed through, and a rebuild of the journal equals what
was followed live, row for row (each entry's office too).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from application.calendar import business_date
from application.charging import AddCharge, RefundCredit, Waive, add_charge, refund_credit, waive
from application.loans import WriteOff, write_off
from application.offices import OpenOffice, head_office, open_office
from application.repayments import (
    ReceiveRepayment,
    ReverseRepayment,
    receive_repayment,
    reverse_repayment,
)
from domain.accounting import Basis
from domain.accounting.rules import AccountingRule
from domain.errors import DomainError
from domain.office import HEAD_OFFICE_ID
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.books import (
    caught_up,
    close_through,
    define,
    differences,
    dump,
    fetch,
    office_trial_balances,
    open_loan,
    trial_balance,
    unbalanced_entries,
)
from tests.support.charges import MONTHLY, SERVICE, VISIT
from tests.support.settings import opened_on

step = st.one_of(
    st.tuples(st.just("advance"), st.integers(1, 45)),
    st.tuples(st.just("pay"), st.integers(1, 300_000).map(lambda c: Decimal(c) / 100),
              st.integers(0, 60), st.integers(0, 3)),
    st.tuples(st.just("pay"), st.integers(1, 300_000).map(lambda c: Decimal(c) / 100),
              st.integers(0, 60), st.integers(0, 3)),
    st.tuples(st.just("pay"), st.integers(1_000_000, 2_000_000).map(lambda c: Decimal(c) / 100),
              st.integers(0, 60), st.integers(0, 3)),  # pays off, leaving credit to refund
    st.tuples(st.just("reverse"), st.integers(0, 20)),
    st.tuples(st.just("write_off"), st.integers(0, 30), st.integers(0, 3)),
    st.tuples(st.just("loan"), st.sampled_from(["ACCRUAL", "CASH"])),
)  # fmt: skip
histories = st.lists(step, min_size=1, max_size=10)
# Histories about what officers add and forgive: they start a month and more into the
# first loan, its first installment overdue (interest, a late fee and penalty owed), and
# an officer's collection visit charged.
waiver = st.tuples(st.just("waive"), st.sampled_from(["fee", "penalty", "interest"]),
                   st.integers(1, 6_000), st.integers(0, 3))  # fmt: skip
refund = st.tuples(st.just("refund"), st.integers(1, 100_000), st.integers(0, 3))
money_step = st.one_of(
    st.tuples(st.just("charge"), st.integers(1, 12), st.integers(1, 20_000), st.integers(0, 3)),
    waiver, waiver, waiver, refund, refund,
    st.tuples(st.just("pay"), st.just(Decimal("20000.00")), st.integers(0, 10), st.integers(0, 3)),
    *step.branches,
)  # fmt: skip
money_histories = st.lists(money_step, min_size=1, max_size=8).map(
    lambda steps: [("advance", 40), ("charge", 2, 5_000, 0), *steps]
)
D = Decimal
cents = D("0.01")


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return opened_on(db_url, tmp_path, date(2026, 1, 10))


@pytest.fixture
def books(runtime: Runtime) -> Runtime:
    charges = (SERVICE, MONTHLY, VISIT)
    define(runtime, "ACCRUAL", charges=charges)
    define(runtime, "CASH", charges=charges, accounting=AccountingRule(basis=Basis.CASH))
    app = runtime.app
    head_office(app, "admin.wu")
    branch = open_office(app, OpenOffice("admin.wu", "Branch A", HEAD_OFFICE_ID)).id
    open_office(app, OpenOffice("admin.wu", "Sub-branch A1", branch))
    open_office(app, OpenOffice("admin.wu", "Branch B", HEAD_OFFICE_ID))
    runtime.projections.start()
    caught_up(runtime)
    return runtime


def branches(db_url: str) -> list[UUID | None]:
    """The offices loans open in, in turn: A1, A, none (before offices), B."""
    a, a1, b = [row["id"] for row in fetch(
        db_url, "SELECT id FROM offices WHERE parent_id IS NOT NULL ORDER BY position"
    )]  # fmt: skip
    return [a1, a, None, b]


def play(runtime: Runtime, db_url: str, history: list[tuple[Any, ...]]) -> list[date]:
    """Play the history, checking after each step; the business dates it passed."""
    app = runtime.app
    today = business_date(app)
    days = [today]
    offices = branches(db_url)
    first = open_loan(runtime, today, code="ACCRUAL", office=offices[0])
    loans: list[tuple[UUID, date]] = [(first, today)]
    paid: list[UUID] = []
    for n, action in enumerate(history):
        today = business_date(app)
        try:
            if action[0] == "advance":
                close_through(runtime, today + timedelta(days=action[1]))
            elif action[0] == "loan":
                office = offices[len(loans) % len(offices)]
                loans.append((open_loan(runtime, today, code=action[1], office=office), today))
            elif action[0] == "pay":
                loan, opened = loans[action[3] % len(loans)]
                on = max(opened, today - timedelta(days=action[2]))
                command = ReceiveRepayment("collector", loan, action[1], on, "bank", f"{loan}-{n}")
                paid.append(receive_repayment(app, command).id)
            elif action[0] == "reverse" and paid:
                bounced = paid.pop(action[1] % len(paid))
                reverse_repayment(app, ReverseRepayment("officer", bounced, "bounced"))
            elif action[0] == "write_off":
                loan, opened = loans[action[2] % len(loans)]
                on = max(opened, today - timedelta(days=action[1]))
                write_off(app, WriteOff("approver", loan, on, "lost"))
            elif action[0] == "charge":
                loan, _ = loans[action[3] % len(loans)]
                amount = Decimal(action[2]) * cents
                add_charge(app, AddCharge("officer", loan, "VISIT", action[1], "visit", amount))
            elif action[0] == "waive":
                loan, _ = loans[action[3] % len(loans)]
                amount = Decimal(action[2]) * cents
                waive(app, Waive("approver", loan, action[1], amount, "hardship"))
            elif action[0] == "refund":
                loan, _ = loans[action[2] % len(loans)]
                amount = Decimal(action[1]) * cents
                refund_credit(app, RefundCredit("officer", loan, amount, "bank", f"r-{n}"))
        except DomainError:
            continue  # refused (nothing recorded): the history goes on
        check(runtime, db_url)
        days.append(business_date(app))
    return days


def check(runtime: Runtime, db_url: str) -> None:
    today = business_date(runtime.app)
    caught_up(runtime)
    assert unbalanced_entries(db_url) == []
    book = trial_balance(db_url, today)
    assert sum(book.values()) == 0
    summed: dict[str, Decimal] = {}
    for office, balances in office_trial_balances(db_url, today).items():
        assert sum(balances.values()) == 0, office
        for account, balance in balances.items():
            summed[account] = summed.get(account, D(0)) + balance
    assert {account: b for account, b in summed.items() if b} == book
    assert [str(d) for d in differences(runtime, today)] == []


def replayed(books: Runtime, db_url: str, history: list[tuple[Any, ...]]) -> None:
    """Play the history; then the journal agrees with the loan books as of every day it
    passed, and a rebuild equals the journal followed live."""
    days = play(books, db_url, history)
    caught_up(books)
    for day in sorted(set(days)):
        assert [str(d) for d in differences(books, day)] == [], day
    live = dump(db_url)
    books.projections.rebuild("journal")
    assert dump(db_url) == live


# Each example closes every day its history spans (up to 450): ten examples, all in one
# store that grows from one to the next, and the explicit examples for the bugs found.
@pytest.mark.timeout(600)  # close of business runs for every day the histories span
@examples(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=histories)
# A write-off recorded after a month end, dated before it: the accrual posted at the month
# end is taken back on its own date, so every day between still reconciles.
@example(history=[("advance", 18), ("advance", 6), ("write_off", 7, 0), ("advance", 1)])
def test_any_history_keeps_the_journal_balanced_and_reconciled(
    books: Runtime, db_url: str, history: list[tuple[Any, ...]]
) -> None:
    replayed(books, db_url, history)


@pytest.mark.timeout(600)
@examples(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=money_histories)
@example(history=[
    ("advance", 40), ("charge", 2, 5_000, 0), ("waive", "fee", 3_000, 0),
    ("waive", "interest", 5_000, 0), ("pay", D("500.00"), 20, 0), ("reverse", 0),
    ("advance", 30), ("waive", "penalty", 1, 0), ("waive", "fee", 2_000, 0),
    ("pay", D("20000.00"), 0, 0), ("refund", 10_000, 0), ("advance", 20),
])  # fmt: skip
def test_charges_waivers_and_refunds_keep_the_journal_balanced_and_reconciled(
    books: Runtime, db_url: str, history: list[tuple[Any, ...]]
) -> None:
    replayed(books, db_url, history)
