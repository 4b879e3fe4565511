"""Read model `staff`: the offices and the staff users, for admins.

Table `offices`: id, name, parent_id (null for the head office), opened_by, opened_at,
  position (of the opening; orders the list).
Table `staff_users`: id, username, display_name, office_id, roles (text[]), status
  (active|deactivated), version, created_at, updated_at, position (of the creation).
  It holds staff members' names, which only admins read. No password hash is here.
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool

from domain.office import HEAD_OFFICE_ID, Office, within
from domain.staff import StaffUser, UserStatus
from projections.base import ReadModel
from projections.reads import Row, fetch_all


class StaffView(ReadModel):
    name = "staff"
    tables = ("offices", "staff_users")
    schema = (
        """CREATE TABLE IF NOT EXISTS offices (
            id uuid PRIMARY KEY,
            name text NOT NULL,
            parent_id uuid,
            opened_by text NOT NULL,
            opened_at timestamptz NOT NULL,
            position bigint NOT NULL UNIQUE
        )""",
        """CREATE TABLE IF NOT EXISTS staff_users (
            id uuid PRIMARY KEY,
            username text NOT NULL UNIQUE,
            display_name text NOT NULL,
            office_id uuid NOT NULL,
            roles text[] NOT NULL,
            status text NOT NULL,
            version integer NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            position bigint NOT NULL UNIQUE
        )""",
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Events of other aggregates do not change this read model."""

    @handle.register
    def _(self, event: Office.Opened, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute(
            "INSERT INTO offices (id, name, parent_id, opened_by, opened_at, position) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            (event.originator_id, event.name, event.parent_id, event.actor, event.timestamp,
             position),
        )  # fmt: skip

    @handle.register
    def _(self, event: StaffUser.Registered, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute(
            "INSERT INTO staff_users (id, username, display_name, office_id, roles, status, "
            "version, created_at, updated_at, position) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                event.originator_id, event.username, event.display_name, event.office_id,
                [r.value for r in event.roles], UserStatus.ACTIVE.value,
                event.originator_version, event.timestamp, event.timestamp, position,
            ),
        )  # fmt: skip

    def _update(self, event: Any, cursor: Cursor[DictRow], **columns: Any) -> None:
        """The user's row with these columns (named by this module, never by a caller)."""
        assignments = "".join(f"{column} = %s, " for column in columns)
        cursor.execute(
            f"UPDATE staff_users SET {assignments}version = %s, updated_at = %s WHERE id = %s",
            (*columns.values(), event.originator_version, event.timestamp, event.originator_id),
        )

    @handle.register
    def _(self, event: StaffUser.RolesChanged, cursor: Cursor[DictRow], position: int) -> None:  # type: ignore[name-defined]
        self._update(event, cursor, roles=[r.value for r in event.roles])

    @handle.register
    def _(self, event: StaffUser.Moved, cursor: Cursor[DictRow], position: int) -> None:  # type: ignore[name-defined]
        self._update(event, cursor, office_id=event.office_id)

    @handle.register
    def _(self, event: StaffUser.Deactivated, cursor: Cursor[DictRow], position: int) -> None:  # type: ignore[name-defined]
        self._update(event, cursor, status=UserStatus.DEACTIVATED.value)

    @handle.register
    def _(self, event: StaffUser.PasswordReset, cursor: Cursor[DictRow], position: int) -> None:  # type: ignore[name-defined]
        # Nothing shown changes, but the version does: clients send it back in If-Match.
        self._update(event, cursor)


# Queries, for the GraphQL layer.


async def offices(pool: AsyncConnectionPool) -> list[Row]:
    """Every office, in the order they were opened (the head office first)."""
    return await fetch_all(pool, "SELECT * FROM offices ORDER BY position")


async def offices_reached(pool: AsyncConnectionPool, office: UUID | None) -> frozenset[UUID] | None:
    """The offices staff of `office` reach (it and those below it); None: every office
    (head office, or a token without an office). No office has an unknown id below it,
    nor itself: it reaches none."""
    if office is None or office == HEAD_OFFICE_ID:
        return None
    return reached_in(await offices(pool), office)


def offices_reached_on(cursor: Cursor[DictRow], office: UUID | None) -> frozenset[UUID] | None:
    """`offices_reached`, in the transaction of `cursor` (the CLI's)."""
    if office is None or office == HEAD_OFFICE_ID:
        return None
    cursor.execute("SELECT id, parent_id FROM offices")
    return reached_in(cursor.fetchall(), office)


def reached_in(rows: list[Row], office: UUID) -> frozenset[UUID]:
    """The offices of `rows` at or below `office`."""
    parents = {row["id"]: row["parent_id"] for row in rows}
    return frozenset(o for o in parents if within(o, office, parents.get))


async def staff_users(pool: AsyncConnectionPool, office_id: Any = None) -> list[Row]:
    """Every staff user (of one office, if given), in the order they were created."""
    if office_id is None:
        return await fetch_all(pool, "SELECT * FROM staff_users ORDER BY position")
    return await fetch_all(
        pool, "SELECT * FROM staff_users WHERE office_id = %s ORDER BY position", [office_id]
    )
