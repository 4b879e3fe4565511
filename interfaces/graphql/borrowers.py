"""GraphQL borrowers: read from the `borrowers` table, or rebuilt as of a moment.

Name, phone and address come masked from the table; the readers who see contact
details (interfaces/graphql/privacy.py) get them in full from the event store, one
batch per request. Only loan officers search by name (the `borrower_search` table).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from application.borrower_queries import RecordedBorrower, borrower_as_of
from application.contacts import Contact
from domain.identity import mask
from domain.masking import SEARCH_PIECE, mask_address, mask_name, mask_phone, search_form
from infrastructure.tokens import Role
from interfaces.graphql.context import STAFF, Context, Forbidden
from interfaces.graphql.disclosures import disclosed
from interfaces.graphql.loaders import borrower_reached, contacts_by_borrower, loans_by_borrower
from interfaces.graphql.pagination import Connection, Page, connection
from interfaces.graphql.privacy import sees_contact
from interfaces.graphql.scalars import build_from_row, parse_id
from interfaces.graphql.store import offload
from projections.borrowers import borrower_of_id, borrowers_page

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
    masked_id_number: str
    region: str
    birth_date: date | None
    monthly_income: Decimal
    assets: Decimal | None
    liabilities: Decimal | None
    annual_sales: Decimal | None
    margin_percent: Decimal | None
    officer: str
    version: int
    masked_name: strawberry.Private[str]
    masked_phone: strawberry.Private[str]
    masked_address: strawberry.Private[str]
    # The business date the borrower's personal data was erased (it reads `[erased]`).
    erased_on: date | None = None
    blacklist_reason: strawberry.Private[str | None] = None
    blacklisted_on: strawberry.Private[date | None] = None
    # As of a moment: the contact details the aggregate had then.
    recorded: strawberry.Private[Contact | None] = None

    @strawberry.field
    async def name(self, info: Info[Context, None]) -> str:
        """In full for loan officers, collectors and the borrower itself; else masked."""
        contact = await self._contact(info)
        return contact.name if contact else self.masked_name

    @strawberry.field
    async def phone(self, info: Info[Context, None]) -> str:
        """E.164 for loan officers, collectors and the borrower itself (each showing is
        recorded: `auditTrail`); else masked (`138****8000`)."""
        contact = await self._contact(info)
        if contact is None:
            return self.masked_phone
        await disclosed(info.context, {"phone"}, ("borrower", UUID(self.id)))
        return contact.phone

    @strawberry.field
    async def address(self, info: Info[Context, None]) -> str:
        """In full for loan officers, collectors and the borrower itself; else masked."""
        contact = await self._contact(info)
        return contact.address if contact else self.masked_address

    async def _contact(self, info: Info[Context, None]) -> Contact | None:
        if not sees_contact(info.context.user, str(self.id)):
            return None
        if self.recorded is not None:
            return self.recorded
        return await contacts_by_borrower(info.context).load(UUID(self.id))

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
    def from_recorded(cls, borrower: RecordedBorrower) -> Borrower:
        profile, blacklisting = borrower.profile, borrower.blacklisting
        return cls(
            id=strawberry.ID(str(borrower.id)),
            kind=BorrowerKind(borrower.kind.value),
            masked_id_number=mask(borrower.id_number),
            birth_date=borrower.birth_date,
            officer=borrower.officer,
            version=borrower.version,
            blacklist_reason=blacklisting.reason if blacklisting else None,
            blacklisted_on=blacklisting.since if blacklisting else None,
            masked_name=mask_name(profile.name),
            masked_phone=mask_phone(profile.phone),
            masked_address=mask_address(profile.address),
            recorded=Contact(borrower.id, profile.name, profile.phone, profile.address),
            erased_on=borrower.erased_on,
            **profile.model_dump(exclude={"name", "phone", "address"}),
        )


@strawberry.input
class BorrowerFilter:
    kind: BorrowerKind | None = None
    region: str | None = None
    officer: str | None = None
    name_contains: str | None = strawberry.field(
        default=None,
        description="Part of the name, case and spacing aside (loan officers only).",
    )


async def borrower(
    info: Info[Context, None], id: strawberry.ID, as_of: datetime | None = None
) -> Borrower | None:
    context = info.context
    context.staff_or_self(str(id))
    borrower_id = parse_id(id)
    if not await borrower_reached(context, borrower_id):
        return None  # out of the caller's office reach: as if there were none
    if as_of is not None:
        found = await offload(borrower_as_of, context.app, borrower_id, as_of)
        return Borrower.from_recorded(found) if found is not None else None
    row = await borrower_of_id(context.pool, borrower_id)
    return Borrower.from_row(row) if row else None


async def borrowers(
    info: Info[Context, None],
    filter: BorrowerFilter | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Connection[Borrower]:
    context = info.context
    user = context.require(*STAFF)
    page = Page.of(first, after)
    wanted = filter or BorrowerFilter()
    equal = {
        "kind": wanted.kind.value if wanted.kind else None,
        "region": wanted.region,
        "officer": wanted.officer,
        "office": await context.reach(),
    }
    if wanted.name_contains and not user.has_any(Role.LOAN_OFFICER):
        raise Forbidden("searching borrowers by name needs the role loan_officer")
    pieces = None
    if wanted.name_contains:
        pieces = context.app.name_query_digests(wanted.name_contains)
    rows = await borrowers_page(context.pool, page.after, page.size + 1, equal, pieces)
    if wanted.name_contains and len(search_form(wanted.name_contains)) > SEARCH_PIECE:
        rows = await _holding(context, rows, search_form(wanted.name_contains))
    return connection([(row["position"], Borrower.from_row(row)) for row in rows], page)


async def _holding(context: Context, rows: list[dict[str, Any]], wanted: str) -> list[Any]:
    """The rows whose borrower's name (read from the store: the caller may read names)
    holds `wanted`: a name may hold a long query's pieces apart."""
    contacts = await contacts_by_borrower(context).load_many([row["id"] for row in rows])
    return [
        row
        for row, contact in zip(rows, contacts, strict=True)
        if contact is not None and wanted in search_form(contact.name)
    ]
