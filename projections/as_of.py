"""Arrears and portfolio figures as of a business date, read from the `loan_books`
read model's segments (projections/loan_books.py), and the views that show them.

`arrears_history`, `arrears_history_installments`, `arrears_history_calendar`,
`portfolio_loans` and `portfolio_applications` are SQL views over `loan_books`.

Views analysts can rely on:
  arrears_history: one row per loan per range of business dates.
    loan_id; valid_from (the business date the row took effect); valid_to (the business
    date the next row took effect: exclusive, null while current); position (of the
    disbursement; orders lists); status (active|closed|written_off);
    outstanding_principal (0 once written off), disbursed_amount, collected_amount
    (everything repaid, after reversals); oldest_unpaid_due_date (earliest installment
    with principal or interest outstanding, due or not); product_code, region, officer,
    borrower_kind, disbursement_month ('YYYY-MM'): the portfolio's dimensions, copied
    so a figure as of a date is one scan.
  arrears_history_installments: loan_id, valid_from (the row of arrears_history it
    belongs to), installments: a jsonb array of the installments with anything
    outstanding, each {number, due_date, principal, interest, fee, penalty} (amounts are
    JSON numbers at the currency's minor unit, outstanding ones only).
  arrears_history_calendar: business_date, the date close of business has reached.

"As of D" means the books as they stood at the close of business date D, as recorded:
the row with valid_from <= D < valid_to (or valid_to null). Events recorded on one
business date revise that date's row; the first event of a later date closes it and
opens a new one, so a payment recorded later with an earlier value date changes the
reports from the date it was recorded, never the ones already made, as auditors expect.
An event takes effect on the business date it is recorded on, or on its value date when
that is later: close of business records a day's charges and delinquency before it
closes the day.

Installments due before D are overdue. The queries read `loan_book_segments`, whose rows
split each range of `arrears_history` where the bucket or tier changes: each holds the
bucket and classification domain.loan.delinquency worked out for it from the oldest
unpaid due date (projections/loan_book_history.py), so a figure as of D only picks the
row holding D. Every status is computed from its books: a closed loan owes nothing; a
written-off one keeps its unpaid installments but no outstanding principal.

portfolio_loans, one row per disbursed loan, shaped for grouping:
  loan_id (primary key), product_code, region, officer, borrower_kind
  (individual|business) — the dimensions as recorded at application;
  disbursement_month ('YYYY-MM' of disbursed_on), disbursed_on (value date),
  status (active|closed|written_off), disbursed_amount, outstanding_principal
  (0 once written off), collected_amount (everything repaid: principal, interest,
  fees and penalty, after reversals; overpayment credit is not included),
  written_off_principal (0 unless written off), version (of the loan aggregate).
Amounts are numeric at the currency's minor unit. A loan appears when it is
disbursed: applications that never paid out are not part of the portfolio.
Figures by product, region, officer, kind or month are a GROUP BY over this table.

portfolio_applications: loan_id and the dimensions of loans not yet disbursed.

Builders of SQL and its parameters: the callers run them on their own connections.
PAR counts the buckets domain.arrears says are past its days; NPL the tiers it says are
non-performing; classifications are listed in the domain's order, normal to loss.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any
from uuid import UUID

from psycopg import sql
from psycopg_pool import AsyncConnectionPool

from domain.arrears import Bucket, Classification, buckets_past, is_non_performing
from projections.loan_book_charges import SEGMENT_FEES
from projections.reads import Row, fetch_all, fetch_one

# The row of each loan as the books stood at the close of %(on)s.
VALID_ON = "h.valid_from <= %(on)s AND (h.valid_to IS NULL OR h.valid_to > %(on)s)"
CLASSIFICATION = "classification"  # listed in the domain's order, not the alphabet's
AT_RISK = {
    "par30_principal": ("bucket", [bucket.value for bucket in buckets_past(30)]),
    "par90_principal": ("bucket", [bucket.value for bucket in buckets_past(90)]),
    "npl_principal": (
        CLASSIFICATION,
        [tier.value for tier in Classification if is_non_performing(tier)],
    ),
}


def arrears_query(
    on: date,
    after: int,
    limit: int,
    bucket: Bucket | None = None,
    offices: Collection[UUID] | None = None,
) -> tuple[str, dict[str, Any]]:
    """Loans active at the close of `on` after position `after`, in disbursement order,
    with their oldest unpaid due date, bucket and classification, and what was overdue
    (due before `on`); of the loans of `offices` (None: all)."""
    params: dict[str, Any] = {"on": on, "after": after, "limit": limit}
    clauses = ["h.status = 'active'", VALID_ON, "h.position > %(after)s"]
    if bucket is not None:
        params["bucket"] = bucket.value
        clauses.append("h.bucket = %(bucket)s")
    if offices is not None:
        params["offices"] = sorted(offices)
        clauses.append("h.loan_id IN (SELECT id FROM loan_records WHERE office = ANY(%(offices)s))")
    query = f"""WITH page AS (
        SELECT h.loan_id, h.books_from, h.position, h.oldest_unpaid_due_date, h.bucket,
            h.classification
        FROM loan_book_segments h WHERE {" AND ".join(clauses)}
        ORDER BY h.position LIMIT %(limit)s)
    SELECT page.loan_id, page.books_from AS valid_from, page.position,
        page.oldest_unpaid_due_date, page.bucket, page.classification, overdue.*
    FROM page JOIN loan_book_segment_installments i
        ON i.loan_id = page.loan_id AND i.valid_from = page.books_from
    LEFT JOIN LATERAL (
        SELECT coalesce(sum(r.principal), 0) AS overdue_principal,
            coalesce(sum(r.interest), 0) AS overdue_interest,
            coalesce(sum(r.fee), 0) AS overdue_fees,
            coalesce(sum(r.penalty), 0) AS overdue_penalty
        FROM jsonb_to_recordset(i.installments)
            AS r(due_date date, principal numeric, interest numeric, fee numeric,
                 penalty numeric)
        WHERE r.due_date < %(on)s) AS overdue ON true
    ORDER BY page.position"""
    return query, params


MONEY = ("disbursed_amount", "outstanding_principal", "collected_amount")


# The office a loan belongs to is the `loans` read model's (recorded at application).
OFFICE = "office"
OFFICE_JOIN = "JOIN loan_records o ON o.id = h.loan_id"


def portfolio_query(
    on: date | None, dimensions: list[str], offices: Collection[UUID] | None = None
) -> tuple[sql.Composed, dict[str, Any]]:
    """Loans disbursed by the close of `on`, summed by `dimensions` (columns of
    `loan_book_segments`: those of `arrears_history`, and `CLASSIFICATION`; and OFFICE,
    the loan's office in `loan_records`), with the principal at risk over 30 and 90 DPD
    and the non-performing principal. `on` None (no business date yet) finds no loans;
    `offices` (None: all) keeps the loans of those offices."""
    keys = [
        sql.SQL("o.office" if name == OFFICE else "h.{}").format(sql.Identifier(name))
        for name in dimensions
    ]
    labels = [
        sql.SQL("{} AS {}").format(key, sql.Identifier(name))
        for key, name in zip(keys, dimensions, strict=True)
    ]
    at_risk = sql.SQL(
        "coalesce(sum(h.outstanding_principal) FILTER (WHERE h.{} = ANY(%({})s)), 0) AS {}"
    )
    totals = [
        sql.SQL("count(*) AS loan_count"),
        *(
            sql.SQL("coalesce(sum(h.{0}), 0) AS {0}").format(sql.Identifier(column))
            for column in (*MONEY, *SEGMENT_FEES)
        ),
        *(
            at_risk.format(sql.Identifier(column), sql.SQL(name), sql.Identifier(name))
            for name, (column, _) in AT_RISK.items()
        ),
    ]
    joined = OFFICE in dimensions or offices is not None
    query = sql.SQL("SELECT {} FROM loan_book_segments h {} WHERE {}{}").format(
        sql.SQL(", ").join([*labels, *totals]),
        sql.SQL(OFFICE_JOIN if joined else ""),
        sql.SQL(VALID_ON),
        sql.SQL(" AND o.office = ANY(%(offices)s)" if offices is not None else ""),
    )
    params = {"on": on, "tiers": [tier.value for tier in Classification]}
    if offices is not None:
        params["offices"] = sorted(offices)
    params |= {name: values for name, (_, values) in AT_RISK.items()}
    if keys:
        groups = sql.SQL(", ").join(sql.Literal(n) for n in range(1, len(keys) + 1))
        order = sql.SQL(", ").join(
            sql.SQL("array_position(%(tiers)s::text[], {})").format(key)
            if name == CLASSIFICATION
            else sql.Literal(n)
            for n, (key, name) in enumerate(zip(keys, dimensions, strict=True), start=1)
        )
        query += sql.SQL(" GROUP BY {} ORDER BY {}").format(groups, order)
    return query, params


# Queries, for the GraphQL layer.


async def history_business_date(pool: AsyncConnectionPool) -> date | None:
    """The business date `loan_books` has reached (None before any)."""
    row = await fetch_one(pool, "SELECT business_date FROM loan_books_calendar")
    return row["business_date"] if row else None


async def arrears_as_of(
    pool: AsyncConnectionPool,
    on: date,
    after: int,
    limit: int,
    bucket: Bucket | None,
    offices: Collection[UUID] | None = None,
) -> list[Row]:
    """A page of `arrears_query`: the loans active at the close of `on`."""
    query, params = arrears_query(on, after, limit, bucket, offices)
    return await fetch_all(pool, query, params)


async def portfolio_as_of(
    pool: AsyncConnectionPool,
    on: date | None,
    dimensions: list[str],
    offices: Collection[UUID] | None = None,
) -> list[Row]:
    """The rows of `portfolio_query`: loans disbursed by the close of `on`, summed."""
    query, params = portfolio_query(on, dimensions, offices)
    return await fetch_all(pool, query, params)
