"""Read-model failures (the dead letters) and the operators' skips past them.

A read model whose handler fails on an event stops just before it: the failure is
recorded here and the other read models go on. Only what locates the event is kept
(position, topic, originator id and version) and the error's primary message: never
the event's data, nor the DETAIL line PostgreSQL adds, since both may hold personal data.

A failure is open while its read model's position is below it. It closes when the read
model gets past the event: on a retry (the follower retries a failed read model each
time it starts, so a fixed cause needs no skip), a rebuild, or an operator's skip
(`lending projections skip NAME POSITION --reason`), which is recorded here, moves the
read model's position onto the event without applying it, and notifies the follower.
A rebuild leaves out the same positions. Nothing is ever skipped automatically.

Tables analysts can rely on:
  read_model_failures: name, position, topic, originator_id, originator_version, error,
    attempts, first_failed_at, failed_at; one row per (name, position).
  read_model_skips: name, position, reason, actor, skipped_at; one row per (name, position).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier, Literal
from psycopg_pool import AsyncConnectionPool

from projections.base import APPLICATION_NAME
from projections.reads import fetch_all

log = logging.getLogger(__name__)
# The follower LISTENs here as well as on the store's channel: a skip or a rebuild wakes it.
CHANNEL = "lending_read_models"
ERROR_LENGTH = 500

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS read_model_failures (
        name text NOT NULL,
        position bigint NOT NULL,
        topic text NOT NULL,
        originator_id uuid NOT NULL,
        originator_version integer NOT NULL,
        error text NOT NULL,
        attempts integer NOT NULL DEFAULT 1,
        first_failed_at timestamptz NOT NULL DEFAULT now(),
        failed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, position)
    )""",
    """CREATE TABLE IF NOT EXISTS read_model_skips (
        name text NOT NULL,
        position bigint NOT NULL,
        reason text NOT NULL,
        actor text NOT NULL,
        skipped_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, position)
    )""",
)


class SkipRefused(Exception):
    """The named read model has no open failure at the position to skip."""


@dataclass(frozen=True)
class Skip:
    name: str
    position: int
    reason: str
    actor: str
    skipped_at: datetime


@dataclass(frozen=True)
class Reached:
    """A read model's position and, if it has stopped, the failure that stopped it."""

    name: str
    position: int
    stopped_at: int | None = None
    topic: str | None = None
    originator_id: UUID | None = None
    originator_version: int | None = None
    error: str | None = None
    attempts: int = 0


def create_tables(cursor: Cursor[Any]) -> None:
    for statement in SCHEMA:
        cursor.execute(SQL(statement))


def describe(error: BaseException) -> str:
    """What a failure records of its error: the type and the first line of the message
    (for PostgreSQL's errors, the primary message, without DETAIL)."""
    message = ""
    if isinstance(error, psycopg.Error) and error.diag.message_primary:
        message = error.diag.message_primary
    elif str(error):
        message = str(error).splitlines()[0]
    return f"{type(error).__name__}: {message}"[:ERROR_LENGTH]


def record_failure(
    cursor: Cursor[Any], name: str, event: Any, position: int, error: BaseException
) -> None:
    cursor.execute(
        """INSERT INTO read_model_failures
            (name, position, topic, originator_id, originator_version, error)
        VALUES (%s, %s, %s, %s, %s, %s)
        ON CONFLICT (name, position) DO UPDATE SET error = excluded.error,
            attempts = read_model_failures.attempts + 1, failed_at = now()""",
        (
            name, position, f"{type(event).__module__}:{type(event).__qualname__}",
            event.originator_id, event.originator_version, describe(error),
        ),
    )  # fmt: skip


def notify(cursor: Cursor[Any]) -> None:
    cursor.execute(SQL("NOTIFY {}").format(Identifier(CHANNEL)))


def reached_query(names: Iterable[str]) -> Composed:
    """SQL: one row per named read model, in order, with its position and its open
    failure (columns of `Reached`; the failure's are null while it has none)."""
    positions = SQL(" UNION ALL ").join(
        SQL(
            "SELECT {n} AS name, {i} AS i, coalesce((SELECT max(notification_id) FROM {t} "
            "WHERE application_name = {a}), 0) AS position"
        ).format(
            n=Literal(name),
            i=Literal(i),
            t=Identifier(f"{name}_tracking"),
            a=Literal(APPLICATION_NAME),
        )
        for i, name in enumerate(names)
    )
    return SQL(
        "SELECT r.name, r.position, f.position AS stopped_at, f.topic, f.originator_id, "
        "f.originator_version, f.error, coalesce(f.attempts, 0) AS attempts "
        "FROM ({}) AS r LEFT JOIN LATERAL (SELECT * FROM read_model_failures f "
        "WHERE f.name = r.name AND f.position > r.position ORDER BY f.position LIMIT 1) "
        "AS f ON true ORDER BY r.i"
    ).format(positions)


def reached(cursor: Cursor[DictRow], names: Iterable[str]) -> list[Reached]:
    cursor.execute(reached_query(names))
    return [Reached(**row) for row in cursor.fetchall()]


async def reached_on(pool: AsyncConnectionPool, names: Iterable[str]) -> list[Reached]:
    """`reached`, on the GraphQL layer's async pool."""
    return [Reached(**row) for row in await fetch_all(pool, reached_query(names))]


def skips(cursor: Cursor[DictRow], name: str | None = None) -> list[Skip]:
    cursor.execute(
        "SELECT name, position, reason, actor, skipped_at FROM read_model_skips "
        "WHERE %(name)s::text IS NULL OR name = %(name)s ORDER BY skipped_at, name, position",
        {"name": name},
    )
    return [Skip(**row) for row in cursor.fetchall()]


def skip(datastore: PostgresDatastore, name: str, position: int, reason: str, actor: str) -> Skip:
    """Record the operator's skip of `name`'s open failure at `position` and move the
    read model onto it, so the follower resumes after it without applying the event."""
    tracking = Identifier(f"{name}_tracking")
    with datastore.transaction(commit=True) as cursor:
        # The follower takes the same lock before it writes a position.
        cursor.execute(
            SQL("SELECT 1 FROM {} WHERE application_name = %s FOR UPDATE").format(tracking),
            (APPLICATION_NAME,),
        )
        (state,) = reached(cursor, [name])
        if state.stopped_at != position:
            found = (
                f"its failure is at position {state.stopped_at}"
                if state.stopped_at is not None
                else f"it has not stopped (position {state.position})"
            )
            raise SkipRefused(f"{name} has no recorded failure at position {position}: {found}")
        cursor.execute(
            "INSERT INTO read_model_skips (name, position, reason, actor) "
            "VALUES (%s, %s, %s, %s) RETURNING name, position, reason, actor, skipped_at",
            (name, position, reason, actor),
        )
        row = cursor.fetchone()
        assert row is not None
        cursor.execute(
            SQL(
                "INSERT INTO {} VALUES (%s, %s) ON CONFLICT (application_name) "
                "DO UPDATE SET notification_id = excluded.notification_id"
            ).format(tracking),
            (APPLICATION_NAME, position),
        )
        notify(cursor)
    done = Skip(**row)
    log.warning(
        "read model %s skips position %s (%s, %s v%s) without applying it, by %s: %s",
        name, position, state.topic, state.originator_id, state.originator_version,
        actor, reason,
    )  # fmt: skip
    return done
