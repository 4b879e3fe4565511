"""Running the read models' queries on the GraphQL layer's async pool.

Each read model's module exports typed async query functions for what it serves; they
run their SQL through these helpers and hand back rows (dicts, one per row) or small
values. Batch helpers put rows back in the order of the keys asked for, as DataLoaders
need.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.abc import Params
from psycopg.rows import dict_row
from psycopg.sql import Composed
from psycopg_pool import AsyncConnectionPool

Row = dict[str, Any]


async def fetch_all(
    pool: AsyncConnectionPool, query: str | Composed, params: Params = ()
) -> list[Row]:
    """Every row `query` returns."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(query, params)
        return await cursor.fetchall()


async def fetch_one(
    pool: AsyncConnectionPool, query: str | Composed, params: Params = ()
) -> Row | None:
    """The first row `query` returns, if any."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(query, params)
        return await cursor.fetchone()


def page_filter(after: int, equal: dict[str, Any], alias: str = "") -> tuple[list[str], list[Any]]:
    """The WHERE clauses and parameters of a page after position `after` whose columns
    hold the values in `equal` (None: any; a set: any of its members). Column names come
    from the read model's own code, never from the caller; the values are parameters."""
    prefix = f"{alias}." if alias else ""
    clauses = [f"{prefix}position > %s"]
    params: list[Any] = [after]
    for column, value in equal.items():
        if isinstance(value, (set, frozenset)) and len(value) == 1:
            # One value as an equality: an index on (column, position) then gives the
            # page in order, where `= ANY` of an array would sort every matching row.
            (value,) = value
        if isinstance(value, (set, frozenset)):
            clauses.append(f"{prefix}{column} = ANY(%s)")
            params.append(sorted(value))
        elif value is not None:
            clauses.append(f"{prefix}{column} = %s")
            params.append(value)
    return clauses, params


# Rows of loans that belong to one of a list of offices (the caller's reach).
LOAN_OF_OFFICES = "{} IN (SELECT id FROM loan_records WHERE office = ANY(%s))"


def by_key(rows: list[Row], column: str, keys: Sequence[Any]) -> list[Row | None]:
    """For each key in turn, the row whose `column` holds it (None if none does)."""
    found = {row[column]: row for row in rows}
    return [found.get(key) for key in keys]


def grouped(rows: list[Row], column: str, keys: Sequence[Any]) -> list[list[Row]]:
    """For each key in turn, the rows whose `column` holds it, in the order given."""
    groups: dict[Any, list[Row]] = {key: [] for key in keys}
    for row in rows:
        groups[row[column]].append(row)
    return [groups[key] for key in keys]
