"""Sustained repayments over HTTP: the real server, 8 concurrent clients, many loans."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

import httpx
import pytest

from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.benchmarks.baseline import InsertRate, ms, percentile
from tests.support.api import OFFICER
from tests.support.portfolio import disbursed_loans
from tests.support.processes import drained_server

CLIENTS = 8
LOANS = 200
SECONDS = 15.0
MAX_PER_CLIENT = 2_500  # bounds the run if the server is far faster than expected
TARGET_PER_SECOND = 300
PAID_ON = date(2026, 2, 15)  # before the loans' first due date


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The store opens on the payments' value date, so the loans are current, as most of
    a lender's book is: each repayment records its receipt and its allocation, and no
    change of delinquency."""
    return settings.model_copy(update={"opening_date": PAID_ON})


# Eight clients of one officer from one address, far past a person's rate: unlimited.
UNLIMITED = {"LENDING_RATE_LIMITS": '{"commands_per_client": null, "commands_per_user": null}'}


def running_server(
    settings: Settings, processes: int, prelude: str = ""
) -> AbstractContextManager[str]:
    """`lending serve` with `processes` API processes, its log drained while it runs
    (`prelude`: see tests.support.processes.lending)."""
    args = ("--workers", str(processes)) if processes > 1 else ()
    return drained_server(settings, *args, processes=processes, env=UNLIMITED, prelude=prelude)


class Client(threading.Thread):
    """Posts small repayments round-robin over its own loans until time or count runs out."""

    def __init__(
        self, number: int, base_url: str, loans: list[UUID], start: threading.Barrier, run: str
    ):
        super().__init__()
        self.number, self.base_url, self.loans, self.start_line = number, base_url, loans, start
        # References unique to this run: a later run on the same store (the chain cost's
        # rounds) would otherwise repeat them, and a repeated reference is a 409.
        self.batch = run
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()

    def post(self, http: httpx.Client, n: int) -> float:
        body = {
            "loan_id": str(self.loans[n % len(self.loans)]), "amount": "1.00",
            "value_date": PAID_ON.isoformat(), "channel": "bank",
            "external_reference": f"BENCH-{self.batch}-{self.number}-{n}",
        }  # fmt: skip
        began = time.perf_counter()
        response = http.post("/repayments", json=body)
        self.statuses[response.status_code] += 1
        return time.perf_counter() - began

    def run(self) -> None:
        with httpx.Client(base_url=self.base_url, headers=OFFICER, timeout=30) as http:
            self.post(http, -1)  # a warm connection before the clock starts
            self.statuses.clear()
            self.start_line.wait()
            deadline = time.perf_counter() + SECONDS
            for n in range(MAX_PER_CLIENT):
                if time.perf_counter() >= deadline:
                    return
                self.latencies.append(self.post(http, n))


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("processes", "charged"),
    [(1, False), (2, False), (1, True)],
    ids=["one process", "two API processes", "one process, loans with charges"],
)
def test_repayments_over_http(
    processes: int,
    charged: bool,
    settings: Settings,
    runtime: Runtime,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    began = time.perf_counter()
    loans = disbursed_loans(runtime.app, LOANS, charged=charged)
    print(f"\nrepayments_http: {LOANS} loans disbursed in {time.perf_counter() - began:.1f} s")
    with running_server(settings, processes) as base_url:
        runtime.projections.wait(runtime.projections.head(), timeout=120)
        baseline = insert_baseline(CLIENTS, SECONDS)
        paid = pay_for_a_while(base_url, loans, runtime)
    latencies, statuses, rate = paid.latencies, paid.statuses, paid.rate
    report(
        f"repayments_http ({processes} API process{'es' if processes > 1 else ''}"
        f"{', loans with charges' if charged else ''})",
        f"{rate:.1f}/s p50 {ms(percentile(latencies, 0.5))} p99 {ms(percentile(latencies, 0.99))}"
        f" ({len(latencies)} in {len(latencies) / rate:.1f} s, {CLIENTS} clients, {LOANS} loans)",
        baseline.per_second(),
        rate / baseline.rate,
        f"{TARGET_PER_SECOND}/s",
        rate >= TARGET_PER_SECOND,
    )
    assert statuses == {201: len(latencies)}, statuses
    # Each repayment is two events: the repayment received and the loan's allocation.
    assert runtime.projections.head() - paid.head_before == 2 * len(latencies)
    assert rate > 5, "repayments over HTTP are badly broken"


@dataclass(frozen=True)
class Paid:
    latencies: list[float]
    statuses: Counter[int]
    rate: float  # repayments per second
    head_before: int  # the store's position as the clients started


def pay_for_a_while(base_url: str, loans: list[UUID], runtime: Runtime) -> Paid:
    """CLIENTS clients post repayments for SECONDS, each round-robin over its own loans
    (so payments never race for one loan)."""
    heads: list[int] = []
    start = threading.Barrier(CLIENTS + 1, action=lambda: heads.append(runtime.projections.head()))
    run = uuid4().hex[:8]
    clients = [Client(c, base_url, loans[c::CLIENTS], start, run) for c in range(CLIENTS)]
    for client in clients:
        client.start()
    start.wait()
    began = time.perf_counter()
    for client in clients:
        client.join()
    elapsed = time.perf_counter() - began
    latencies = [t for client in clients for t in client.latencies]
    statuses = sum((client.statuses for client in clients), Counter[int]())
    return Paid(latencies, statuses, len(latencies) / elapsed, heads[0])
