"""The journal's invariants over any history: loans paid out, payments in any value-date
order, reversals, write-offs, recoveries, and close of business across month ends.

After every step: each entry balances, the trial balance is zero, and the journal agrees
with the loan books on the business date. After the history: a rebuild of the journal
equals what was followed live, row for row.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from application.calendar import business_date
from application.loans import WriteOff, write_off
from application.repayments import (
    ReceiveRepayment,
    ReverseRepayment,
    receive_repayment,
    reverse_repayment,
)
from domain.accounting import Basis
from domain.accounting.rules import AccountingRule
from domain.errors import DomainError
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.books import (
    caught_up,
    close_through,
    define,
    differences,
    dump,
    open_loan,
    trial_balance,
    unbalanced_entries,
)
from tests.support.settings import opened_on

step = st.one_of(
    st.tuples(st.just("advance"), st.integers(1, 45)),
    st.tuples(st.just("pay"), st.integers(1, 300_000).map(lambda c: Decimal(c) / 100),
              st.integers(0, 60), st.integers(0, 3)),
    st.tuples(st.just("pay"), st.integers(1, 300_000).map(lambda c: Decimal(c) / 100),
              st.integers(0, 60), st.integers(0, 3)),
    st.tuples(st.just("reverse"), st.integers(0, 20)),
    st.tuples(st.just("write_off"), st.integers(0, 30), st.integers(0, 3)),
    st.tuples(st.just("loan"), st.sampled_from(["ACCRUAL", "CASH"])),
)  # fmt: skip
histories = st.lists(step, min_size=1, max_size=10)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return opened_on(db_url, tmp_path, date(2026, 1, 10))


@pytest.fixture
def books(runtime: Runtime) -> Runtime:
    define(runtime, "ACCRUAL")
    define(runtime, "CASH", accounting=AccountingRule(basis=Basis.CASH))
    runtime.projections.start()
    return runtime


def play(runtime: Runtime, db_url: str, history: list[tuple[Any, ...]]) -> None:
    app = runtime.app
    today = business_date(app)
    loans: list[tuple[UUID, date]] = [(open_loan(runtime, today, code="ACCRUAL"), today)]
    paid: list[UUID] = []
    for n, action in enumerate(history):
        today = business_date(app)
        try:
            if action[0] == "advance":
                close_through(runtime, today + timedelta(days=action[1]))
            elif action[0] == "loan":
                loans.append((open_loan(runtime, today, code=action[1]), today))
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
        except DomainError:
            continue  # refused (nothing recorded): the history goes on
        check(runtime, db_url)


def check(runtime: Runtime, db_url: str) -> None:
    today = business_date(runtime.app)
    caught_up(runtime)
    assert unbalanced_entries(db_url) == []
    assert sum(trial_balance(db_url, today).values()) == 0
    assert [str(d) for d in differences(runtime, today)] == []


@pytest.mark.timeout(600)  # close of business runs for every day the histories span
@examples(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=histories)
def test_any_history_keeps_the_journal_balanced_and_reconciled(
    books: Runtime, db_url: str, history: list[tuple[Any, ...]]
) -> None:
    play(books, db_url, history)
    caught_up(books)
    live = dump(db_url)
    books.projections.rebuild("journal")
    assert dump(db_url) == live
