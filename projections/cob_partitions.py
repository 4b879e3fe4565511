"""The lease table of close of business's partitions, beside the COB index (`loan_books`).

Tables:
  cob_partitions: one row per (day, part): the day's review split into `count`
    partitions (application/cob_partitions.py says which loans each covers), the
    `actor` reviewing, `state` open | leased | done, the lease's `holder`, `token` and
    `expires_at`, `attempts` (leases taken on it), the last `position` its reviews
    reported, `published_at` and `done_at`. Publishing a day deletes earlier days' rows:
    close of business publishes a day only once the day before is closed.
  cob_workers: each `lending worker --cob` (`holder`: host and process id) and when it
    was last `seen_at` looking for work or renewing a lease.

Leases are taken with FOR UPDATE SKIP LOCKED: workers on any machine never wait for
one another, and a lease past `expires_at` is free for the next claim. Times are the
database's, so the machines' clocks need not agree. Publishing a day and finishing a
partition NOTIFY `cob_partitions`, which wakes the waiting workers and coordinator.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import psycopg
from eventsourcing.postgres import PostgresDatastore
from psycopg.rows import DictRow

from application.cob_partitions import DayProgress, Lease, LeaseLost

log = logging.getLogger(__name__)
CHANNEL = "cob_partitions"
WORKER = "worker"  # the payload of a worker's notice that it is alive
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS cob_partitions (
        day date NOT NULL,
        part integer NOT NULL,
        count integer NOT NULL,
        actor text NOT NULL,
        state text NOT NULL DEFAULT 'open',
        holder text,
        token uuid,
        expires_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        position bigint NOT NULL DEFAULT 0,
        published_at timestamptz NOT NULL DEFAULT now(),
        done_at timestamptz,
        PRIMARY KEY (day, part))""",
    """CREATE TABLE IF NOT EXISTS cob_workers (
        holder text PRIMARY KEY,
        seen_at timestamptz NOT NULL)""",
)
PUBLISH = """WITH earlier AS (
    DELETE FROM cob_partitions WHERE day < %(day)s OR (day = %(day)s AND part >= %(count)s)
)
INSERT INTO cob_partitions AS p (day, part, count, actor)
SELECT %(day)s, part, %(count)s, %(actor)s FROM generate_series(0, %(count)s - 1) part
ON CONFLICT (day, part) DO UPDATE SET count = EXCLUDED.count, actor = EXCLUDED.actor,
    state = 'open', holder = NULL, token = NULL, expires_at = NULL, attempts = 0,
    position = 0, published_at = now(), done_at = NULL
WHERE p.state = 'done' OR p.count <> EXCLUDED.count
RETURNING pg_notify('cob_partitions', '')"""
WORKERS = "SELECT count(*) AS workers FROM cob_workers WHERE seen_at > now() - %(lease)s"
PROGRESS = f"""SELECT count(*) AS parts, count(*) FILTER (WHERE state <> 'done') AS undone,
    coalesce(max(position), 0) AS position, coalesce(max(attempts), 0) AS attempts,
    ({WORKERS}) AS workers
FROM cob_partitions WHERE day = %(day)s"""
CLAIM = """UPDATE cob_partitions SET state = 'leased', holder = %(holder)s, token = %(token)s,
    expires_at = now() + %(lease)s, attempts = attempts + 1
WHERE (day, part) IN (
    SELECT day, part FROM cob_partitions
    WHERE (state = 'open' OR (state = 'leased' AND expires_at < now()))
      AND (%(day)s::date IS NULL OR day = %(day)s)
    ORDER BY day, part LIMIT %(limit)s FOR UPDATE SKIP LOCKED)
RETURNING day, part, count, actor"""
RENEW = """WITH seen AS (UPDATE cob_workers SET seen_at = now() WHERE holder = %(holder)s)
UPDATE cob_partitions SET expires_at = now() + %(lease)s,
    position = greatest(position, %(position)s)
WHERE token = %(token)s AND state = 'leased' RETURNING pg_notify('cob_partitions', 'worker')"""
# Finishing a lease says how its day stands after it (the outer query sees the rows as
# they were before the update: the lease's own from `finished`, the others as they are).
FINISH = f"""WITH finished AS (
    UPDATE cob_partitions SET state = 'done', position = greatest(position, %(position)s),
        expires_at = NULL, done_at = now()
    WHERE token = %(token)s AND state = 'leased' RETURNING position, attempts
), others AS (
    SELECT state, position, attempts FROM cob_partitions
    WHERE day = %(day)s AND token IS DISTINCT FROM %(token)s
)
SELECT (SELECT count(*) FROM finished) AS held,
    (SELECT count(*) FROM others) + (SELECT count(*) FROM finished) AS parts,
    (SELECT count(*) FROM others WHERE state <> 'done') AS undone,
    greatest((SELECT max(position) FROM others), (SELECT max(position) FROM finished), 0)
        AS position,
    greatest((SELECT max(attempts) FROM others), (SELECT max(attempts) FROM finished), 0)
        AS attempts,
    ({WORKERS}) AS workers, pg_notify('{CHANNEL}', '')"""
RELEASE = """UPDATE cob_partitions SET state = 'open', holder = NULL, token = NULL,
    expires_at = NULL WHERE token = %(token)s AND state = 'leased'"""
SEEN = f"""INSERT INTO cob_workers (holder, seen_at) VALUES (%(holder)s, now())
ON CONFLICT (holder) DO UPDATE SET seen_at = now() RETURNING pg_notify('{CHANNEL}', '{WORKER}')"""


def create_tables(datastore: PostgresDatastore) -> None:
    with datastore.transaction(commit=True) as cursor:
        for statement in SCHEMA:
            cursor.execute(statement)  # type: ignore[arg-type]


class CobPartitions:
    """The lease table (application.cob_partitions.Partitions) over `datastore`;
    `url` is where it LISTENs for changes, `lease` how long a lease lasts unrenewed."""

    def __init__(self, datastore: PostgresDatastore, url: str, lease: float) -> None:
        self.datastore = datastore
        self.lease = lease
        self._url = url
        # A waiter that misses a NOTIFY looks again after `poll`: a lease expires, or a
        # worker is no longer seen, without one.
        self.poll = min(1.0, lease / 5)
        self._changed = threading.Condition()
        self._generation = 0
        self._seen = threading.local()
        self._closed = threading.Event()
        self._listener: threading.Thread | None = None
        self._lock = threading.Lock()
        self._listening_since: float | None = None
        self._asked: float | None = None  # the listening whose start the table was asked at
        self._worker_noticed = -float("inf")

    def workers_seen(self) -> bool:
        """Once listening, a live worker's notices (each time it looks for work or renews
        a lease) are heard; the table is asked only for those seen before that."""
        self._listen()
        with self._lock:
            since, asked = self._listening_since, self._asked
            self._asked = since
        if since is None or asked != since:
            (row,), _ = self._run(WORKERS, {"lease": self._interval()})
            if row["workers"]:
                self._worker_noticed = time.monotonic()
        return time.monotonic() - self._worker_noticed < self.lease

    def publish(self, day: date, actor: str, count: int) -> None:
        self._run(PUBLISH, {"day": day, "count": count, "actor": actor})

    def progress(self, day: date) -> DayProgress:
        (row,), _ = self._run(PROGRESS, {"day": day, "lease": self._interval()})
        return progress_of(row)

    def claim(self, holder: str, day: date | None = None, every: bool = False) -> Lease | None:
        token = uuid4()
        params = {"holder": holder, "token": token, "lease": self._interval(), "day": day,
                  "limit": None if every else 1}  # fmt: skip
        rows, _ = self._run(CLAIM, params)
        if not rows:
            return None
        first = rows[0]
        parts = tuple(sorted(row["part"] for row in rows if row["day"] == first["day"]))
        log.debug("close of business: %s leased %s of %s", holder, list(parts), first["day"])
        return Lease(first["day"], first["actor"], first["count"], parts, holder, token)

    def renew(self, lease: Lease, position: int) -> None:
        params = {"token": lease.token, "position": position, "lease": self._interval(),
                  "holder": lease.holder}  # fmt: skip
        if self._run(RENEW, params)[1] != len(lease.parts):
            raise LeaseLost(f"{lease.holder} lost {list(lease.parts)} of {lease.day}")

    def finish(self, lease: Lease, position: int) -> DayProgress:
        params = {"token": lease.token, "position": position, "day": lease.day,
                  "lease": self._interval()}  # fmt: skip
        # Those of its partitions it still held are done, whatever another holder took.
        (row,), _ = self._run(FINISH, params)
        if row["held"] != len(lease.parts):
            raise LeaseLost(f"{lease.holder} lost {list(lease.parts)} of {lease.day}")
        return progress_of(row)

    def seen(self, holder: str) -> None:
        self._listen()
        self._run(SEEN, {"holder": holder})

    def gone(self, holder: str) -> None:
        """Worker `holder` stops: no coordinator waits a lease for it to show up again."""
        self._run("DELETE FROM cob_workers WHERE holder = %(holder)s", {"holder": holder})

    def wait(self) -> None:
        self._listen()
        with self._changed:
            seen = getattr(self._seen, "generation", 0)
            if self._generation == seen:
                self._changed.wait(self.poll)
            self._seen.generation = self._generation

    def interrupt(self) -> None:
        """Wake every waiter now (a worker asked to stop)."""
        self._changed_now()

    def close(self) -> None:
        self._closed.set()
        listener = self._listener
        if listener is not None:
            listener.join(timeout=5)

    def release(self, lease: Lease) -> None:
        self._run(RELEASE, {"token": lease.token})

    def _run(self, statement: str, params: dict[str, Any]) -> tuple[list[DictRow], int]:
        """One statement, its own transaction (the pool's connections autocommit): the rows
        it returns and how many it changed."""
        with self.datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(statement, params)  # type: ignore[arg-type]
            rows = cursor.fetchall() if cursor.description else []
            return rows, cursor.rowcount

    def _interval(self) -> timedelta:
        return timedelta(seconds=self.lease)

    def _listen(self) -> None:
        with self._lock:
            if self._listener is None:
                ready = threading.Event()
                self._listener = threading.Thread(
                    target=self._listening, args=(ready,), name="cob-partitions", daemon=True
                )
                self._listener.start()
            else:
                return
        ready.wait(timeout=5)

    def _listening(self, ready: threading.Event) -> None:
        """Count the NOTIFYs until closed; on a lost connection, stop (the next wait
        listens again, and waiters poll meanwhile)."""
        try:
            with psycopg.connect(self._url, autocommit=True) as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                with self._lock:
                    self._listening_since = time.monotonic()
                ready.set()
                while not self._closed.is_set():
                    for notice in conn.notifies(timeout=0.2, stop_after=1):
                        if notice.payload == WORKER:
                            self._worker_noticed = time.monotonic()
                        else:
                            self._changed_now()
        except psycopg.Error as error:
            log.warning("close of business: not listening for partitions: %s", error)
        finally:
            ready.set()
            with self._lock:
                self._listener, self._listening_since = None, None

    def _changed_now(self) -> None:
        with self._changed:
            self._generation += 1
            self._changed.notify_all()


def progress_of(row: DictRow) -> DayProgress:
    # A partition that changed hands may hold writes its first holder never reported.
    position = row["position"] if row["attempts"] <= 1 else None
    return DayProgress(row["parts"] > 0 and row["undone"] == 0, position, row["workers"])
