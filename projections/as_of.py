"""Arrears and portfolio figures as of a business date, read from `arrears_history`.

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
        SELECT h.loan_id, h.valid_from, h.position, h.oldest_unpaid_due_date
        FROM arrears_history h WHERE {" AND ".join(clauses)}
        ORDER BY h.position LIMIT %(limit)s)
    SELECT page.*, overdue.* FROM page LEFT JOIN LATERAL (
        SELECT coalesce(sum(r.principal), 0) AS overdue_principal,
            coalesce(sum(r.interest), 0) AS overdue_interest,
            coalesce(sum(r.fee), 0) AS overdue_fees,
            coalesce(sum(r.penalty), 0) AS overdue_penalty
        FROM arrears_history_installments i CROSS JOIN jsonb_to_recordset(i.installments)
            AS r(due_date date, principal numeric, interest numeric, fee numeric,
                 penalty numeric)
        WHERE i.loan_id = page.loan_id AND i.valid_from = page.valid_from
            AND r.due_date < %(on)s) AS overdue ON true
    ORDER BY page.position"""
    return query, params


def portfolio_query(on: date | None, dimensions: list[str]) -> tuple[sql.Composed, dict[str, Any]]:
    """Loans disbursed by the close of `on`, summed by `dimensions` (arrears_history
    columns, or `CLASSIFICATION`), with the principal at risk over 30 and 90 DPD and the
    non-performing principal. `on` None (no business date yet) finds no loans."""
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
        "SELECT {} FROM (SELECT h.*, {} AS dpd FROM arrears_history h WHERE {}) AS h"
    ).format(sql.SQL(", ").join([*labels, *totals]), sql.SQL(DAYS_PAST_DUE), sql.SQL(VALID_ON))
    if keys:
        positions = sql.SQL(", ").join(sql.Literal(n) for n in range(1, len(keys) + 1))
        query += sql.SQL(" GROUP BY {0} ORDER BY {0}").format(positions)
    return query, {"on": on}


# Queries, for the GraphQL layer.


async def history_business_date(pool: AsyncConnectionPool) -> date | None:
    """The business date `arrears_history` has reached (None before any)."""
    row = await fetch_one(pool, "SELECT business_date FROM arrears_history_calendar")
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
