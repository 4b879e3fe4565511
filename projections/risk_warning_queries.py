"""Queries of the `risk_warnings` read model (projections/risk_warnings.py), for the
GraphQL layer. A module of their own: the read model's module is at its size limit."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from projections.reads import LOAN_OF_OFFICES, Row, fetch_all

SELECT = """SELECT id, position, rule, severity, status, subject, threshold, loan_id,
    borrower_id, raised_on, detail, note, version FROM risk_warnings"""


async def warnings_page(
    pool: AsyncConnectionPool,
    before: int,
    status: str | None,
    severity: str | None,
    limit: int,
    offices: Collection[UUID] | None = None,
) -> list[Row]:
    """Up to `limit` warnings, the newest first: those recorded before position `before`
    (0: from the newest), of the `status` and `severity` asked for, and of the loans
    and borrowers of `offices` (None: all)."""
    clauses: list[str] = []
    params: list[Any] = []
    if before:  # the cursor is the last position shown; older ones come next
        clauses.append("position < %s")
        params.append(before)
    if status is not None:
        clauses.append("status = %s")
        params.append(status)
    if severity is not None:
        clauses.append("severity = %s")
        params.append(severity)
    if offices is not None:  # a warning is its loan's, or else its borrower's
        clauses.append(
            f"({LOAN_OF_OFFICES.format('loan_id')} OR (loan_id IS NULL AND borrower_id IN"
            " (SELECT id FROM borrowers WHERE office = ANY(%s))))"
        )
        params += [sorted(offices)] * 2
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    query = f"{SELECT}{where} ORDER BY position DESC LIMIT %s"
    return await fetch_all(pool, query, [*params, limit])
