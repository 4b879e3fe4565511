"""A read model: SQL tables plus a tracking row, always written in one transaction.

Each read model is an eventsourcing tracking recorder (the "view"). Handling an
event and recording its position commit together, so a crash can never leave a
table ahead of, or behind, its tracking row. Handling is idempotent: an event
at or below the recorded position is skipped, which lets a rebuild and a live
follower meet without double counting.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

APPLICATION_NAME = "lending"
log = logging.getLogger(__name__)


class ReadModelError(Exception):
    def __init__(self, name: str, position: int) -> None:
        super().__init__(f"read model {name} failed at position {position}")
        self.name = name
        self.position = position


class ReadModel(PostgresTrackingRecorder):
    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]
    schema: ClassVar[tuple[str, ...]]

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        # The factory names the tracking table after the read model: "<name>_tracking".
        super().__init__(datastore, **kwargs)
        self.sql_create_statements.extend(SQL(statement) for statement in self.schema)  # type: ignore[arg-type]

    @abstractmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Write what `event` changes in this read model's tables."""

    def rebuild(
        self,
        pages: Iterable[list[tuple[Any, int]]],
        progress: Callable[[int], None] = lambda _: None,
    ) -> int:
        """Empty the tables and apply every event again, in one transaction."""
        last = 0
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(SQL("SET LOCAL idle_in_transaction_session_timeout = 0"))
            for table in self.tables:
                cursor.execute(SQL("TRUNCATE {}").format(Identifier(table)))
            self._position_for_update(cursor)
            cursor.execute(
                SQL("DELETE FROM {} WHERE application_name = %s").format(
                    Identifier(self.tracking_table_name)
                ),
                (APPLICATION_NAME,),
            )
            for page in pages:
                for event, position in page:
                    self.handle(event, cursor, position)
                    last = position
                progress(len(page))
            if last:
                self._insert_tracking(cursor, Tracking(APPLICATION_NAME, last))
        return last

    def position(self) -> int:
        return self.max_tracking_id(APPLICATION_NAME) or 0

    def _position_for_update(self, cursor: Cursor[DictRow]) -> int:
        cursor.execute(
            SQL("SELECT notification_id FROM {} WHERE application_name = %s FOR UPDATE").format(
                Identifier(self.tracking_table_name)
            ),
            (APPLICATION_NAME,),
        )
        row = cursor.fetchone()
        return int(row["notification_id"]) if row else 0


class ReadModelGroup(PostgresTrackingRecorder):
    """Every read model on one connection pool, fed a page of events per transaction.

    One follower decodes each event once and commits all read models together,
    instead of one follower, one decode and one commit per read model and event. Each read
    model keeps its own tracking row, so each can still be rebuilt on its own.
    """

    members: ClassVar[tuple[type[ReadModel], ...]] = ()

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.views = [
            member(datastore, tracking_table_name=f"{member.name}_tracking")
            for member in self.members
        ]
        self._tracking_statements: dict[tuple[str, ...], Composed] = {}

    def create_table(self) -> None:
        for view in self.views:
            view.create_table()

    def max_tracking_id(self, application_name: str) -> int | None:
        # Follow from the read model furthest behind; the others skip what they have.
        return min((view.max_tracking_id(application_name) or 0) for view in self.views) or None

    def process_page(self, page: Sequence[tuple[Any, int]]) -> None:
        """Apply a page of events to every read model still behind them, in one transaction.

        The statements go down one pipeline: only a handler that reads rows waits for
        the server. If the page fails, it is applied again an event per transaction, so
        the events before the failing one are kept and the error names its read model
        and position.
        """
        try:
            with self.datastore.get_connection() as conn, conn.pipeline(), conn.transaction():
                self._apply(conn.cursor(), page)
        except Exception:
            # The cause is kept in the log: if the events then apply one at a time, the
            # page failed for a reason that passed (a deadlock with a rebuild, say).
            log.warning(
                "a page of %s events failed; applying them one at a time", len(page), exc_info=True
            )
            for item in page:
                with self.datastore.transaction(commit=True) as cursor:
                    self._apply(cursor, [item])

    def _apply(self, cursor: Cursor[DictRow], page: Sequence[tuple[Any, int]]) -> None:
        """Three statements besides the handlers' own: the read models' positions, locked
        (a rebuild takes the same locks), and their new positions, all at once."""
        # A read model can always be rebuilt from the store, and a commit lost in a
        # server crash is processed again (the tracking rows go with it), so the
        # follower need not wait for the disk.
        cursor.execute(SQL("SET LOCAL synchronous_commit = off"))
        cursor.execute(self._lock_positions, {"name": APPLICATION_NAME}, prepare=True)
        row = cursor.fetchone()
        assert row is not None
        reached = {view.name: row[view.name] or 0 for view in self.views}
        for event, position in page:
            for view in self.views:
                if reached[view.name] < position:
                    try:
                        view.handle(event, cursor, position)
                    except Exception as error:
                        raise ReadModelError(view.name, position) from error
        last = page[-1][1]
        behind = tuple(view.name for view in self.views if reached[view.name] < last)
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
