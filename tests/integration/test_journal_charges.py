"""The journal of a loan with charges: a service fee deducted from the payout, a monthly
management fee on every installment, a collection visit an officer adds, a waiver and a
refund of what the borrower overpaid, each posted as a finance team would write it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from application.charging import AddCharge, RefundCredit, Waive, add_charge, refund_credit, waive
from application.repayments import ReceiveRepayment, receive_repayment
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.books import caught_up, close_through, define, differences, open_loan, postings
from tests.support.charges import MONTHLY, SERVICE, VISIT
from tests.support.settings import opened_on

D = Decimal
PAID_OUT = date(2026, 1, 15)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return opened_on(db_url, tmp_path, PAID_OUT)


@pytest.fixture
def books(runtime: Runtime) -> Runtime:
    define(runtime, charges=(SERVICE, MONTHLY, VISIT))
    runtime.projections.start()
    return runtime


def test_fees_charges_waivers_and_refunds_post_balanced_reconciled_entries(
    books: Runtime, db_url: str
) -> None:
    app = books.app
    loan = open_loan(books, PAID_OUT)
    close_through(books, date(2026, 1, 20))
    add_charge(app, AddCharge("officer", loan, "VISIT", 1, "visited the shop", D("50.00")))
    waive(app, Waive("approver", loan, "fee", D("30.00"), "first visit is on us"))
    paid = ReceiveRepayment("collector", loan, D("20000.00"), date(2026, 1, 20), "bank", "ALL")
    receive_repayment(app, paid)
    refund_credit(app, RefundCredit("officer", loan, D("100.00"), "bank", "R1"))
    close_through(books, date(2026, 2, 1))
    caught_up(books)
    assert postings(db_url, loan) == [
        ("2026-01-15", "disbursement", "Dr 130101 12000.00; Cr 1002 11820.00; Cr 6021 180.00"),
        # The twelve monthly fees are owed from the payout, as the loan books owe them.
        ("2026-01-15", "charge", "Dr 1221 240.00; Cr 6021 240.00"),
        ("2026-01-20", "charge", "Dr 1221 50.00; Cr 6021 50.00"),
        ("2026-01-20", "waiver", "Dr 6021 30.00; Cr 1221 30.00"),
        # Paid off on the 20th: the fees of the installments not yet due go.
        ("2026-01-20", "charge", "Dr 6021 240.00; Cr 1221 240.00"),
        ("2026-01-20", "repayment", "Dr 1002 20000.00; Cr 130101 12000.00; Cr 1132 20.00;"
         " Cr 1221 20.00; Cr 2241 7960.00"),
        ("2026-01-20", "refund", "Dr 2241 100.00; Cr 1002 100.00"),
        # The month end recognises the interest the closed loan was paid.
        ("2026-01-31", "month_end", "Dr 1132 20.00; Cr 6011 20.00"),
    ]  # fmt: skip
    assert differences(books, date(2026, 1, 20)) == []
    assert differences(books, date(2026, 2, 1)) == []
