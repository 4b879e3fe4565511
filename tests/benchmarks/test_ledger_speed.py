"""A 30-year monthly loan with a payment for every installment allocates in under 50 ms."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from domain.ledger import Payment, allocate, fold
from domain.schedule import (
    DayCount,
    Frequency,
    InterestCalculation,
    Method,
    ScheduleTerms,
    generate_schedule,
)
from tests.benchmarks.baseline import InsertRate, ms

MORTGAGE = ScheduleTerms(
    principal=Decimal("500000.00"),
    annual_rate_percent=Decimal("4.9"),
    term=360,
    frequency=Frequency.MONTHLY,
    method=Method.EQUAL_INSTALLMENTS,
    start_date=date(2024, 1, 31),
    day_count=DayCount.ACTUAL_365,
    interest_calculation=InterestCalculation.DAILY,
)
RUNS = 5
TARGET = 0.050


def test_360_installments_and_360_payments(
    insert_baseline: Callable[[int, float], InsertRate], report: Callable[..., str]
) -> None:
    baseline = insert_baseline(1, 2.0)
    schedule = generate_schedule(MORTGAGE)
    payments = [
        Payment(f"p{item.number}", item.total, item.due_date, item.number)
        for item in reversed(schedule.installments)  # arriving newest first: sorting is part of it
    ]
    timings = []
    for _ in range(RUNS):
        began = time.perf_counter()
        state = allocate(MORTGAGE, schedule, payments)
        timings.append(time.perf_counter() - began)
    best = min(timings)
    report(
        "ledger_360x360",
        f"{ms(best)} best of {RUNS}, median {ms(statistics.median(timings))}",
        baseline.per_insert(),
        best / baseline.round_trip,
        f"< {TARGET * 1000:g} ms",
        best < TARGET,
    )
    assert state.is_fully_repaid
    assert len(state.results) == 360
    assert best < 1.0, "allocation is badly broken"


def test_the_newest_payment_goes_on_from_the_kept_fold(
    insert_baseline: Callable[[int, float], InsertRate], report: Callable[..., str]
) -> None:
    """The common case, a payment later than every other, costs what it adds, not what
    the loan has had (the kept fold is a loan's after its last command)."""
    baseline = insert_baseline(1, 2.0)
    schedule = generate_schedule(MORTGAGE)
    payments = [
        Payment(f"p{item.number}", item.total, item.due_date, item.number)
        for item in schedule.installments
    ]
    kept = fold(MORTGAGE, schedule, payments[:-1])
    folding, going_on = [], []
    for _ in range(RUNS):
        began = time.perf_counter()
        whole = allocate(MORTGAGE, schedule, payments)
        folding.append(time.perf_counter() - began)
        began = time.perf_counter()
        went_on = kept.then(payments[-1])
        assert went_on is not None
        state = went_on.state()
        going_on.append(time.perf_counter() - began)
    best = min(going_on)
    report(
        "ledger_newest_payment",
        f"{ms(best)} best of {RUNS} for payment 360 going on from the kept fold, "
        f"against {ms(min(folding))} folding all 360 ({min(folding) / best:.0f}x)",
        baseline.per_insert(),
        best / baseline.round_trip,
        f"< {TARGET * 1000 / 10:g} ms",
        best < TARGET / 10,
    )
    assert state == whole
