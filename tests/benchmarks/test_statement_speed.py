"""A statement of account for a 360-installment loan, as PDF, in under 500 ms.

The loan is 500,000.00 over 360 months, paid 360 times (one installment each day, so
it is repaid ahead and closed): its statement has a line for every one of those events.
The time is the whole request's work: reading the loan's events and its borrower,
building the statement, rendering the PDF. The baseline reads the same loan's stored
events with one raw SELECT.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest

from application.statements import statement
from domain.loan import Loan
from infrastructure.documents.statement import statement_pdf
from infrastructure.runtime import Runtime
from tests.benchmarks.baseline import ms, timed
from tests.support.portfolio import DISBURSED_ON, define_bench_product, disbursed_loan, pay

PAYMENTS = 360
RUNS = 10
TARGET = 0.500
RAW_READ = "SELECT state FROM lending_events WHERE originator_id = %s ORDER BY originator_version"


@pytest.mark.timeout(600)
def test_a_statement_of_a_360_installment_loan(
    runtime: Runtime, db_url: str, report: Callable[..., str]
) -> None:
    app = runtime.app
    define_bench_product(app)
    loan_id = disbursed_loan(app, 0, principal="500000.00", term=360)
    loan = app.repository.get(loan_id)
    assert isinstance(loan, Loan)
    assert loan.schedule is not None
    installment = str(loan.schedule.installments[0].total)
    began = time.perf_counter()
    for n in range(PAYMENTS):
        pay(app, loan_id, installment, DISBURSED_ON + timedelta(days=n), f"S-{n}")
    print(f"\nstatement_pdf: {PAYMENTS} repayments in {time.perf_counter() - began:.1f} s")

    def ours() -> bytes:
        return statement_pdf(statement(app, loan_id))

    pdf = ours()
    timings = timed(ours, RUNS)
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(RAW_READ, (loan_id,)).fetchall()
        raw = timed(lambda: conn.execute(RAW_READ, (loan_id,)).fetchall(), RUNS)
    found = statement(app, loan_id)
    best, baseline = min(timings), min(raw)
    report(
        "statement_pdf",
        f"{ms(best)} best of {RUNS}, median {ms(statistics.median(timings))} "
        f"({len(found.lines)} lines, {len(rows)} events, {len(pdf) // 1024} KiB)",
        f"raw read of the loan's events {ms(baseline)}",
        best / baseline,
        f"< {TARGET * 1000:g} ms",
        best < TARGET,
    )
    assert len(found.lines) >= PAYMENTS + 1
    assert found.closing.total == Decimal(0)
    # The target is reported (met or not): a shared machine under load can miss it.
    assert best < 4 * TARGET, "a statement of a long loan is badly slow"
