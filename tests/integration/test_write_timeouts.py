"""A stalled writer frees the events table: the writer's sessions have timeouts.

The second line of defence behind a write path that cannot hang: a writer that waits
too long for the table lock, or whose statement runs too long, gives up, so the lock
is freed and the command answers Busy (503 over REST) instead of waiting for ever.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

import psycopg
import pytest

from application.app import Busy, LendingApplication, RetryPolicy
from application.borrowers import UpdateBorrower, update_borrower
from domain.borrower import Borrower
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.portfolio import OFFICER, register


@contextmanager
def writer(runtime: Runtime, **timeouts: str) -> Iterator[LendingApplication]:
    app = LendingApplication(runtime.env | timeouts)
    app.retry_policy = RetryPolicy(attempts=2, first_wait=0)
    try:
        yield app
    finally:
        app.close()


def update(app: LendingApplication, borrower_id: UUID, address: str) -> None:
    update_borrower(app, UpdateBorrower(OFFICER, borrower_id, {"address": address}))


@pytest.mark.timeout(60)
def test_a_writer_waiting_for_a_held_table_lock_gives_up_and_answers_busy(
    runtime: Runtime, settings: Settings
) -> None:
    borrower_id = register(runtime.app, 1)
    with writer(runtime, POSTGRES_LOCK_TIMEOUT="1") as app:
        with psycopg.connect(str(settings.database_url)) as holder:
            holder.execute("LOCK TABLE lending_events IN EXCLUSIVE MODE")
            began = time.perf_counter()
            with pytest.raises(Busy):
                update(app, borrower_id, "2 Waiting Road")
            # One lock wait, not eventsourcing's ten tries of it.
            assert time.perf_counter() - began < 5
            holder.rollback()
        update(app, borrower_id, "3 Free Road")
    assert runtime.app.load(Borrower, borrower_id, "borrower").profile.address == "3 Free Road"


@pytest.mark.timeout(60)
def test_an_insert_that_runs_too_long_is_cancelled_and_frees_the_table(
    runtime: Runtime, settings: Settings
) -> None:
    borrower_id = register(runtime.app, 1)
    url = str(settings.database_url)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$"
        )
        admin.execute(
            "CREATE TRIGGER slow BEFORE INSERT ON lending_events"
            " FOR EACH STATEMENT EXECUTE FUNCTION slow_insert()"
        )
    with writer(runtime, POSTGRES_STATEMENT_TIMEOUT="1") as app:
        outcome: list[BaseException] = []

        def slow_write() -> None:
            try:
                update(app, borrower_id, "4 Slow Road")
            except BaseException as error:
                outcome.append(error)

        thread = threading.Thread(target=slow_write, daemon=True)
        began = time.perf_counter()
        thread.start()
        thread.join(20)
        assert not thread.is_alive(), "the slow insert was never cancelled"
        assert time.perf_counter() - began < 10
        assert [type(e) for e in outcome] == [Busy]
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("DROP TRIGGER slow ON lending_events")
        update(app, borrower_id, "5 Quick Road")
    assert runtime.app.load(Borrower, borrower_id, "borrower").profile.address == "5 Quick Road"
