"""Read models: a rebuild equals incremental projection, even after a crash."""

from __future__ import annotations

import signal
import time
from typing import Any

import psycopg

from application.demo import load_demo
from domain.borrower import Borrower
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from projections.base import APPLICATION_NAME
from projections.follower import PAGE
from tests.support.processes import lending, lending_env


def table(db_url: str, name: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(db_url) as conn:
        return conn.execute(f"SELECT * FROM {name} ORDER BY position").fetchall()


def test_rebuild_equals_the_incrementally_built_table(runtime: Runtime, db_url: str) -> None:
    runtime.projections.start()
    position = load_demo(runtime.app, borrowers=40, loans=False)
    runtime.projections.wait(position)
    incremental = table(db_url, "borrowers")
    assert len(incremental) == 40
    assert runtime.projections.rebuild("borrowers") == position
    assert table(db_url, "borrowers") == incremental
    assert runtime.projections.views["borrowers"].position() == position


def test_a_follower_behind_many_pages_catches_up_to_what_a_rebuild_gives(
    runtime: Runtime, db_url: str
) -> None:
    """Started behind a backlog of several pages, the follower brings every read model
    to the head, and each table holds what rebuilding it from the store gives."""
    head = load_demo(runtime.app, borrowers=8)
    assert head > 3 * PAGE
    runtime.projections.start()
    runtime.projections.wait(head)
    views = runtime.projections.views
    incremental = {name: rows(db_url, view.tables) for name, view in views.items()}
    assert incremental["loans"]["loans"]
    for name in views:
        assert runtime.projections.rebuild(name) == head
        assert rows(db_url, views[name].tables) == incremental[name], name


def rows(db_url: str, tables: tuple[str, ...]) -> dict[str, list[str]]:
    with psycopg.connect(db_url) as conn:
        return {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}"))) for t in tables}


def test_a_failing_page_keeps_the_events_before_the_failing_one(
    runtime: Runtime, db_url: str
) -> None:
    """The follower applies a page in one transaction; when one event fails, the events
    before it are kept, the read model that failed stops just before it with its failure
    recorded, and the others, and that one's events before it, go on to the page's end."""
    load_demo(runtime.app, borrowers=12, loans=False)
    (page,) = runtime.projections.pages()
    registered = [(e, p) for e, p in page if isinstance(e, Borrower.Registered)]
    failing_event, failing_position = registered[7]
    refused = failing_event.originator_id
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"ALTER TABLE borrowers ADD CONSTRAINT refused CHECK (id <> '{refused}')")
    group = runtime.projections.group(runtime.projections.datastore)

    group.process_page(page)

    assert group.stopped == {"borrowers": failing_position}
    views = runtime.projections.views
    assert views["borrowers"].position() == failing_position - 1
    assert {v.position() for n, v in views.items() if n != "borrowers"} == {page[-1][1]}
    assert len(table(db_url, "borrowers")) == 7
    (failure,) = runtime.projections.failed()
    assert (failure.name, failure.stopped_at) == ("borrowers", failing_position)
    assert failure.originator == f"{refused} v1"
    assert "refused" in (failure.error or "")
    group.process_page(page)  # the page again: the others have it, borrowers is set aside
    assert len(table(db_url, "borrowers")) == 7


def blocked_writers(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_locks WHERE relation = 'borrowers'::regclass AND NOT granted"
    ).fetchone()
    return int(row[0]) if row else 0


def test_killing_the_worker_mid_transaction_then_restarting_equals_a_rebuild(
    runtime: Runtime, settings: Settings, db_url: str
) -> None:
    view = runtime.projections.views["borrowers"]
    env = lending_env(settings)
    worker = lending("worker", env=env)
    first_half = load_demo(runtime.app, borrowers=20, loans=False)
    view.wait(APPLICATION_NAME, first_half, timeout=60)

    with psycopg.connect(db_url) as blocker:
        # Hold the table so the worker is caught inside its next transaction.
        blocker.execute("LOCK TABLE borrowers IN SHARE MODE")
        head = load_demo(runtime.app, borrowers=20, seed=7, loans=False)
        deadline = time.monotonic() + 30
        while blocked_writers(blocker) == 0:  # the worker reaches the lock and waits
            assert time.monotonic() < deadline, "the worker never tried to write"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=20)
    assert view.position() == first_half  # the killed transaction left nothing behind

    restarted = lending("worker", env=env)
    try:
        view.wait(APPLICATION_NAME, head, timeout=60)
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=20)
    recovered = table(db_url, "borrowers")
    runtime.projections.rebuild("borrowers")
    assert recovered == table(db_url, "borrowers")
    assert len(recovered) == 40


def test_a_worker_goes_on_when_one_read_model_fails(
    runtime: Runtime, settings: Settings, db_url: str
) -> None:
    """The worker exits only when its follower fails, not when one read model does."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE borrowers ADD CONSTRAINT refused CHECK (false)")
    worker = lending("worker", env=lending_env(settings))
    try:
        head = load_demo(runtime.app, borrowers=2)
        others = [name for name in runtime.projections.views if name != "borrowers"]
        runtime.projections.wait(head, others, timeout=60)
        (failed,) = runtime.projections.failed()
        assert failed.name == "borrowers"
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=20) == 0
    assert worker.stdout is not None
    assert "read model borrowers stopped at position" in worker.stdout.read()
