"""GraphQL offices and staff users, read from the `staff` read model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from application.offices import open_head_office
from domain.staff import Role
from interfaces.graphql.context import STAFF, Context, wait_for_position
from interfaces.graphql.scalars import parse_id
from interfaces.graphql.store import offload
from projections import staff


@strawberry.type
class Office:
    id: strawberry.ID
    name: str
    parent_id: strawberry.ID | None
    opened_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Office:
        parent = row["parent_id"]
        return cls(
            id=strawberry.ID(str(row["id"])),
            name=row["name"],
            parent_id=strawberry.ID(str(parent)) if parent else None,
            opened_at=row["opened_at"],
        )


@strawberry.type
class StaffUser:
    id: strawberry.ID
    username: str
    display_name: str
    office_id: strawberry.ID
    roles: list[str]
    status: str  # active | deactivated
    version: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StaffUser:
        return cls(
            id=strawberry.ID(str(row["id"])),
            username=row["username"],
            display_name=row["display_name"],
            office_id=strawberry.ID(str(row["office_id"])),
            roles=list(row["roles"]),
            status=row["status"],
            version=row["version"],
            created_at=row["created_at"],
        )


async def offices(info: Info[Context, None]) -> list[Office]:
    """Every office, the head office first (a new store has just that one)."""
    context = info.context
    context.require(*STAFF)
    rows = await staff.offices(context.pool)
    if not rows:
        # The head office is opened the first time anything needs it.
        head = await offload(open_head_office, context.app)
        await wait_for_position(context, head)
        rows = await staff.offices(context.pool)
    return [Office.from_row(row) for row in rows]


async def users(
    info: Info[Context, None], office_id: strawberry.ID | None = None
) -> list[StaffUser]:
    """Every staff user (of one office, if given), in the order they were created."""
    context = info.context
    context.require(Role.ADMIN, Role.AUDITOR)
    office = parse_id(office_id) if office_id is not None else None
    return [StaffUser.from_row(row) for row in await staff.staff_users(context.pool, office)]
