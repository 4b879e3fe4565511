"""Days past due on the arrears read models' rows, decided here for the GraphQL layer.

On the business date (`arrears`, projections/arrears_queries.py) a row holds what close
of business, or a payment that cured arrears, last recorded: DPD, bucket and tier change
only on the days DPD crosses a floor. Between those days an active loan that is late
keeps ageing, so its DPD is counted from its oldest unpaid installment to the business
date (domain.arrears.dpd_since); a loan that is current, closed or written off shows
what was recorded.

As of an earlier date (projections/as_of.py) a row holds the bucket and classification
of the range of dates holding it, as the domain worked them out when the history was
written; DPD on that date is counted from the oldest unpaid installment
(domain.arrears.dpd_since).

Every query here returns the rows of the query it wraps with `days_past_due` set so.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from domain.arrears import Bucket, dpd_since
from projections import arrears_queries, as_of
from projections.reads import Row


def _on_business_date(row: Row) -> Row:
    if row["active"] and row["bucket"] != Bucket.CURRENT.value:
        row["days_past_due"] = dpd_since(row["oldest_unpaid_due_date"], row["business_date"])
    return row


def _as_of(row: Row, on: date) -> Row:
    return row | {"days_past_due": dpd_since(row["oldest_unpaid_due_date"], on)}


async def arrears_of_loans(pool: AsyncConnectionPool, loan_ids: list[UUID]) -> list[Row | None]:
    """`arrears_queries.arrears_of_loans`, with DPD on the business date."""
    rows = await arrears_queries.arrears_of_loans(pool, loan_ids)
    return [None if row is None else _on_business_date(row) for row in rows]


async def current_arrears(
    pool: AsyncConnectionPool,
    after: int,
    limit: int,
    bucket: str | None,
    offices: Collection[UUID] | None = None,
) -> list[Row]:
    """`arrears_queries.current_arrears`, with DPD on the business date."""
    rows = await arrears_queries.current_arrears(pool, after, limit, bucket, offices)
    return [_on_business_date(row) for row in rows]


async def collection_queue(
    pool: AsyncConnectionPool,
    bucket: str | None,
    after: tuple[date, int] | None,
    limit: int,
    offices: Collection[UUID] | None = None,
) -> list[Row]:
    """`arrears_queries.collection_queue`, with DPD on the business date."""
    rows = await arrears_queries.collection_queue(pool, bucket, after, limit, offices)
    return [_on_business_date(row) for row in rows]


async def arrears_on(
    pool: AsyncConnectionPool,
    on: date,
    after: int,
    limit: int,
    bucket: Bucket | None,
    offices: Collection[UUID] | None = None,
) -> list[Row]:
    """`as_of.arrears_as_of`, with DPD at the close of `on`."""
    rows = await as_of.arrears_as_of(pool, on, after, limit, bucket, offices)
    return [_as_of(row, on) for row in rows]
