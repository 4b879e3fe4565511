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

from psycopg_pool import AsyncConnectionPool
from strawberry.dataloader import DataLoader

from application.app import LendingApplication
from application.contacts import Contact, contacts, payers
from interfaces.graphql.context import Context
from interfaces.graphql.store import offload
from projections.borrowers import borrowers_of_ids
from projections.dpd_queries import arrears_of_loans
from projections.installments import installments_of_loans
from projections.loan_book_charges import charges_of_loans, fees_of_loans, waivers_of_loans
from projections.loans import loans_of_borrowers, loans_of_ids
from projections.products import products_of_codes, versions_of_products
from projections.repayments import repayments_of_loans

K = TypeVar("K")
Row = dict[str, Any]


def borrowers_by_id(context: Context) -> DataLoader[UUID, Row | None]:
    """Borrowers out of the caller's office reach load as None, as if there were none."""
    return _loader(context, "borrowers_by_id", _reached(context, borrowers_of_ids))


def loans_by_id(context: Context) -> DataLoader[UUID, Row | None]:
    """Loans out of the caller's office reach load as None, as if there were none."""
    return _loader(context, "loans_by_id", _reached(context, loans_of_ids))


def loans_by_borrower(context: Context) -> DataLoader[UUID, list[Row]]:
    """Each borrower's loans within the caller's office reach."""
    return _loader(context, "loans_by_borrower", _reached_lists(context, loans_of_borrowers))


def _reached(
    context: Context, load: Callable[[AsyncConnectionPool, list[K]], Awaitable[list[Row | None]]]
) -> Callable[[AsyncConnectionPool, list[K]], Awaitable[list[Row | None]]]:
    async def reached(pool: AsyncConnectionPool, keys: list[K]) -> list[Row | None]:
        reach = await context.reach()
        rows = await load(pool, keys)
        return rows if reach is None else [r if r and r["office"] in reach else None for r in rows]

    return reached


def _reached_lists(
    context: Context, load: Callable[[AsyncConnectionPool, list[K]], Awaitable[list[list[Row]]]]
) -> Callable[[AsyncConnectionPool, list[K]], Awaitable[list[list[Row]]]]:
    async def reached(pool: AsyncConnectionPool, keys: list[K]) -> list[list[Row]]:
        reach = await context.reach()
        lists = await load(pool, keys)
        if reach is None:
            return lists
        return [[row for row in rows if row["office"] in reach] for rows in lists]

    return reached


def products_by_code(context: Context) -> DataLoader[str, Row | None]:
    return _loader(context, "products_by_code", products_of_codes)


def product_versions(context: Context) -> DataLoader[UUID, list[Row]]:
    return _loader(context, "product_versions", versions_of_products)


def installments_by_loan(context: Context) -> DataLoader[UUID, list[Row]]:
    return _loader(context, "installments_by_loan", installments_of_loans)


def repayments_by_loan(context: Context) -> DataLoader[UUID, list[Row]]:
    return _loader(context, "repayments_by_loan", repayments_of_loans)


def arrears_by_loan(context: Context) -> DataLoader[UUID, Row | None]:
    return _loader(context, "arrears_by_loan", arrears_of_loans)


def fees_by_loan(context: Context) -> DataLoader[UUID, Row | None]:
    return _loader(context, "fees_by_loan", fees_of_loans)


def charges_by_loan(context: Context) -> DataLoader[UUID, list[Row]]:
    return _loader(context, "charges_by_loan", charges_of_loans)


def waivers_by_loan(context: Context) -> DataLoader[UUID, list[Row]]:
    return _loader(context, "waivers_by_loan", waivers_of_loans)


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


async def loan_reached(context: Context, loan_id: UUID) -> bool:
    """Whether the caller reaches the loan (callers who reach every office always do,
    before the read models have it too)."""
    return await context.reach() is None or await loans_by_id(context).load(loan_id) is not None


async def borrower_reached(context: Context, borrower_id: UUID) -> bool:
    """Whether the caller reaches the borrower (see `loan_reached`)."""
    if await context.reach() is None:
        return True
    return await borrowers_by_id(context).load(borrower_id) is not None
