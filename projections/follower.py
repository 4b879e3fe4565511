"""The live follower: every new event to the read models, a page per transaction.

eventsourcing's ProjectionRunner hands its projection one event at a time, so each
event paid for a transaction of its own. The follower reads the store's
notifications a page at a time instead, and the read models take each page in
one transaction. A LISTEN on the store's channel wakes it when events are recorded,
and one on the read models' channel when an operator skips a failed event.

A read model that fails stops alone (projections/group.py); the follower itself stops
only when it cannot go on at all (the database is gone, the LISTEN is lost).
"""

from __future__ import annotations

import logging
from threading import Event, Thread
from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

from application.app import LendingApplication
from projections.base import APPLICATION_NAME
from projections.failures import CHANNEL
from projections.group import ReadModelGroup

log = logging.getLogger(__name__)
# Events per transaction while catching up. Once caught up, a page holds what the
# last wake-up found: one command's events.
PAGE = 100


def events_after(app: LendingApplication, position: int, limit: int) -> list[tuple[Any, int]]:
    """Up to `limit` events recorded after `position`, decoded, each with its position."""
    notifications = app.recorder.select_notifications(
        start=position, limit=limit, inclusive_of_start=False
    )
    return [(app.mapper.to_domain_event(n), n.id) for n in notifications]


class Follower:
    def __init__(self, app: LendingApplication, group: ReadModelGroup, page: int = PAGE) -> None:
        assert isinstance(app.recorder, PostgresApplicationRecorder)
        self.app = app
        self.recorder: PostgresApplicationRecorder = app.recorder
        self.group = group
        self.page = page
        self.error: BaseException | None = None
        self.stopped = Event()
        self._notified = Event()
        self._threads = [
            Thread(target=self._follow, name="read-models", daemon=True),
            Thread(target=self._listen, name="read-models-listen", daemon=True),
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop()
        for thread in self._threads:
            thread.join()

    def _stop(self) -> None:
        self.stopped.set()
        self._notified.set()

    def _fail(self, error: BaseException) -> None:
        if self.error is None:
            self.error = error
        self._stop()

    def _follow(self) -> None:
        try:
            position = self.group.max_tracking_id(APPLICATION_NAME) or 0
            while not self.stopped.is_set():
                # Cleared before reading, so an event recorded meanwhile wakes us again.
                self._notified.clear()
                resumed = self.group.resumed()
                if resumed is not None:  # it catches up; the others skip what they have
                    position = min(position, resumed)
                page = events_after(self.app, position, self.page)
                if not page:
                    self._notified.wait()
                    continue
                self.group.process_page(page)
                position = page[-1][1]
        except BaseException as error:
            # Health reports the error; the log says why.
            log.exception("read models stopped")
            self._fail(error)

    def _listen(self) -> None:
        try:
            with self.recorder.datastore.get_connection() as conn:
                for channel in (self.recorder.channel_name, CHANNEL):
                    conn.execute(SQL("LISTEN {}").format(Identifier(channel)))
                while not self.stopped.is_set():
                    # At most 0.1 s per wait, so that a stop is noticed.
                    for _ in conn.notifies(timeout=0.1, stop_after=1):
                        self._notified.set()
        except BaseException as error:
            log.exception("read models stopped listening")
            self._fail(error)
