"""Read model `webhook_deliveries`: every attempt to deliver an event to a webhook.

The deliverer (infrastructure/webhooks.py) writes each attempt's row and, once the event
is done with (delivered or dead-lettered), its subscriber's tracking row
(`feed_tracking`, `webhook:<id>`) in one transaction, as a read model writes its rows
and its position together.

Columns: id (bigserial, the cursor), webhook_id, position (the event's store position,
its CloudEvent `id` and `webhook-id`), event_type (business event type), attempt (1, 2,
...), status (delivered|failed|dead_lettered), response_code (null: no answer, as on a
timeout or a refused connection), latency_ms, error (why it failed, without the body),
attempted_at, next_attempt_at (when a failed one is tried again; null otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore
from psycopg_pool import AsyncConnectionPool

from projections.feed_tracking import FeedTracking
from projections.reads import Row, fetch_all

STATUSES = ("delivered", "failed", "dead_lettered")
WEBHOOK_PREFIX = "webhook:"
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS webhook_deliveries (
        id bigserial PRIMARY KEY,
        webhook_id uuid NOT NULL,
        position bigint NOT NULL,
        event_type text NOT NULL,
        attempt integer NOT NULL,
        status text NOT NULL,
        response_code integer,
        latency_ms integer,
        error text,
        attempted_at timestamptz NOT NULL,
        next_attempt_at timestamptz
    )""",
    "CREATE INDEX IF NOT EXISTS webhook_deliveries_by_webhook "
    "ON webhook_deliveries (webhook_id, id)",
)


@dataclass(frozen=True)
class Attempt:
    webhook_id: UUID
    position: int
    event_type: str
    attempt: int
    status: str
    response_code: int | None
    latency_ms: int
    error: str | None
    attempted_at: datetime
    next_attempt_at: datetime | None = None


def create_tables(datastore: PostgresDatastore) -> None:
    with datastore.transaction(commit=True) as cursor:
        for statement in SCHEMA:
            cursor.execute(statement)  # type: ignore[arg-type]


def follower_name(webhook_id: UUID) -> str:
    """The subscriber's tracking row in `feed_tracking`."""
    return f"{WEBHOOK_PREFIX}{webhook_id}"


def record(tracking: FeedTracking, attempt: Attempt) -> None:
    """The attempt's row; a delivered or dead-lettered event also moves the subscriber
    past it, in the same transaction."""
    with tracking.datastore.transaction(commit=True) as cursor:
        cursor.execute(
            "INSERT INTO webhook_deliveries (webhook_id, position, event_type, attempt, "
            "status, response_code, latency_ms, error, attempted_at, next_attempt_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (attempt.webhook_id, attempt.position, attempt.event_type, attempt.attempt,
             attempt.status, attempt.response_code, attempt.latency_ms, attempt.error,
             attempt.attempted_at, attempt.next_attempt_at),
        )  # fmt: skip
        if attempt.status != "failed":
            name = follower_name(attempt.webhook_id)
            tracking._insert_tracking(cursor, Tracking(name, attempt.position))


async def deliveries_page(
    pool: AsyncConnectionPool, webhook_id: UUID, status: str | None, before: int, limit: int
) -> list[Row]:
    """Up to `limit` attempts to deliver to `webhook_id`, the newest first: those with an
    id below `before` (0: from the newest), of `status` if given."""
    clauses: list[str] = ["webhook_id = %s"]
    params: list[Any] = [webhook_id]
    if before:
        clauses.append("id < %s")
        params.append(before)
    if status is not None:
        clauses.append("status = %s")
        params.append(status)
    query = (
        f"SELECT * FROM webhook_deliveries WHERE {' AND '.join(clauses)} ORDER BY id DESC LIMIT %s"
    )
    params.append(limit)
    return await fetch_all(pool, query, params)


def attempts(datastore: PostgresDatastore, webhook_id: UUID) -> list[dict[str, Any]]:
    """Every attempt for `webhook_id`, oldest first (for the operators and the tests)."""
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(
            "SELECT * FROM webhook_deliveries WHERE webhook_id = %s ORDER BY id", (webhook_id,)
        )
        return list(cursor.fetchall())
