"""Read model `installments`: one row per scheduled installment of a disbursed loan.

Columns analysts can rely on:
  loan_id, number (1-based; with loan_id the primary key), due_date, principal,
  interest, fee, penalty (charged on this installment once it is late), total
  (principal + interest + fee as scheduled), balance_after (principal still owed
  once this installment is paid as scheduled), paid_principal, paid_interest,
  paid_fee, paid_penalty (what repayments have covered so far), status
  (pending|partially_paid|paid|overdue), version (of the loan aggregate at the
  row's last change), updated_at (recorded time of that change).
Rows appear when the loan is disbursed: the schedule recorded in that event is
the contract, so rows are copied from it, never recalculated.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool

from domain.loan import BooksChanged, Loan
from domain.money import minor_unit
from projections.base import ReadModel
from projections.reads import Row, fetch_all, grouped

PENDING = "pending"
COLUMNS = (
    "loan_id", "number", "due_date", "principal", "interest", "fee", "penalty", "total",
    "balance_after", "paid_principal", "paid_interest", "paid_fee", "paid_penalty",
    "status", "version", "updated_at",
)  # fmt: skip


class InstallmentsView(ReadModel):
    name = "installments"
    tables = ("installments",)
    schema = (
        """CREATE TABLE IF NOT EXISTS installments (
            loan_id uuid NOT NULL,
            number integer NOT NULL,
            due_date date NOT NULL,
            principal numeric NOT NULL,
            interest numeric NOT NULL,
            fee numeric NOT NULL,
            penalty numeric NOT NULL,
            total numeric NOT NULL,
            balance_after numeric NOT NULL,
            paid_principal numeric NOT NULL,
            paid_interest numeric NOT NULL,
            paid_fee numeric NOT NULL,
            paid_penalty numeric NOT NULL,
            status text NOT NULL,
            version integer NOT NULL,
            updated_at timestamptz NOT NULL,
            PRIMARY KEY (loan_id, number)
        )""",
        # Close of business looks for unpaid installments falling due on a date.
        "CREATE INDEX IF NOT EXISTS installments_due ON installments (due_date, status)",
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Events that do not touch the schedule do not change this read model."""

    @handle.register
    def _(self, event: Loan.Disbursed, cursor: Cursor[DictRow], position: int) -> None:
        zero = Decimal(0).quantize(minor_unit(event.terms.minor_unit))
        unpaid = (zero, zero, zero, zero)  # paid principal, interest, fee, penalty
        rows = [
            (event.originator_id, item.number, item.due_date, item.principal, item.interest,
             item.fee, zero, item.total, item.balance_after, *unpaid,
             PENDING, event.originator_version, event.timestamp)
            for item in event.schedule.installments
        ]  # fmt: skip
        cursor.executemany(
            f"INSERT INTO installments ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(COLUMNS))})",
            rows,
        )

    @handle.register
    def _(self, event: BooksChanged, cursor: Cursor[DictRow], position: int) -> None:
        self.books(cursor, event)

    def books(self, cursor: Cursor[DictRow], event: Any) -> None:
        """Rewrite the installments a payment, reversal or recast moved."""
        change = event.change
        if change.schedule is not None:
            # A recast or reschedule replaces the schedule: copy the new one whole.
            cursor.execute("DELETE FROM installments WHERE loan_id = %s", (event.originator_id,))
            states = {item.number: item for item in change.installments}
            rows = [
                self.row(event, item, states[item.number]) for item in change.schedule.installments
            ]
            cursor.executemany(
                f"INSERT INTO installments ({', '.join(COLUMNS)}) "
                f"VALUES ({', '.join(['%s'] * len(COLUMNS))})",
                rows,
            )
            return
        cursor.executemany(
            """UPDATE installments SET fee = %s, penalty = %s, paid_principal = %s,
                paid_interest = %s, paid_fee = %s, paid_penalty = %s, status = %s,
                version = %s, updated_at = %s
            WHERE loan_id = %s AND number = %s""",
            [
                (item.due.fee, item.due.penalty, item.paid.principal, item.paid.interest,
                 item.paid.fee, item.paid.penalty, item.status, event.originator_version,
                 event.timestamp, event.originator_id, item.number)
                for item in change.installments
            ],
        )  # fmt: skip

    @staticmethod
    def row(event: Any, item: Any, state: Any) -> tuple[Any, ...]:
        return (
            event.originator_id, item.number, item.due_date, item.principal, item.interest,
            state.due.fee, state.due.penalty, item.total, item.balance_after,
            state.paid.principal, state.paid.interest, state.paid.fee, state.paid.penalty,
            state.status, event.originator_version, event.timestamp,
        )  # fmt: skip


# Queries, for the GraphQL layer.


async def installments_of_loans(pool: AsyncConnectionPool, loan_ids: list[UUID]) -> list[list[Row]]:
    """Each loan's installments in turn, by number (none before disbursement)."""
    query = "SELECT * FROM installments WHERE loan_id = ANY(%s) ORDER BY number"
    return grouped(await fetch_all(pool, query, [loan_ids]), "loan_id", loan_ids)


AMOUNT_DUE = """(i.principal + i.interest + i.fee + i.penalty)
    - (i.paid_principal + i.paid_interest + i.paid_fee + i.paid_penalty)"""


async def upcoming_installments(
    pool: AsyncConnectionPool,
    start: date,
    end: date,
    after: tuple[date, int, int] | None,
    limit: int,
) -> list[Row]:
    """Up to `limit` installments of active loans due from `start` through `end` and not
    fully paid, by due date, loan position and number: those after `after` (due date,
    position, number) when given. Each row has the loan's borrower and position, and the
    `amount_due`.

    Joins the `loans` read model for the loan; the main table is `installments`.
    """
    clauses = ["l.status = 'active'", "i.due_date BETWEEN %s AND %s", f"{AMOUNT_DUE} > 0"]
    params: list[Any] = [start, end]
    if after is not None:
        clauses.append("(i.due_date, l.position, i.number) > (%s, %s, %s)")
        params += list(after)
    query = (
        f"SELECT i.loan_id, i.number, i.due_date, l.borrower_id, l.position,"
        f" {AMOUNT_DUE} AS amount_due"
        f" FROM installments i JOIN loans l ON l.id = i.loan_id"
        f" WHERE {' AND '.join(clauses)}"
        " ORDER BY i.due_date, l.position, i.number LIMIT %s"
    )
    return await fetch_all(pool, query, [*params, limit])
