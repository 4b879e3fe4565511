"""What the hash chain costs repayments over HTTP: the same run with and without it.

Two servers in turn on the same store, each paying its own half of the loans for the
same time with the same clients as test_repayments_http: one as shipped, one whose
recorder writes no chain (tests/benchmarks/unchained.py). The rounds alternate, so a
noisy neighbour on the machine hurts both alike. The goal: the chain costs under 5%.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest

from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.benchmarks.test_repayments_http import (
    LOANS,
    PAID_ON,
    pay_for_a_while,
    running_server,
)
from tests.support.portfolio import disbursed_loans

ROUNDS = 2
TARGET = 0.05
UNCHAINED = "import tests.benchmarks.unchained"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Opened on the payments' value date, as in test_repayments_http."""
    return settings.model_copy(update={"opening_date": PAID_ON})


@pytest.mark.timeout(900)
def test_the_chain_costs_repayments_over_http_little(
    settings: Settings, runtime: Runtime, report: Callable[..., str]
) -> None:
    began = time.perf_counter()
    loans = disbursed_loans(runtime.app, 2 * LOANS)
    print(f"\nchain_cost: {2 * LOANS} loans disbursed in {time.perf_counter() - began:.1f} s")
    rates: dict[str, list[float]] = {"chained": [], "unchained": []}
    for _ in range(ROUNDS):
        for name, prelude, own in (("chained", "", loans[:LOANS]),
                                   ("unchained", UNCHAINED, loans[LOANS:])):  # fmt: skip
            with running_server(settings, 1, prelude) as base_url:
                runtime.projections.wait(runtime.projections.head(), timeout=120)
                paid = pay_for_a_while(base_url, own, runtime)
            assert paid.statuses == {201: len(paid.latencies)}, paid.statuses
            rates[name].append(paid.rate)
    chained, unchained = (statistics.mean(rates[n]) for n in ("chained", "unchained"))
    cost = 1 - chained / unchained
    report(
        "chain_cost_repayments_http",
        f"{chained:.1f}/s with the chain, {unchained:.1f}/s without: {cost:+.1%} "
        f"(rounds {', '.join(f'{a:.0f}/{b:.0f}' for a, b in zip(*rates.values(), strict=True))})",
        f"without the chain {unchained:.1f}/s",
        chained / unchained,
        f"< {TARGET:.0%} slower",
        cost < TARGET,
    )
