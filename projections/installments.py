"""`installments`: one row per scheduled installment of a disbursed loan, and its queries.

A SQL view over the `loan_books` read model (projections/loan_books.py; its table
`loan_book_installments` adds what is still owed on each installment).

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

from collections.abc import Collection
from datetime import date
from typing import Any
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from projections.reads import Row, fetch_all, grouped

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
    offices: Collection[UUID] | None = None,
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
    if offices is not None:  # the caller's reach: None is every office
        clauses.append("l.office = ANY(%s)")
        params.append(sorted(offices))
    query = (
        f"SELECT i.loan_id, i.number, i.due_date, l.borrower_id, l.position,"
        f" {AMOUNT_DUE} AS amount_due"
        f" FROM installments i JOIN loans l ON l.id = i.loan_id"
        f" WHERE {' AND '.join(clauses)}"
        " ORDER BY i.due_date, l.position, i.number LIMIT %s"
    )
    return await fetch_all(pool, query, [*params, limit])
