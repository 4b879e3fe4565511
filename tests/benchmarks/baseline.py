"""The raw PostgreSQL baseline: single-row INSERTs, each its own transaction."""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import psycopg

BASELINE_TABLE = """CREATE TABLE IF NOT EXISTS bench_baseline (
    id bigserial PRIMARY KEY,
    client integer NOT NULL,
    n integer NOT NULL,
    payload bytea NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
)"""
BASELINE_INSERT = "INSERT INTO bench_baseline (client, n, payload) VALUES (%s, %s, %s)"
# About the size of one stored (encrypted) event.
PAYLOAD = os.urandom(400)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def timed(call: Callable[[], object], times: int) -> list[float]:
    """How long each of `times` calls took, in seconds."""
    timings = []
    for _ in range(times):
        began = time.perf_counter()
        call()
        timings.append(time.perf_counter() - began)
    return timings


@dataclass(frozen=True)
class InsertRate:
    """What `clients` connections inserting one row per transaction achieved."""

    clients: int
    elapsed: float
    latencies: tuple[float, ...]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed

    @property
    def round_trip(self) -> float:
        """One insert, median: the unit the single-operation benchmarks are measured in."""
        return statistics.median(self.latencies)

    def per_second(self) -> str:
        clients = f"{self.clients} client{'s' if self.clients > 1 else ''}"
        return f"baseline {self.rate:.1f} inserts/s ({clients})"

    def per_insert(self) -> str:
        return f"baseline {ms(self.round_trip)}/insert (median of {len(self.latencies)})"


def measure_insert_rate(
    url: str, clients: int, seconds: float, limit: int = 1_000_000
) -> InsertRate:
    """`clients` threads, one connection each, insert single rows until time or `limit`."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(BASELINE_TABLE)
        conn.execute("TRUNCATE bench_baseline")
    connections = [psycopg.connect(url, autocommit=True) for _ in range(clients)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    deadline = 0.0

    def insert(client: int) -> None:
        conn, timings = connections[client], latencies[client]
        start.wait()
        for n in range(limit):
            began = time.perf_counter()
            if began >= deadline:
                return
            conn.execute(BASELINE_INSERT, (client, n, PAYLOAD), prepare=True)
            timings.append(time.perf_counter() - began)

    threads = [threading.Thread(target=insert, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    for conn in connections:
        conn.close()
    return InsertRate(clients, elapsed, tuple(t for ts in latencies for t in ts))
