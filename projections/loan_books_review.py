"""When close of business must next look at a loan whose last event recorded no timing.

Loan events stored before loans recorded their `timing` (the DPD basis and the next
review date the domain decided) carry none. For those the `loan_books` read model works
the date out here, as close of business did before: at once (the business date) when
the recorded bucket or classification no longer fits the loan's DPD; else the first
later day on which either changes, a late fee falls due or penalty interest is
crystallised at a month end. Events that record their timing never come here.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.arrears import DEFAULT_THRESHOLDS, bucket_of, classify, dpd_since
from domain.loan.delinquency import next_delinquency_change
from domain.schedule.dates import days_in_month

STATE = """SELECT b.status, b.bucket, b.classification, b.accrues_penalty,
    b.oldest_unpaid_due_date AS oldest, greatest(%(value_date)s::date, c.business_date) AS on,
    (SELECT min(i.due_date) + b.late_fee_lag FROM loan_book_installments i
     WHERE i.loan_id = b.loan_id AND i.owed_principal + i.owed_interest > 0
     AND i.due_date + b.late_fee_lag > greatest(%(value_date)s::date, c.business_date))
        AS late_fee_day
FROM loan_books b LEFT JOIN loan_books_calendar c ON true WHERE b.loan_id = %(loan)s"""


def review_later(cursor: Cursor[DictRow], loan_id: UUID, value_date: date | None) -> None:
    """Set the loan's `next_review` (null unless it is active)."""
    cursor.execute(STATE, {"loan": loan_id, "value_date": value_date})
    row = cursor.fetchone()
    if row is None:
        return
    following = None
    if row["status"] == "active":
        on: date = row["on"]
        oldest: date | None = row["oldest"]
        dpd = dpd_since(oldest, on)
        fits = (bucket_of(dpd).value, classify(dpd, DEFAULT_THRESHOLDS).value) == (
            row["bucket"],
            row["classification"],
        )
        candidates = [next_delinquency_change(oldest, on) if fits else on, row["late_fee_day"]]
        tomorrow = on + timedelta(days=1)
        month_end = tomorrow.replace(day=days_in_month(tomorrow.year, tomorrow.month))
        if row["accrues_penalty"] and oldest is not None and oldest < month_end:
            candidates.append(month_end)
        following = min((day for day in candidates if day is not None), default=None)
    cursor.execute(
        "UPDATE loan_books SET next_review = %s WHERE loan_id = %s", (following, loan_id)
    )
