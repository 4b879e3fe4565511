"""How the application's events are inserted: one transaction, no psycopg pipeline.

eventsourcing's PostgresApplicationRecorder sends the table lock, NOTIFY and INSERT
down a psycopg pipeline. psycopg's pipeline loop (`pipeline_communicate`) stops
sending once no command is queued, whether or not libpq flushed all of its output.
A statement bigger than the socket takes at once (an event of a few MB) is left
part-sent: the client waits for a result, the server waits for the rest of the
statement (`active`, `ClientRead`) holding the table lock, and every writer queues
behind it. No server timeout ends that wait: the server is reading a statement, not
running one or idle in a transaction. Out of pipeline mode psycopg flushes each
statement whole before it waits for the result, so no size of event can hang.

The insert then takes one round trip more than in a pipeline: the timeouts, the
lock and NOTIFY go as one statement, then the INSERT, then COMMIT.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

import psycopg.errors
from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from psycopg.sql import SQL, Composed, Identifier

STATEMENT_TIMEOUT = "POSTGRES_STATEMENT_TIMEOUT"
# A lost connection is tried again, as eventsourcing does; a timeout is not: the
# transaction waited its full time already, and the caller is told to try later.
CONNECTION_ATTEMPTS = 10
CONNECTION_WAIT = 0.2  # seconds
TIMEOUTS = (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled)
CONNECTION_ERRORS = (InterfaceError, OperationalError)


class EventRecorder(PostgresApplicationRecorder):
    """The application recorder, inserting outside pipeline mode, with a statement timeout."""

    statement_timeout = 0  # seconds each statement of an insert may take; 0: no limit

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        for attempt in range(1, CONNECTION_ATTEMPTS + 1):
            try:
                return self._insert(stored_events, **kwargs)
            except CONNECTION_ERRORS as error:
                if isinstance(error.__cause__, TIMEOUTS) or attempt == CONNECTION_ATTEMPTS:
                    raise
            time.sleep(CONNECTION_WAIT)
        raise AssertionError("unreachable")  # pragma: no cover

    def _insert(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return None
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)

    def _insert_stored_events(
        self, curs: psycopg.Cursor[Any], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # Without parameters, psycopg sends the statements as one simple query.
        curs.execute(self._before_insert())
        PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events, **kwargs)

    def _before_insert(self) -> Composed:
        # Serialise the inserts (see PostgresApplicationRecorder._lock_table), and bound
        # how long this transaction waits for the lock and for each statement.
        return SQL(
            "SET LOCAL lock_timeout = '{lock}s'; SET LOCAL statement_timeout = '{statement}s'; "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; NOTIFY {channel}"
        ).format(
            lock=int(self.datastore.lock_timeout),
            statement=int(self.statement_timeout),
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            channel=Identifier(self.channel_name),
        )

    def existing_ids(self, ids: Collection[UUID]) -> set[UUID]:
        """Which of `ids` have an event stored: one query for a whole file's references."""
        if not ids:
            return set()
        query = SQL(
            "SELECT DISTINCT originator_id FROM {schema}.{table} WHERE originator_id = ANY(%s)"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, (list(ids),))
            return {row["originator_id"] for row in curs.fetchall()}
