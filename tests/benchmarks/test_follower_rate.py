"""The live follower catching up on the whole store, and rebuilding the read models that
hold a loan's money: events per second."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from infrastructure.runtime import Runtime
from tests.benchmarks.baseline import InsertRate
from tests.benchmarks.test_rebuild_rate import disbursed_count, load_portfolio

# Today's money read model, and those it replaced (a run on older code times those).
MONEY = ("loan_books", "installments", "arrears", "arrears_history", "portfolio", "risk_warnings")


@pytest.mark.timeout(1500)
def test_follower_rate(
    runtime: Runtime,
    db_url: str,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    load_portfolio(runtime, db_url)
    head = runtime.projections.head()
    print(f"\nfollower: {head} events, {disbursed_count(db_url)} loans")
    baseline = insert_baseline(1, 3.0)

    began = time.perf_counter()
    runtime.projections.start()
    runtime.projections.wait(head, timeout=300)
    elapsed = time.perf_counter() - began
    rate = head / elapsed
    report(
        "follower_catch_up",
        f"{rate:.0f} events/s ({head} events, every read model, in {elapsed:.2f} s)",
        baseline.per_second(),
        rate / baseline.rate,
    )
    runtime.projections.stop()

    total = 0.0
    for name in (name for name in MONEY if name in runtime.projections.views):
        began = time.perf_counter()
        assert runtime.projections.rebuild(name) == head
        elapsed = time.perf_counter() - began
        total += elapsed
        print(f"rebuild_{name}: {head / elapsed:.0f} events/s ({elapsed:.2f} s)")
    report(
        "rebuild_money",
        f"{head / total:.0f} events/s (the money read models, one after another, {total:.2f} s)",
        baseline.per_second(),
        head / total / baseline.rate,
    )
