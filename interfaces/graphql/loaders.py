"""Per-request DataLoaders: one query per kind of row, however many fields ask.

Loaders live in `Context.loaders` and are made on first use, so each request gets
fresh caches and never sees another request's rows. They return read-model rows
(dicts) in key order; the GraphQL types convert them, which keeps this module free
of type imports (the types import it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from strawberry.dataloader import DataLoader

from application.app import LendingApplication
from application.contacts import Contact, contacts, payers
from interfaces.graphql.context import Context
from interfaces.graphql.store import offload
from projections.arrears_queries import arrears_of_loans

K = TypeVar("K")
Row = dict[str, Any]


def borrowers_by_id(context: Context) -> DataLoader[UUID, Row | None]:
    return _loader(context, "borrowers_by_id", _borrowers)


def loans_by_id(context: Context) -> DataLoader[UUID, Row | None]:
    return _loader(context, "loans_by_id", _loans_by_id)


def loans_by_borrower(context: Context) -> DataLoader[UUID, list[Row]]:
    return _loader(context, "loans_by_borrower", _loans)


def products_by_code(context: Context) -> DataLoader[str, Row | None]:
    return _loader(context, "products_by_code", _products)


def installments_by_loan(context: Context) -> DataLoader[UUID, list[Row]]:
    return _loader(context, "installments_by_loan", _installments)


def repayments_by_loan(context: Context) -> DataLoader[UUID, list[Row]]:
    return _loader(context, "repayments_by_loan", _repayments)


def arrears_by_loan(context: Context) -> DataLoader[UUID, Row | None]:
    return _loader(context, "arrears_by_loan", _arrears)


def contacts_by_borrower(context: Context) -> DataLoader[UUID, Contact | None]:
    """Full contact details from the event store, for the readers who may see them."""
    return _store_loader(context, "contacts_by_borrower", contacts)


def payers_by_repayment(context: Context) -> DataLoader[UUID, str | None]:
    """Payers' names in full from the event store, for the readers who may see them."""
    return _store_loader(context, "payers_by_repayment", payers)


def _loader(
    context: Context,
    name: str,
    load: Callable[[AsyncConnectionPool, list[K]], Awaitable[list[Any]]],
) -> DataLoader[K, Any]:
    found = context.loaders.get(name)
    if found is None:

        async def batch(keys: list[K]) -> list[Any]:
            return await load(context.pool, keys)

        found = context.loaders[name] = DataLoader(load_fn=batch)
    return found


def _store_loader(
    context: Context, name: str, load: Callable[[LendingApplication, list[K]], list[Any]]
) -> DataLoader[K, Any]:
    """A loader whose batch is one call to the application, off the event loop."""
    found = context.loaders.get(name)
    if found is None:

        async def batch(keys: list[K]) -> list[Any]:
            return await offload(load, context.app, keys)

        found = context.loaders[name] = DataLoader(load_fn=batch)
    return found


async def _borrowers(pool: AsyncConnectionPool, ids: list[UUID]) -> list[Row | None]:
    rows = await _select(pool, "SELECT * FROM borrowers WHERE id = ANY(%s)", ids)
    by_id = {row["id"]: row for row in rows}
    return [by_id.get(key) for key in ids]


async def _loans_by_id(pool: AsyncConnectionPool, ids: list[UUID]) -> list[Row | None]:
    rows = await _select(pool, "SELECT * FROM loans WHERE id = ANY(%s)", ids)
    by_id = {row["id"]: row for row in rows}
    return [by_id.get(key) for key in ids]


async def _loans(pool: AsyncConnectionPool, borrower_ids: list[UUID]) -> list[list[Row]]:
    rows = await _select(
        pool, "SELECT * FROM loans WHERE borrower_id = ANY(%s) ORDER BY position", borrower_ids
    )
    return _grouped(rows, "borrower_id", borrower_ids)


async def _products(pool: AsyncConnectionPool, codes: list[str]) -> list[Row | None]:
    rows = await _select(pool, "SELECT * FROM products WHERE code = ANY(%s)", codes)
    by_code = {row["code"]: row for row in rows}
    return [by_code.get(key) for key in codes]


async def _installments(pool: AsyncConnectionPool, loan_ids: list[UUID]) -> list[list[Row]]:
    rows = await _select(
        pool, "SELECT * FROM installments WHERE loan_id = ANY(%s) ORDER BY number", loan_ids
    )
    return _grouped(rows, "loan_id", loan_ids)


async def _repayments(pool: AsyncConnectionPool, loan_ids: list[UUID]) -> list[list[Row]]:
    rows = await _select(
        pool,
        "SELECT * FROM repayments WHERE loan_id = ANY(%s) ORDER BY value_date, position",
        loan_ids,
    )
    return _grouped(rows, "loan_id", loan_ids)


async def _arrears(pool: AsyncConnectionPool, loan_ids: list[UUID]) -> list[Row | None]:
    return await arrears_of_loans(pool, loan_ids)


def _grouped(rows: list[Row], column: str, keys: list[Any]) -> list[list[Row]]:
    groups: dict[Any, list[Row]] = {key: [] for key in keys}
    for row in rows:
        groups[row[column]].append(row)
    return [groups[key] for key in keys]


async def _select(pool: AsyncConnectionPool, sql: str, keys: list[Any]) -> list[Row]:
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(sql, [keys])
        return await cursor.fetchall()
