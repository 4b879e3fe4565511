"""Rebuilding the journal from the whole event store: events per second."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from infrastructure.runtime import Runtime
from tests.benchmarks.baseline import InsertRate
from tests.benchmarks.test_rebuild_rate import disbursed_count, load_portfolio
from tests.support.books import dump


@pytest.mark.timeout(600)
def test_journal_rebuild_rate(
    runtime: Runtime,
    db_url: str,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    load_portfolio(runtime, db_url)
    head = runtime.projections.head()
    runtime.projections.start()
    runtime.projections.wait(head, ["journal"])
    live = dump(db_url)
    baseline = insert_baseline(1, 3.0)
    processed = 0

    def count(events: int) -> None:
        nonlocal processed
        processed += events

    began = time.perf_counter()
    last = runtime.projections.rebuild("journal", count)
    elapsed = time.perf_counter() - began
    rate = processed / elapsed
    report(
        "rebuild_journal",
        f"{rate:.0f} events/s ({processed} events, {disbursed_count(db_url)} loans, "
        f"in {elapsed:.2f} s)",
        baseline.per_second(),
        rate / baseline.rate,
    )
    assert (last, processed) == (head, head)
    assert dump(db_url) == live
