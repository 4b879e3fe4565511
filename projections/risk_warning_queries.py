"""Queries of the `risk_warnings` read model (projections/risk_warnings.py), for the
GraphQL layer. A module of their own: the read model's module is at its size limit."""

from __future__ import annotations

from typing import Any

from psycopg_pool import AsyncConnectionPool

from projections.reads import Row, fetch_all

SELECT = """SELECT id, position, rule, severity, status, subject, threshold, loan_id,
    borrower_id, raised_on, detail, note, version FROM risk_warnings"""


async def warnings_page(
    pool: AsyncConnectionPool,
    before: int,
    status: str | None,
    severity: str | None,
    limit: int,
) -> list[Row]:
    """Up to `limit` warnings, the newest first: those recorded before position `before`
    (0: from the newest), of the `status` and `severity` asked
    for."""
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
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    query = f"{SELECT}{where} ORDER BY position DESC LIMIT %s"
    return await fetch_all(pool, query, [*params, limit])
