"""One loan's year in the books, every posting written out; and backdating into a closed month.

12,000.00 over 12 months at 12% (1% a month, 30/360), 1,066.19 due on the 15th from
February, on the accrual basis; a 50.00 late fee the day after a due date, penalty
interest of 0.05% a day on overdue principal crystallised at month ends and payments.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest

from application.accounting import ClosePeriod, close_period
from application.loans import WriteOff, write_off
from application.repayments import ReceiveRepayment, receive_repayment
from domain.ledger import PenaltyRateBasis
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.books import (
    caught_up,
    close_through,
    define,
    differences,
    open_loan,
    postings,
    trial_balance,
)
from tests.support.settings import opened_on

YEAR = [
    ("2026-01-15", "disbursement", "Dr 130101 12000.00; Cr 1002 12000.00"),
    # 30/360: 16 of February's installment's 30 days have passed: 120.00 x 16/30 = 64.00
    # earned; the reserve for a normal loan is 1% of 12,000.00.
    ("2026-01-31", "month_end", "Dr 1132 64.00; Dr 6701 120.00; Cr 6011 64.00; Cr 1304 120.00"),
    ("2026-02-15", "repayment", "Dr 1002 1066.19; Cr 130101 946.19; Cr 1132 120.00"),
    # Earned: 120.00 due, and March's 110.54 x 13/30 = 47.90: 167.90, less 64.00 booked.
    # The reserve falls to 1% of 11,053.81 = 110.54.
    ("2026-02-28", "month_end", "Dr 1132 103.90; Dr 1304 9.46; Cr 6701 9.46; Cr 6011 103.90"),
    # March's installment is not paid: a late fee, and the loan is special mention (DPD 1).
    ("2026-03-16", "charge", "Dr 1221 50.00; Cr 6021 50.00"),
    ("2026-03-16", "reclassification", "Dr 130102 11053.81; Cr 130101 11053.81"),
    # Penalty on the 955.65 of principal overdue, 16 days at 0.05%.
    ("2026-03-31", "charge", "Dr 1221 7.65; Cr 6051 7.65"),
    # Earned: 230.54 due and April's 100.98 x 16/30 = 53.86: 284.40, less 167.90. The
    # reserve of a special-mention loan is 2%: 221.08.
    ("2026-03-31", "month_end", "Dr 1132 116.50; Dr 6701 110.54; Cr 6011 116.50; Cr 1304 110.54"),
    # Paid late: penalty to the payment's date first, then penalty, fee, interest and
    # principal of March's installment, 1.39 of April's interest ahead; DPD 0 again.
    ("2026-04-10", "charge", "Dr 1221 4.77; Cr 6051 4.77"),
    ("2026-04-10", "repayment",
     "Dr 1002 1130.00; Cr 130102 955.65; Cr 1132 111.93; Cr 1221 50.00; Cr 1221 12.42"),
    ("2026-04-10", "reclassification", "Dr 130101 10098.16; Cr 130102 10098.16"),
    # Nothing more is paid: April's installment is late.
    ("2026-04-16", "charge", "Dr 1221 50.00; Cr 6021 50.00"),
    ("2026-04-16", "reclassification", "Dr 130102 10098.16; Cr 130101 10098.16"),
    ("2026-04-30", "charge", "Dr 1221 7.24; Cr 6051 7.24"),
    # Earned: 331.52 due and May's 91.33 x 15/30 = 45.66: 377.18, less 284.40; the reserve
    # is 2% of 10,098.16 = 201.96.
    ("2026-04-30", "month_end", "Dr 1132 92.78; Dr 1304 19.12; Cr 6701 19.12; Cr 6011 92.78"),
    ("2026-05-16", "charge", "Dr 1221 50.00; Cr 6021 50.00"),
    # Penalty on April's overdue principal (14.96 for the month) and May's (7.80).
    ("2026-05-31", "charge", "Dr 1221 22.76; Cr 6051 22.76"),
    ("2026-05-31", "month_end", "Dr 1132 89.18; Cr 6011 89.18"),
    ("2026-06-16", "charge", "Dr 1221 50.00; Cr 6021 50.00"),
    ("2026-06-30", "charge", "Dr 1221 36.48; Cr 6051 36.48"),  # 14.48 + 14.62 + 7.38
    ("2026-06-30", "month_end", "Dr 1132 73.93; Cr 6011 73.93"),
    # 91 days past due: substandard.
    ("2026-07-15", "reclassification", "Dr 130103 10098.16; Cr 130102 10098.16"),
    ("2026-07-16", "charge", "Dr 1221 50.00; Cr 6021 50.00"),
    # 14.96 + 15.11 + 15.27 + 7.96: one close of business, one entry.
    ("2026-07-31", "charge", "Dr 1221 53.30; Cr 6051 53.30"),
    # More than 90 days past due: non-accrual. The 540.29 recognised comes down to the
    # 231.93 paid (the 308.36 accrued and unpaid is reversed); the reserve of a
    # substandard loan is 25% of 10,098.16 = 2,524.54.
    ("2026-07-31", "month_end",
     "Dr 6701 2322.58; Dr 6011 308.36; Cr 1132 308.36; Cr 1304 2322.58"),
    ("2026-08-16", "charge", "Dr 1221 50.00; Cr 6021 50.00"),
    ("2026-08-31", "charge", "Dr 1221 68.78; Cr 6051 68.78"),  # 14.96 + ... + 8.04
    ("2026-09-16", "charge", "Dr 1221 50.00; Cr 6021 50.00"),
    ("2026-09-30", "charge", "Dr 1221 81.47; Cr 6051 81.47"),  # 14.48 + ... + 7.61
    # Written off: the reserve bears the principal; six late fees (300.00) and the
    # penalty (270.03) still receivable are lost.
    ("2026-09-30", "write_off",
     "Dr 1304 10098.16; Dr 6701 570.03; Cr 130103 10098.16; Cr 1221 300.00; Cr 1221 270.03"),
    # The reserve lacked 10,098.16 - 2,524.54: the month end makes it good.
    ("2026-10-31", "month_end", "Dr 6701 7573.62; Cr 1304 7573.62"),
    ("2026-11-20", "recovery", "Dr 1002 3000.00; Cr 6301 3000.00"),
]  # fmt: skip


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return opened_on(db_url, tmp_path, date(2026, 1, 15))


@pytest.fixture
def books(runtime: Runtime) -> Runtime:
    define(runtime, penalty_rate_basis=PenaltyRateBasis.DAILY)
    runtime.projections.start()
    return runtime


def pay(runtime: Runtime, loan: UUID, amount: str, on: date, reference: str) -> None:
    command = ReceiveRepayment("collector", loan, Decimal(amount), on, "bank", reference)
    receive_repayment(runtime.app, command)


def test_a_loans_year_posts_what_a_finance_team_would_write(books: Runtime, db_url: str) -> None:
    loan = open_loan(books, date(2026, 1, 15))
    close_through(books, date(2026, 2, 15))
    pay(books, loan, "1066.19", date(2026, 2, 15), "P1")
    close_through(books, date(2026, 4, 10))
    pay(books, loan, "1130.00", date(2026, 4, 10), "P2")
    close_through(books, date(2026, 9, 30))
    write_off(books.app, WriteOff("approver.sun", loan, date(2026, 9, 30), "absconded"))
    close_through(books, date(2026, 11, 20))
    pay(books, loan, "3000.00", date(2026, 11, 20), "RECOVERY")
    close_through(books, date(2027, 1, 15))
    caught_up(books)
    assert postings(db_url, loan) == YEAR
    assert differences(books, date(2027, 1, 15)) == []
    year = trial_balance(db_url, date(2027, 1, 15))
    assert sum(year.values()) == 0
    # Out of 12,000.00 lent, 2,196.19 and 3,000.00 came back.
    assert year["1002"] == Decimal("-12000.00") + Decimal("2196.19") + Decimal("3000.00")


def test_backdating_into_a_closed_month_posts_on_the_first_open_day(
    books: Runtime, db_url: str
) -> None:
    loan = open_loan(books, date(2026, 1, 15))
    close_through(books, date(2026, 3, 5))
    for month in ("2026-01", "2026-02"):
        close_period(books.app, ClosePeriod("admin.wu", month))
        close_period(books.app, ClosePeriod("admin.li", month))
    caught_up(books)
    before = postings(db_url, loan)
    february = trial_balance(db_url, date(2026, 2, 28))
    # A payment valued in February, recorded in March: what it changes in February (the
    # late fee taken back, its own allocation) posts on 1 March.
    pay(books, loan, "1066.19", date(2026, 2, 15), "P1")
    caught_up(books)
    assert trial_balance(db_url, date(2026, 2, 28)) == february
    after = postings(db_url, loan)[len(before) :]
    assert ("2026-03-01", "repayment", "Dr 1002 1066.19; Cr 130102 946.19; Cr 1132 120.00") in after
    assert min(posted for posted, *_ in after) == "2026-03-01"
    assert sum(trial_balance(db_url, date(2026, 3, 1)).values()) == 0
    assert differences(books, date(2026, 3, 5)) == []
