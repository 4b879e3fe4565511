"""Every read model on one connection pool, fed a page of events per transaction.

One follower decodes each event once and commits all read models together, instead of
one follower, one decode and one commit per read model and event. Each read model keeps
its own tracking row (and reads only its own tables), so each can be rebuilt, and can
stop, on its own.

A read model whose handler fails on an event stops just before it: its failure is
recorded (projections/failures.py), it is set aside, and the others go on. It is taken
back once its position gets past the failing event (an operator's skip or a rebuild).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from functools import cached_property
from typing import Any

import psycopg
from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from projections import failures
from projections.base import APPLICATION_NAME, ReadModel, ReadModelError

log = logging.getLogger(__name__)
# Attempts at an event that a handler fails with a server-side error that may pass (a
# deadlock with a rebuild, a lock timeout) before the read model is stopped.
ATTEMPTS = 3


class ReadModelGroup:
    def __init__(self, datastore: PostgresDatastore, views: Iterable[ReadModel]) -> None:
        """`views`: the read models to feed, each on `datastore`."""
        self.datastore = datastore
        self.views = list(views)
        # The read models set aside, each with the position of the event it failed on.
        self.stopped: dict[str, int] = {}
        self._tracking_statements: dict[tuple[str, ...], Composed] = {}

    def create_table(self) -> None:
        for view in self.views:
            view.create_table()
        with self.datastore.transaction(commit=True) as cursor:
            failures.create_tables(cursor)

    def max_tracking_id(self, application_name: str) -> int | None:
        """Where to follow from: the read model furthest behind, a stopped one included,
        so that a follower that starts retries each failed event once (the others skip
        what they have)."""
        return min((view.max_tracking_id(application_name) or 0) for view in self.views) or None

    def following(self) -> list[ReadModel]:
        return [view for view in self.views if view.name not in self.stopped]

    def resumed(self) -> int | None:
        """Take back the stopped read models whose position has got past their failure (a
        skip or a rebuild, maybe by another process); the least of their positions."""
        if not self.stopped:
            return None
        with self.datastore.transaction(commit=False) as cursor:
            states = failures.reached(cursor, list(self.stopped))
        back = [s for s in states if s.position >= self.stopped[s.name]]
        for state in back:
            del self.stopped[state.name]
            log.warning("read model %s resumes after position %s", state.name, state.position)
        return min((s.position for s in back), default=None)

    def process_page(self, page: Sequence[tuple[Any, int]]) -> None:
        """Apply a page of events to every read model following and behind them.

        The page goes in one transaction, its statements down one pipeline: only a
        handler that reads rows waits for the server. If it fails, it is applied again an
        event per transaction, so the events before the failing one are kept and the read
        model that failed is stopped there; the rest of the page then goes without it.
        """
        try:
            with self.datastore.get_connection() as conn, conn.pipeline(), conn.transaction():
                self._apply(conn.cursor(), page)
            return
        except Exception as error:
            # If the events then apply one at a time, the page failed for a reason that
            # passed (a deadlock with a rebuild, say). No traceback: its message may
            # quote the row, and so personal data.
            log.warning(
                "a page of %s events failed (%s); applying them one at a time",
                len(page),
                _described(error),
            )
        for n, (event, position) in enumerate(page):
            if self._apply_alone(event, position) and n + 1 < len(page):
                self.process_page(page[n + 1 :])
                return

    def _apply(self, cursor: Cursor[DictRow], page: Sequence[tuple[Any, int]]) -> None:
        """Three statements besides the handlers' own: the read models' positions, locked
        (a rebuild and a skip take the same locks), and their new positions, all at once."""
        # A read model can always be rebuilt from the store, and a commit lost in a
        # server crash is processed again (the tracking rows go with it), so the
        # follower need not wait for the disk.
        cursor.execute(SQL("SET LOCAL synchronous_commit = off"))
        reached = self._lock(cursor)
        following = self.following()
        for view in following:
            view.prefetch([event for event, at in page if reached[view.name] < at], cursor)
        for event, position in page:
            for view in following:
                if reached[view.name] < position:
                    try:
                        view.handle(event, cursor, position)
                    except Exception as error:
                        raise ReadModelError(view.name, position) from error
        for view in following:
            try:
                view.flush(cursor)
            except Exception as error:
                raise ReadModelError(view.name, page[-1][1]) from error
        self._track_behind(cursor, reached, page[-1][1], following)

    def _apply_alone(self, event: Any, position: int) -> bool:
        """Apply one event in a transaction of its own, each read model's handler inside a
        savepoint: one that fails is stopped, its failure recorded in the same
        transaction, and the others keep the event. True if a read model stopped."""
        attempt = 1
        while True:
            try:
                failed = self._attempt(event, position, attempt)
                break
            except psycopg.OperationalError as error:
                if _lost(error) or attempt == ATTEMPTS:
                    raise
                log.warning("event %s: %s; trying again", position, failures.describe(error))
                attempt += 1
        for name, cause in failed.items():
            self.stopped[name] = position
            log.error(
                "read model %s stopped at position %s (%s, %s v%s): %s",
                name, position, type(event).__qualname__, event.originator_id,
                event.originator_version, failures.describe(cause),
            )  # fmt: skip
        return bool(failed)

    def _attempt(self, event: Any, position: int, attempt: int) -> dict[str, Exception]:
        failed: dict[str, Exception] = {}
        with self.datastore.get_connection() as conn, conn.transaction():
            cursor = conn.cursor()
            reached = self._lock(cursor)
            following = self.following()
            for view in following:
                if reached[view.name] < position:
                    try:
                        with conn.transaction():
                            view.handle(event, cursor, position)
                            view.flush(cursor)
                    except Exception as error:
                        if _lost(error) or (_may_pass(error) and attempt < ATTEMPTS):
                            raise
                        failed[view.name] = error
            for name, cause in failed.items():
                failures.record_failure(cursor, name, event, position, cause)
            healthy = [view for view in following if view.name not in failed]
            self._track_behind(cursor, reached, position, healthy)
        return failed

    def _lock(self, cursor: Cursor[DictRow]) -> dict[str, int]:
        cursor.execute(self._lock_positions, {"name": APPLICATION_NAME}, prepare=True)
        row = cursor.fetchone()
        assert row is not None
        return {view.name: row[view.name] or 0 for view in self.views}

    def _track_behind(
        self,
        cursor: Cursor[DictRow],
        reached: dict[str, int],
        last: int,
        views: Collection[ReadModel],
    ) -> None:
        behind = tuple(view.name for view in views if reached[view.name] < last)
        if behind:
            cursor.execute(
                self._track(behind),
                {"application_name": APPLICATION_NAME, "notification_id": last},
                prepare=True,
            )

    @cached_property
    def _lock_positions(self) -> Composed:
        """Each read model's position (a column named after it), its row locked."""
        locked = SQL(", ").join(
            SQL(
                "{} AS (SELECT notification_id FROM {} WHERE application_name = %(name)s "
                "FOR UPDATE)"
            ).format(Identifier(view.name), Identifier(view.tracking_table_name))
            for view in self.views
        )
        columns = SQL(", ").join(
            SQL("(SELECT notification_id FROM {0}) AS {0}").format(Identifier(view.name))
            for view in self.views
        )
        return SQL("WITH {} SELECT {}").format(locked, columns)

    def _track(self, names: tuple[str, ...]) -> Composed:
        """Record `%(notification_id)s` as the position of the named read models."""
        found = self._tracking_statements.get(names)
        if found is None:
            found = self._tracking_statements[names] = self._tracking_statement(names)
        return found

    def _tracking_statement(self, names: tuple[str, ...]) -> Composed:
        tables = [view.tracking_table_name for view in self.views if view.name in names]
        inserts = SQL(", ").join(
            SQL(
                "{0} AS (INSERT INTO {1} VALUES (%(application_name)s, %(notification_id)s) "
                "ON CONFLICT (application_name) DO UPDATE SET notification_id = "
                "%(notification_id)s)"
            ).format(Identifier(f"t{n}"), Identifier(table))
            for n, table in enumerate(tables)
        )
        return SQL("WITH {} SELECT 1").format(inserts)


def _lost(error: BaseException) -> bool:
    """The connection failed: not the event's fault, and it stops the follower."""
    if isinstance(error, psycopg.InterfaceError):
        return True
    return isinstance(error, psycopg.OperationalError) and error.sqlstate is None


def _may_pass(error: BaseException) -> bool:
    """The server gave up on something that may pass (a deadlock with a rebuild, a lock
    timeout): tried again while attempts remain, then it stops the read model."""
    return isinstance(error, psycopg.OperationalError)


def _described(error: BaseException) -> str:
    if isinstance(error, ReadModelError) and error.__cause__ is not None:
        return f"{error}: {failures.describe(error.__cause__)}"
    return failures.describe(error)
