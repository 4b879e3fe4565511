"""GraphQL `auditTrail`: the `audit_log` read model, for auditors and admins."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from domain.staff import Role
from interfaces.graphql.context import Context
from interfaces.graphql.pagination import Connection, Page, connection
from interfaces.graphql.scalars import parse_id
from projections.audit_log import audit_page


@strawberry.type
class AuditEntry:
    position: int
    recorded_at: datetime
    actor: str
    office: strawberry.ID | None
    entity_type: str
    entity_id: strawberry.ID
    event_type: str
    value_date: date | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AuditEntry:
        office = row["office"]
        return cls(
            position=row["position"],
            recorded_at=row["recorded_at"],
            actor=row["actor"],
            office=strawberry.ID(str(office)) if office else None,
            entity_type=row["entity_type"],
            entity_id=strawberry.ID(str(row["entity_id"])),
            event_type=row["event_type"],
            value_date=row["value_date"],
        )


async def audit_trail(
    info: Info[Context, None],
    actor: str | None = None,
    office: strawberry.ID | None = None,
    entity_type: str | None = None,
    entity_id: strawberry.ID | None = None,
    event_type: str | None = None,
    from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
    to: datetime | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Connection[AuditEntry]:
    """Every recorded act, oldest first: each event in the store (logins and failed
    logins among them) and each showing of personal data in full. `from` is inclusive,
    `to` exclusive (recorded times)."""
    context = info.context
    context.require(Role.AUDITOR, Role.ADMIN)
    page = Page.of(first, after)
    equal = {
        "actor": actor,
        "office": parse_id(office) if office is not None else None,
        "entity_type": entity_type,
        "entity_id": parse_id(entity_id) if entity_id is not None else None,
        "event_type": event_type,
    }
    rows = await audit_page(context.pool, page.after, page.size + 1, equal, from_, to)
    return connection([(row["entry"], AuditEntry.from_row(row)) for row in rows], page)
