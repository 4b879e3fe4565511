"""Queries of the `arrears` read model (projections/arrears.py), for the GraphQL layer.

A module of their own beside the read model's, which keeps both under the size limit.
Every query here reads `arrears` with `arrears_calendar` (the business date) and
`arrears_installments` (what is overdue on it).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from projections.reads import Row, by_key, fetch_all


def current_arrears_query(where: str, tail: str = "") -> str:
    """Rows of the `arrears` read model chosen by `where` (then `tail`: order, limit),
    each with what was overdue on the read model's business date (installments due
    before it). The rows are chosen first, so only their installments are summed."""
    return f"""WITH chosen AS (SELECT a.* FROM arrears a WHERE {where} {tail})
    SELECT chosen.*, c.business_date, overdue.* FROM chosen CROSS JOIN arrears_calendar c
    LEFT JOIN LATERAL (
        SELECT coalesce(sum(i.principal), 0) AS overdue_principal,
            coalesce(sum(i.interest), 0) AS overdue_interest,
            coalesce(sum(i.fee), 0) AS overdue_fees,
            coalesce(sum(i.penalty), 0) AS overdue_penalty
        FROM arrears_installments i
        WHERE i.loan_id = chosen.loan_id AND i.due_date < c.business_date) AS overdue ON true
    ORDER BY chosen.position"""


async def arrears_of_loans(pool: AsyncConnectionPool, loan_ids: list[UUID]) -> list[Row | None]:
    """Each loan's `arrears` row in turn, with what is overdue on the business date
    (None for a loan not disbursed)."""
    rows = await fetch_all(pool, current_arrears_query("a.loan_id = ANY(%s)"), [loan_ids])
    return by_key(rows, "loan_id", loan_ids)


async def current_arrears(
    pool: AsyncConnectionPool, after: int, limit: int, bucket: str | None
) -> list[Row]:
    """Up to `limit` active loans' `arrears` rows after position `after`, in position
    order, in `bucket` if one is given: the books on the business date."""
    clauses = ["a.active", "a.position > %s"]
    params: list[Any] = [after]
    if bucket is not None:
        clauses.append("a.bucket = %s")
        params.append(bucket)
    query = current_arrears_query(" AND ".join(clauses), "ORDER BY a.position LIMIT %s")
    return await fetch_all(pool, query, [*params, limit])


QUEUE_SELECT = """SELECT a.loan_id, a.position, a.active, a.days_past_due, a.bucket,
    a.classification, a.oldest_unpaid_due_date, c.business_date, l.borrower_id,
    l.product_code, l.outstanding_principal,
    coalesce(sum(i.principal + i.interest + i.fee + i.penalty)
        FILTER (WHERE i.due_date < c.business_date), 0) AS overdue_amount
FROM arrears a CROSS JOIN arrears_calendar c
JOIN loans l ON l.id = a.loan_id
LEFT JOIN arrears_installments i ON i.loan_id = a.loan_id"""


async def collection_queue(
    pool: AsyncConnectionPool, bucket: str | None, after: tuple[date, int] | None, limit: int
) -> list[Row]:
    """Up to `limit` active loans close of business has found late, in `bucket` if one
    is given, the oldest unpaid installment first, then by position: those after `after`
    (oldest unpaid due date, position) when given. Each row has the `loans` row's
    borrower, product and outstanding principal, and the amount overdue.

    Joins the `loans` read model; the main table is `arrears`.
    """
    clauses = ["a.active", "a.bucket <> 'current'", "a.oldest_unpaid_due_date IS NOT NULL"]
    params: list[Any] = []
    if bucket is not None:
        clauses.append("a.bucket = %s")
        params.append(bucket)
    if after is not None:
        clauses.append("(a.oldest_unpaid_due_date, a.position) > (%s, %s)")
        params += list(after)
    query = (
        f"{QUEUE_SELECT} WHERE {' AND '.join(clauses)}"
        " GROUP BY a.loan_id, c.business_date, l.id"
        " ORDER BY a.oldest_unpaid_due_date, a.position LIMIT %s"
    )
    return await fetch_all(pool, query, [*params, limit])
