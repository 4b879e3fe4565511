"""GraphQL `notifications`: reminders and notices as the `notifications` read model
keeps them (staff readers, within their office reach), oldest first."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain.errors import InvalidValue
from interfaces.graphql.context import STAFF, Context
from interfaces.graphql.pagination import Connection, Page, connection
from projections.notifications import notifications_page


@strawberry.enum
class NotificationStatus(Enum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


PLAIN = ("installment", "stage", "channel", "template", "recipient_kind", "recipient",
         "reason", "business_date", "due_date", "created_at", "send_after", "sent_at",
         "failures")  # fmt: skip


@strawberry.type
class Notification:
    id: strawberry.ID
    loan_id: strawberry.ID | None
    borrower_id: strawberry.ID | None
    installment: int | None
    stage: str
    channel: str
    template: str
    recipient_kind: str
    recipient: str | None  # masked
    status: NotificationStatus
    reason: str | None
    business_date: date | None
    due_date: date | None
    created_at: datetime
    send_after: datetime | None
    sent_at: datetime | None
    failures: int = strawberry.field(
        description="Sends the channel failed so far; queued again after each until "
        "the sixth, then failed for good."
    )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Notification:
        ids = {name: strawberry.ID(str(row[name])) if row[name] else None
               for name in ("loan_id", "borrower_id")}  # fmt: skip
        plain = {name: row[name] for name in PLAIN}
        status = NotificationStatus(row["status"])
        return cls(id=strawberry.ID(str(row["id"])), status=status, **ids, **plain)


@strawberry.type(name="NotificationConnection")
class NotificationConnection(Connection[Notification]):
    pass


async def notifications(
    info: Info[Context, None],
    loan_id: strawberry.ID | None = None,
    status: NotificationStatus | None = None,
    first: int | None = None,
    after: str | None = None,
) -> NotificationConnection:
    """Each notice decided (staff), oldest first: of one loan and one status if given."""
    context = info.context
    context.require(*STAFF)
    loan = None
    if loan_id is not None:
        try:
            loan = UUID(str(loan_id))
        except ValueError:
            raise InvalidValue("loanId", "is not a loan id") from None
    page = Page.of(first, after)
    chosen = None if status is None else status.value
    reach = await context.reach()
    rows = await notifications_page(context.pool, loan, chosen, page.after, page.size + 1, reach)
    found = connection([(row["id"], Notification.from_row(row)) for row in rows], page)
    return NotificationConnection(edges=found.edges, page_info=found.page_info)
