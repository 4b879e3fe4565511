"""A read model: SQL tables plus a tracking row, always written in one transaction.

Each read model is an eventsourcing tracking recorder (the "view"). Handling an
event and recording its position commit together, so a crash can never leave a
table ahead of, or behind, its tracking row. Handling is idempotent: an event
at or below the recorded position is skipped, which lets a rebuild and a live
follower meet without double counting.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

APPLICATION_NAME = "lending"


class ReadModelError(Exception):
    def __init__(self, name: str, position: int) -> None:
        super().__init__(f"read model {name} failed at position {position}")
        self.name = name
        self.position = position


class ReadModel(PostgresTrackingRecorder):
    name: ClassVar[str]
    # The names it presents: its tables, and the SQL views among them (`views`: over
    # another read model's tables, which a rebuild of this one leaves alone).
    tables: ClassVar[tuple[str, ...]]
    views: ClassVar[tuple[str, ...]] = ()
    schema: ClassVar[tuple[str, ...]]

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        # Its tracking table is named after it: "<name>_tracking".
        kwargs.setdefault("tracking_table_name", f"{self.name}_tracking")
        super().__init__(datastore, **kwargs)
        self.sql_create_statements.extend(SQL(statement) for statement in self.schema)  # type: ignore[arg-type]

    @abstractmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Write what `event` changes in this read model's tables."""

    def prefetch(self, events: Sequence[Any], cursor: Cursor[DictRow]) -> None:
        """Read at once what the handlers of a page's `events` would read one event at a
        time (a read model whose handlers read rows), before they run in the transaction
        of `cursor`. In the follower's pipeline each read waits for the server."""

    def flush(self, cursor: Cursor[DictRow]) -> None:
        """Write what the handlers held back for the transaction of `cursor` (a read model
        that writes in bulk); called before the read model's position is recorded."""

    def rebuild(
        self,
        pages: Iterable[list[tuple[Any, int]]],
        progress: Callable[[int], None] = lambda _: None,
        skipped: Collection[int] = (),
    ) -> int:
        """Empty the tables and apply every event again, in one transaction, but those at
        the `skipped` positions (an operator's skips: see projections/failures.py).

        ReadModelError names the event that failed; nothing is then changed."""
        last = 0
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(SQL("SET LOCAL idle_in_transaction_session_timeout = 0"))
            for table in (name for name in self.tables if name not in self.views):
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
                    if position not in skipped:
                        try:
                            self.handle(event, cursor, position)
                        except Exception as error:
                            raise ReadModelError(self.name, position) from error
                    last = position
                try:
                    self.flush(cursor)
                except Exception as error:
                    raise ReadModelError(self.name, last) from error
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


class ReadModelStopped(ReadModelError):
    """A read model that is needed has stopped at a failing event, and will not move
    until an operator deals with it (see projections/failures.py)."""

    def __init__(self, name: str, position: int, error: str | None) -> None:
        super().__init__(name, position)
        self.args = (f"read model {name} stopped at position {position}: {error}",)
        self.error = error
