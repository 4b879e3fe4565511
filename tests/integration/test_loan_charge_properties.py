"""Money invariants over any history of a loan with every kind of charge: payments in any
value-date order, reversals, charges added, waivers, refunds and write-offs.

The product deducts a 1% service fee at payout, adds a 20.00 arrangement fee to the
first installment and 0.2% of the outstanding balance to every installment, and defines
a 50.00 collection visit (light enough for every loan's APR to stay under 24%). FEES
pays money paid ahead on the next installments; FEES-RECAST recasts the schedule with it,
working the percentage fee out again on the recast installments.
Hypothesis drives the application layer against a real event store; after each history
the loan, its replay and the read models must all agree.
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
from application.charging import AddCharge, RefundCredit, Waive, add_charge, refund_credit, waive
from application.loans import WriteOff, write_off
from application.products import DefineProduct, define_product
from application.repayments import (
    ReceiveRepayment,
    ReverseRepayment,
    receive_repayment,
    reverse_repayment,
)
from domain.charges import Charge
from domain.errors import DomainError
from domain.ledger import AdvancePayment, Component, ComponentAmounts
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
CHARGES = (
    Charge(code="SVC", name="Service", kind="disbursement", percent=Decimal(1),
           collection="deduct"),
    Charge(code="ARR", name="Arrangement", kind="disbursement", amount=Decimal(20),
           collection="first_installment"),
    Charge(code="MGMT", name="Management", kind="installment", percent=Decimal("0.2"),
           basis="outstanding"),
    Charge(code="VISIT", name="Visit", kind="specified_due_date", amount=Decimal(50)),
)  # fmt: skip

cents = st.integers(1, 400_000).map(lambda c: Decimal(c) / 100)
steps = st.one_of(
    st.tuples(st.just("pay"), cents, st.integers(0, 420)),
    st.tuples(st.just("pay"), cents, st.integers(0, 420)),
    st.tuples(st.just("reverse"), st.integers(0, 20)),
    st.tuples(st.just("charge"), st.integers(1, 12), st.none() | cents),
    st.tuples(
        st.just("waive"),
        st.sampled_from(["fee", "penalty", "interest"]),
        cents,
        st.none() | st.integers(1, 12),
    ),
    st.tuples(st.just("refund"), st.integers(1, 100)),
    st.tuples(st.just("write_off"), st.integers(30, 400)),
)
histories = st.lists(steps, max_size=10)


@pytest.fixture
def lending(runtime: Runtime) -> Runtime:
    terms = ProductTerms(
        name="Fees", currency="CNY", min_principal=Decimal("5000"), max_principal=Decimal("50000"),
        min_term=3, max_term=12, frequencies=(Frequency.MONTHLY,),
        methods=(Method.EQUAL_INSTALLMENTS, Method.EQUAL_PRINCIPAL),
        min_rate_percent=Decimal("6"), max_rate_percent=Decimal("24"),
        penalty_rate_percent=Decimal("0.05"), late_fee=Decimal("30"), charges=CHARGES,
    )  # fmt: skip
    define_product(runtime.app, DefineProduct("admin.wu", "FEES", terms))
    recasting = terms.model_copy(update={"advance_payment": AdvancePayment.RECAST_INSTALLMENT})
    define_product(runtime.app, DefineProduct("admin.wu", "FEES-RECAST", recasting))
    runtime.projections.start()
    return runtime


def open_loan(
    runtime: Runtime, principal: Decimal, term: int, method: Method, product: str = "FEES"
) -> Any:
    number = resident_id(f"42010619850313{next(people) % 1000:03d}")
    return opened_loan(runtime.app, product, principal, term, method, Decimal("10"), number, START)


def play(runtime: Runtime, loan_id: Any, history: list[tuple[Any, ...]]) -> None:
    app, received = runtime.app, []
    for n, step in enumerate(history):
        try:
            kind = step[0]
            if kind == "pay":
                on = START + timedelta(days=step[2])
                command = ReceiveRepayment(
                    "collector", loan_id, step[1], on, "bank", f"{loan_id}-{n}"
                )
                received.append(receive_repayment(app, command).id)
            elif kind == "reverse" and received:
                bounced = received[step[1] % len(received)]
                reverse_repayment(app, ReverseRepayment("officer", bounced, "bounced"))
            elif kind == "charge":
                add_charge(app, AddCharge("officer", loan_id, "VISIT", step[1], "visit", step[2]))
            elif kind == "waive":
                waive(app, Waive("approver", loan_id, step[1], step[2], "hardship", step[3]))
            elif kind == "refund":
                loan = app.load(Loan, loan_id, "loan")
                assert loan.balances is not None
                amount = (loan.balances.credit * step[1] / 100).quantize(Decimal("0.01"))
                refund_credit(app, RefundCredit("officer", loan_id, amount, "bank", f"r-{n}"))
            elif kind == "write_off":
                on = START + timedelta(days=step[1])
                write_off(app, WriteOff("approver", loan_id, on, "lost"))
        except DomainError:
            continue  # a command the loan refuses changes nothing; the rest goes on


def components(amounts: ComponentAmounts) -> list[Decimal]:
    return [amounts.get(c) for c in Component]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.integers(50, 300).map(lambda hundreds: Decimal(hundreds * 100)),
    st.integers(3, 12),
    st.sampled_from([Method.EQUAL_INSTALLMENTS, Method.EQUAL_PRINCIPAL]),
    histories,
    st.sampled_from(["FEES", "FEES-RECAST"]),
)
def test_any_history_with_charges_keeps_every_component_whole(
    lending: Runtime, db_url: str, principal: Decimal, term: int, method: Method,
    history: list[tuple[Any, ...]], product: str,
) -> None:  # fmt: skip
    loan_id = open_loan(lending, principal, term, method, product)
    play(lending, loan_id, history)
    app = lending.app
    loan = app.load(Loan, loan_id, "loan")
    today = business_date(app)
    loan.close_day(actor="cob", on=today)
    if loan.pending_events:
        app.save_all(loan)
    books, basis = loan.balances, loan.books
    assert books is not None
    assert basis is not None
    assert books.charged is not None
    assert books.waived is not None

    # each repayment's allocations plus its credit are its amount; nothing is negative
    for payment_id, result in loan.results.items():
        allocated = sum((a.amount for a in result.allocations), ZERO)
        assert allocated + result.credit == loan.payments[payment_id].amount
        assert all(a.amount > 0 for a in result.allocations)
    for amounts in (books.outstanding, books.paid, books.charged, books.waived):
        assert min(components(amounts)) >= 0
    assert books.credit >= 0
    assert books.waived.principal == 0
    for result in loan.waiver_results.values():
        assert result.waived <= loan.waivers[result.waiver_id].amount

    # waived + paid + outstanding = charged, per component (after a write-off, what is
    # outstanding is what was written off and not yet recovered or waived)
    for component in Component:
        left = (
            books.charged.get(component) - books.paid.get(component) - books.waived.get(component)
        )
        if books.written_off is None:
            assert left == books.outstanding.get(component)
        else:
            assert 0 <= left <= books.written_off.get(component)
    assert books.paid.fee >= basis.fees_deducted > 0

    # the recorded differences add up to a fresh fold over the same inputs; replay agrees
    fresh = ledger(basis, loan.payments.values(), today, loan._inputs())
    assert balances(fresh, basis.fees_deducted) == books
    replayed = reduce(
        lambda aggregate, event: event.mutate(aggregate), app.events_of(loan_id), None
    )
    assert vars(replayed) == vars(loan)

    # the read models agree with the aggregate
    lending.projections.wait(app.recorder.max_notification_id() or 0)
    with psycopg.connect(db_url, row_factory=dict_row) as conn:
        row = conn.execute("SELECT * FROM loans WHERE id = %s", (loan_id,)).fetchone()
        owed = conn.execute(
            "SELECT number, owed_principal, owed_interest, owed_fee, owed_penalty"
            " FROM loan_book_installments WHERE loan_id = %s ORDER BY number",
            (loan_id,),
        ).fetchall()
    assert row is not None
    assert (row["status"], row["version"]) == (loan.status.value, loan.version)
    assert (row["outstanding_fees"], row["outstanding_penalty"], row["credit_balance"]) == (
        books.outstanding.fee, books.outstanding.penalty, books.credit,
    )  # fmt: skip
    states = [loan.installments[n] for n in sorted(loan.installments)]
    assert [(r["owed_principal"], r["owed_interest"], r["owed_fee"], r["owed_penalty"])
            for r in owed] == [
        (s.outstanding.principal, s.outstanding.interest, s.outstanding.fee, s.outstanding.penalty)
        for s in states
    ]  # fmt: skip
    if loan.status is LoanStatus.CLOSED:
        assert books.outstanding.total == 0
