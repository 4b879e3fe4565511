"""The hash chain's one-time start on a store that was written before it existed.

On the first start of this version, the process that creates the tables chains every
stored event as it stands (in version order per aggregate, the recorded time read from
the event itself), writes each aggregate's head, and writes the first checkpoint at the
store's head ("chain started"). From there on the chain proves that nothing changed;
it cannot prove anything about what happened to the store before it started. A new,
empty store starts its chain the same way, at position 0.

An event that cannot be read (its bytes damaged, or in another aggregate's row) is left
unchained, as are the events after it in its aggregate: `lending audit verify` reports
them and the aggregate is refused, rather than the damage being sealed into the chain.

The events table is locked for writing while this runs (readers go on).
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Mapper
from psycopg import Connection
from psycopg.sql import SQL

from infrastructure import checkpoints
from infrastructure.chain import GENESIS, ChainTables, link
from infrastructure.chain_recorder import ChainedRecorder
from infrastructure.eventstore import TimedStoredEvent

log = logging.getLogger(__name__)
BATCH = 2_000


def start_chain(conn: Connection[Any], chain: ChainTables, mapper: Mapper[Any]) -> bool:
    """Start the chain unless it was started; True if this call started it."""
    with conn.transaction():
        checkpoints.lock(conn.cursor())
        if checkpoints.latest(conn.cursor(), chain) is not None:
            return False
        conn.execute(
            "SET LOCAL lock_timeout = '60s'; SET LOCAL statement_timeout = 0; "
            "SET LOCAL idle_in_transaction_session_timeout = 0"
        )
        conn.execute(SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(chain.events))
        conn.execute(
            "CREATE TEMPORARY TABLE chain_start (notification_id bigint, chain_hash bytea, "
            "recorded_at timestamptz) ON COMMIT DROP"
        )
        chained = _chain_rows(conn, chain, mapper)
        conn.execute(
            SQL(
                "UPDATE {events} e SET chain_hash = s.chain_hash, recorded_at = s.recorded_at "
                "FROM chain_start s WHERE e.notification_id = s.notification_id"
            ).format(events=chain.events)
        )
        conn.execute(
            SQL(
                "INSERT INTO {heads} SELECT DISTINCT ON (originator_id) originator_id, "
                "originator_version, chain_hash FROM {events} WHERE chain_hash IS NOT NULL "
                "ORDER BY originator_id, originator_version DESC "
                "ON CONFLICT (originator_id) DO UPDATE SET originator_version = "
                "EXCLUDED.originator_version, chain_hash = EXCLUDED.chain_hash"
            ).format(heads=chain.heads, events=chain.events)
        )
        started, _ = checkpoints.append(conn.cursor(), chain, checkpoints.STARTED)
        # Verified as it was made: every row but those left unchained links up.
        left_out = started.events - chained
        checkpoints.mark_verified(conn.cursor(), chain, {started.position: left_out})
    log.warning(
        "the event chain started at position %s: %s events chained; nothing recorded "
        "before now can be proven unchanged",
        started.position,
        chained,
    )
    return True


def _chain_rows(conn: Connection[Any], chain: ChainTables, mapper: Mapper[Any]) -> int:
    """Chain every stored event into `chain_start`, a batch at a time (COPY cannot run
    while the server-side cursor is being read, so each batch is read, then written)."""
    chained, linker = 0, _Linker(mapper)
    with conn.cursor(name="chain_start_rows") as rows:
        rows.execute(
            SQL(
                "SELECT originator_id, originator_version, topic, state, notification_id "
                "FROM {} ORDER BY originator_id, originator_version"
            ).format(chain.events)
        )
        while batch := rows.fetchmany(BATCH):
            linked = [found for row in batch if (found := linker.link(row)) is not None]
            with conn.cursor().copy(
                "COPY chain_start (notification_id, chain_hash, recorded_at) FROM STDIN"
            ) as copy:
                for each in linked:
                    copy.write_row(each)
            chained += len(linked)
    return chained


class _Linker:
    """Links rows ordered by aggregate and version, each to the one before it."""

    def __init__(self, mapper: Mapper[Any]) -> None:
        self.mapper = mapper
        self.current: UUID | None = None
        self.previous: bytes | None = GENESIS

    def link(self, row: dict[str, Any]) -> tuple[int, bytes, Any] | None:
        id_, version, topic = row["originator_id"], row["originator_version"], row["topic"]
        state = bytes(row["state"])
        if id_ != self.current:
            self.current, self.previous = id_, GENESIS
        if self.previous is None:
            return None  # the aggregate has an unreadable event before this one
        try:
            event: Any = self.mapper.to_domain_event(TimedStoredEvent(id_, version, topic, state))
        except Exception as error:  # whatever makes it unreadable, it stays unchained
            log.error("event %s of %s left unchained: %s", version, id_, error)
            self.previous = None
            return None
        self.previous = link(self.previous, id_, version, topic, event.timestamp, state)
        return row["notification_id"], self.previous, event.timestamp


def start_event_chain(app: Application[UUID]) -> bool:
    """Start the application's chain unless it was started (see `start_chain`)."""
    recorder = app.recorder
    if not isinstance(recorder, ChainedRecorder):  # only a benchmark's unchained server
        return False
    with recorder.datastore.get_connection() as conn:
        return start_chain(conn, recorder.chain, app.mapper)
