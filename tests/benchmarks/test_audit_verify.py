"""`lending audit verify` over the 100,000-loan store, in events per second.

The baseline is a raw scan of the same events table in the same run: every row's id,
version, topic and state read through psycopg in position order, a page at a time, as
a reader of the store without any checking would. The goal is at least a third of it.
The chain's one-time start over the whole store (chain_migration.py) is timed too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from infrastructure import audit
from infrastructure.chain_migration import start_event_chain
from infrastructure.runtime import Runtime
from tests.benchmarks.seed import LOANS, settings_for
from tests.support.old_events import forget_chain

TARGET = 1 / 3
PAGE = 10_000


def raw_scan(url: str) -> tuple[int, float]:
    """Every event row read, as fast as psycopg reads them: (rows, seconds)."""
    rows, began = 0, time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor(name="raw_scan") as cursor:
        cursor.itersize = PAGE
        cursor.execute(
            "SELECT originator_id, originator_version, topic, state FROM lending_events "
            "ORDER BY notification_id"
        )
        while page := cursor.fetchmany(PAGE):
            rows += len(page)
    return rows, time.perf_counter() - began


@pytest.mark.timeout(7200)
def test_audit_verify_over_100k_loans(
    seeded: str, tmp_path: Path, report: Callable[..., str]
) -> None:
    runtime = Runtime.open(settings_for(seeded, tmp_path / "data"))
    try:
        raw_scan(seeded)  # both read a warm table
        rows, seconds = raw_scan(seeded)
        found = audit.verify(runtime.app)
        raw = rows / seconds
        report(
            "audit_verify",
            f"{found.rate:,.0f} events/s ({found.events:,} events, {LOANS:,} loans, "
            f"{found.checkpoints} checkpoints in {found.seconds:.1f} s)",
            f"raw scan {raw:,.0f} events/s ({seconds:.1f} s)",
            found.rate / raw,
            f">= {TARGET:.2f} of the raw scan",
            found.rate / raw >= TARGET,
        )
        assert found.breaks == []
        assert found.events == rows

        with psycopg.connect(seeded) as conn:
            forget_chain(conn.cursor())
        began = time.perf_counter()
        assert start_event_chain(runtime.app)
        started = time.perf_counter() - began
        report(
            "audit_chain_start",
            f"{rows / started:,.0f} events/s ({rows:,} events chained once in {started:.1f} s)",
            f"raw scan {raw:,.0f} events/s",
            rows / started / raw,
        )
        assert audit.verify(runtime.app).breaks == []
    finally:
        runtime.close()
