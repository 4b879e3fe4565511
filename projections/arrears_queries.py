"""`arrears`: what each active loan owes past due, and when that may change; its queries.

`arrears`, `arrears_installments` and `arrears_calendar` are SQL views over the
`loan_books` read model (projections/loan_books.py). Every query here reads `arrears`
with `arrears_calendar` (the business date) and `arrears_installments` (what is overdue
on it).

Views analysts can rely on:
  arrears: loan_id, position (of the disbursement; orders the list), active (false
    once closed or written off), oldest_unpaid_due_date (earliest installment with
    principal or interest unpaid), days_past_due, bucket, classification and
    delinquency_since (as close of business or a cure last recorded them; current,
    normal and null before any), late_fee_lag (days from a due date to the day an
    unpaid installment is charged its late fee, as the loan's penalty terms say; null
    without a late fee), accrues_penalty (whether overdue principal earns penalty
    interest, crystallised at month ends), next_delinquency_change (the first
    business date on which close of business must look at the loan if nothing is
    paid: its bucket or classification may change, a late fee may fall due or penalty
    be crystallised; close of business loads only the loans due that day; null once
    not active).
    The loan decides all of these (its product's `PenaltyTerms` and each event's
    `Timing`); the view shows what `loan_books` stores of them.
  arrears_installments: loan_id, number, due_date, principal, interest, fee, penalty:
    what is still outstanding on each installment, as the loan's last event recorded.
  arrears_calendar: business_date, the date close of business has reached.
"As of" the business date: an installment is overdue once its due date is before the
business date, and its outstanding amounts count every payment recorded so far (no
payment may be valued after the business date, so that is the state on that date).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from projections.reads import LOAN_OF_OFFICES, Row, by_key, fetch_all


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
    pool: AsyncConnectionPool,
    after: int,
    limit: int,
    bucket: str | None,
    offices: Collection[UUID] | None = None,
) -> list[Row]:
    """Up to `limit` active loans' `arrears` rows after position `after`, in position
    order, in `bucket` if one is given, of loans of `offices` (None: all): the books on
    the business date."""
    clauses = ["a.active", "a.position > %s"]
    params: list[Any] = [after]
    if bucket is not None:
        clauses.append("a.bucket = %s")
        params.append(bucket)
    if offices is not None:
        clauses.append(LOAN_OF_OFFICES.format("a.loan_id"))
        params.append(sorted(offices))
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
    pool: AsyncConnectionPool,
    bucket: str | None,
    after: tuple[date, int] | None,
    limit: int,
    offices: Collection[UUID] | None = None,
) -> list[Row]:
    """Up to `limit` active loans close of business has found late, in `bucket` if one
    is given, the oldest unpaid installment first, then by position: those after `after`
    (oldest unpaid due date, position) when given. Each row has the `loans` row's
    borrower, product and outstanding principal, and the amount overdue. `offices`
    (None: all) keeps the loans of those offices.

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
    if offices is not None:
        clauses.append("l.office = ANY(%s)")
        params.append(sorted(offices))
    query = (
        f"{QUEUE_SELECT} WHERE {' AND '.join(clauses)}"
        # `arrears` and `loans` are views: every column they give is grouped on.
        " GROUP BY a.loan_id, a.position, a.active, a.days_past_due, a.bucket,"
        " a.classification, a.oldest_unpaid_due_date, c.business_date, l.borrower_id,"
        " l.product_code, l.outstanding_principal"
        " ORDER BY a.oldest_unpaid_due_date, a.position LIMIT %s"
    )
    return await fetch_all(pool, query, [*params, limit])
