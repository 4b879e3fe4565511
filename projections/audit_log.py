"""Read model `audit_log`: one row per event in the store, for auditors; no personal data.

Table `audit_log`, columns analysts can rely on (the trail is read in recorded_at,
entry order):
  entry (unique: position * 4096 + the row's number within its event),
  position (event store position), recorded_at (the event's time), actor (who acted:
  a staff user's id, a borrower's id, `system`, `anonymous` for a login attempt),
  office (the acting user's office at the time; else the office the event records, as
  a borrower's registration does; null when neither is known), entity_type (the
  aggregate, snake case: loan, borrower, staff_user, staff_session, login_guard...),
  entity_id, event_type (as loanHistory names it: LoanApproved, StaffUserDeactivated),
  value_date (the business date it takes effect, where the event has one).
Two kinds of event differ:
  - a login attempt on a username a user has (LoginGuardLoginFailed, ...LockedOut,
    ...LoginRefused) is the user's row: entity_type staff_user, entity_id the user;
  - a disclosure of personal data in full (DisclosurePersonalDataShown) has a row per
    record shown: entity_type borrower (or loan), entity_id its id.
Table `audit_actors`: actor (a staff user's id) and office_id (their office now), from
which each row's office is taken.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool

from domain.disclosure import Disclosure
from domain.staff import LoginGuard, StaffUser
from projections.base import ReadModel
from projections.reads import Row, fetch_all

ROWS_PER_EVENT = 4096  # a disclosure shows at most this many records (application/disclosures)
COLUMNS = (
    "entry", "position", "recorded_at", "actor", "entity_type", "entity_id",
    "event_type", "value_date",
)  # fmt: skip
_INSERT = (
    f"INSERT INTO audit_log ({', '.join(COLUMNS)}, office) "
    f"VALUES ({', '.join(['%s'] * len(COLUMNS))}, "
    "COALESCE((SELECT office_id FROM audit_actors WHERE actor = %s), %s))"
)
_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")
_GUARD_EVENTS = (LoginGuard.LoginFailed, LoginGuard.LockedOut, LoginGuard.LoginRefused)  # type: ignore[attr-defined]


class AuditLogView(ReadModel):
    name = "audit_log"
    tables = ("audit_log", "audit_actors")
    schema = (
        """CREATE TABLE IF NOT EXISTS audit_log (
            entry bigint PRIMARY KEY,
            position bigint NOT NULL,
            recorded_at timestamptz NOT NULL,
            actor text NOT NULL,
            office uuid,
            entity_type text NOT NULL,
            entity_id uuid NOT NULL,
            event_type text NOT NULL,
            value_date date
        )""",
        # The trail is read in recorded order: each filter's index ends with that order.
        "CREATE INDEX IF NOT EXISTS audit_log_order ON audit_log (recorded_at, entry)",
        *(
            f"CREATE INDEX IF NOT EXISTS audit_log_by_{column} "
            f"ON audit_log ({column}, recorded_at, entry)"
            for column in ("entity_id", "actor", "office", "event_type")
        ),
        """CREATE TABLE IF NOT EXISTS audit_actors (
            actor text PRIMARY KEY,
            office_id uuid NOT NULL
        )""",
    )

    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        if isinstance(event, StaffUser.Registered | StaffUser.Moved):  # type: ignore[attr-defined]
            cursor.execute(
                "INSERT INTO audit_actors (actor, office_id) VALUES (%s, %s) "
                "ON CONFLICT (actor) DO UPDATE SET office_id = EXCLUDED.office_id",
                (str(event.originator_id), event.office_id),
            )
        for n, (entity_type, entity_id) in enumerate(_entities(event)):
            values = (
                position * ROWS_PER_EVENT + n, position, event.timestamp, event.actor,
                entity_type, entity_id, _event_type(event), getattr(event, "value_date", None),
            )  # fmt: skip
            cursor.execute(_INSERT, (*values, event.actor, _office(event)), prepare=True)


def _event_type(event: Any) -> str:
    return type(event).__qualname__.replace(".", "")


def _entity_type(event: Any) -> str:
    return _SNAKE.sub("_", type(event).__qualname__.split(".")[0]).lower()


def _entities(event: Any) -> list[tuple[str, UUID]]:
    if isinstance(event, Disclosure.PersonalDataShown):
        return [(subject.kind, subject.id) for subject in event.subjects][:ROWS_PER_EVENT]
    if isinstance(event, _GUARD_EVENTS) and event.user_id is not None:
        return [("staff_user", event.user_id)]
    return [(_entity_type(event), event.originator_id)]


def _office(event: Any) -> UUID | None:
    """The office the event itself records, if any."""
    office = getattr(event, "office", None)
    if office is None and hasattr(event, "application"):
        office = getattr(event.application, "office", None)
    return office if isinstance(office, UUID) else None


# Queries, for the GraphQL layer.


async def audit_page(
    pool: AsyncConnectionPool,
    after: tuple[datetime, int] | None,
    limit: int,
    equal: dict[str, Any],
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Row]:
    """Up to `limit` rows in the log's order (recorded time, then entry) after `after` (a
    row's recorded_at and entry; None: from the start), whose columns hold the values in
    `equal` (None: any; the names come from this module's callers' code, never from a
    client), recorded at or after `since` and before `until`."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in equal.items():
        if value is not None:
            clauses.append(f"{column} = %s")
            params.append(value)
    for clause, value in (("recorded_at >= %s", since), ("recorded_at < %s", until)):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    if after is not None:
        clauses.append("(recorded_at, entry) > (%s, %s)")
        params.extend(after)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    query = f"SELECT * FROM audit_log {where} ORDER BY recorded_at, entry LIMIT %s"
    return await fetch_all(pool, query, [*params, limit])
