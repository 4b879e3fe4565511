"""A 30-year monthly annuity schedule (360 installments) generates in under 2 ms."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from domain.schedule import Frequency, Method, ScheduleTerms, generate_schedule
from tests.benchmarks.baseline import InsertRate, ms

ANNUITY_360 = ScheduleTerms(
    principal=Decimal("500000.00"),
    annual_rate_percent=Decimal("4.9"),
    term=360,
    frequency=Frequency.MONTHLY,
    method=Method.EQUAL_INSTALLMENTS,
    start_date=date(2024, 1, 31),
)
RUNS = 50
TARGET = 0.002


def test_a_360_installment_annuity_schedule(
    insert_baseline: Callable[[int, float], InsertRate], report: Callable[..., str]
) -> None:
    baseline = insert_baseline(1, 2.0)
    timings = []
    for _ in range(RUNS):
        began = time.perf_counter()
        schedule = generate_schedule(ANNUITY_360)
        timings.append(time.perf_counter() - began)
    best = min(timings)
    report(
        "schedule_360",
        f"{ms(best)} best of {RUNS}, median {ms(statistics.median(timings))}",
        baseline.per_insert(),
        best / baseline.round_trip,
        f"< {TARGET * 1000:g} ms",
        best < TARGET,
    )
    assert len(schedule.installments) == 360
    assert schedule.total_principal == ANNUITY_360.principal
    assert best < 0.2, "schedule generation is badly broken"
