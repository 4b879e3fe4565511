"""GraphQL `webhookDeliveries`: the attempts to deliver to one webhook, newest first."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain.errors import InvalidValue
from infrastructure.tokens import Role
from interfaces.graphql.context import Context
from interfaces.graphql.pagination import Connection, Page, connection
from projections.webhook_deliveries import deliveries_page


@strawberry.enum
class DeliveryStatus(Enum):
    DELIVERED = "delivered"
    FAILED = "failed"
    DEAD_LETTERED = "dead_lettered"


@strawberry.type
class WebhookDelivery:
    webhook_id: strawberry.ID
    position: int
    event_type: str
    attempt: int
    status: DeliveryStatus
    response_code: int | None
    latency_ms: int
    error: str | None
    attempted_at: datetime
    next_attempt_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> WebhookDelivery:
        return cls(
            webhook_id=strawberry.ID(str(row["webhook_id"])),
            position=row["position"],
            event_type=row["event_type"],
            attempt=row["attempt"],
            status=DeliveryStatus(row["status"]),
            response_code=row["response_code"],
            latency_ms=row["latency_ms"],
            error=row["error"],
            attempted_at=row["attempted_at"],
            next_attempt_at=row["next_attempt_at"],
        )


@strawberry.type(name="WebhookDeliveryConnection")
class WebhookDeliveryConnection(Connection[WebhookDelivery]):
    pass


async def webhook_deliveries(
    info: Info[Context, None],
    webhook_id: strawberry.ID,
    status: DeliveryStatus | None = None,
    first: int | None = None,
    after: str | None = None,
) -> WebhookDeliveryConnection:
    """Each attempt to deliver an event to the webhook (admin), the newest first."""
    context = info.context
    context.require(Role.ADMIN)
    try:
        webhook = UUID(str(webhook_id))
    except ValueError:
        raise InvalidValue("webhookId", "is not a webhook id") from None
    page = Page.of(first, after)
    chosen = None if status is None else status.value
    rows = await deliveries_page(context.pool, webhook, chosen, page.after, page.size + 1)
    found = connection([(row["id"], WebhookDelivery.from_row(row)) for row in rows], page)
    return WebhookDeliveryConnection(edges=found.edges, page_info=found.page_info)
