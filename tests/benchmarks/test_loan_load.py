"""A long-lived loan (about 500 events) loads in under 10 ms, thanks to snapshots."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from eventsourcing.application import project_aggregate

from domain.loan import Loan
from infrastructure.runtime import Runtime
from tests.benchmarks.baseline import InsertRate, ms
from tests.support.portfolio import DISBURSED_ON, define_bench_product, disbursed_loan, pay

PAYMENTS = 500
RUNS = 30
TARGET = 0.010


def timed(load: Callable[[], Loan], runs: int) -> tuple[list[float], Loan]:
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        loan = load()
        timings.append(time.perf_counter() - began)
    return timings, loan


@pytest.mark.timeout(300)
def test_a_loan_with_500_events_loads(
    runtime: Runtime,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    app = runtime.app
    define_bench_product(app)
    loan_id = disbursed_loan(app, 0, principal="500000.00", term=360)
    began = time.perf_counter()
    for n in range(PAYMENTS):
        pay(app, loan_id, "10.00", DISBURSED_ON + timedelta(days=n), f"LONG-{n}")
    print(f"\nloan_load: {PAYMENTS} repayments in {time.perf_counter() - began:.1f} s")
    events = len(app.events_of(loan_id))

    baseline = insert_baseline(1, 2.0)
    # Asking for the version skips the in-memory aggregate cache: a cold load from the
    # latest snapshot and the events after it, which is what this target is about.
    timings, loan = timed(lambda: app.repository.get(loan_id, version=events), RUNS)
    replayed, from_events = timed(lambda: project_aggregate(None, app.events.get(loan_id)), 5)
    best = min(timings)
    report(
        "loan_load",
        f"{ms(best)} best of {RUNS}, median {ms(statistics.median(timings))} "
        f"({events} events, snapshot every {app.snapshotting_intervals[Loan]}; "
        f"without snapshots {ms(min(replayed))})",
        baseline.per_insert(),
        best / baseline.round_trip,
        f"< {TARGET * 1000:g} ms",
        best < TARGET,
    )
    assert loan.version == events
    assert len(loan.payments) == PAYMENTS
    assert vars(from_events) == vars(loan)
    assert best < 0.5, "loading a long-lived loan is badly broken"
