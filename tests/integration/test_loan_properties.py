"""Money invariants over any sequence of payments, in any value-date order, with reversals.

Hypothesis drives the application layer against a real event store; after each
history the loan, its replay and the `loans` read model must all agree.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.rows import dict_row

from application.calendar import business_date
from application.loans import WriteOff
from application.loans import write_off as write_off_loan
from application.products import DefineProduct, define_product
from application.repayments import (
    ReceiveRepayment,
    ReverseRepayment,
    receive_repayment,
    reverse_repayment,
)
from domain.errors import DomainError
from domain.ledger import Prepayment
from domain.loan import Loan, LoanStatus
from domain.loan.accounting import balances, ledger
from domain.product import ProductTerms
from domain.schedule import Frequency, Method
from infrastructure.runtime import Runtime
from tests.support.people import resident_id
from tests.support.signing import opened_loan

START = date(2026, 1, 31)
ZERO = Decimal(0)
people = itertools.count(1)

payment = st.tuples(
    st.just("pay"),
    st.integers(1, 400_000).map(lambda cents: Decimal(cents) / 100),
    st.integers(0, 420),
    st.sampled_from([None, None, None, Prepayment.REDUCE_TERM, Prepayment.REDUCE_INSTALLMENT]),
)
reversal = st.tuples(st.just("reverse"), st.integers(0, 20))
write_off = st.tuples(st.just("write_off"), st.integers(30, 400))
histories = st.lists(st.one_of(payment, payment, payment, reversal, write_off), max_size=9)
loans = st.tuples(
    st.integers(10, 500).map(lambda hundreds: Decimal(hundreds * 100)),
    st.integers(3, 12),
    st.sampled_from([Method.EQUAL_INSTALLMENTS, Method.EQUAL_PRINCIPAL]),
)


@pytest.fixture
def lending(runtime: Runtime) -> Runtime:
    terms = ProductTerms(
        name="Any", currency="CNY", min_principal=Decimal("1000"), max_principal=Decimal("50000"),
        min_term=3, max_term=12, frequencies=(Frequency.MONTHLY,),
        methods=(Method.EQUAL_INSTALLMENTS, Method.EQUAL_PRINCIPAL),
        min_rate_percent=Decimal("6"), max_rate_percent=Decimal("24"),
        penalty_rate_percent=Decimal("0.05"),
    )  # fmt: skip
    define_product(runtime.app, DefineProduct("admin.wu", "ANY", terms))
    runtime.projections.start()
    return runtime


def open_loan(runtime: Runtime, principal: Decimal, term: int, method: Method) -> Any:
    number = resident_id(f"42010619850312{next(people) % 1000:03d}")
    return opened_loan(runtime.app, "ANY", principal, term, method, Decimal("15"), number, START)


def play(runtime: Runtime, loan_id: Any, history: list[tuple[Any, ...]]) -> list[Any]:
    app, received = runtime.app, []
    for n, step in enumerate(history):
        try:
            if step[0] == "pay":
                _, amount, day, prepayment = step
                command = ReceiveRepayment(
                    "collector",
                    loan_id,
                    amount,
                    START + timedelta(days=day),
                    "bank",
                    f"{loan_id}-{n}",
                    prepayment=prepayment,
                )
                received.append(receive_repayment(app, command).id)
            elif step[0] == "reverse" and received:
                bounced = received[step[1] % len(received)]
                reverse_repayment(app, ReverseRepayment("officer", bounced, "bounced"))
            elif step[0] == "write_off":
                on = START + timedelta(days=step[1])
                write_off_loan(app, WriteOff("approver", loan_id, on, "lost"))
        except DomainError:
            continue  # a command the loan refuses changes nothing; the rest goes on
    return received


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(loans, histories)
def test_any_history_keeps_the_books_exact(
    lending: Runtime,
    db_url: str,
    terms: tuple[Decimal, int, Method],
    history: list[tuple[Any, ...]],
) -> None:
    principal, term, method = terms
    loan_id = open_loan(lending, principal, term, method)
    play(lending, loan_id, history)
    app = lending.app
    loan = app.load(Loan, loan_id, "loan")
    # Close of business brings the record up to the business date (fees and penalty).
    today = business_date(app)
    loan.close_day(actor="cob", on=today)
    if loan.pending_events:
        app.save_all(loan)
    books = loan.balances
    assert books is not None
    assert loan.books is not None

    # outstanding principal = disbursed - principal repaid - written off
    written = books.written_off.principal if books.written_off else ZERO
    recovered = books.recovered.principal if books.recovered else ZERO
    assert books.outstanding.principal == principal - (books.paid.principal - recovered) - written

    # each repayment's allocations (plus any credit) sum to its amount; nothing is negative
    for payment_id, result in loan.results.items():
        assert (
            sum((a.amount for a in result.allocations), ZERO) + result.credit
            == loan.payments[payment_id].amount
        )
        assert all(a.amount > 0 for a in result.allocations)
        assert result.credit >= 0
    for amounts in (books.outstanding, books.paid):
        assert min(amounts.penalty, amounts.fee, amounts.interest, amounts.principal) >= 0
    assert books.credit >= 0

    # recorded differences add up to what a fresh fold over the same payments gives
    assert balances(ledger(loan.books, loan.payments.values(), today)) == books

    # replaying every event from the start gives the same loan
    replayed = reduce(
        lambda aggregate, event: event.mutate(aggregate), app.events_of(loan_id), None
    )
    assert vars(replayed) == vars(loan)

    # the loans read model agrees with the aggregate
    position = app.recorder.max_notification_id() or 0
    lending.projections.wait(position)
    with psycopg.connect(db_url, row_factory=dict_row) as conn:
        row = conn.execute("SELECT * FROM loans WHERE id = %s", (loan_id,)).fetchone()
    assert row is not None
    assert row["status"] == loan.status.value
    assert row["version"] == loan.version
    assert (row["outstanding_principal"], row["outstanding_interest"]) == (
        books.outstanding.principal,
        books.outstanding.interest,
    )
    assert (row["principal_repaid"], row["credit_balance"]) == (books.paid.principal, books.credit)
    if loan.status is LoanStatus.CLOSED:
        assert books.outstanding.total == 0
