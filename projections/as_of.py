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

Days past due as of D = D - oldest_unpaid_due_date when that is before D (else 0);
installments due before D are overdue. Bucket and classification follow from DPD
(domain.arrears, default thresholds); `DAYS_PAST_DUE` and `classification_rank` are that
rule in SQL. Every status is computed from its books: a closed loan owes nothing; a
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
Days past due, bucket and classification follow domain.arrears (default thresholds),
written out here as SQL so that a filter or a grouping by them stays in the database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from psycopg import sql
from psycopg_pool import AsyncConnectionPool

from domain.arrears import DEFAULT_THRESHOLDS, Bucket, Classification
from domain.arrears.classification import BUCKET_FLOORS
from projections.reads import Row, fetch_all, fetch_one

# The row of each loan as the books stood at the close of %(on)s.
VALID_ON = "h.valid_from <= %(on)s AND (h.valid_to IS NULL OR h.valid_to > %(on)s)"
DAYS_PAST_DUE = "coalesce(greatest(%(on)s::date - h.oldest_unpaid_due_date, 0), 0)"
TIERS = list(Classification)


def classification_rank(dpd: str) -> str:
    """Classification as its place in `Classification` (normal 0 ... loss 4) for the
    SQL expression `dpd`."""
    return (
        "CASE "
        + " ".join(
            f"WHEN {dpd} >= {floor} THEN {TIERS.index(tier)}"
            for floor, tier in DEFAULT_THRESHOLDS.floors()
            if floor > 0
        )
        + " ELSE 0 END"
    )


CLASSIFICATION = "classification"  # the dimension that is not a column


def dpd_range(bucket: Bucket) -> tuple[int, int | None]:
    """The first and last DPD of `bucket` (None: no last)."""
    floors = sorted(floor for floor, _ in BUCKET_FLOORS)
    first = next(floor for floor, found in BUCKET_FLOORS if found is bucket)
    later = [floor for floor in floors if floor > first]
    return first, (later[0] - 1 if later else None)


def arrears_query(
    on: date, after: int, limit: int, bucket: Bucket | None = None
) -> tuple[str, dict[str, Any]]:
    """Loans active at the close of `on` after position `after`, in disbursement order,
    with their oldest unpaid due date and what was overdue (due before `on`)."""
    params: dict[str, Any] = {"on": on, "after": after, "limit": limit}
    clauses = ["h.status = 'active'", VALID_ON, "h.position > %(after)s"]
    if bucket is not None:
        params["first"], params["last"] = dpd_range(bucket)
        clauses.append(f"{DAYS_PAST_DUE} >= %(first)s")
        if params["last"] is not None:
            clauses.append(f"{DAYS_PAST_DUE} <= %(last)s")
    query = f"""WITH page AS (
        SELECT h.loan_id, h.valid_from, h.position, h.oldest_unpaid_due_date, h.installments
        FROM loan_book_segments h WHERE {" AND ".join(clauses)}
        ORDER BY h.position LIMIT %(limit)s)
    SELECT page.loan_id, page.valid_from, page.position, page.oldest_unpaid_due_date,
        overdue.* FROM page LEFT JOIN LATERAL (
        SELECT coalesce(sum(r.principal), 0) AS overdue_principal,
            coalesce(sum(r.interest), 0) AS overdue_interest,
            coalesce(sum(r.fee), 0) AS overdue_fees,
            coalesce(sum(r.penalty), 0) AS overdue_penalty
        FROM jsonb_to_recordset(page.installments)
            AS r(due_date date, principal numeric, interest numeric, fee numeric,
                 penalty numeric)
        WHERE r.due_date < %(on)s) AS overdue ON true
    ORDER BY page.position"""
    return query, params


def portfolio_query(on: date | None, dimensions: list[str]) -> tuple[sql.Composed, dict[str, Any]]:
    """Loans disbursed by the close of `on`, summed by `dimensions` (columns of
    `loan_book_segments`, as in `arrears_history`, or `CLASSIFICATION`), with the
    principal at risk over 30 and 90 DPD and the non-performing principal. `on` None
    (no business date yet) finds no loans."""
    # DPD is worked out once per loan, in the inner query, and grouped on outside.
    rank = sql.SQL(classification_rank("h.dpd"))
    keys = [
        rank if name == CLASSIFICATION else sql.SQL("h.{}").format(sql.Identifier(name))
        for name in dimensions
    ]
    labels = [
        sql.SQL("{} AS {}").format(key, sql.Identifier(name))
        for key, name in zip(keys, dimensions, strict=True)
    ]
    dpd = sql.SQL("h.dpd")
    at_risk = sql.SQL(
        "coalesce(sum(h.outstanding_principal) FILTER (WHERE {} > {}), 0) AS {}"
    )  # fmt: skip
    totals = [
        sql.SQL("count(*) AS loan_count"),
        *(
            sql.SQL("coalesce(sum(h.{0}), 0) AS {0}").format(sql.Identifier(column))
            for column in ("disbursed_amount", "outstanding_principal", "collected_amount")
        ),
        at_risk.format(dpd, sql.Literal(30), sql.Identifier("par30_principal")),
        at_risk.format(dpd, sql.Literal(90), sql.Identifier("par90_principal")),
        at_risk.format(
            rank,
            sql.Literal(TIERS.index(Classification.SUBSTANDARD) - 1),
            sql.Identifier("npl_principal"),
        ),
    ]
    query = sql.SQL(
        "SELECT {} FROM (SELECT h.*, {} AS dpd FROM loan_book_segments h WHERE {}) AS h"
    ).format(sql.SQL(", ").join([*labels, *totals]), sql.SQL(DAYS_PAST_DUE), sql.SQL(VALID_ON))
    if keys:
        positions = sql.SQL(", ").join(sql.Literal(n) for n in range(1, len(keys) + 1))
        query += sql.SQL(" GROUP BY {0} ORDER BY {0}").format(positions)
    return query, {"on": on}


# Queries, for the GraphQL layer.


async def history_business_date(pool: AsyncConnectionPool) -> date | None:
    """The business date `loan_books` has reached (None before any)."""
    row = await fetch_one(pool, "SELECT business_date FROM loan_books_calendar")
    return row["business_date"] if row else None


async def arrears_as_of(
    pool: AsyncConnectionPool, on: date, after: int, limit: int, bucket: Bucket | None
) -> list[Row]:
    """A page of `arrears_query`: the loans active at the close of `on`."""
    query, params = arrears_query(on, after, limit, bucket)
    return await fetch_all(pool, query, params)


async def portfolio_as_of(
    pool: AsyncConnectionPool, on: date | None, dimensions: list[str]
) -> list[Row]:
    """The rows of `portfolio_query`: loans disbursed by the close of `on`, summed."""
    query, params = portfolio_query(on, dimensions)
    return await fetch_all(pool, query, params)
