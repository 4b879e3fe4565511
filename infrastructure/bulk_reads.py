"""Many aggregates' stored events in one round trip: what close of business reviews a
batch of loans by, instead of two queries (a snapshot, then the events after it) for
each loan.

The events come with the same hash-chain check as one aggregate's read
(`ChainedRecorder.select_events`): every row of each aggregate is hashed unless this
process checked it before and it is the same row still, the versions must run 1..n and
the head must agree. An aggregate whose chain does not hold is left out of the answer,
so that its own read raises HistoryBroken as it always has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from psycopg.sql import SQL, Composed, Identifier

from application.integrity import HistoryBroken
from infrastructure.chain import ChainTables, Remembered, check_chain, link_sql
from infrastructure.eventstore import TimedStoredEvent


def select_checked_many(chain: ChainTables) -> Composed:
    """The chain-checked read of many aggregates' events: arrays of ids, of the version
    each is wanted after, and of what this process last checked of each (version, seen)."""
    return SQL(
        "WITH q AS (SELECT * FROM unnest(%(ids)s::uuid[], %(gt)s::bigint[], "
        "%(checked)s::bigint[], %(seen)s::text[]) AS q(id, gt, checked, seen)), "
        "r AS (SELECT originator_id, originator_version, topic, state, chain_hash, "
        "recorded_at, lag(chain_hash) OVER w AS previous, "
        "md5(string_agg(xmin::text, ',') OVER w) AS seen FROM {events} "
        "WHERE originator_id = ANY(%(ids)s::uuid[]) "
        "WINDOW w AS (PARTITION BY originator_id ORDER BY originator_version)), "
        "k AS (SELECT q.id, q.gt, q.checked, coalesce(bool_or(r.originator_version = "
        "q.checked AND r.seen = q.seen), false) AS same FROM q LEFT JOIN r ON "
        "r.originator_id = q.id GROUP BY q.id, q.gt, q.checked) "
        "SELECT originator_id, 0 AS part, originator_version, chain_hash, "
        "NULL::boolean AS intact, NULL::text AS topic, NULL::bytea AS state, "
        "NULL::timestamptz AS recorded_at, NULL::text AS seen FROM {heads} "
        "WHERE originator_id = ANY(%(ids)s::uuid[]) UNION ALL "
        "SELECT r.originator_id, 1, r.originator_version, r.chain_hash, "
        "CASE WHEN k.same AND r.originator_version <= k.checked THEN r.chain_hash IS NOT NULL "
        "ELSE r.chain_hash = {link} END, "
        "CASE WHEN r.originator_version > k.gt THEN r.topic END, "
        "CASE WHEN r.originator_version > k.gt THEN r.state END, r.recorded_at, r.seen "
        "FROM r JOIN k ON k.id = r.originator_id ORDER BY 1, 2, 3"
    ).format(heads=chain.heads, events=chain.events, link=link_sql("r.previous"))


def checked(
    id_: UUID, rows: Sequence[Mapping[str, Any]]
) -> tuple[Remembered | None, list[StoredEvent]]:
    """One aggregate's rows of a chain-checked read: its head as checked now (None: it has
    neither rows nor head) and its events, those wanted with their state. HistoryBroken
    if its chain does not hold."""
    head_rows = [row for row in rows if row["part"] == 0]
    event_rows = [row for row in rows if row["part"] == 1]
    head = check_chain(id_, head_rows[0] if head_rows else None, event_rows)
    remembered = None if head is None else Remembered(*head, head[0], event_rows[-1]["seen"])
    events: list[StoredEvent] = [
        TimedStoredEvent(
            originator_id=id_,
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=bytes(row["state"]),
            recorded_at=row["recorded_at"],
        )
        for row in event_rows
        if row["state"] is not None
    ]
    return remembered, events


def checked_events(
    rows: Sequence[Mapping[str, Any]],
) -> tuple[dict[UUID, list[StoredEvent]], dict[UUID, Remembered]]:
    """The rows of `select_checked_many`, by aggregate: each one's events (the wanted
    ones, with their state) and its head as checked now. Aggregates whose chain breaks
    are in neither."""
    events: dict[UUID, list[StoredEvent]] = {}
    heads: dict[UUID, Remembered] = {}
    for id_, group in groupby(rows, key=lambda row: row["originator_id"]):
        try:
            head, found = checked(id_, list(group))
        except HistoryBroken:
            continue
        if head is not None:
            heads[id_], events[id_] = head, found
    return events, heads


class SnapshotRecorder(PostgresAggregateRecorder):
    """eventsourcing's snapshot table, which can also give many aggregates' newest
    snapshots in one query."""

    def select_newest_of(self, ids: Sequence[UUID]) -> dict[UUID, StoredEvent]:
        statement = SQL(
            "SELECT DISTINCT ON (originator_id) originator_id, originator_version, topic, "
            "state FROM {schema}.{table} WHERE originator_id = ANY(%s::uuid[]) "
            "ORDER BY originator_id, originator_version DESC"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (list(ids),), prepare=True)
            rows = curs.fetchall()
        return {
            row["originator_id"]: StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            for row in rows
        }
