"""GraphQL `auditTrail`: the `audit_log` read model, for auditors and admins."""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from domain.errors import InvalidValue
from domain.staff import Role
from interfaces.graphql.context import Context
from interfaces.graphql.pagination import Connection, Edge, Page, PageInfo
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
    """Every recorded act, in the order recorded: each event in the store (logins and failed
    logins among them) and each showing of personal data in full. `from` is inclusive,
    `to` exclusive (recorded times)."""
    context = info.context
    context.require(Role.AUDITOR, Role.ADMIN)
    size = Page.of(first, None).size
    equal = {
        "actor": actor,
        "office": parse_id(office) if office is not None else None,
        "entity_type": entity_type,
        "entity_id": parse_id(entity_id) if entity_id is not None else None,
        "event_type": event_type,
    }
    rows = await audit_page(context.pool, decode_cursor(after), size + 1, equal, from_, to)
    edges = [Edge(cursor=encode_cursor(row), node=AuditEntry.from_row(row)) for row in rows[:size]]
    end = edges[-1].cursor if edges else None
    return Connection(
        edges=edges, page_info=PageInfo(has_next_page=len(rows) > size, end_cursor=end)
    )


def encode_cursor(row: dict[str, Any]) -> str:
    """Where a row is in the trail's order: its recorded time, then its entry."""
    return base64.urlsafe_b64encode(
        f"a:{row['recorded_at'].isoformat()}|{row['entry']}".encode()
    ).decode()


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if cursor is None:
        return None
    try:
        moment, entry = (
            base64.urlsafe_b64decode(cursor.encode()).decode().removeprefix("a:").split("|")
        )
        return datetime.fromisoformat(moment), int(entry)
    except (ValueError, UnicodeDecodeError):
        raise InvalidValue("after", "is not a cursor this API issued") from None
