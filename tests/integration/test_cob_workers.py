"""Close of business shared with `lending worker --cob` processes writes what one process
writes: run on copies of one store, with no worker, 1, 2 or 4, and with a worker
killed mid-partition, every loan's events are the same.

The store: 40 loans paid out on 31 January 2026, first due 28 February, and the books
at 28 February; closing 1 March takes every loan to 1 day past due.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from infrastructure.runtime import Runtime
from tests.support.books import caught_up, close_through
from tests.support.cob import cob_worker, cob_workers, loan_events, partitions
from tests.support.database import as_url, copy_of, new_database
from tests.support.portfolio import disbursed_loans
from tests.support.settings import opened_on

LOANS = 40
OPENING = date(2026, 1, 31)
DAY = date(2026, 3, 1)
# Small batches in the killed worker: its partition takes several, so it dies between two.
SMALL_BATCHES = "import application.close_of_business as cob; cob.REVIEW_BATCH = 5"
Store = tuple[str, list[UUID]]


@pytest.fixture(scope="module")
def store(database_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The store (a database nothing stays connected to, to be copied) and its loans."""
    with new_database(database_server, "lending_cob") as conninfo:
        data = tmp_path_factory.mktemp("cob")
        runtime = Runtime.open(opened_on(as_url(conninfo), data, OPENING))
        try:
            runtime.projections.start()
            loans = disbursed_loans(runtime.app, LOANS)
            close_through(runtime, date(2026, 2, 28))
            caught_up(runtime)
        finally:
            runtime.close()
        yield conninfo, loans


@contextmanager
def copied(store: Store, database_server: str, tmp_path: Path, **changes: Any) -> Iterator[Runtime]:
    """A copy of the store, and close of business's runtime on it, following the store
    (`changes`: settings, e.g. the lease)."""
    with copy_of(database_server, store[0], "lending_cob_copy") as conninfo:
        settings = opened_on(as_url(conninfo), tmp_path, OPENING)
        runtime = Runtime.open(settings.model_copy(update=changes))
        try:
            runtime.projections.start()
            yield runtime
        finally:
            runtime.close()


@pytest.fixture(scope="module")
def alone(store: Store, database_server: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Every loan's events after 1 March closed by one process, as it always was."""
    with copied(store, database_server, tmp_path_factory.mktemp("alone")) as runtime:
        close_through(runtime, DAY)
        assert partitions(runtime.url) == []  # alone, nothing to share: nothing published
        return loan_events(runtime.app, store[1])


def test_one_two_or_four_workers_write_what_one_process_writes(
    store: Store, alone: Any, database_server: str, tmp_path: Path
) -> None:
    reviewed = [e for events in alone.values() for e in events if e[0] == "Loan.DelinquencyChanged"]
    assert len(reviewed) == LOANS  # the day's review is the work shared
    for count in (1, 2, 4):
        with copied(store, database_server, tmp_path / str(count), cob_partitions=8) as runtime:
            with cob_workers(runtime.settings, count) as pids:
                close_through(runtime, DAY)
            assert loan_events(runtime.app, store[1]) == alone, f"{count} workers"
            rows = partitions(runtime.url)
        assert [(r["day"], r["part"], r["state"], r["attempts"]) for r in rows] == [
            (DAY, part, "done", 1) for part in range(8)
        ]
        holders = {r["holder"] for r in rows}
        assert all(h.startswith("cob worker") and h.split()[-1] in pids for h in holders)


def test_a_worker_killed_mid_partition_leaves_the_day_to_finish_the_same(
    store: Store, alone: Any, database_server: str, tmp_path: Path
) -> None:
    lease = {"cob_lease_seconds": 2.0, "cob_partitions": 2}
    with copied(store, database_server, tmp_path, **lease) as runtime:
        head = runtime.projections.head()
        worker = cob_worker(
            runtime.settings, SMALL_BATCHES, LENDING_COB_LEASE_SECONDS="2",
            LENDING_COB_PARTITIONS="2",
        )  # fmt: skip
        closing = threading.Thread(target=close_through, args=(runtime, DAY))
        with psycopg.connect(runtime.url) as blocker:
            closing.start()
            # Once the worker leases a partition, the day's rows are held here: its next
            # renewal (after the batch it is saving) waits, and it is killed there.
            until(lambda: leased_by_worker(blocker), "the worker leases a partition")
            blocker.execute("SELECT FROM cob_partitions WHERE day = %s FOR UPDATE", (DAY,))
            part = leased_by_worker(blocker, commit=False)
            assert part is not None, "the worker finished its partition before it was held"
            until(lambda: renewal_waits(runtime.url), "the worker renews its lease")
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=20)
        saved = runtime.projections.head()
        assert saved > head  # it had saved a batch of its partition
        closing.join(timeout=120)
        assert not closing.is_alive()
        assert loan_events(runtime.app, store[1]) == alone
        rows = {r["part"]: r for r in partitions(runtime.url)}
    taken_over = rows[part]
    assert (taken_over["state"], taken_over["attempts"]) == ("done", 2)
    assert taken_over["holder"].startswith("close of business")


def leased_by_worker(conn: psycopg.Connection[Any], commit: bool = True) -> int | None:
    row = conn.execute(
        "SELECT part FROM cob_partitions WHERE day = %s AND state = 'leased'"
        " AND starts_with(holder, 'cob worker') LIMIT 1",
        (DAY,),
    ).fetchone()
    if commit:
        conn.commit()  # a new snapshot each time
    return None if row is None else int(row[0])


def renewal_waits(url: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE '%UPDATE cob_partitions%'"
        ).fetchone()
    return bool(row and row[0])


def until(found: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    """What `found()` returns once it returns something (polled: no fixed sleep)."""
    deadline = time.monotonic() + timeout
    while (value := found()) in (None, False):
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.005)
    return value
