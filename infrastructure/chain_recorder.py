"""The application recorder with the hash chain: chained on insert, checked on every load.

Insert: under the events table's lock, each aggregate's new events chain from its head
(`<app>_event_heads`), and the heads move in the same statement. A save whose aggregate
has lost its newest events, or whose head changed since this process last checked the
chain, is refused with HistoryBroken; a head already past the save's first version is
a concurrent writer, answered as eventsourcing does (IntegrityError: reload and retry).

Load: every read of an aggregate's events, the repository's fast-forward of a cached
aggregate included, checks the aggregate's whole chain in the same query: PostgreSQL
hashes each row (see chain.link_sql) and the recorder checks that the versions run
1..n without a gap, that every row links to the one before, and that the head agrees.
Only the rows asked for travel with their state. So a command on a loan whose middle
event was deleted, or whose events were swapped with another loan's, is refused even
when the loan is in the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    Mapper,
    ProgrammingError,
    StoredEvent,
    Transcoder,
)
from eventsourcing.postgres import PostgresDatastore, PostgresFactory
from eventsourcing.utils import retry
from psycopg.sql import SQL, Composed, Literal

from application.integrity import BreakKind, HistoryBroken
from infrastructure import bulk_reads as bulk
from infrastructure.chain import GENESIS, ChainTables, Remembered, link, link_sql
from infrastructure.eventstore import PydanticMapper, TimedStoredEvent
from infrastructure.personal_fields import FieldSealer
from infrastructure.personal_keys import PERSONAL_KEYS, registered
from infrastructure.recorder import CONNECTION_ERRORS, STATEMENT_TIMEOUT, EventRecorder

# Aggregates whose last checked head this process remembers (the aggregate cache's size).
REMEMBERED_HEADS = 10_000
LAST_VERSION = 2**63 - 1


class ChainedRecorder(EventRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain = ChainTables(datastore.schema, events_table_name)
        self._heads: OrderedDict[UUID, Remembered] = OrderedDict()
        self._heads_lock = threading.Lock()
        self._insert_chained = SQL(
            "WITH moved AS (INSERT INTO {heads} AS h (originator_id, originator_version, "
            "chain_hash) SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::bytea[]) "
            "ON CONFLICT (originator_id) DO UPDATE SET originator_version = "
            "EXCLUDED.originator_version, chain_hash = EXCLUDED.chain_hash) "
            "INSERT INTO {events} (originator_id, originator_version, topic, state, "
            "chain_hash, recorded_at) SELECT * FROM unnest(%s::uuid[], %s::bigint[], "
            "%s::text[], %s::bytea[], %s::bytea[], %s::timestamptz[]) RETURNING notification_id"
        ).format(heads=self.chain.heads, events=self.chain.events)
        # Every row is hashed unless this process checked it before and it is the same
        # row still: `seen` fingerprints each prefix of the history by the rows' xmin (the
        # transaction that wrote each row version), which any UPDATE, DELETE or INSERT
        # changes. The rows up to the version checked last (%(checked)s) are taken as
        # checked if the fingerprint up to it is the one remembered (%(seen)s).
        self._select_checked = SQL(
            "WITH r AS (SELECT originator_id, originator_version, topic, state, chain_hash, "
            "recorded_at, lag(chain_hash) OVER w AS previous, "
            "md5(string_agg(xmin::text, ',') OVER w) AS seen FROM {events} "
            "WHERE originator_id = %(id)s WINDOW w AS (ORDER BY originator_version)), "
            "k AS (SELECT coalesce(bool_or(originator_version = %(checked)s AND seen = %(seen)s),"
            " false) AS same FROM r) "
            "SELECT 0 AS part, originator_version, chain_hash, NULL::boolean AS intact, "
            "NULL::text AS topic, NULL::bytea AS state, NULL::timestamptz AS recorded_at, "
            "NULL::text AS seen FROM {heads} WHERE originator_id = %(id)s UNION ALL "
            "SELECT 1, originator_version, chain_hash, CASE WHEN k.same AND originator_version "
            "<= %(checked)s THEN chain_hash IS NOT NULL ELSE chain_hash = {link} END, "
            "CASE WHEN {wanted} THEN topic END, CASE WHEN {wanted} THEN state END, "
            "recorded_at, seen FROM r, k ORDER BY part, originator_version"
        ).format(
            heads=self.chain.heads,
            events=self.chain.events,
            link=link_sql("previous"),
            wanted=SQL("originator_version > %(gt)s AND originator_version <= %(lte)s"),
        )
        self._select_many = bulk.select_checked_many(self.chain)
        self._rendered: dict[int, bytes] = {}

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.chain.columns_missing(), (self.chain.schema, self.chain.events_name))
            row = curs.fetchone()
            if row is not None and next(iter(row.values())):
                curs.execute(self.chain.add_columns())
            for statement in self.chain.create_statements():
                curs.execute(statement)

    # Inserting.

    def _insert(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not stored_events:
            return super()._insert(stored_events, **kwargs)
        batches = {
            id_: sorted(events, key=lambda e: e.originator_version)
            for id_, events in groupby(
                sorted(stored_events, key=lambda e: str(e.originator_id)),
                key=lambda e: _uuid(e.originator_id),
            )
        }
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            curs.execute(self._lock_and_read_heads(list(batches)))
            while curs.description is None and curs.nextset():
                pass
            found = {row["originator_id"]: row for row in curs.fetchall()}
            hashes, heads = self._chain(batches, found)
            insert = self._statement(conn, self._insert_chained)
            curs.execute(insert, self._parameters(stored_events, hashes, heads))
            ids = [row["notification_id"] for row in curs.fetchall()]
        if len(ids) != len(stored_events):
            raise ProgrammingError(f"{len(ids)} positions for {len(stored_events)} events")
        for id_, head in heads.items():
            self._moved(id_, head)
        return ids

    def _lock_and_read_heads(self, ids: list[UUID]) -> Composed:
        # One round trip: the lock (EventRecorder._before_insert), then the heads it guards.
        # Each head with its event's own hash: a head whose newest event is gone or
        # changed is not extended.
        return self._before_insert() + SQL(
            "; SELECT h.originator_id, h.originator_version, h.chain_hash, e.chain_hash AS "
            "newest FROM {heads} h LEFT JOIN {events} e ON e.originator_id = h.originator_id "
            "AND e.originator_version = h.originator_version "
            "WHERE h.originator_id = ANY({ids}::uuid[])"
        ).format(
            heads=self.chain.heads, events=self.chain.events, ids=Literal([str(i) for i in ids])
        )

    def _chain(
        self, batches: dict[UUID, list[StoredEvent]], found: dict[UUID, Any]
    ) -> tuple[dict[tuple[UUID, int], bytes], dict[UUID, tuple[int, bytes]]]:
        hashes: dict[tuple[UUID, int], bytes] = {}
        heads: dict[UUID, tuple[int, bytes]] = {}
        for id_, events in batches.items():
            previous = self._previous(id_, events[0].originator_version, found.get(id_))
            for event in events:
                recorded = getattr(event, "recorded_at", None)
                if not isinstance(event, TimedStoredEvent) or recorded is None:
                    raise ProgrammingError("only events from PydanticMapper can be chained")
                version = event.originator_version
                previous = link(previous, id_, version, event.topic, recorded, event.state)
                hashes[id_, version] = previous
            heads[id_] = (events[-1].originator_version, previous)
        return hashes, heads

    def _previous(self, id_: UUID, first: int, head: Any) -> bytes:
        """The chain hash the save's first event links to; refused as explained above."""
        if head is None:
            if first != 1:
                raise HistoryBroken(id_, first - 1, BreakKind.MISSING)
            return GENESIS
        version, chain_hash = int(head["originator_version"]), bytes(head["chain_hash"])
        if version >= first:
            raise IntegrityError(f"{id_} is at version {version} already")
        if version < first - 1 or head["newest"] is None:
            raise HistoryBroken(id_, version + (version < first - 1), BreakKind.MISSING)
        if bytes(head["newest"]) != chain_hash:
            raise HistoryBroken(id_, version, BreakKind.CHANGED)
        with self._heads_lock:
            checked = self._heads.get(id_)
        if checked is not None and checked[0] == version and checked[1] != chain_hash:
            raise HistoryBroken(id_, version, BreakKind.CHANGED)
        return chain_hash

    @staticmethod
    def _parameters(
        events: Sequence[StoredEvent],
        hashes: dict[tuple[UUID, int], bytes],
        heads: dict[UUID, tuple[int, bytes]],
    ) -> tuple[list[Any], ...]:
        return (
            list(heads),
            [v for v, _ in heads.values()],
            [h for _, h in heads.values()],
            [e.originator_id for e in events],
            [e.originator_version for e in events],
            [e.topic for e in events],
            [e.state for e in events],
            [hashes[_uuid(e.originator_id), e.originator_version] for e in events],
            [getattr(e, "recorded_at", None) for e in events],
        )

    # Loading.

    @retry(CONNECTION_ERRORS, max_attempts=10, wait=0.2)
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        if desc or limit is not None:  # the newest row, to ask whether an aggregate exists
            newest: Sequence[StoredEvent] = super().select_events(
                originator_id, gt=gt, lte=lte, desc=desc, limit=limit
            )
            return newest
        id_ = _uuid(originator_id)
        with self._heads_lock:
            known = self._heads.get(id_)
        checked, seen = (known.checked, known.seen) if known else (0, "")
        bounds = {
            "id": id_, "gt": gt or 0, "lte": LAST_VERSION if lte is None else lte,
            "checked": checked, "seen": seen,
        }  # fmt: skip
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._statement(conn, self._select_checked), bounds, prepare=True)
            rows = curs.fetchall()
        head, events = bulk.checked(id_, rows)
        if head is not None:
            self._remember(id_, head)
        return events

    @retry(CONNECTION_ERRORS, max_attempts=10, wait=0.2)
    def select_events_of(
        self, ids: Sequence[UUID], after: Mapping[UUID, int]
    ) -> dict[UUID, list[StoredEvent]]:
        """Many aggregates' events after the versions `after` gives (0: all), each chain
        checked as `select_events` checks one, in one query. An aggregate with no events,
        or whose chain breaks, is not in the answer (its own read raises for it)."""
        with self._heads_lock:
            known = [self._heads.get(id_) for id_ in ids]
        bounds = {
            "ids": list(ids), "gt": [after.get(id_, 0) for id_ in ids],
            "checked": [k.checked if k else 0 for k in known],
            "seen": [k.seen if k else "" for k in known],
        }  # fmt: skip
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._statement(conn, self._select_many), bounds, prepare=True)
            rows = curs.fetchall()
        events, heads = bulk.checked_events(rows)
        for id_, head in heads.items():
            self._remember(id_, head)
        return events

    def _remember(self, id_: UUID, remembered: Remembered) -> None:
        with self._heads_lock:
            self._heads[id_] = remembered
            self._heads.move_to_end(id_)
            if len(self._heads) > REMEMBERED_HEADS:
                self._heads.popitem(last=False)

    def _moved(self, id_: UUID, head: tuple[int, bytes]) -> None:
        """This process saved `id_` up to `head`: what it checked before stays checked."""
        with self._heads_lock:
            known = self._heads.get(id_)
        self._remember(id_, Remembered(*head, *(known[2:] if known else (0, ""))))

    def _statement(self, conn: Any, query: Composed) -> bytes:
        """The query as bytes, rendered once (psycopg renders a Composed on every call)."""
        found = self._rendered.get(id(query))
        if found is None:
            found = self._rendered[id(query)] = query.as_bytes(conn)
        return found


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


class LendingPostgresFactory(PostgresFactory):
    """eventsourcing's PostgreSQL persistence, with the ChainedRecorder for the application."""

    application_recorder_class: type[EventRecorder] = ChainedRecorder
    aggregate_recorder_class = bulk.SnapshotRecorder  # the application's only other recorder

    def mapper(
        self, transcoder: Transcoder | None = None, mapper_class: type[Mapper[Any]] | None = None
    ) -> Mapper[Any]:
        """The mapper; a PydanticMapper seals personal fields with the keys the
        environment names (personal_fields.py)."""
        made = super().mapper(transcoder, mapper_class)
        keys = registered(self.env.get(PERSONAL_KEYS))
        if keys is not None and isinstance(made, PydanticMapper):
            made.sealer = FieldSealer(keys)
        return made

    def application_recorder(self) -> ApplicationRecorder:
        recorder = super().application_recorder()
        if isinstance(recorder, EventRecorder):
            recorder.statement_timeout = int(self.env.get(STATEMENT_TIMEOUT) or 0)
        return recorder
