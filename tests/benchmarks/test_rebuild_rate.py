"""Rebuilding read models from the whole event store: events per second."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta

import psycopg
import pytest

from application.demo import load_demo
from infrastructure.runtime import Runtime
from tests.benchmarks.baseline import InsertRate
from tests.support.portfolio import disbursed_loans, pay

# `portfolio` is timed on stores from before it became part of `loan_books`.
TIMED = ("loans", "loan_books", "portfolio")
# Used only while the demo registers borrowers but makes no loans.
LOANS = 300
PAYMENTS_PER_LOAN = 3
MIN_LOANS = 100


def disbursed_count(db_url: str) -> int:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM lending_events WHERE topic LIKE %s", ("%Loan.Disbursed",)
        ).fetchone()
    return int(row[0]) if row else 0


def load_portfolio(runtime: Runtime, db_url: str) -> None:
    """The demo portfolio; if it holds too few loans, loans with a few repayments each."""
    load_demo(runtime.app, borrowers=200)
    if disbursed_count(db_url) >= MIN_LOANS:
        return
    for n, loan_id in enumerate(disbursed_loans(runtime.app, LOANS)):
        for k in range(PAYMENTS_PER_LOAN):
            on = date(2026, 2, 28) + timedelta(days=30 * k)
            pay(runtime.app, loan_id, "1066.19", on, f"R-{n}-{k}")


@pytest.mark.timeout(300)
def test_rebuild_rate(
    runtime: Runtime,
    db_url: str,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    began = time.perf_counter()
    load_portfolio(runtime, db_url)
    head = runtime.projections.head()
    loans = disbursed_count(db_url)
    print(f"\nrebuild: {head} events, {loans} loans loaded in {time.perf_counter() - began:.1f} s")
    assert loans >= MIN_LOANS

    baseline = insert_baseline(1, 3.0)
    for name in TIMED:
        if name not in runtime.projections.views:
            print(f"rebuild_{name}: skipped, no `{name}` read model in projections/catalog.py")
            continue
        processed = 0

        def count(events: int) -> None:
            nonlocal processed
            processed += events

        began = time.perf_counter()
        last = runtime.projections.rebuild(name, count)
        elapsed = time.perf_counter() - began
        rate = processed / elapsed
        report(
            f"rebuild_{name}",
            f"{rate:.0f} events/s ({processed} events in {elapsed:.2f} s)",
            baseline.per_second(),
            rate / baseline.rate,
        )
        assert (last, processed) == (head, head)
        assert rate > 50, f"rebuilding {name} is badly broken"
