"""Close of business across `lending worker --cob` processes: start them, read what a run
left in the lease table, and the loans' events to compare runs by."""

from __future__ import annotations

import subprocess
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from application.app import LendingApplication
from infrastructure.settings import Settings
from tests.support.database import select_dicts
from tests.support.processes import lending, lending_env

READY = "waiting for partitions"


def cob_worker(settings: Settings, prelude: str = "", **env: str) -> subprocess.Popen[str]:
    """`lending worker --cob` on `settings`' store (`env`: more settings), once it has shown
    itself to close of business (its log says it waits for partitions). Its later log is
    drained while it runs."""
    worker = lending("worker", "--cob", env=lending_env(settings, **env), prelude=prelude)
    assert worker.stdout is not None
    seen = []
    for line in worker.stdout:
        seen.append(line)
        if READY in line:
            break
    else:
        raise AssertionError("the worker exited before waiting:\n" + "".join(seen))
    output = worker.stdout
    threading.Thread(target=lambda: deque(output, maxlen=0), daemon=True).start()
    return worker


@contextmanager
def cob_workers(settings: Settings, count: int, **env: str) -> Iterator[list[str]]:
    """`count` COB workers (started together) while the block runs; yields nothing but
    their process ids, stopped (SIGTERM) afterwards."""
    started: list[subprocess.Popen[str]] = []
    try:
        ready = [threading.Thread(target=lambda: started.append(cob_worker(settings, **env)))
                 for _ in range(count)]  # fmt: skip
        for thread in ready:
            thread.start()
        for thread in ready:
            thread.join()
        assert len(started) == count, "a worker did not start"
        yield [str(worker.pid) for worker in started]
    finally:
        for worker in started:
            worker.terminate()
        for worker in started:
            worker.wait(timeout=30)


def partitions(url: str) -> list[dict[str, Any]]:
    """The lease table's rows (the last day a run published), in order."""
    return select_dicts(url, "SELECT * FROM cob_partitions ORDER BY day, part")


def loan_events(app: LendingApplication, loan_ids: Iterable[UUID]) -> dict[UUID, list[Any]]:
    """Each loan's events as recorded, all but the time they were recorded."""
    return {
        loan_id: [
            (type(event).__qualname__, event.model_dump(mode="json", exclude={"timestamp"}))
            for event in app.events_of(loan_id)
        ]
        for loan_id in loan_ids
    }
