"""GraphQL borrowers: read from the `borrowers` table, or rebuilt as of a moment."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from psycopg.rows import dict_row
from strawberry.types import Info

from domain.borrower import Borrower as BorrowerAggregate
from domain.identity import mask
from interfaces.graphql.context import STAFF, Context
from interfaces.graphql.loaders import loans_by_borrower
from interfaces.graphql.pagination import Connection, Page, connection
from interfaces.graphql.scalars import build_from_row, parse_id
from interfaces.graphql.store import offload

if TYPE_CHECKING:
    from interfaces.graphql.loans import Loan


@strawberry.enum
class BorrowerKind(Enum):
    INDIVIDUAL = "individual"
    BUSINESS = "business"


@strawberry.type
class Blacklisting:
    reason: str
    since: date


@strawberry.type
class Borrower:
    id: strawberry.ID
    kind: BorrowerKind
    name: str
    masked_id_number: str
    phone: str
    address: str
    region: str
    birth_date: date | None
    monthly_income: Decimal
    assets: Decimal | None
    liabilities: Decimal | None
    annual_sales: Decimal | None
    margin_percent: Decimal | None
    officer: str
    version: int
    blacklist_reason: strawberry.Private[str | None] = None
    blacklisted_on: strawberry.Private[date | None] = None

    @strawberry.field
    def blacklisting(self, info: Info[Context, None]) -> Blacklisting | None:
        """Why and since when the lender refuses the borrower credit (staff only)."""
        info.context.require(*STAFF)
        if self.blacklist_reason is None or self.blacklisted_on is None:
            return None
        return Blacklisting(reason=self.blacklist_reason, since=self.blacklisted_on)

    @strawberry.field
    async def loans(
        self, info: Info[Context, None]
    ) -> list[Annotated[Loan, strawberry.lazy("interfaces.graphql.loans")]]:
        """The borrower's loans, oldest application first."""
        from interfaces.graphql.loans import Loan  # that module imports this one

        rows = await loans_by_borrower(info.context).load(UUID(self.id))
        return [Loan.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Borrower:
        return build_from_row(
            cls, row, id=strawberry.ID(str(row["id"])), kind=BorrowerKind(row["kind"])
        )

    @classmethod
    def from_aggregate(cls, borrower: BorrowerAggregate) -> Borrower:
        return cls(
            id=strawberry.ID(str(borrower.id)),
            kind=BorrowerKind(borrower.kind.value),
            masked_id_number=mask(borrower.id_number),
            birth_date=borrower.birth_date,
            officer=borrower.officer,
            version=borrower.version,
            blacklist_reason=borrower.blacklisting.reason if borrower.blacklisting else None,
            blacklisted_on=borrower.blacklisting.since if borrower.blacklisting else None,
            **borrower.profile.model_dump(),
        )


@strawberry.input
class BorrowerFilter:
    kind: BorrowerKind | None = None
    region: str | None = None
    officer: str | None = None
    name_contains: str | None = None


async def borrower(
    info: Info[Context, None], id: strawberry.ID, as_of: datetime | None = None
) -> Borrower | None:
    context = info.context
    context.staff_or_self(str(id))
    borrower_id = parse_id(id)
    if as_of is not None:
        found = await offload(context.app.as_of, borrower_id, as_of, "borrower")
        return Borrower.from_aggregate(found) if found is not None else None
    rows = await _select(context, "WHERE id = %s", [borrower_id], 1)
    return Borrower.from_row(rows[0]) if rows else None


async def borrowers(
    info: Info[Context, None],
    filter: BorrowerFilter | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Connection[Borrower]:
    context = info.context
    context.require(*STAFF)
    page = Page.of(first, after)
    clauses, params = ["position > %s"], [page.after]
    wanted = filter or BorrowerFilter()
    equal = {
        "kind": wanted.kind.value if wanted.kind else None,
        "region": wanted.region,
        "officer": wanted.officer,
    }
    for column, value in equal.items():
        if value is not None:
            clauses.append(f"{column} = %s")
            params.append(value)
    if wanted.name_contains:
        clauses.append("name ILIKE %s")
        params.append(f"%{wanted.name_contains}%")
    rows = await _select(context, "WHERE " + " AND ".join(clauses), params, page.size + 1)
    return connection([(row["position"], Borrower.from_row(row)) for row in rows], page)


async def _select(
    context: Context, where: str, params: list[Any], limit: int
) -> list[dict[str, Any]]:
    async with context.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(
            f"SELECT * FROM borrowers {where} ORDER BY position LIMIT %s",
            [*params, limit],
        )
        return await cursor.fetchall()
