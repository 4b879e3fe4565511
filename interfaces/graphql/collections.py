"""GraphQL collections: a loan's collection actions and the collectors' queue.

Actions come from the `collections` read model. The queue is the `arrears` read model's
active loans that close of business has found late, worst first (the oldest unpaid
installment first, which is the highest DPD on the shared business date), with the
`loans` row for the borrower, product and balance.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import strawberry
from psycopg_pool import AsyncConnectionPool
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from domain.collections import ActionKind
from domain.collections import PromiseStatus as RecordedPromiseStatus
from domain.errors import InvalidValue
from infrastructure.tokens import Role
from interfaces.graphql.context import Context
from interfaces.graphql.delinquency import Classification, DelinquencyBucket
from interfaces.graphql.links import LoanRow
from interfaces.graphql.loaders import loan_reached
from interfaces.graphql.pagination import Connection, Edge, Page, PageInfo
from interfaces.graphql.scalars import parse_id
from projections.collections import actions_of_loan, last_actions, open_promises
from projections.dpd_queries import collection_queue as queued

READERS = (Role.COLLECTOR, Role.ADMIN, Role.RISK_OFFICER, Role.AUDITOR)

# GraphQL names the domain's values: SMS ... LEGAL, OPEN | KEPT | BROKEN.
CollectionActionKind = strawberry.enum(ActionKind, name="CollectionActionKind")
PromiseStatus = strawberry.enum(RecordedPromiseStatus, name="PromiseStatus")


@strawberry.type
class CollectionAction:
    """One call, visit, letter or legal step, with any promise to pay it got."""

    case_id: strawberry.ID
    loan_id: strawberry.ID
    borrower_id: strawberry.ID
    number: int
    kind: CollectionActionKind
    outcome: str
    note: str
    actor: str
    action_date: date
    promised_amount: Decimal | None
    promised_date: date | None
    promise_status: PromiseStatus | None
    paid_amount: Decimal | None
    recorded_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CollectionAction:
        status = row["promise_status"]
        return cls(
            case_id=strawberry.ID(str(row["case_id"])),
            loan_id=strawberry.ID(str(row["loan_id"])),
            borrower_id=strawberry.ID(str(row["borrower_id"])),
            number=row["number"],
            kind=CollectionActionKind(row["kind"]),
            outcome=row["outcome"],
            note=row["note"],
            actor=row["actor"],
            action_date=row["action_date"],
            promised_amount=row["promised_amount"],
            promised_date=row["promised_date"],
            promise_status=PromiseStatus(status) if status else None,
            paid_amount=row["paid_amount"],
            recorded_at=row["recorded_at"],
        )


@strawberry.type
class CollectionQueueRow(LoanRow):
    product_code: str
    days_past_due: int
    bucket: DelinquencyBucket
    classification: Classification
    outstanding_principal: Decimal
    overdue_amount: Decimal = strawberry.field(
        description="Principal, interest, fees and penalty of installments due before "
        "the business date, still unpaid."
    )

    @strawberry.field
    async def last_action(self, info: Info[Context, None]) -> CollectionAction | None:
        row = await _actions(info.context, "last_action", last_actions).load(UUID(self.loan_id))
        return CollectionAction.from_row(row) if row else None

    @strawberry.field(description="The open promise to pay falling due first, if any.")
    async def open_promise(self, info: Info[Context, None]) -> CollectionAction | None:
        row = await _actions(info.context, "open_promise", open_promises).load(UUID(self.loan_id))
        return CollectionAction.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CollectionQueueRow:
        return cls(
            loan_id=strawberry.ID(str(row["loan_id"])),
            borrower_id=strawberry.ID(str(row["borrower_id"])),
            product_code=row["product_code"],
            days_past_due=row["days_past_due"],
            bucket=DelinquencyBucket(row["bucket"]),
            classification=Classification(row["classification"]),
            outstanding_principal=row["outstanding_principal"],
            overdue_amount=row["overdue_amount"],
        )


@strawberry.type(name="CollectionQueueConnection")
class CollectionQueueConnection(Connection[CollectionQueueRow]):
    pass


async def collection_queue(
    info: Info[Context, None],
    bucket: DelinquencyBucket | None = None,
    first: int | None = None,
    after: str | None = None,
) -> CollectionQueueConnection:
    """Active loans close of business has found late, the most days past due first."""
    context = info.context
    context.require(*READERS)
    page = Page.of(first, None)
    start = None
    if after is not None:
        oldest, position = decode_cursor(after, "q", 2)
        start = (date.fromordinal(oldest), position)
    value = None if bucket is None else bucket.value
    rows = await queued(context.pool, value, start, page.size + 1, await context.reach())
    keyed = [((row["oldest_unpaid_due_date"].toordinal(), row["position"]), row) for row in rows]
    edges, page_info = paged(keyed, page, "q")
    return CollectionQueueConnection(
        edges=[Edge(cursor=c, node=CollectionQueueRow.from_row(r)) for c, r in edges],
        page_info=page_info,
    )


async def collection_actions(
    info: Info[Context, None], loan_id: strawberry.ID
) -> list[CollectionAction]:
    """Every collection action recorded on the loan, oldest first."""
    context = info.context
    context.require(*READERS)
    if not await loan_reached(context, parse_id(loan_id)):
        return []
    rows = await actions_of_loan(context.pool, parse_id(loan_id))
    return [CollectionAction.from_row(row) for row in rows]


# Cursors over an ordering of several columns: "<tag>:<int>:<int>...", base64.


def encode_cursor(tag: str, key: tuple[int, ...]) -> str:
    text = ":".join([tag, *(str(part) for part in key)])
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(cursor: str, tag: str, size: int) -> tuple[int, ...]:
    try:
        found, *parts = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        key = tuple(int(part) for part in parts)
        if found != tag or len(key) != size or not all(0 < part < 2**63 for part in key):
            raise ValueError(cursor)
        date.fromordinal(key[0])  # every key here starts with a date
    except (ValueError, OverflowError, UnicodeDecodeError):
        raise InvalidValue("after", "is not a cursor this API issued") from None
    return key


def paged(
    rows: list[tuple[tuple[int, ...], dict[str, Any]]], page: Page, tag: str
) -> tuple[list[tuple[str, dict[str, Any]]], PageInfo]:
    """`rows` holds up to page.size + 1 (key, row) pairs in order."""
    shown = [(encode_cursor(tag, key), row) for key, row in rows[: page.size]]
    end = shown[-1][0] if shown else None
    return shown, PageInfo(has_next_page=len(rows) > page.size, end_cursor=end)


Batch = Callable[[AsyncConnectionPool, list[UUID]], Awaitable[list[dict[str, Any] | None]]]


def _actions(context: Context, name: str, load: Batch) -> DataLoader[UUID, dict[str, Any] | None]:
    """A per-request loader of one action per loan (fresh caches for every request)."""
    found = context.loaders.get(name)
    if found is None:

        async def batch(loan_ids: list[UUID]) -> list[dict[str, Any] | None]:
            return await load(context.pool, loan_ids)

        found = context.loaders[name] = DataLoader(load_fn=batch)
    return found
