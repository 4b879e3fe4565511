"""Close of business for 2 March shared with 1 and 2 `lending worker --cob` processes.

Over the seeded store (tests/benchmarks/seed.py: the business date 1 March, a twentieth
of the loans falling due on 1 March, so 2 March takes them to 1 day past due). A
small store by default, COB_BENCH_LOANS loans (10,000); COB_BENCH_LOANS=100000 runs it
over the store the other benchmarks use. Each run is on a fresh copy of the store, the
coordinator (this process, following the store as `lending serve` does) first alone,
then beside 1 worker, then 2. Reported: the whole day, and its review (from the day's
partitions published to the last one done, the database's clock), as a ratio to one
raw insert; then the review's scaling from 1 worker to 2.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from infrastructure.runtime import Runtime
from tests.benchmarks.baseline import InsertRate
from tests.benchmarks.seed import BUSINESS_DATE, seeded_copy, settings_for
from tests.support.books import caught_up, close_through
from tests.support.cob import cob_workers, partitions

LOANS = int(os.environ.get("COB_BENCH_LOANS", "10000"))
DUE = LOANS // 20
NEXT_DAY = date(2026, 3, 2)


def close_next_day(
    server: str, tmp_path: Path, workers: int, baseline: InsertRate, report: Callable[..., str]
) -> float:
    """Close 2 March on a fresh copy beside `workers` COB workers: the review's seconds."""
    with seeded_copy(server, tmp_path / f"seed{workers}", LOANS) as url:
        settings = settings_for(url, tmp_path / f"data{workers}")
        runtime = Runtime.open(settings)
        try:
            runtime.projections.start()
            caught_up(runtime)
            head = runtime.projections.head()
            with cob_workers(settings, workers):
                began = time.perf_counter()
                close_through(runtime, NEXT_DAY)
                elapsed = time.perf_counter() - began
            written = runtime.projections.head() - head
            rows = partitions(url)
        finally:
            runtime.close()
    if workers:
        review = max(r["done_at"] for r in rows) - min(r["published_at"] for r in rows)
        seconds = review.total_seconds()
        shape = f"{workers} worker{'s' if workers > 1 else ''}"
        assert all(r["holder"].startswith("cob worker") for r in rows)
    else:
        seconds, shape = elapsed, "alone"
        assert rows == []  # alone, the day is not published
    report(
        f"cob_workers ({shape})",
        f"{elapsed:.1f} s for {BUSINESS_DATE} + 1 over {LOANS:,} active loans ({DUE:,} "
        f"falling due), review {seconds:.1f} s, {written:,} events written",
        baseline.per_insert(),
        elapsed / baseline.round_trip,
    )
    # Each loan due records its late fee and its first day past due, and may get a DPD
    # warning; the calendar records the day.
    assert DUE <= written <= 3 * DUE + 1
    return seconds


@pytest.mark.timeout(7200)
def test_close_of_business_with_one_and_two_workers(
    database_server: str,
    tmp_path: Path,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    baseline = insert_baseline(1, 2.0)
    close_next_day(database_server, tmp_path, 0, baseline, report)
    one = close_next_day(database_server, tmp_path, 1, baseline, report)
    two = close_next_day(database_server, tmp_path, 2, baseline, report)
    line = report(
        "cob_workers_scaling",
        f"review 1 -> 2 workers: {one:.1f} s -> {two:.1f} s, {one / two:.2f}x",
        f"ideal 2.00x ({os.cpu_count()} cores, shared with the coordinator and PostgreSQL)",
        one / two / 2,
    )
    print(line)
