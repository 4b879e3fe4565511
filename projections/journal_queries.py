"""What the application asks the journal and loan books: an account's balance, each
loan's facts at a month end, and the figures a reconciliation compares.

Facts only: totals and rows as the events recorded them. What they mean (an accrual, a
provision, a difference) is decided in `domain.accounting`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore

from domain.accounting import CurrentPeriod, LoanFacts, Role
from domain.accounting.reconcile import BookFacts
from domain.arrears import Classification
from domain.schedule import DayCount, Rounder, Rounding

MONTH_END_FACTS = """
SELECT b.loan_id, b.status, j.basis, j.day_count, j.rounding, j.minor_unit, j.disbursed_on,
    b.oldest_unpaid_due_date, b.classification, b.outstanding_principal,
    j.recognised_interest, -coalesce(r.balance, 0) AS reserve, i.due_interest, i.paid_interest,
    i.all_interest, i.last_due, c.due_date AS current_due, c.interest AS current_interest,
    w.waived_interest
FROM loan_books b JOIN journal_loans j ON j.loan_id = b.loan_id
LEFT JOIN journal_loan_balances r ON r.loan_id = b.loan_id AND r.role = 'loan_loss_reserve'
CROSS JOIN LATERAL (
    SELECT coalesce(sum(owed_interest + paid_interest) FILTER (WHERE due_date <= %(on)s), 0)
            AS due_interest,
        coalesce(sum(paid_interest), 0) AS paid_interest,
        coalesce(sum(owed_interest + paid_interest), 0) AS all_interest,
        max(due_date) FILTER (WHERE due_date <= %(on)s) AS last_due
    FROM loan_book_installments WHERE loan_id = b.loan_id) i
CROSS JOIN LATERAL (
    SELECT coalesce(sum(forgiven), 0) AS waived_interest FROM loan_book_waivers
    WHERE loan_id = b.loan_id AND component = 'interest' AND value_date <= %(on)s) w
LEFT JOIN LATERAL (
    SELECT due_date, owed_interest + paid_interest AS interest FROM loan_book_installments
    WHERE loan_id = b.loan_id AND due_date > %(on)s ORDER BY number LIMIT 1) c ON true
WHERE b.disbursed_on <= %(on)s AND (b.status = 'active' OR coalesce(r.balance, 0) <> 0
    OR (b.status = 'closed' AND j.basis = 'accrual'
        AND j.recognised_interest <> i.all_interest + w.waived_interest))
ORDER BY b.position"""

# The loan books on D: as they stand when D is the business date or later; by value date
# up to D (repayments as allocated now, the write-off if dated by D) before it. Fees owed
# are the books' fees charged and unpaid (fees_outstanding: a schedule's fee counts from
# its due date), where recorded.
BOOK_FACTS = """
WITH today AS (SELECT %(on)s::date >= (SELECT business_date FROM loan_books_calendar) AS now)
SELECT b.loan_id, j.basis = 'accrual' AS accrual,
    CASE WHEN (SELECT now FROM today) THEN b.status = 'written_off'
         ELSE coalesce(b.written_off_on <= %(on)s, false) END AS written_off,
    CASE WHEN (SELECT now FROM today) THEN b.outstanding_principal
         WHEN b.written_off_on <= %(on)s THEN 0
         ELSE b.disbursed_amount - p.principal END AS outstanding_principal,
    coalesce(m.earned_interest, 0) AS recognised_interest, p.interest AS paid_interest,
    CASE WHEN (SELECT now FROM today) THEN (SELECT coalesce(b.fees_outstanding, sum(owed_fee),
            0) + coalesce(sum(owed_penalty), 0)
        FROM loan_book_installments WHERE loan_id = b.loan_id) END AS owed_fees,
    p.credit - (SELECT coalesce(sum(amount), 0) FROM loan_book_refunds
        WHERE loan_id = b.loan_id AND value_date <= %(on)s) AS credit,
    (SELECT coalesce(sum(forgiven), 0) FROM loan_book_waivers WHERE loan_id = b.loan_id
        AND component = 'interest' AND value_date <= %(on)s) AS waived_interest
FROM loan_books b JOIN journal_loans j ON j.loan_id = b.loan_id
CROSS JOIN LATERAL (
    SELECT coalesce(sum(r.principal) FILTER (WHERE b.written_off_on IS NULL
            OR r.value_date <= b.written_off_on), 0) AS principal,
        coalesce(sum(r.interest) FILTER (WHERE b.written_off_on IS NULL
            OR r.value_date <= b.written_off_on), 0) AS interest,
        coalesce(sum(r.credit), 0) AS credit
    FROM repayments r
    WHERE r.loan_id = b.loan_id AND r.status = 'received' AND r.value_date <= %(on)s) p
LEFT JOIN LATERAL (
    SELECT earned_interest FROM journal_month_ends
    WHERE loan_id = b.loan_id AND value_date <= %(on)s ORDER BY value_date DESC LIMIT 1) m
    ON true
WHERE b.disbursed_on <= %(on)s"""

BALANCES_NOW = "SELECT loan_id, role, balance FROM journal_loan_balances"
BALANCES_ON = """SELECT loan_id, role, sum(debit - credit) AS balance FROM journal_lines
WHERE loan_id IS NOT NULL AND value_date <= %(on)s GROUP BY loan_id, role"""
ON_OR_AFTER_BUSINESS_DATE = (
    "SELECT %(on)s::date >= (SELECT business_date FROM loan_books_calendar) AS now"
)


class JournalRecords:
    """The queries, on the read models' own pool (the application's ports)."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore

    def _all(self, query: str, params: dict[str, Any] | tuple[Any, ...]) -> list[Any]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    def account_balance(self, code: str) -> Decimal:
        rows = self._all(
            "SELECT coalesce(sum(debits - credits), 0) AS balance FROM journal_totals"
            " WHERE account = %s",
            (code,),
        )
        return Decimal(rows[0]["balance"])

    def open_sub_accounts(self, code: str) -> int:
        rows = self._all(
            "SELECT count(*) AS n FROM ledger_accounts WHERE parent = %s AND NOT closed", (code,)
        )
        return int(rows[0]["n"])

    def month_end_facts(self, on: date) -> list[LoanFacts]:
        return [_loan_facts(row, on) for row in self._all(MONTH_END_FACTS, {"on": on})]

    def reconcile_facts(self, on: date) -> tuple[list[BookFacts], dict[UUID, dict[Role, Decimal]]]:
        with self.datastore.transaction(commit=False) as cursor:
            # One snapshot of both read models: the same transaction reads them all.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute(BOOK_FACTS, {"on": on})
            books = [_book_facts(row) for row in cursor.fetchall()]
            cursor.execute(ON_OR_AFTER_BUSINESS_DATE, {"on": on})
            row = cursor.fetchone()
            now = bool(row and row["now"])
            cursor.execute(BALANCES_NOW if now else BALANCES_ON, {"on": on})
            journal: dict[UUID, dict[Role, Decimal]] = defaultdict(dict)
            for found in cursor.fetchall():
                journal[found["loan_id"]][Role(found["role"])] = found["balance"]
        return books, dict(journal)


def _loan_facts(row: dict[str, Any], on: date) -> LoanFacts:
    money = Rounder.of(row["minor_unit"], Rounding(row["rounding"]))
    active = row["status"] == "active"
    current = None
    if active and row["current_due"] is not None:
        start = row["last_due"] or row["disbursed_on"]
        current = CurrentPeriod(start, row["current_due"], money(row["current_interest"]))
    return LoanFacts(
        loan_id=row["loan_id"],
        accrual=row["basis"] == "accrual",
        active=active,
        written_off=row["status"] == "written_off",
        day_count=DayCount(row["day_count"]),
        money=money,
        due_interest=money(row["due_interest"] if active else row["all_interest"]),
        paid_interest=money(row["paid_interest"]),
        current=current,
        oldest_unpaid_due_date=row["oldest_unpaid_due_date"],
        classification=Classification(row["classification"]),
        outstanding_principal=money(row["outstanding_principal"]),
        recognised_interest=money(row["recognised_interest"]),
        reserve=money(row["reserve"]),
        waived_interest=money(row["waived_interest"]),
    )


def _book_facts(row: dict[str, Any]) -> BookFacts:
    return BookFacts(
        loan_id=row["loan_id"],
        accrual=row["accrual"],
        written_off=row["written_off"],
        outstanding_principal=row["outstanding_principal"],
        recognised_interest=row["recognised_interest"],
        paid_interest=row["paid_interest"],
        owed_fees=row["owed_fees"],
        credit=row["credit"],
        waived_interest=row["waived_interest"],
    )
